"""Loads while the dashboard serves (dashboard/store/access.py): page runs and loads take turns on the
database file, two loads serialise with a message, a page run reads one snapshot.

Every wait below is on a condition (a line printed, a thread's event), bounded by a timeout."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

import pytest

from dashboard import config, store
from dashboard.ingest import loading
from dashboard.store import access
from tests.conftest import FIXTURES


class Background:
    """`python -m dashboard ...` started now; its stderr lines are collected as they come."""

    def __init__(self, db, *args: str):
        env = {**os.environ, "HC_DATA_DIR": str(db.parent), "HC_DB_PATH": str(db)}
        env.pop("HC_POLICY_OVERRIDES", None)
        self.proc = subprocess.Popen([sys.executable, "-m", "dashboard", *args], cwd=config.ROOT, env=env,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.err: list[str] = []
        self.said = threading.Event()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        for line in self.proc.stderr:
            self.err.append(line)
            self.said.set()

    def wait_for(self, text: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while not any(text in line for line in self.err):
            assert self.proc.poll() is None, "".join(self.err)
            assert time.monotonic() < deadline, f"never said {text!r}: {''.join(self.err)}"
            self.said.wait(0.2)
            self.said.clear()

    def finish(self, timeout: float = 120) -> tuple[int, str, str]:
        out = self.proc.stdout.read()
        code = self.proc.wait(timeout=timeout)
        self.thread.join(timeout=10)
        return code, out, "".join(self.err)


@pytest.fixture
def db(data_dir):
    path = data_dir / "db.duckdb"
    with access.writing(path):
        pass  # created and migrated, as the app does at start
    return path


def accepted(db) -> int:
    with access.reading(db):
        return store.cursor().execute("select count(*) from load_log where outcome = 'accepted'").fetchone()[0]


def test_a_second_load_waits_for_the_first_with_a_message_then_loads(db):
    """A load holds the write lock (here: this test); `python -m dashboard load` says in both
    languages that another load is running, waits, and loads once the first is done: exit 0."""
    release = threading.Event()
    holding = threading.Event()

    def first_load() -> None:
        with access.writing(db):
            holding.set()
            release.wait(120)

    first = threading.Thread(target=first_load)
    first.start()
    assert holding.wait(60)
    second = Background(db, "load", str(FIXTURES / "facility.csv"), "--week", "2022-W51")
    try:
        second.wait_for("Another load is running, waiting")
        assert any("另一个载入正在进行" in line for line in second.err)
        assert accepted(db) == 0  # nothing loaded while it waits (and a reader is not blocked by a waiting load)
    finally:
        release.set()
        first.join(60)
    code, out, err = second.finish()
    assert code == 0, out + err
    assert accepted(db) == 1


def test_a_load_waits_for_page_runs_in_progress_and_keeps_new_ones_out(db):
    """A page run in progress (a read session of this process) holds the gate: the load says it waits
    for pages being opened, and loads as soon as the run ends."""
    with access.reading(db):
        store.cursor().execute("select count(*) from load_log").fetchall()
        loader = Background(db, "load", str(FIXTURES / "facility.csv"), "--week", "2022-W51")
        loader.wait_for("Waiting for pages being opened to finish")
        assert loader.proc.poll() is None
    code, out, err = loader.finish()
    assert code == 0, out + err
    assert accepted(db) == 1


def test_the_cli_reads_the_log_while_pages_read(db):
    """Readers share: `log` answers while a page run holds its read session."""
    with access.reading(db):
        store.cursor().execute("select 1").fetchall()
        done = Background(db, "log")
        code, out, err = done.finish(timeout=60)
    assert code == 0, err
    assert out.startswith("id\tloaded_at")


def test_a_page_run_reads_one_snapshot_while_this_process_loads(db):
    """While this process writes, its own page runs read through its instance without waiting, each
    in one snapshot: a run that started before a commit keeps the old state to its end, the next run
    sees the new one. Facility fixture: 5 facilities."""
    started = threading.Event()
    committed = threading.Event()
    finish = threading.Event()

    def writer() -> None:
        with access.writing(db) as con:
            started.set()
            finish.wait(60)  # the run below has opened its snapshot
            result = loading.load_path(FIXTURES / "facility.csv", week="2022-W51", con=con)
            assert result.outcome == "accepted"
            committed.set()
            finish.wait(60)

    thread = threading.Thread(target=writer)
    thread.start()
    assert started.wait(60)
    with access.reading(db) as session:
        assert session.joined is not None  # read through the writing instance, no wait
        before = store.cursor().execute("select count(*) from facility").fetchone()[0]
        finish.set()
        assert committed.wait(60)
        during = store.cursor().execute("select count(*) from facility").fetchone()[0]
        finish.clear()
    with access.reading(db):
        after = store.cursor().execute("select count(*) from facility").fetchone()[0]
    finish.set()
    thread.join(60)
    assert (before, during, after) == (0, 0, 5)


def test_every_publication_bumps_the_generation(db):
    start = access.generation(db)
    with access.writing(db):
        pass
    assert access.generation(db) == start + 1
    with access.reading(db):
        store.cursor().execute("select 1").fetchall()
    assert access.generation(db) == start + 1  # reading publishes nothing


def test_no_connection_is_held_between_page_runs(db):
    """After a read session, another process can open the file read-write at once."""
    with access.reading(db):
        store.cursor().execute("select count(*) from load_log").fetchall()
    probe = subprocess.run([sys.executable, "-c", f"import duckdb; duckdb.connect({str(db)!r}).close()"],
                           capture_output=True, text=True, timeout=60)
    assert probe.returncode == 0, probe.stderr


def test_a_program_that_ignores_the_turns_is_waited_for_then_named(db):
    """A raw read-write connection elsewhere (an operator's duckdb shell): the read session waits its
    deadline, then says who holds the file."""
    holder = subprocess.Popen([sys.executable, "-c", f"import duckdb, sys; c = duckdb.connect({str(db)!r}); "
                               "print('held', flush=True); sys.stdin.read()"],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(store.StoreBusy, match="does not take turns"):
            with access.reading(db, wait_s=0.5):
                store.cursor()
    finally:
        holder.stdin.close()
        holder.wait(30)


def test_a_write_that_shows_nothing_new_does_not_make_pages_rerun(db):
    """An audit line alone (a sign-in) is written with publish=False: the generation stays."""
    start = access.generation(db)
    with access.writing(db, publish=False) as con:
        con.execute("insert into meta values ('probe', 'x')")
    assert access.generation(db) == start


def test_a_staged_load_checks_outside_the_write_lock_and_takes_it_only_to_publish(db, data_dir):
    """stage_and_publish reads, types and checks the file with the write lock free (checked from the
    progress callback: the writer lock file can be taken meanwhile), then publishes in one write
    (generation +1). A refused file takes the lock only for its log line: no generation bump, the
    week unchanged, the attempt logged. No scratch file is left. Fixtures: 5 facilities, 7 register
    rows (week 2022-W51); the refused file is the register cut after its header plus one row with
    an unknown facility code."""
    import fcntl

    free_while_checking = []

    def progress(fraction: float, stage: str) -> None:
        if stage == "validate":
            fd = os.open(str(db) + ".writer", os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # raises if a writer held it
                free_while_checking.append(stage)
            finally:
                os.close(fd)

    start = access.generation(db)
    facility = loading.stage_and_publish(FIXTURES / "facility.csv", db=db, week="2022-W51", progress=progress)
    assert facility.outcome == "accepted" and facility.rows == 5
    register = loading.stage_and_publish(FIXTURES / "register.csv", db=db, week="2022-W51", progress=progress)
    assert register.outcome == "accepted" and register.rows == 7, register.summary()
    assert free_while_checking == ["validate", "validate"]
    assert access.generation(db) == start + 2

    lines = (FIXTURES / "register.csv").read_text(encoding="utf-8").splitlines()
    bad = "\n".join([lines[0], lines[1].replace(",P1,", ",NOPE,")]).encode()
    refused = loading.stage_and_publish(bad, "register_2022-W51.csv", db=db, dataset="register", week="2022-W51")
    assert refused.outcome == "rejected" and "unknown_facility" in {f.code for f in refused.errors}
    assert refused.replaced_rows == 7  # counted in the snapshot: the week it would have replaced
    assert access.generation(db) == start + 2  # a refusal publishes nothing
    with access.reading(db):
        cur = store.cursor()
        assert cur.execute("select count(*) from register where week = '2022-12-19'").fetchone()[0] == 7
        assert cur.execute("select outcome from load_log order by load_id").fetchall() == [
            ("accepted",), ("accepted",), ("rejected",)]
    assert not list((data_dir / "tmp").glob("stage-*"))


def test_a_staged_load_whose_publication_fails_is_refused_logged_and_leaves_nothing(db, data_dir, monkeypatch):
    """The insert under the lock fails (here: made to): the attempt is logged as rejected in a write
    of its own, no facility row is stored, and the scratch file is gone. Fixture: 5 facilities."""
    import duckdb

    def broken(*args, **kwargs):
        raise duckdb.IOException("disk full (simulated)")

    monkeypatch.setattr(loading, "_commit", broken)
    result = loading.stage_and_publish(FIXTURES / "facility.csv", db=db, week="2022-W51")
    assert result.outcome == "rejected" and result.errors[0].code == "load_failed"
    with access.reading(db):
        cur = store.cursor()
        assert cur.execute("select count(*) from facility").fetchone()[0] == 0
        assert cur.execute("select outcome, message from load_log").fetchall() == [
            ("rejected", result.errors[0].message_en)]
    assert not list((data_dir / "tmp").glob("stage-*"))


def test_an_answer_about_the_data_is_asked_once_per_page_run_and_again_by_the_next_run(db):
    """A page asks for the last load's number with every cached query (its cache key): once per run,
    since the run reads one snapshot; the next run asks again and sees a load made in between."""
    from dashboard import ui

    asked = []

    def last_load() -> int:
        asked.append(1)
        return store.cursor().execute(
            "select coalesce(max(load_id), 0) from load_log where outcome = 'accepted'").fetchone()[0]

    assert db == config.db_path()
    with access.reading(db):
        first = [access.once_per_run(("last",), last_load) for _ in range(5)]
        assert ui.data_version() == ui.data_version() == first[0] == 0
    assert len(asked) == 1 and first == [0] * 5
    with access.writing(db) as con:
        assert loading.load_path(FIXTURES / "facility.csv", week="2022-W51", con=con).outcome == "accepted"
    with access.reading(db):
        assert access.once_per_run(("last",), last_load) == ui.data_version() > 0
    assert len(asked) == 2
    # outside a page run (scripts, tests) nothing is kept
    access.once_per_run(("last",), lambda: asked.append(1))
    access.once_per_run(("last",), lambda: asked.append(1))
    assert len(asked) == 4


def test_the_server_runs_no_file_watcher_and_no_full_collection_after_each_run():
    """Each new session's run paid about 0.3 s for a full garbage collection (Streamlit's
    runner.postScriptGC) and a walk of every imported module's path (the file watcher, for editing
    the app's source): a commission's server needs neither (docs/benchmarks.md, per-run costs)."""
    import tomllib

    settings = tomllib.loads((config.ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert settings["server"]["fileWatcherType"] == "none"
    assert settings["runner"]["postScriptGC"] is False


def test_a_staged_load_sweeps_the_scratch_files_a_dead_process_left(db, data_dir):
    """A server stopped in the middle of a staged load leaves its scratch database in tmp/ (keys and
    masks, never a value in clear, but a week's worth of disk). The next staged load removes those of
    processes that are gone and leaves a live process's alone. The dead pid is a finished child's."""
    child = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = int(child.stdout)
    tmp = config.private_dir(data_dir / "tmp")
    left = [tmp / f"stage-{dead}-1-2.duckdb", tmp / f"stage-{dead}-1-2.duckdb.wal"]
    alive = tmp / f"stage-{os.getppid()}-1-2.duckdb"  # pytest's parent: alive, not this process
    for path in (*left, alive):
        path.write_bytes(b"x")
    result = loading.stage_and_publish(FIXTURES / "facility.csv", db=db, week="2022-W51")
    assert result.outcome == "accepted"
    assert not any(path.exists() for path in left)
    assert alive.exists()
    assert sorted(p.name for p in tmp.glob("stage-*")) == [alive.name]  # and its own, deleted after
