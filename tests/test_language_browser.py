"""The language switch on a freshly started server (headless Chromium, localhost only).

On a server's very first run Streamlit executed app.py in its old pages/ mode, under the page's hash
instead of app.py's, so the switch drawn in that run had an element id the later runs do not give it:
the first click on "English" reached the server under the old id, the run found no value under the
new one and drew 中文 again (seen while the demo register loaded, which is when a server is fresh;
the loading reruns were not the cause). app.py now starts that first run again as the router before
drawing anything. The database here is a fixture (no demo loading, so no rerun comes between the
first run and the click to hide the fault): the click lands on the first run's switch every time.
"""
from __future__ import annotations

import pytest

from dashboard import i18n
from tests.conftest import fixture_server, settle
from tests.test_browser import ARGS, CHROMIUM, pytestmark  # noqa: F401 (browser marker)
from tests.test_stock import FILES


def checked(tab) -> list[str]:
    return tab.locator("[data-testid='stSidebar'] [role='radiogroup'] label:has(input:checked)").all_inner_texts()


def test_first_click_on_english_on_a_fresh_server_switches_the_language(tmp_path):
    from playwright.sync_api import sync_playwright

    with fixture_server(tmp_path, FILES) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        tab = browser.new_context(viewport={"width": 1300, "height": 900}, locale="zh-CN").new_page()
        tab.goto(url)  # the server's first run
        settle(tab)
        assert [c.strip() for c in checked(tab)] == ["中文"]
        tab.get_by_text("English", exact=True).first.click()  # once
        settle(tab)
        assert [c.strip() for c in checked(tab)] == ["English"]
        label = tab.locator("[data-testid='stSidebar'] [data-testid='stRadio'] [data-testid='stWidgetLabel']").first
        assert label.inner_text().strip() == i18n.t("app.sidebar.language", "en")
        browser.close()
