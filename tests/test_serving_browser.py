"""A real load from the command line while real browser sessions read, and two servers over one
database with one loader (issue 16). Headless Chromium, localhost only, a bounded number of sessions
and a bounded time; every wait is on a condition.

The database holds the stock fixture of tests/test_stock.py (week 2022-W51: 3 of 4 facilities
reported, antigen shortfall 1,767). The load publishes week 2022-W52 in one command: the facility
register, then a stock report from P1 and P2 only. Between those two files a page that read
file by file would show week 52 with no stock reported ("0/4"); the design lets a page see only
the state before the command or the state after it.
"""
from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dashboard import config, weeks
from tests.conftest import loaded_database, settle, start_app
from tests.test_browser import ARGS, CHROMIUM, pytestmark  # noqa: F401 (browser marker)
from tests.test_stock import FACILITY, FILES, HEADER

NEW_WEEK = dt.date(2022, 12, 26)
NEW_STOCK = HEADER + """P1,1400,700,2000,0,1600,200,1800,300,25
P2,3000,2100,4000,700,2999,0,5000,5000,10
"""
SESSIONS = 3
BOUND_S = 180


def week_export(folder: Path) -> Path:
    """The new week as an analyst's export folder (the facility register sorts first)."""
    out = folder / "exports-2022-W52"
    out.mkdir()
    (out / "facility.csv").write_text(FACILITY, encoding="utf-8")
    (out / "stock.csv").write_text(NEW_STOCK, encoding="utf-8")
    return out


def start_load(folder: Path, export: Path) -> subprocess.Popen:
    env = {**os.environ, "HC_DATA_DIR": str(folder), "HC_DB_PATH": str(folder / "db.duckdb")}
    env.pop("HC_POLICY_OVERRIDES", None)
    return subprocess.Popen([sys.executable, "-m", "dashboard", "load", str(export), "--week", "2022-W52"],
                            cwd=config.ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def observe(tab) -> tuple[str, tuple, tuple]:
    """What the stock page shows once it has settled: the same reading twice in a row. (An open page
    reruns by itself when new data are published; a reading taken as such a rerun starts can catch
    the page half drawn, which is neither state of the data.)"""
    last = None
    for _ in range(6):
        now = _read(tab)
        if now == last:
            return now
        last = now
    raise AssertionError(f"the page never settled: {last}")


def _read(tab) -> tuple[str, tuple, tuple]:
    """The week of the 'area · week' caption, every headline number, and the banner's lines."""
    settle(tab)
    errors = tab.locator("[data-testid='stException'], [data-testid='stAlertContentError']")
    assert errors.count() == 0, errors.first.inner_text()
    captions = tab.locator("[data-testid='stMain'] [data-testid='stCaptionContainer']", has_text="·")
    texts = tuple(captions.nth(i).inner_text().strip() for i in range(captions.count()))
    week = next(t.split("·")[-1].strip() for t in texts if re.search(r"·\s*\d{4}年第\d+周", t))
    boxes = tab.locator("[data-testid='stMain'] [data-testid='stMetric']")
    numbers = tuple(sorted(
        (boxes.nth(i).locator("[data-testid='stMetricLabel']").inner_text().strip(),
         boxes.nth(i).locator("[data-testid='stMetricValue']").inner_text().strip())
        for i in range(boxes.count())))
    return week, numbers, texts


@pytest.fixture
def served(tmp_path):
    with loaded_database(tmp_path, FILES):
        pass  # built and closed: the servers open it
    return tmp_path


@pytest.fixture
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield browser
        browser.close()


def tabs(browser, count: int) -> list:
    out = []
    for _ in range(count):
        context = browser.new_context(viewport={"width": 1300, "height": 900}, locale="zh-CN")
        context.route("**/*", lambda route: route.abort() if not route.request.url.startswith(
            ("http://127.0.0.1", "data:", "blob:")) else route.continue_())
        out.append(context.new_page())
    return out


def test_a_cli_load_while_browser_sessions_read_shows_old_or_new_never_a_mix(served, chromium):
    with start_app(served, HC_DB_PATH=str(served / "db.duckdb")) as url:
        sessions = tabs(chromium, SESSIONS)
        for tab in sessions:
            tab.goto(f"{url}/stock")
        before = {observe(tab) for tab in sessions}
        assert len(before) == 1
        old_week, old_numbers, _ = next(iter(before))
        assert old_week == weeks.label(dt.date(2022, 12, 19))
        assert ("已报送机构", "3/4") in old_numbers

        loader = start_load(served, week_export(served))
        seen = []
        deadline = time.monotonic() + BOUND_S
        while loader.poll() is None:  # every session reopens the page (a new run) while the load runs
            assert time.monotonic() < deadline, "the load did not finish in time"
            for tab in sessions:
                tab.goto(f"{url}/stock", wait_until="commit")
            seen += [observe(tab) for tab in sessions]
        out, err = loader.communicate(timeout=60)
        assert loader.returncode == 0, out + err
        for tab in sessions:
            tab.goto(f"{url}/stock")
        after = {observe(tab) for tab in sessions}
        assert len(after) == 1
        new_week, new_numbers, _ = next(iter(after))
        assert new_week == weeks.label(NEW_WEEK)
        assert ("已报送机构", "2/4") in new_numbers

        mixed = [s for s in seen if s not in before | after]
        assert not mixed, mixed
        assert seen, "no page was read while the load ran"


def test_two_servers_one_loader_both_notice_the_new_week(served, chromium):
    """Two dashboard processes on two ports over one file, one CLI load: the load is not refused,
    an open page on each server notices the new week by itself within seconds (the 'viewing a past
    week' banner appears without a click), and a reopened page shows the new week."""
    db = str(served / "db.duckdb")
    with start_app(served, HC_DB_PATH=db) as first, start_app(served, HC_DB_PATH=db) as second:
        left, right = tabs(chromium, 2)
        left.goto(f"{first}/stock")
        right.goto(f"{second}/stock")
        for tab in (left, right):
            assert observe(tab)[0] == weeks.label(dt.date(2022, 12, 19))

        loader = start_load(served, week_export(served))
        out, err = loader.communicate(timeout=BOUND_S)
        assert loader.returncode == 0, out + err

        for tab in (left, right):  # no reload: the page's own watcher reruns it
            tab.get_by_text("正在查看历史周").first.wait_for(timeout=30000)
            tab.goto(tab.url)
            week, numbers, _ = observe(tab)
            assert week == weeks.label(NEW_WEEK)
            assert ("已报送机构", "2/4") in numbers
