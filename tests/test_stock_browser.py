"""The stock page in headless Chromium on the hand-worked fixture of tests/test_stock.py: the numbers, the
target-share slider moved by keyboard, the map drawn with no tiles, English, and nothing fetched from
outside this machine. (tests/test_browser.py covers every page on the demo; this one checks the answers.)
"""
from __future__ import annotations

import pytest

from tests.conftest import fixture_server, metric_value, settle
from tests.test_browser import assert_clean, browser, page  # noqa: F401 (fixtures)
from tests.test_browser import pytestmark  # noqa: F401 (browser marker, skipped without chromium)
from tests.test_stock import FILES


@pytest.fixture(scope="module")
def stock_server(tmp_path_factory):
    with fixture_server(tmp_path_factory.mktemp("stock_browser"), FILES) as url:
        yield url


def test_stock_page_numbers_slider_map_and_english(stock_server, page):
    page.goto(f"{stock_server}/stock")
    settle(page)
    assert_clean(page, "stock-fixture-zh")
    assert page.get_by_role("heading", name="药品与抗原储备").count() == 1
    # 20% targets: shortfalls 600 + 1,000 + 167 (see tests/test_stock.py)
    assert metric_value(page, "抗原检测试剂缺口（人份）") == "1,767"
    assert metric_value(page, "已报送机构") == "3/4"  # P3 did not report: missing, not zero stock

    # the share slider, moved from 20% to 15% by keyboard: only P1 (1,400 of 1,500) is short
    page.get_by_role("slider").first.focus()
    for _ in range(5):
        page.keyboard.press("ArrowLeft")
    settle(page)
    assert metric_value(page, "抗原检测试剂缺口（人份）") == "100"

    # the map tab: drawn by deck.gl into a canvas, with no basemap (the page fixture fails on any outside request)
    page.get_by_role("tab", name="地图").click()
    settle(page)
    # the tab's content is built when it opens (a rerun): wait for deck.gl's canvas, then check it
    page.locator("[data-testid='stDeckGlJsonChart'] canvas").first.wait_for(timeout=60000)
    assert page.locator("[data-testid='stDeckGlJsonChart'] canvas").count() >= 1
    assert_clean(page, "stock-fixture-map")

    page.get_by_text("English", exact=True).first.click()
    settle(page)
    assert page.get_by_role("heading", name="Drug and antigen-kit stock").count() == 1
    assert metric_value(page, "Antigen kits shortfall (doses)") == "100"  # the slider's 15% survives the switch
    assert_clean(page, "stock-fixture-en")
