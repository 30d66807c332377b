"""Measure what the serving design costs (docs/serving.md): opening a read-only connection per page
run, the queries of a page on a fresh connection against a warm one, how long a load holds the write
lock (loaded in place, and staged: checked outside the lock, published under it), and what copying the file would cost (the alternative design). Works on a COPY of the database.

    .venv/bin/python scripts/measure_serving.py var/dashboard.duckdb

Prints one JSON object. Uses the embedded demo's generator for the files it loads (a week that the
demo already holds is replaced, as an analyst re-uploading a week would).
"""
from __future__ import annotations

import contextlib
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dashboard import demo, store  # noqa: E402
from dashboard.store import access, queries  # noqa: E402

KNOWN = {"week", "league_code", "county_code", "consortium", "limit", "load_id", "week_from", "week_to"}
# Every named query that takes only filter parameters (the ones with policy parameters are left out to
# keep this short; they read the same tables).
PAGE_QUERIES = tuple(sorted(p.stem for p in (Path(__file__).resolve().parent.parent / "queries").glob("*.sql")
                            if queries.parameters(p.stem) <= KNOWN))


def ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def page_params(con) -> dict:
    week = con.execute("select max(week) from facility").fetchall()[0][0]
    return {"week": week, "league_code": None, "county_code": None, "consortium": None, "limit": 500,
            "load_id": 0, "week_from": week, "week_to": week}


def run_page(con, params) -> None:
    for name in PAGE_QUERIES:
        wanted = queries.parameters(name)
        args = {k: params[k] for k in wanted}
        con.sql(queries.sql(name), params=args).fetchall()


@contextlib.contextmanager
def _timed_writes(held: list):
    """Record how long each access.writing block holds the lock (from acquired to released)."""
    original = access.writing

    @contextlib.contextmanager
    def timed(*args, **kwargs):
        with original(*args, **kwargs) as con:
            acquired = time.perf_counter()
            try:
                yield con
            finally:
                pass
        held.append(time.perf_counter() - acquired)  # includes checkpoint and close, as above

    access.writing = timed
    try:
        yield
    finally:
        access.writing = original


def main(source: str) -> dict:
    work = Path(tempfile.mkdtemp(prefix="serving-measure-"))
    db = work / "db.duckdb"
    started = time.perf_counter()
    shutil.copyfile(source, db)
    copy_s = time.perf_counter() - started
    os.environ["HC_DATA_DIR"] = str(work)
    os.environ["HC_DB_PATH"] = str(db)
    out: dict = {"page_queries": list(PAGE_QUERIES), "database_mb": round(db.stat().st_size / 1e6, 1), "copy_file_ms": ms(copy_s)}
    with access.writing(db):
        pass  # migrate once, as the app does at start

    opens = []
    for _ in range(30):
        t0 = time.perf_counter()
        con = duckdb.connect(str(db), read_only=True)
        con.execute("select coalesce(max(load_id), 0) from load_log").fetchone()
        con.close()
        opens.append(time.perf_counter() - t0)
    out["open_read_only_and_version_ms_median"] = ms(statistics.median(opens))

    sessions = []
    for _ in range(30):
        t0 = time.perf_counter()
        with access.reading(db):
            store.cursor().execute("select 1").fetchone()
        sessions.append(time.perf_counter() - t0)
    out["read_session_with_locks_ms_median"] = ms(statistics.median(sessions))

    con = duckdb.connect(str(db), read_only=True)
    params = page_params(con)
    run_page(con, params)
    warm = []
    for _ in range(5):
        t0 = time.perf_counter()
        run_page(con, params)
        warm.append(time.perf_counter() - t0)
    con.close()
    fresh = []
    for _ in range(5):
        t0 = time.perf_counter()
        con = duckdb.connect(str(db), read_only=True)
        run_page(con, params)
        con.close()
        fresh.append(time.perf_counter() - t0)
    out["page_queries_warm_connection_ms_median"] = ms(statistics.median(warm))
    out["page_queries_fresh_connection_ms_median"] = ms(statistics.median(fresh))

    week = demo.DEMO_WEEKS[-1]
    windows = {}
    staged = {}
    for dataset in ("facility", "icu", "stock", "transfer", "register"):
        data = demo.generate(week, (dataset,))[dataset]
        # In place: read, check and write all under the write lock (the folder load of the CLI).
        t0 = time.perf_counter()
        with access.writing(db) as con:
            acquired = time.perf_counter()
            result = demo._load(con, dataset, week, data)
            loaded = time.perf_counter()
        done = time.perf_counter()
        windows[dataset] = {"rows": result.rows, "bytes": len(data), "lock_wait_ms": ms(acquired - t0),
                            "load_ms": ms(loaded - acquired), "checkpoint_close_ms": ms(done - loaded),
                            "write_window_ms": ms(done - acquired)}
        # Staged (loading.stage_and_publish: the CLI's single file, the upload page, the demo loader):
        # checked outside the lock, the lock held only to publish.
        held = []
        t0 = time.perf_counter()
        with _timed_writes(held):
            result = demo.load_staged(str(db), dataset, week, data)
        staged[dataset] = {"rows": result.rows, "total_ms": ms(time.perf_counter() - t0),
                           "write_window_ms": ms(sum(held)), "writes": len(held)}
    out["write_windows"] = windows
    out["staged"] = staged
    shutil.rmtree(work)
    return out


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1]), indent=2))
