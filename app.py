"""Entry point: `streamlit run app.py`. A router: language, shared filters, banner, then the page.

The same file is two things. Streamlit runs it as a script (`__name__ == "__main__"`) for every page
run: that is the router, `main()` below. And `streamlit run app.py` finds the `st.App` at the bottom
and serves that: the server then starts with `warm_up`, which imports the app's libraries and opens
the database in a background thread while the first visitor's browser is still loading Streamlit's
front end, so the first page run does not wait for them (they cost 1-2 s of a cold start).
"""
from __future__ import annotations

import gc
import logging
import sys
import threading
import time
from contextlib import asynccontextmanager

import streamlit as st

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
log = logging.getLogger("dashboard")
WARM_READ_MAX_BYTES = 1 << 30
# While the warm-up imports (holding Python's lock for seconds), the server must still send the first
# browser Streamlit's front end: each step of that waits up to the switch interval (5 ms) for the lock.
# At 0.5 ms the browser asked for its first page 0.43 s sooner and the overview was drawn 0.53 s sooner
# (medians of 5 cold starts each, alternately; docs/benchmarks.md).
SWITCH_WHILE_WARMING_S = 0.0005


def main() -> None:
    # pandas is imported here, through Python's import lock, before any page draws a chart: plotly looks
    # pandas up in sys.modules without importing it, so when several sessions open their first page at
    # once (a freshly started server), one of them could find a half-imported pandas and fail.
    import pandas  # noqa: F401
    from streamlit.runtime.pages_manager import PagesManager

    from dashboard import config, demo, store, ui
    from dashboard.store import access
    from dashboard.ui import auth as auth_ui
    from dashboard.ui import banner, navigation, serving, t

    st.set_page_config(page_title="分级诊疗监测 · Tiered Care Monitor",
                       page_icon=str(config.ROOT / "dashboard" / "static" / "favicon.png"),
                       layout="wide", initial_sidebar_state="expanded")
    if PagesManager.uses_pages_directory:
        # The process's first run, before any st.navigation call: Streamlit runs app.py as a page of
        # its old pages/ mode, under that page's hash, so every widget drawn now (the language switch)
        # gets an id the next runs do not give it, and the first click on it is lost (the next run
        # finds no value under its new id). Say app.py is the router and start again, before drawing.
        PagesManager.uses_pages_directory = False
        st.rerun()
    if "lang" not in st.session_state:
        st.session_state["lang"] = "zh"

    with st.sidebar:
        st.radio(t("app.sidebar.language"), ["zh", "en"], key="lang", horizontal=True,
                 format_func=lambda c: {"zh": "中文", "en": "English"}[c])
    # Every pages/*.py that declares NAV (dashboard/ui/navigation.py): adding a page is adding its file.
    # Only the pages this session's role may use (dashboard/ui/auth.py); none but the sign-in form
    # until a session signs in, once any account exists.
    pages: dict[str, list] = {}
    for spec in auth_ui.visible(navigation.pages()):
        pages.setdefault(t(f"app.nav.section.{spec.section}"), []).append(
            st.Page(spec.path, title=t(spec.title), icon=spec.icon, default=spec.default, url_path=spec.url_path))
    # Navigation first: until st.navigation runs, Streamlit would show its own list of pages/ files.
    page = st.navigation(pages)
    try:
        serving.bootstrap(str(config.db_path()))
    except access.Timeout:
        st.info(t("app.error.busy"))
        st.stop()
    # The whole run reads one snapshot through one short-lived read-only connection (never held
    # between runs, so the CLI and other servers can load while this one serves).
    with serving.page_run() as run:
        if auth_ui.current() is None:
            auth_ui.sign_in_form()
            st.stop()
        auth_ui.sidebar_account()
        with st.sidebar:
            filters = ui.sidebar_filters()
        banner.show(filters, demo.demo_status(store.cursor()))
        try:
            page.run()
        except Exception:  # Streamlit's own rerun/stop signals are BaseExceptions and pass through
            log.exception("page %s failed", page.title)
            st.error(t("app.error.generic"))
    serving.watch_for_new_data(run.generation)


def _warm() -> None:
    """What the first page run would otherwise wait for: the libraries (polars, DuckDB, pandas, the
    app's own modules and the overview's) and the database file read once into the OS cache."""
    started = time.perf_counter()
    switch = sys.getswitchinterval()
    sys.setswitchinterval(SWITCH_WHILE_WARMING_S)
    try:
        import pandas  # noqa: F401
        import polars  # noqa: F401
        import duckdb  # noqa: F401

        from dashboard import config, demo, store, ui  # noqa: F401
        from dashboard.metrics import headlines, verdicts  # noqa: F401
        from dashboard.figures import verdict  # noqa: F401
        from dashboard.ui import auth, banner, navigation, serving  # noqa: F401

        navigation.pages()
        _first_run_once_per_process()
        database = config.db_path()
        # Into the OS page cache, where that is cheap: the first queries read it. A province's file
        # over a few years is tens of GB, mostly person rows no page reads: not read at all then.
        if database.exists() and database.stat().st_size <= WARM_READ_MAX_BYTES:
            with open(database, "rb") as f:
                while f.read(1 << 20):
                    pass
        # Everything imported so far lives as long as the process: out of the garbage collector's
        # reach, so a full collection (Python's own, now and then) walks only what page runs create.
        gc.collect()
        gc.freeze()
        log.info("warmed up in %.2f s", time.perf_counter() - started)
    except Exception:  # a warm-up that fails costs only its time: the first page run does it all again
        log.exception("warm-up failed")
    finally:
        sys.setswitchinterval(switch)


def _first_run_once_per_process() -> None:
    """What the process's first page run pays once, done here instead: the page icon's image library,
    the texts and number formats, and Streamlit's check for being run outside `streamlit run` (on its
    first element it walks the stack reading every frame's source file: 0.05-0.1 s; here, under the
    server, it finds the runtime and says nothing)."""
    import PIL.Image  # noqa: F401  (st.set_page_config reads the favicon with it)

    from dashboard import formatting, i18n, policy

    i18n.catalog()
    policy.rules()
    for lang in i18n.LANGS:
        formatting.pct(0.5, lang)
        formatting.num(1, lang)
        formatting.compact(123_456, lang)
    from streamlit import delta_generator

    check = getattr(delta_generator, "_maybe_print_use_warning", None)  # private: skipped if it goes
    if check is not None:
        check()


@asynccontextmanager
async def warm_up(_app):
    threading.Thread(target=_warm, daemon=True, name="warm-up").start()
    yield


if __name__ == "__main__":
    main()
else:  # `streamlit run app.py`: Streamlit serves this (found by name), running this file for each page run
    app = st.App(__file__, lifespan=warm_up)
