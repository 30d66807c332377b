"""Shared fixtures and helpers. Every test gets its own data folder and database, never the checkout's
var/. Page tests render through Streamlit's AppTest (`render`, `metrics`, `chinese_leaks`) on a database
loaded through the real pipeline (`loaded_database`, or the `shell_app` fixture: the hand-made network of
tests/shell_fixture.py). Browser tests start the real server (`start_app`) and wait on conditions
(`settle`), never on fixed sleeps."""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from dashboard import policy, store
from dashboard.config import ROOT

FIXTURES = Path(__file__).parent / "fixtures"
CJK = re.compile(r"[\u3400-\u9fff]")


# --- a database per test ------------------------------------------------------------------------------
@pytest.fixture
def data_dir(tmp_path, monkeypatch) -> Path:
    """HC_DATA_DIR (uploads, salt) and HC_DB_PATH inside the test's temp folder."""
    monkeypatch.setenv("HC_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("HC_DB_PATH", str(tmp_path / "db.duckdb"))
    monkeypatch.delenv("HC_POLICY_OVERRIDES", raising=False)
    policy.reload()
    yield tmp_path
    policy.reload()


@pytest.fixture
def con(data_dir):
    """A fresh database in the test's temp folder."""
    connection = store.connect(data_dir / "db.duckdb")
    yield connection
    connection.close()


@pytest.fixture
def fixture_bytes():
    """Bytes of a hand-made file under tests/fixtures/."""
    return lambda name: (FIXTURES / name).read_bytes()


@contextmanager
def loaded_database(folder: Path, files):
    """A database in `folder` with the given (dataset, csv text, week or day) files loaded through the
    real pipeline, each of which must be accepted. Yields the connection."""
    from dashboard.ingest import loading

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HC_DATA_DIR", str(folder))
        con = store.connect(folder / "db.duckdb")
        try:
            for dataset, text, week in files:
                result = loading.load_bytes(text.encode("utf-8"), f"{dataset}.csv", dataset=dataset, week=week, con=con)
                assert result.outcome == "accepted", (dataset, [f.message_en for f in result.errors])
            yield con
        finally:
            con.close()


# --- pages through AppTest ----------------------------------------------------------------------------
@contextmanager
def demo_database(folder: Path, scale: str, register: bool = True):
    """The embedded demo loaded through the real pipeline into `folder` at HC_DEMO_SCALE=`scale`
    (without the register when register=False: a first start a moment after the server answers).
    Yields (connection, the demo's load summary); the environment points at the folder meanwhile."""
    from dashboard import demo

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HC_DATA_DIR", str(folder))
        mp.setenv("HC_DB_PATH", str(folder / "db.duckdb"))
        mp.setenv("HC_DEMO_SCALE", scale)
        mp.delenv("HC_POLICY_OVERRIDES", raising=False)
        policy.reload()
        con = store.connect(folder / "db.duckdb")
        try:
            yield con, demo.ensure_demo(con, register=register)
        finally:
            con.close()
            policy.reload()


@contextmanager
def database(folder: Path):
    """Point the app at a prepared fixture database (non-empty, so the demo does not load)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HC_DATA_DIR", str(folder))
        mp.setenv("HC_DB_PATH", str(folder / "db.duckdb"))
        try:
            yield
        finally:
            store.close_shared()


@pytest.fixture()
def app_env(db):
    """The app pointed at the requesting module's fixture database (its `db` fixture: the folder is
    db[1]), for the page tests of that module."""
    with database(db[1]):
        yield


def render(page: str, lang: str = "zh", check: bool = True):
    """Run app.py in `lang`, then switch to `page` (e.g. 'pages/icu.py'). With check, no exception."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["lang"] = lang
    at.run()
    at.switch_page(page)
    at.run()
    if check:
        assert not at.exception, [e.value for e in at.exception]
    return at


def open_tab(at, page: str, name: str):
    """Open tab `name` of a page whose tabs build only the open one (dashboard/ui/tabs.py, keyed
    f"{page}_tab"), the way a click does: the per-language tabs widget takes the tab's shown label."""
    from dashboard import i18n

    lang = at.session_state["lang"] if "lang" in at.session_state else i18n.DEFAULT
    at.session_state[f"{page}_tab_{lang}"] = i18n.t(f"{page}.tab.{name}", lang)
    at.session_state["lang"] = lang  # AppTest does not keep the router's sidebar radio between runs
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state[f"{page}_tab"] == name
    return at


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def visible_text(at) -> list[str]:
    texts = [e.value for e in at.title] + [e.value for e in at.header] + [e.value for e in at.subheader]
    texts += [e.value for e in at.markdown] + [e.value for e in at.caption]
    return [str(x) for x in texts]


def chinese_leaks(at) -> list[str]:
    """Texts of an English page that still hold Chinese, leaving out lines that carry data names
    (area and facility names are data and stay as they are: the caption 'area · week')."""
    return [x for x in visible_text(at) if CJK.search(x) and "·" not in x]


@pytest.fixture(scope="session")
def shell_db(tmp_path_factory) -> Path:
    """A folder holding the hand-made two-county network of tests/shell_fixture.py, loaded once."""
    from tests.shell_fixture import load_shell_fixture

    folder = tmp_path_factory.mktemp("shell")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HC_DATA_DIR", str(folder))
        con = store.connect(folder / "db.duckdb")
        load_shell_fixture(con)
        con.close()
    return folder


@pytest.fixture()
def shell_app(shell_db):
    """The app pointed at the shell fixture's database (for `render`)."""
    with database(shell_db):
        yield shell_db


# --- the real server in a browser ---------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def start_app(folder: Path, **env_extra: str):
    """`streamlit run app.py` on a free port with HC_DATA_DIR=folder; yields its URL once it serves.
    Waits on the server's own "You can now view" line (read from its output), then checks health."""
    port = free_port()
    env = {**os.environ, "HC_DATA_DIR": str(folder), **env_extra}
    if "HC_DB_PATH" not in env_extra:
        env.pop("HC_DB_PATH", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port), "--server.headless", "true",
         "--server.address", "127.0.0.1"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    ready = threading.Event()
    log: list[str] = []

    def read() -> None:
        for line in proc.stdout:
            log.append(line)
            if "You can now view" in line or "URL:" in line:
                ready.set()
        ready.set()  # the process ended: stop waiting

    threading.Thread(target=read, daemon=True).start()
    url = f"http://127.0.0.1:{port}"
    try:
        if not ready.wait(timeout=90) or proc.poll() is not None:
            pytest.fail("streamlit did not start: " + "".join(log)[-2000:])
        assert urllib.request.urlopen(f"{url}/_stcore/health", timeout=30).status == 200
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        (folder / "streamlit.log").write_text("".join(log), encoding="utf-8")


IDLE_MS = 500  # how long the app must stay idle, like Playwright's own "networkidle" (500 ms)


def settle(tab, *_ignored) -> None:
    """Wait until the app is idle: connected, the script neither running nor asked to run, no stale
    element, no spinner, no element on screen still waiting for its code (a browser fetches the code
    of each kind of element, a metric, a chart, the first time it draws one, and shows a skeleton
    meanwhile: on a busy server that can outlast the script by seconds; the benchmark's ready_js waits
    for the same), the one-off data preparation over, and all of that unchanged for IDLE_MS (a widget
    change reaches the server a moment after the click, before the page shows it is running, so a
    single look could catch the calm before the rerun). Returns as soon as that holds; fails only on
    the timeout. (A second argument, milliseconds from the old fixed waits, is accepted and ignored.)"""
    tab.wait_for_selector("[data-testid='stAppViewContainer']", timeout=60000)
    tab.evaluate("() => { window.__idleSince = null; }")
    tab.wait_for_function(
        """(idleMs) => {
            const app = document.querySelector('[data-testid="stApp"]');
            const idle = app
              && app.getAttribute('data-test-connection-state') === 'CONNECTED'
              && app.getAttribute('data-test-script-state') === 'notRunning'
              && !document.querySelector('[data-stale="true"]')
              && !document.querySelector('[data-testid="stStatusWidget"]')
              && !document.querySelector('[data-testid="stSpinner"]')
              && ![...document.querySelectorAll('[data-testid="stSkeleton"]')].some((s) => s.offsetParent)
              && !document.body.innerText.includes('Preparing data');
            if (!idle) { window.__idleSince = null; return false; }
            window.__idleSince = window.__idleSince ?? performance.now();
            return performance.now() - window.__idleSince >= idleMs;
        }""",
        arg=IDLE_MS, polling=100, timeout=180000,
    )


@contextmanager
def fixture_server(folder: Path, files):
    """A real server on a free port over a database of hand-made files loaded through the pipeline.
    Yields its URL."""
    with loaded_database(folder, files):
        pass  # built and closed: the server opens it
    with start_app(folder, HC_DB_PATH=str(folder / "db.duckdb")) as url:
        yield url


def metric_value(tab, label: str) -> str:
    """The value shown in the browser under a metric's label."""
    box = tab.locator("[data-testid='stMetric']", has_text=label).first
    return box.locator("[data-testid='stMetricValue']").inner_text().strip()


def page_opens_from_the_navigation(folder: Path, files, stem: str, title_zh: str, title_en: str, charts: int) -> None:
    """Open / in headless Chromium, reach pages/<stem>.py through the sidebar navigation, and check it in
    Chinese then English: its title, no exception box, at least `charts` charts."""
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("needs Debian's chromium: bash scripts/setup.sh --test")
    from playwright.sync_api import sync_playwright

    with fixture_server(folder, files) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=["--no-sandbox"])
        tab = browser.new_page(viewport={"width": 1440, "height": 900})
        tab.goto(f"{url}/")
        settle(tab)
        tab.locator(f"[data-testid='stSidebarNav'] a[href='{url}/{stem}']").first.click()
        settle(tab)
        tab.locator("h1", has_text=title_zh).wait_for(timeout=60000)
        assert tab.locator("[data-testid='stException']").count() == 0
        if charts:  # charts below the verdict draw after the title: wait for them, do not count at once
            tab.locator(".js-plotly-plot").nth(charts - 1).wait_for(state="attached", timeout=60000)
        tab.get_by_text("English", exact=True).first.click()
        settle(tab)
        tab.locator("h1", has_text=title_en).wait_for(timeout=60000)
        assert tab.locator("[data-testid='stException']").count() == 0
        browser.close()
