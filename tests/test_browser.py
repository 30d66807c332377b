"""The real app in headless Chromium: every page, both languages, an upload through the page.

Starts `streamlit run app.py` on a free port with an empty data folder (so the demo loads, at a small
scale), then drives Debian's /usr/bin/chromium with Playwright. Fails on any Streamlit exception box
and on any request to a host that is not this machine. Screenshots go to test-artifacts/.
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from urllib.parse import urlparse

import pytest

from dashboard.ui import navigation
from tests.conftest import free_port, settle, start_app  # noqa: F401 (settle: imported by other browser tests)

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]
PAGES = ["" if p.default else p.url_path for p in navigation.pages()]  # "": the default page (the overview, at /)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium: bash scripts/setup.sh --test"),
]


_free_port = free_port  # kept for the other browser tests' imports


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with start_app(tmp_path_factory.mktemp("browser"), HC_DEMO_SCALE="0.01") as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture()
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    tab = context.new_page()
    outside: list[str] = []

    def watch(request):
        host = urlparse(request.url).hostname
        if not request.url.startswith(("data:", "blob:")) and host not in ("127.0.0.1", "localhost", "::1"):
            outside.append(request.url)

    tab.on("request", watch)
    tab.outside = outside
    yield tab
    context.close()
    assert not outside, f"requests left this machine: {outside[:5]}"


def sidebar_choices(tab) -> list[str]:
    """What the sidebar's selectboxes show (their text lives in the input's value)."""
    inputs = tab.locator("[data-testid='stSidebar'] [data-testid='stSelectbox'] input")
    return [inputs.nth(i).input_value() for i in range(inputs.count())]


def choose(tab, selectbox, option: str, attempts: int = 5) -> None:
    """Open a selectbox and click one of its options. Open pages rerun on their own (the data watcher's
    fragment every few seconds), and the combobox's list can close under a click that lands on one:
    open it again until the option shows (a condition, not a fixed wait)."""
    from playwright.sync_api import TimeoutError as Timeout

    for attempt in range(attempts):
        selectbox.click()
        try:
            tab.get_by_role("option", name=option).wait_for(state="visible", timeout=5000)
            tab.get_by_role("option", name=option).click()
            return
        except Timeout:
            tab.keyboard.press("Escape")
            settle(tab)
    raise AssertionError(f"the option {option!r} never showed in {attempts} openings")


def assert_clean(tab, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    exceptions = tab.locator("[data-testid='stException']")
    assert exceptions.count() == 0, exceptions.first.inner_text()
    assert "Traceback" not in tab.content()


def test_first_visit_to_a_page_goes_through_the_router(server, page):
    # The server has just started and nobody has opened / yet: Streamlit would run pages/upload.py
    # on its own (no sidebar filters, no banner, no demo). It must come through app.py.
    page.goto(f"{server}/upload")
    settle(page)
    assert page.get_by_role("radiogroup").count() >= 1  # the language switch of app.py
    page.get_by_text("演示数据").first.wait_for(timeout=90000)  # the demo banner: the bootstrap ran
    settle(page)
    assert page.locator("[role='dialog']").count() == 0  # no "page not found"
    nav = page.locator("[data-testid='stSidebarNav']").inner_text()
    assert "上传数据" in nav and "data quality" not in nav
    assert_clean(page, "first-visit-upload")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_page_renders(server, page, lang):
    page.goto(f"{server}/")
    settle(page)
    if lang == "en":
        page.get_by_text("English", exact=True).first.click()
        settle(page)
    for name in PAGES:
        # navigate inside the session (a fresh URL would start a new session in Chinese)
        page.locator(f"[data-testid='stSidebarNav'] a[href='{server}/{name}']").first.click()
        settle(page)
        assert_clean(page, f"{name or 'overview'}-{lang}")
        if lang == "en":
            assert page.get_by_text("English", exact=True).count() >= 1


def test_upload_adds_a_week(server, page):
    from dashboard import demo

    new_week = dt.date(2023, 1, 9)
    stock = demo.generate(demo.DEMO_WEEKS[-1])["stock"]
    path = ARTIFACTS / "upload_stock_2023-W02.csv"
    ARTIFACTS.mkdir(exist_ok=True)
    path.write_bytes(stock)

    page.goto(f"{server}/upload")
    settle(page)
    # the date field is three spin buttons (year / month / day)
    page.locator("[data-testid='stDateInput'] [data-type='year']").first.click()
    page.keyboard.type(new_week.strftime("%Y%m%d"))  # each segment moves on to the next when full
    page.keyboard.press("Tab")
    settle(page)
    assert page.locator("[data-testid='stDateInput'] input[type='date']").first.input_value() == new_week.isoformat()
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(path))
    settle(page)
    page.get_by_role("button", name="预检").click()
    settle(page)
    assert page.get_by_text("预检通过").count() == 1, page.locator("[data-testid='stAlert']").all_inner_texts()
    page.get_by_role("button", name="确认载入").click()
    settle(page)
    assert_clean(page, "upload-done")
    assert page.get_by_text("已载入").count() >= 1
    # the new week is now offered in the sidebar's week picker, newest first
    page.goto(f"{server}/stock")
    settle(page)
    assert sidebar_choices(page)[0].startswith("2023年第2周"), sidebar_choices(page)
    assert_clean(page, "stock-after-upload")


def test_area_choice_survives_language_switch_and_page_change(server, page):
    # Streamlit's front end keeps a selectbox's choice by its displayed text, which the language
    # switch changes; the sidebar must keep the league chosen, shown in the new language.
    page.goto(f"{server}/")
    # While the demo register still loads, each published week reruns open pages (new data within
    # seconds), and a rerun closes an open dropdown: choose once the loading banner has gone.
    page.wait_for_function("() => !document.body.innerText.includes('演示台账载入中')", polling=500, timeout=600000)
    settle(page)
    choose(page, page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").nth(1), "包头市")
    settle(page)
    page.get_by_text("English", exact=True).first.click()
    settle(page)
    week, league = sidebar_choices(page)[:2]
    assert re.fullmatch(r"20\d\d-W\d\d \(.*\)", week) and league == "Baotou", sidebar_choices(page)
    page.locator(f"[data-testid='stSidebarNav'] a[href='{server}/data_quality']").first.click()
    settle(page)
    assert sidebar_choices(page) == [week, "Baotou", "All", "All"], sidebar_choices(page)
    assert_clean(page, "filters-after-language-switch")
