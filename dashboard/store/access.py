"""Who may open the database file, and when: many readers or one writer, never a half-loaded week.

DuckDB lets one process open a file read-write, or any number of processes open it read-only, never
both; within one process it refuses a read-only and a read-write connection to the same file. So the
dashboard holds no connection between page runs:

- a page run is a *reader*: it opens one read-only connection (lazily, on its first query), runs
  every query of the run on it (one snapshot: the page shows one state of the data), and closes it at
  the end of the run;
- a load (the CLI, the upload page, the demo loader) is a *writer*: it waits for the page runs in
  progress to end, keeps new ones out, opens the file read-write, commits, checkpoints, closes, and
  bumps the generation file (`<db>.generation`) that pages watch to notice new data.
  A load checks its file outside this lock (ingest.loading.stage_and_publish) and takes it only to
  publish, so page runs of other processes wait for the insert, not for the reading and checking.

Within one process DuckDB keeps one instance per file, so while this process writes, its own page
runs read through that instance (each run in one transaction: one snapshot) instead of waiting; page
runs of other processes wait for the write to be published.

The waiting is done with three small lock files next to the database (flock, released by the kernel
if a process dies): `<db>.writer` serialises writers (a second load says it is waiting, never fails),
`<db>.turnstile` keeps new readers out while a writer is waiting (so a stream of readers cannot starve
it), `<db>.gate` is held shared by each page run and exclusively by the writer. DuckDB's own file lock
stays the backstop for processes that do not use these files (a `duckdb -readonly` shell): both sides
retry on it until their deadline. See docs/serving.md for the measurements behind the choice.
"""
from __future__ import annotations

import errno
import fcntl
import os
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator, TypeVar

import duckdb

from dashboard import config

T = TypeVar("T")

POLL_S = 0.05
# How long a page run waits for a load to finish, and a load for page runs and other loads to finish.
READ_WAIT_S = float(os.environ.get("HC_READ_WAIT_S", "300"))
WRITE_WAIT_S = float(os.environ.get("HC_WRITE_WAIT_S", "3600"))

# What a waiting side is told (callers show or print it), in both languages.
WAIT_MESSAGES = {
    "writer": ("另一个载入正在进行，等待其完成…", "Another load is running, waiting for it to finish…"),
    "readers": ("等待正在打开的页面完成…", "Waiting for pages being opened to finish…"),
    "write": ("数据正在更新，请稍候…", "The data are being updated, one moment…"),
}

OnWait = Callable[[str], None]


class Timeout(RuntimeError):
    """Waited longer than the deadline for the database (a load or a page run that does not end)."""


def _side(target: str, suffix: str) -> Path:
    return Path(target + suffix)


def _target(path: Path | str | None) -> str:
    return str(path or config.db_path())


class _FileLock:
    """An flock on a side file. flock locks belong to an open file description, so two threads of
    one process that each open the file exclude each other exactly as two processes do."""

    def __init__(self, path: Path):
        config.private_umask()
        self.fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)

    def acquire(self, shared: bool, deadline: float, on_wait: Callable[[], None] | None = None) -> None:
        mode = (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB
        told = False
        while True:
            try:
                fcntl.flock(self.fd, mode)
                return
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                    raise
            if time.monotonic() > deadline:
                self.close()
                raise Timeout("timed out waiting for the database")
            if not told and on_wait is not None:
                on_wait()
                told = True
            time.sleep(POLL_S)

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)  # closing the descriptor releases the lock
            self.fd = -1


def generation(path: Path | str | None = None) -> int:
    """How many writes have been published to this database (0 before the first): cheap to read,
    so pages can poll it to notice new data without opening the database."""
    try:
        return int(_side(_target(path), ".generation").read_text().strip() or 0)
    except (FileNotFoundError, ValueError):
        return 0


def _bump_generation(target: str) -> int:
    side = _side(target, ".generation")
    value = generation(target) + 1
    tmp = side.with_name(side.name + f".{os.getpid()}.tmp")
    tmp.write_text(str(value))
    os.replace(tmp, side)  # a reader sees the old number or the new one, never a torn write
    return value


def _is_lock_conflict(exc: Exception) -> bool:
    return isinstance(exc, duckdb.IOException) and "lock" in str(exc).lower()


def _is_other_config(exc: Exception) -> bool:
    return isinstance(exc, duckdb.ConnectionException) and "different configuration" in str(exc)


def open_read_only(target: str, deadline: float) -> duckdb.DuckDBPyConnection:
    """A read-only connection, retrying while a process that ignores the side files holds the file
    for writing. When this very process already has the file open read-write (a test, a script that
    also renders pages), DuckDB refuses a second configuration: join the open instance instead."""
    while True:
        try:
            return duckdb.connect(target, read_only=True)
        except duckdb.Error as exc:
            if _is_other_config(exc):
                return duckdb.connect(target)
            if not _is_lock_conflict(exc):
                raise
            if time.monotonic() > deadline:
                from dashboard import store

                raise store.StoreBusy(store.busy_message(target)) from exc
        time.sleep(POLL_S)


class RunConnection:
    """One connection for a whole page run, in one transaction: every query of the run reads the same
    snapshot even while this process commits a load (DuckDB's MVCC). `cursor()` returns itself and
    `close()` does nothing, so code written for per-query cursors works unchanged; a result left
    half-read by `execute(...).fetchone()` is completed before the next statement."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self._con = con
        self._con.execute("begin transaction")

    def cursor(self) -> "RunConnection":
        return self

    def close(self) -> None:
        pass

    def execute(self, *args, **kwargs) -> "RunConnection":
        self._con.complete()
        self._con.execute(*args, **kwargs)
        return self

    def sql(self, *args, **kwargs):
        self._con.complete()
        return self._con.sql(*args, **kwargs)

    def __getattr__(self, name: str):
        return getattr(self._con, name)

    def end(self) -> None:
        try:
            self._con.complete()
            self._con.execute("rollback")  # a reader: nothing to keep
        finally:
            self._con.close()


class _Writer:
    """This process's open write session on a database: page runs of this same process read through
    it (in a transaction of their own) instead of waiting, since DuckDB lets one process read while it
    writes; only other processes wait."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.con = con
        self.readers = 0
        self.releasing = False


_registry = threading.Condition()
_writers: dict[str, _Writer] = {}


class ReadSession:
    """One page run's access: the gate held shared, one read-only connection opened on first use (or,
    while this process itself is writing, a connection to its read-write instance)."""

    def __init__(self, target: str, wait_s: float, on_wait: OnWait | None):
        self.target, self.wait_s, self.on_wait = target, wait_s, on_wait
        self.gate: _FileLock | None = None
        self.joined: _Writer | None = None
        self.con: RunConnection | None = None
        self.generation = 0
        self.memo: dict = {}  # answers that cannot change within the run's snapshot (see once_per_run)

    def enter(self) -> None:
        with _registry:
            writer = _writers.get(self.target)
            if writer is not None and not writer.releasing:
                writer.readers += 1
                self.joined = writer
        if self.joined is not None:
            self.generation = generation(self.target)
            return
        deadline = time.monotonic() + self.wait_s
        told = []

        def tell() -> None:
            if not told and self.on_wait is not None:
                self.on_wait("write")
            told.append(1)

        turnstile = _FileLock(_side(self.target, ".turnstile"))
        try:
            turnstile.acquire(True, deadline, tell)  # only passes when no writer is waiting
        finally:
            turnstile.close()
        self.gate = _FileLock(_side(self.target, ".gate"))
        self.gate.acquire(True, deadline, tell)
        self.generation = generation(self.target)

    def cursor(self) -> RunConnection:
        if self.con is None:
            if self.joined is not None:
                self.con = RunConnection(self.joined.con.cursor())
            else:
                if not Path(self.target).exists():
                    raise FileNotFoundError(self.target)
                self.con = RunConnection(open_read_only(self.target, time.monotonic() + self.wait_s))
        return self.con

    def leave(self) -> None:
        if self.con is not None:
            self.con.end()
            self.con = None
        if self.joined is not None:
            with _registry:
                self.joined.readers -= 1
                _registry.notify_all()
            self.joined = None
        if self.gate is not None:
            self.gate.close()
            self.gate = None


_local = threading.local()


def current() -> ReadSession | None:
    """This thread's read session (a page run), if one is open."""
    return getattr(_local, "session", None)


def once_per_run(key: tuple, compute: Callable[[], T]) -> T:
    """`compute()` once per page run: the run reads one snapshot, so an answer about the data (the
    last load's number, the database's id) cannot change within it; a page asks dozens of times (every
    cached query's key). Outside a page run (scripts, tests) it is computed each time."""
    session = current()
    if session is None:
        return compute()
    if key not in session.memo:
        session.memo[key] = compute()
    return session.memo[key]


@contextmanager
def reading(path: Path | str | None = None, wait_s: float | None = None,
            on_wait: OnWait | None = None) -> Iterator[ReadSession]:
    """A page run: `store.cursor()` inside it reads one snapshot through one read-only connection,
    opened on the first query and closed when the block ends. Waits (telling `on_wait("write")`)
    while a load is being published. Re-entrant within a thread."""
    target = _target(path)
    if target == ":memory:":
        yield None
        return
    existing = current()
    if existing is not None and existing.target == target:
        yield existing
        return
    session = ReadSession(target, READ_WAIT_S if wait_s is None else wait_s, on_wait)
    session.enter()
    previous, _local.session = existing, session
    try:
        yield session
    finally:
        _local.session = previous
        session.leave()


@contextmanager
def writing(path: Path | str | None = None, wait_s: float | None = None,
            on_wait: OnWait | None = None, publish: bool = True) -> Iterator[duckdb.DuckDBPyConnection]:
    """Exclusive read-write access for one publication (one load, or a folder of them).

    Waits for another writer (`on_wait("writer")`), then for page runs in progress
    (`on_wait("readers")`), opens the database read-write (creating and migrating it), and on
    leaving checkpoints, closes and bumps the generation. A read session of this same thread (the
    upload page's run) is paused meanwhile and resumes afterwards on the new data. publish=False for
    a write that changes nothing a page shows (an audit line of a sign-in): open pages do not rerun."""
    from dashboard import store

    target = _target(path)
    if target == ":memory:":
        con = store.connect(target)
        try:
            yield con
        finally:
            con.close()
        return
    deadline = time.monotonic() + (WRITE_WAIT_S if wait_s is None else wait_s)
    tell = on_wait or (lambda what: None)
    paused = current()
    if paused is not None:
        paused.leave()
    locks: list[_FileLock] = []
    con = None
    try:
        writer = _FileLock(_side(target, ".writer"))
        locks.append(writer)
        writer.acquire(False, deadline, lambda: tell("writer"))
        turnstile = _FileLock(_side(target, ".turnstile"))
        locks.append(turnstile)
        turnstile.acquire(False, deadline, lambda: tell("readers"))
        gate = _FileLock(_side(target, ".gate"))
        locks.append(gate)
        gate.acquire(False, deadline, lambda: tell("readers"))
        while True:
            try:
                con = store.connect(target)
                break
            except store.StoreBusy:
                if time.monotonic() > deadline:
                    raise
                time.sleep(POLL_S)
        with _registry:
            _writers[target] = _Writer(con)
        yield con
    finally:
        if con is not None:
            with _registry:
                writer = _writers.get(target)
                if writer is not None:
                    writer.releasing = True  # new page runs of this process wait at the turnstile
                    _registry.wait_for(lambda: writer.readers == 0)  # runs reading through it end
                    del _writers[target]
            try:
                con.execute("checkpoint")  # readers then open a file with nothing left to replay
            finally:
                con.close()
                if publish:
                    _bump_generation(target)
        for lock in reversed(locks):
            lock.close()
        if paused is not None:
            paused.enter()
