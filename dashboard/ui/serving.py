"""How the app touches the database file (dashboard/store/access.py): each page run reads one
snapshot through a short-lived read-only connection; the process's own writes (first start, the
demo's register, the upload page) take the write lock briefly; an open page notices a load made
elsewhere (the CLI, another server) within seconds and reruns on the new data."""
from __future__ import annotations

import logging
import os
import threading
from contextlib import contextmanager
from typing import Iterator

import streamlit as st

from dashboard import config, i18n
from dashboard.store import access

log = logging.getLogger("dashboard")

WATCH_S = float(os.environ.get("HC_WATCH_S", "3"))  # how often an open page looks for new data


def _lang() -> str:
    return st.session_state.get("lang", i18n.DEFAULT)


def wait_text(what: str) -> str:
    zh, en = access.WAIT_MESSAGES[what]
    return zh if _lang() == "zh" else en


@contextmanager
def page_run() -> Iterator[access.ReadSession]:
    """The whole of one page run: one read-only snapshot, released when the run ends. While a load
    is being published the run waits and says so (then shows the new data, never a mix)."""
    box = st.empty()

    def tell(what: str) -> None:
        box.info(wait_text(what), icon=":material/hourglass_top:")

    with access.reading(on_wait=tell) as session:
        box.empty()
        yield session


def write(on_wait=None, publish: bool = True):
    """The write lock for a write made by this process (the upload page, the first start);
    publish=False for an audit line alone, which open pages need not rerun for."""
    return access.writing(on_wait=on_wait, publish=publish)


@st.cache_resource(show_spinner="正在准备数据 / Preparing data…")
def bootstrap(database: str) -> None:
    """Once per process and database: create or migrate the database and, when it is empty, load the
    embedded demo's latest week (every dataset but the register: seconds); the rest then loads in a
    background thread (demo_in_background), each load under the write lock on its own so pages keep
    opening. On an empty database that thread starts at once: it writes the latest week's register
    file while the latest week's other datasets load, and loads it as soon as they are in."""
    from dashboard import demo

    latest_loaded = threading.Event()
    started = False
    try:
        with access.writing(database) as con:
            if demo.demo_wanted(con):
                _start_demo_thread(database, latest_loaded)
                started = True
            demo.ensure_demo(con, register=False, weeks=demo.DEMO_WEEKS[-1:])
            is_demo = demo.is_demo(con)
    finally:
        latest_loaded.set()  # published (or failed: the thread then finds no demo and stops)
    if is_demo and not started:  # a restart with demo weeks still to load
        _start_demo_thread(database, None)


def _start_demo_thread(database: str, latest_loaded: threading.Event | None) -> None:
    threading.Thread(target=demo_in_background, args=(database, latest_loaded), daemon=True,
                     name="demo-loader").start()


def demo_in_background(database: str, latest_loaded: threading.Event | None = None) -> None:
    """The demo's weeks still to load, the week a new user sees first: the latest week's register,
    then the older weeks of the other datasets (newest first, each file published on its own),
    then the older register weeks, newest first. Each register week is written to a file (the next
    one while this one loads, the second while the older weeks load), checked outside the lock, then
    published under it. A second server doing the same skips what is already there (one that starts
    the same week at the same moment replaces it with identical rows). With `latest_loaded` (an empty
    database): every register week, the first written while the latest week's other datasets load,
    loaded once they are in and the database is the demo's."""
    from dashboard import demo, store

    def left() -> dict | None:
        """What the demo has still to load, per week; None when the database is not the demo's."""
        with access.reading(database):
            cur = store.cursor()
            return demo.pending(cur) if demo.is_demo(cur) else None

    def older_weeks() -> None:
        """The other datasets' weeks still to load, newest first, each file checked outside the lock
        and published under it on its own (a week part-way in says "loading" for what it lacks)."""
        for week in demo.DEMO_WEEKS[::-1]:
            todo = left()
            if todo is None:
                return
            files = demo.quick_loads(todo, [week])
            for dataset, when in files:
                demo.load_staged(database, dataset, when, demo.quick_file(dataset, when))
            if files:
                log.info("demo %s: %d files", week, len(files))

    with demo._loading_lock:
        if latest_loaded is not None:
            weeks = demo.DEMO_WEEKS[::-1]
        else:
            todo = left()
            weeks = [] if todo is None else [w for w in demo.DEMO_WEEKS[::-1] if "register" in todo[w]]
        others = []  # done once the first register week is in (or at once, if none is left)
        files = demo.register_files(weeks, after_first=lambda: others.append(older_weeks()))
        try:
            for week, path in files:
                if latest_loaded is not None:
                    latest_loaded.wait()
                todo = left()
                if todo is None:
                    break
                if "register" not in todo[week]:
                    continue
                result = demo.load_staged(database, "register", week, path)  # the lock only to publish
                log.info("demo register %s: %d rows", week, result.rows)
        finally:
            files.close()
        if not others:
            older_weeks()


@st.fragment(run_every=WATCH_S)
def watch_for_new_data(seen: int) -> None:
    """Reruns the page when a load has been published since this run read the data (from the CLI,
    another server or another session): an open page shows new data within WATCH_S seconds. Reads
    only the small generation file, never the database."""
    if access.generation(config.db_path()) != seen:
        st.rerun(scope="app")
