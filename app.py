"""Entry point: `streamlit run app.py`. A router: language, shared filters, banner, then the page."""
from __future__ import annotations

import logging

import pandas  # noqa: F401  (see below)
import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from dashboard import config, store
from dashboard.store import access

from dashboard.ui import auth as auth_ui
from dashboard.ui import navigation, serving
from dashboard.ui import lang, t

# pandas is imported here, through Python's import lock, before any page draws a chart: plotly looks
# pandas up in sys.modules without importing it, so when several sessions open their first page at
# once (a freshly started server), one of them could find a half-imported pandas and fail.
logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
log = logging.getLogger("dashboard")

st.set_page_config(page_title="分级诊疗监测 · Tiered Care Monitor", page_icon=str(config.ROOT / "dashboard" / "static" / "favicon.png"),
                   layout="wide", initial_sidebar_state="expanded")


def main() -> None:
    if PagesManager.uses_pages_directory:
        # The process's first run, before any st.navigation call: Streamlit runs app.py as a page of
        # its old pages/ mode, under that page's hash, so every widget drawn now (the language switch)
        # gets an id the next runs do not give it, and the first click on it is lost (the next run
        # finds no value under its new id). Say app.py is the router and start again, before drawing.
        PagesManager.uses_pages_directory = False
        st.rerun()
    if "lang" not in st.session_state:
        st.session_state["lang"] = "zh"
    from dashboard.ui import banner
    from dashboard import demo, ui

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


main()
