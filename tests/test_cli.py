"""The headless command line, run as a real subprocess: `python -m dashboard ...`."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import duckdb
import pytest

from dashboard import config

from dashboard.ingest import contracts
from tests.conftest import FIXTURES

DATASETS = ("facility", "register", "transfer", "icu", "stock")  # the datasets with a file in tests/fixtures


@pytest.fixture
def cli(tmp_path):
    env = {**os.environ, "HC_DATA_DIR": str(tmp_path / "data"), "HC_DB_PATH": str(tmp_path / "data" / "db.duckdb")}
    env.pop("HC_POLICY_OVERRIDES", None)

    env.pop("HC_UPLOAD_KEY", None)

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "dashboard", *args], cwd=config.ROOT, env=env,
                              capture_output=True, text=True, timeout=120)
    run.db = tmp_path / "data" / "db.duckdb"
    run.env = env
    return run


@pytest.fixture
def folder(tmp_path):
    """The five fixtures in one folder, named so that the facility file does not sort first."""
    target = tmp_path / "exports"
    target.mkdir()
    for name in DATASETS:
        shutil.copy(FIXTURES / f"{name}.csv", target / f"{'z_' if name == 'facility' else ''}{name}.csv")
    (target / "notes.md").write_text("not a data file")
    return target


def stored(db, sql: str):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_load_folder_in_the_contracts_dependency_order(cli, folder):
    """Files are ordered by the dataset their headers name, not by their names: a facility register
    called a_list.csv still loads before the files naming its facilities, stock (named first) after."""
    (folder / "z_facility.csv").rename(folder / "zz_list.csv")
    (folder / "stock.csv").rename(folder / "a_stock.csv")
    done = cli("--lang", "en", "load", str(folder), "--week", "2022-W51", "--user", "cron")
    assert done.returncode == 0, done.stdout + done.stderr
    accepted = [line.split()[1] for line in done.stdout.splitlines() if line.startswith("accepted:")]
    assert accepted == ["zz_list.csv", "register.csv", "transfer.csv", "icu.csv", "a_stock.csv"]


def test_load_folder_facility_first(cli, folder):
    done = cli("--lang", "en", "load", str(folder), "--week", "2022-W51", "--user", "cron")
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("accepted: z_facility.csv")
    assert sum(line.startswith("accepted:") for line in lines) == 5
    assert stored(cli.db, "select dataset, rows, user_name from load_log order by load_id") == [
        ("facility", 5, "cron"), ("register", 7, "cron"), ("transfer", 4, "cron"), ("icu", 2, "cron"), ("stock", 2, "cron")]


def test_load_json_and_rejection_exit_1(cli, folder):
    (folder / "icu.csv").write_text((FIXTURES / "icu.csv").read_text().replace("H1,10,5,8", "H1,10,5,18"))
    done = cli("load", str(folder), "--week", "2022-W51", "--json")
    assert done.returncode == 1
    results = {r["file"].rsplit("/", 1)[-1]: r for r in map(json.loads, done.stdout.splitlines())}
    assert results["icu.csv"]["outcome"] == "rejected"
    assert results["icu.csv"]["findings"][0]["row"] == 2
    assert results["icu.csv"]["findings"][0]["column"] == "ICU在床人数"
    assert "第2行" in results["icu.csv"]["findings"][0]["message"]
    assert all(r["outcome"] == "accepted" for name, r in results.items() if name != "icu.csv")  # others still load
    assert stored(cli.db, "select count(*) from icu") == [(0,)]


def test_check_is_a_dry_run(cli, folder):
    facility = str(folder / "z_facility.csv")
    done = cli("check", facility, "--week", "2022-W51")
    assert done.returncode == 0, done.stderr
    assert stored(cli.db, "select count(*) from facility") == [(0,)]
    assert stored(cli.db, "select outcome from load_log") == [("dry_run",)]
    bad = folder / "bad_facility.csv"
    bad.write_text((FIXTURES / "facility.csv").read_text().replace("40.8600", "0"))
    done = cli("check", str(bad), "--week", "2022-W51")
    assert done.returncode == 1  # errors fail a check, so a scheduled check can gate the load
    assert stored(cli.db, "select count(*) from facility") == [(0,)]


def test_log_lists_attempts(cli, folder):
    cli("load", str(folder / "z_facility.csv"), "--week", "2022-W51", "--user", "analyst")
    done = cli("log")
    assert done.returncode == 0
    header, row = done.stdout.splitlines()[:2]
    assert header.split("\t")[:4] == ["id", "loaded_at", "user", "dataset"]
    assert row.split("\t")[2:8] == ["analyst", "facility", "2022-12-19", "z_facility.csv", "5", "accepted"]


def test_templates_command(cli, tmp_path):
    done = cli("templates", str(tmp_path / "tpl"))
    assert done.returncode == 0
    assert sorted(p.name for p in (tmp_path / "tpl").iterdir()) == sorted(
        f"{d}_template.{ext}" for d in contracts.DATASETS for ext in ("csv", "xlsx"))


@pytest.mark.parametrize("args", [
    ("load", "no/such/folder"),
    ("load", "tests/fixtures/icu.csv", "--week", "week fifty-one"),
    ("load",),
    ("frobnicate",),
    (),
], ids=["missing path", "bad week", "no path", "unknown command", "no command"])
def test_usage_errors_exit_2(cli, args):
    assert cli(*args).returncode == 2


def test_empty_folder_is_a_usage_error(cli, tmp_path):
    (tmp_path / "empty").mkdir()
    done = cli("load", str(tmp_path / "empty"), "--week", "2022-W51")
    assert done.returncode == 2 and "no CSV or spreadsheet" in done.stderr


def test_busy_database_exits_3(cli, folder):
    """A program that ignores the dashboard's turn-taking (a raw duckdb connection) holds the file:
    the CLI waits --wait seconds, then exits 3 naming the cause."""
    assert cli("log").returncode == 0  # creates the database
    holder = duckdb.connect(str(cli.db))  # this process holds it for writing
    try:
        for args in (("log",), ("load", str(folder), "--week", "2022-W51")):
            done = cli("--wait", "1", *args)
            assert done.returncode == 3, done.stdout + done.stderr
            assert "in use by another process" in done.stderr
    finally:
        holder.close()


@pytest.mark.parametrize("week", ["99", "2022-W99", "next week"])
def test_a_bad_week_is_answered_in_both_languages(cli, week):
    done = cli("--lang", "en", "load", "tests/fixtures/icu.csv", "--week", week)
    assert done.returncode == 2
    assert f"无法识别周“{week}”" in done.stderr and f"Cannot read the week '{week}'" in done.stderr
    assert "Traceback" not in done.stderr


def test_keygen_and_original_round_trip(cli, tmp_path):
    """A kept upload is encrypted on disk; `original` gives back the very bytes with the key."""
    key = cli("keygen").stdout.strip()
    cli.env["HC_UPLOAD_KEY"] = key
    assert cli("load", "tests/fixtures/facility.csv", "--week", "2022-W51").returncode == 0
    [(load_id, path)] = stored(cli.db, "select load_id, stored_path from load_log")
    assert (FIXTURES / "facility.csv").read_bytes() not in open(path, "rb").read()
    out = tmp_path / "back.csv"
    assert cli("original", str(load_id), str(out)).returncode == 0
    assert out.read_bytes() == (FIXTURES / "facility.csv").read_bytes()
    assert out.stat().st_mode & 0o077 == 0
