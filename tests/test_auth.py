"""Accounts, roles and the audit trail (dashboard/auth.py, dashboard/ui/auth.py, pages/admin.py): the
CLI makes the first administrator, passwords are stored only as Argon2id hashes, a role gets exactly
its pages, refusals and loads are audited. Pages through AppTest; the browser paths are in
tests/test_auth_browser.py."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from dashboard import auth, config, store
from dashboard.store import access
from tests.conftest import FIXTURES, render

PASSWORD = "correct horse battery"


def cli(db, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "HC_DATA_DIR": str(db.parent), "HC_DB_PATH": str(db)}
    env.pop("HC_POLICY_OVERRIDES", None)
    return subprocess.run([sys.executable, "-m", "dashboard", *args], cwd=config.ROOT, env=env, input=stdin,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def db(data_dir):
    path = data_dir / "db.duckdb"
    with access.writing(path):
        pass
    return path


def read(db, sql: str):
    with access.reading(db):
        return store.cursor().execute(sql).fetchall()


def test_the_first_administrator_is_made_from_the_cli_and_only_a_hash_is_kept(db):
    done = cli(db, "user", "add", "admin", "--role", "administrator", "--password-stdin", stdin=PASSWORD + "\n")
    assert done.returncode == 0, done.stderr
    [(name, role, stored)] = read(db, "select user_name, role, password_hash from app_user")
    assert (name, role) == ("admin", "administrator")
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    listed = cli(db, "user", "list")
    assert "admin\tadministrator\tpassword" in listed.stdout
    trail = cli(db, "audit")
    assert "user_add\tadmin\tok\tadministrator" in trail.stdout


def test_a_short_password_and_a_second_account_of_the_same_name_are_refused(db):
    assert cli(db, "user", "add", "a", "--password-stdin", stdin="short\n").returncode == 2
    assert cli(db, "user", "add", "a", "--password-stdin", stdin=PASSWORD + "\n").returncode == 0
    again = cli(db, "user", "add", "a", "--password-stdin", stdin=PASSWORD + "\n")
    assert again.returncode == 2 and "exists already" in again.stderr


def test_verify_answers_the_role_only_for_the_right_password_of_an_enabled_account(db):
    with access.writing(db) as con:
        auth.add_user(con, "ana", "analyst", PASSWORD, by="test")
        assert auth.verify(con, "ana", PASSWORD) == "analyst"
        assert auth.verify(con, "ana", PASSWORD + "x") is None
        assert auth.verify(con, "nobody", PASSWORD) is None
        auth.set_disabled(con, "ana", True, by="test")
        assert auth.verify(con, "ana", PASSWORD) is None
        auth.add_user(con, "lee@wjw.example", "commissioner", None, by="test")  # identity provider: no password
        assert auth.verify(con, "lee@wjw.example", "") is None
        assert auth.role_of_identity(con, "LEE@wjw.example") == "commissioner"
        assert auth.role_of_identity(con, "stranger@wjw.example") is None


def test_roles_include_the_ones_below():
    assert auth.allows("administrator", "analyst") and auth.allows("analyst", "analyst")
    assert not auth.allows("commissioner", "analyst") and not auth.allows(None, "commissioner")
    with pytest.raises(auth.Refused):
        auth.require("commissioner", "analyst", "upload")


def test_a_cli_load_is_audited_with_the_operator_and_whether_it_replaced(db):
    """facility.csv loaded twice for 2022-W51: a load, then a replace of its 5 rows."""
    for _ in range(2):
        assert cli(db, "load", str(FIXTURES / "facility.csv"), "--week", "2022-W51", "--user", "ops").returncode == 0
    rows = read(db, "select user_name, role, action, outcome, target from audit order by audit_id")
    assert [r[:4] for r in rows] == [("ops", "operator (cli)", "load", "accepted"),
                                     ("ops", "operator (cli)", "replace", "accepted")]
    assert rows[0][4] == "facility 2022-12-19 facility.csv"


def test_policy_override_check():
    auth.check_policy_override("[icu.doctors_per_bed]\nvalue = 1\n")
    with pytest.raises(ValueError, match="unknown rule"):
        auth.check_policy_override("[icu.nonsense]\nvalue = 1\n")
    with pytest.raises(ValueError, match="only value"):
        auth.check_policy_override("[icu.doctors_per_bed]\nsource = 'mine'\n")
    with pytest.raises(ValueError, match="not TOML"):
        auth.check_policy_override("[icu")


# --- pages -------------------------------------------------------------------------------------------
def test_with_no_account_the_demo_is_open(shell_app):
    """No account: every visitor is an analyst (the banner saying so is checked in the browser)."""
    at = render("pages/upload.py")
    assert at.file_uploader and not at.error  # the analyst's page works
