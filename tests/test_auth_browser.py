"""Every role's path in headless Chromium (issue 16): the sign-in form, what each role's navigation
offers, the refusal of a page a role may not use, an analyst's check and load audited, the
administrator's audit trail, and the open demo while no account exists. Localhost only; waits on
conditions."""
from __future__ import annotations

from pathlib import Path

import pytest

from dashboard import auth
from dashboard.store import access
from tests.conftest import loaded_database, settle, start_app
from tests.test_browser import ARGS, CHROMIUM, pytestmark  # noqa: F401 (browser marker)
from tests.test_stock import FILES, STOCK

PASSWORD = "correct horse battery"
ACCOUNTS = {"chen": "commissioner", "ana": "analyst", "root": "administrator"}


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("roles")
    with loaded_database(folder, FILES):
        pass
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HC_DATA_DIR", str(folder))
        with access.writing(folder / "db.duckdb") as con:
            for name, role in ACCOUNTS.items():
                auth.add_user(con, name, role, PASSWORD, by="test")
    return folder


@pytest.fixture(scope="module")
def server(folder):
    with start_app(folder, HC_DB_PATH=str(folder / "db.duckdb")) as url:
        yield url


@pytest.fixture(scope="module")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def tab(chromium):
    context = chromium.new_context(viewport={"width": 1300, "height": 900}, locale="zh-CN")
    context.route("**/*", lambda route: route.abort() if not route.request.url.startswith(
        ("http://127.0.0.1", "data:", "blob:")) else route.continue_())
    page = context.new_page()
    yield page
    context.close()


def sign_in(tab, url: str, name: str, password: str = PASSWORD) -> None:
    tab.goto(f"{url}/")
    settle(tab)
    tab.get_by_label("用户名").fill(name)
    tab.get_by_label("密码").fill(password)
    tab.get_by_role("button", name="登录").click()
    settle(tab)


def nav(tab) -> str:
    return tab.locator("[data-testid='stSidebarNav']").inner_text()


def no_exception(tab) -> None:
    assert tab.locator("[data-testid='stException']").count() == 0


def test_a_wrong_password_is_refused_and_nothing_is_shown(server, tab):
    sign_in(tab, server, "chen", "not the password")
    tab.get_by_text("用户名或密码不正确").wait_for(timeout=30000)
    assert tab.locator("[data-testid='stMetric']").count() == 0
    assert tab.get_by_role("heading", name="登录").count() == 1


def test_a_commissioner_reads_but_cannot_upload(server, tab):
    sign_in(tab, server, "chen")
    tab.get_by_text("已登录：chen").wait_for(timeout=30000)
    no_exception(tab)
    menu = nav(tab)
    assert "库存" in menu or "储备" in menu
    assert "上传数据" not in menu and "账号与审计" not in menu
    tab.goto(f"{server}/upload")  # typed into the address bar: not one of this role's pages
    settle(tab)
    assert tab.locator("[data-testid='stFileUploader']").count() == 0
    no_exception(tab)


def test_an_analyst_checks_and_loads_a_file_and_it_is_audited(server, tab, folder):
    sign_in(tab, server, "ana")
    tab.get_by_text("已登录：ana").wait_for(timeout=30000)
    assert "上传数据" in nav(tab) and "账号与审计" not in nav(tab)
    tab.locator("[data-testid='stSidebarNav'] a", has_text="上传数据").first.click()
    settle(tab)
    upload = folder / "stock.csv"
    upload.write_text(STOCK, encoding="utf-8")  # this week's stock report again: a replace
    tab.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(str(upload))
    settle(tab)
    tab.get_by_role("button", name="预检").click()
    settle(tab)
    tab.get_by_role("button", name="确认载入").click()
    settle(tab)
    no_exception(tab)
    with access.reading(folder / "db.duckdb"):
        from dashboard import store

        rows = store.cursor().execute(
            "select user_name, role, action, outcome from audit where action in ('check', 'load', 'replace') "
            "order by audit_id").fetchall()
    assert rows[-2:] == [("ana", "analyst", "check", "dry_run"), ("ana", "analyst", "replace", "accepted")]


def test_the_administrator_sees_accounts_and_the_audit_trail(server, tab):
    sign_in(tab, server, "root")
    tab.get_by_text("已登录：root").wait_for(timeout=30000)
    assert "账号与审计" in nav(tab)
    tab.locator("[data-testid='stSidebarNav'] a", has_text="账号与审计").first.click()
    settle(tab)
    no_exception(tab)
    tab.get_by_role("heading", name="审计记录").wait_for(timeout=30000)
    tab.locator("[data-testid='stDownloadButton']", has_text="下载审计记录 CSV").wait_for(timeout=30000)
    assert tab.locator("[data-testid='stDataFrame']").count() >= 2  # accounts and the audit trail
    no_exception(tab)
    assert tab.locator("[data-testid='stAlertContentError']").count() == 0


def test_with_no_account_the_demo_is_open_and_says_so(tmp_path, chromium):
    with loaded_database(tmp_path, FILES):
        pass
    with start_app(tmp_path, HC_DB_PATH=str(tmp_path / "db.duckdb")) as url:
        page = chromium.new_page()
        page.goto(f"{url}/")
        settle(page)
        page.get_by_text("开放演示模式").first.wait_for(timeout=30000)
        assert "上传数据" in nav(page)
        assert page.get_by_role("heading", name="登录").count() == 0
        page.close()
