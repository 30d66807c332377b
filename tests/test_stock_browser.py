"""The stock page in headless Chromium on the hand-worked fixture of tests/test_stock.py: the numbers, the
target-share slider moved by keyboard, the map drawn with no tiles, English, and nothing fetched from
outside this machine. (tests/test_browser.py covers every page on the demo; this one checks the answers.)
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request

import pytest

from tests import apptest
from tests.test_browser import ROOT, _free_port, assert_clean, browser, page, settle  # noqa: F401 (fixtures)
from tests.test_browser import pytestmark  # noqa: F401 (browser marker, skipped without chromium)
from tests.test_stock import FILES


@pytest.fixture(scope="module")
def stock_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("stock_browser")
    with apptest.loaded_database(folder, FILES):
        pass  # built and closed: the server opens it
    port = _free_port()
    env = {**os.environ, "HC_DATA_DIR": str(folder), "HC_DB_PATH": str(folder / "db.duckdb")}
    log = open(folder / "streamlit.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port), "--server.headless", "true",
         "--server.address", "127.0.0.1"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).status == 200:
                break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("streamlit did not start: " + (folder / "streamlit.log").read_text()[-2000:])
    yield url
    proc.terminate()
    proc.wait(timeout=20)
    log.close()


def metric(tab, label: str) -> str:
    box = tab.locator("[data-testid='stMetric']", has_text=label).first
    return box.locator("[data-testid='stMetricValue']").inner_text().strip()


def test_stock_page_numbers_slider_map_and_english(stock_server, page):
    page.goto(f"{stock_server}/stock")
    settle(page, 1500)
    assert_clean(page, "stock-fixture-zh")
    assert page.get_by_role("heading", name="药品与抗原储备").count() == 1
    # 20% targets: shortfalls 600 + 1,000 + 167 (see tests/test_stock.py)
    assert metric(page, "抗原检测试剂缺口（人份）") == "1,767"
    assert metric(page, "已报送机构") == "3/4"  # P3 did not report: missing, not zero stock

    # the share slider, moved from 20% to 15% by keyboard: only P1 (1,400 of 1,500) is short
    page.get_by_role("slider").first.focus()
    for _ in range(5):
        page.keyboard.press("ArrowLeft")
    settle(page, 1500)
    assert metric(page, "抗原检测试剂缺口（人份）") == "100"

    # the map tab: drawn by deck.gl into a canvas, with no basemap (the page fixture fails on any outside request)
    page.get_by_role("tab", name="地图").click()
    settle(page, 2500)
    assert page.locator("[data-testid='stDeckGlJsonChart'] canvas").count() >= 1
    assert_clean(page, "stock-fixture-map")

    page.get_by_text("English", exact=True).first.click()
    settle(page, 1500)
    assert page.get_by_role("heading", name="Drug and antigen-kit stock").count() == 1
    assert metric(page, "Antigen kits shortfall (doses)") == "100"  # the slider's 15% survives the switch
    assert_clean(page, "stock-fixture-en")
