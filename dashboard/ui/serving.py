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
    week in a background thread, each week under the write lock on its own so pages keep opening."""
    from dashboard import demo

    with access.writing(database) as con:
        demo.ensure_demo(con, register=False)
        is_demo = demo.demo_status(con).get("is_demo")
    if is_demo:
        threading.Thread(target=demo_register_in_background, args=(database,), daemon=True,
                         name="demo-register").start()


def demo_register_in_background(database: str) -> None:
    """The demo register, newest week first: each week is generated and checked outside the lock, then
    published under it (a second server doing the same skips the weeks already there; one that starts
    the same week at the same moment replaces it with identical rows)."""
    from dashboard import demo

    with demo._register_lock:
        for week in demo.DEMO_WEEKS[::-1]:
            with access.reading(database):
                from dashboard import store

                if week in demo._register_weeks_loaded(store.cursor()):
                    continue
            data = demo.generate(week, ("register",))["register"]
            result = demo.load_staged(database, "register", week, data)  # the lock only to publish
            log.info("demo register %s: %d rows", week, result.rows)


@st.fragment(run_every=WATCH_S)
def watch_for_new_data(seen: int) -> None:
    """Reruns the page when a load has been published since this run read the data (from the CLI,
    another server or another session): an open page shows new data within WATCH_S seconds. Reads
    only the small generation file, never the database."""
    if access.generation(config.db_path()) != seen:
        st.rerun(scope="app")
