"""The risk-labelling page in headless Chromium on the hand-worked fixture of tests/test_labelling.py:
the headline numbers, the correction list of one facility, the map drawn with no tiles, English, and
nothing fetched from outside this machine. (tests/test_browser.py covers every page on the demo.)
"""
from __future__ import annotations

import re

import pytest

from tests.conftest import fixture_server, metric_value, settle
from tests.test_browser import assert_clean, browser, page  # noqa: F401 (fixtures)
from tests.test_browser import pytestmark  # noqa: F401 (browser marker, skipped without chromium)
from tests.test_labelling import FILES


@pytest.fixture(scope="module")
def labelling_server(tmp_path_factory):
    with fixture_server(tmp_path_factory.mktemp("labelling_browser"), FILES) as url:
        yield url


def test_labelling_page_numbers_corrections_map_and_english(labelling_server, page):
    page.goto(f"{labelling_server}/labelling")
    settle(page)
    assert_clean(page, "labelling-fixture-zh")
    assert page.get_by_role("heading", name="红黄绿标识").count() == 1
    # 2 of 3 facilities reported; 7 of 8 labelled; 3 mislabelled; 6 of 8 signed; 2 of 5 case-managed
    assert metric_value(page, "已报送机构") == "2/3"
    assert metric_value(page, "已标识") == "87.5%"
    assert metric_value(page, "标识与规则不符") == "3"
    assert metric_value(page, "家庭医生签约率") == "75.0%"
    assert metric_value(page, "红黄专案管理率") == "40.0%"

    page.get_by_role("tab", name="标识核查").click()
    settle(page)
    page.get_by_text("共 3 人需更正", exact=False).first.wait_for(timeout=20000)  # P1 is first: 2 mislabelled
    assert page.get_by_role("button", name=re.compile("下载更正名单")).count() == 1

    page.get_by_role("tab", name="地图").click()
    settle(page)
    # the tab's content is built when it opens (a rerun): wait for deck.gl's canvas, then check it
    page.locator("[data-testid='stDeckGlJsonChart'] canvas").first.wait_for(timeout=60000)
    assert page.locator("[data-testid='stDeckGlJsonChart'] canvas").count() >= 1  # pydeck drawn, no tiles asked for
    assert_clean(page, "labelling-fixture-map-zh")

    page.get_by_text("English", exact=True).first.click()
    settle(page)
    assert page.get_by_role("heading", name="Risk labelling").count() == 1
    assert metric_value(page, "Labelled") == "87.5%"
    headings = page.locator("h1, h2, h3, [data-testid='stCaptionContainer'], [data-testid='stTab']").all_inner_texts()
    leaks = [h for h in headings if re.search(r"[\u3400-\u9fff]", h) and "·" not in h]
    assert not leaks, leaks
    assert_clean(page, "labelling-fixture-en")
