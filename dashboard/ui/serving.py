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
    embedded demo's quick datasets (seconds); the demo's person-level register then loads week by
    week in a background thread, each week under the write lock on its own so pages keep opening.
    On an empty database that thread starts at once: it writes the latest week's register file while
    the quick datasets load, and loads it as soon as they are in."""
    from dashboard import demo

    quick_loaded = threading.Event()
    started = False
    try:
        with access.writing(database) as con:
            if demo.demo_wanted(con):
                _start_register_thread(database, quick_loaded)
                started = True
            demo.ensure_demo(con, register=False)
            is_demo = demo.demo_status(con).get("is_demo")
    finally:
        quick_loaded.set()  # published (or failed: the thread then finds no demo and stops)
    if is_demo and not started:  # a restart with register weeks still to load
        _start_register_thread(database, None)


def _start_register_thread(database: str, quick_loaded: threading.Event | None) -> None:
    threading.Thread(target=demo_register_in_background, args=(database, quick_loaded), daemon=True,
                     name="demo-register").start()


def demo_register_in_background(database: str, quick_loaded: threading.Event | None = None) -> None:
    """The demo register, newest week first: each week is written to a file (the next one while this
    one loads), checked outside the lock, then published under it (a second server doing the same
    skips the weeks already there; one that starts the same week at the same moment replaces it with
    identical rows). With `quick_loaded` (an empty database): every week, the first written while
    the quick datasets load, loaded once they are in and the database is the demo's."""
    from dashboard import demo

    def loaded() -> set | None:
        """The register weeks in the database; None when it is not the demo's (nothing to load)."""
        from dashboard import store

        with access.reading(database):
            cur = store.cursor()
            return demo._register_weeks_loaded(cur) if demo.demo_status(cur).get("is_demo") else None

    with demo._register_lock:
        if quick_loaded is not None:
            weeks = demo.DEMO_WEEKS[::-1]
        else:
            done = loaded()
            weeks = [] if done is None else [w for w in demo.DEMO_WEEKS[::-1] if w not in done]
        files = demo.register_files(weeks)
        try:
            for week, path in files:
                if quick_loaded is not None:
                    quick_loaded.wait()
                done = loaded()
                if done is None:
                    break
                if week in done:
                    continue
                result = demo.load_staged(database, "register", week, path)  # the lock only to publish
                log.info("demo register %s: %d rows", week, result.rows)
        finally:
            files.close()


@st.fragment(run_every=WATCH_S)
def watch_for_new_data(seen: int) -> None:
    """Reruns the page when a load has been published since this run read the data (from the CLI,
    another server or another session): an open page shows new data within WATCH_S seconds. Reads
    only the small generation file, never the database."""
    if access.generation(config.db_path()) != seen:
        st.rerun(scope="app")
