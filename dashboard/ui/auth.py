"""Signing in, the session's role, and refusals, for the pages (accounts live in dashboard/auth.py).

A session is signed in for HC_SESSION_HOURS (default 8) after its last sign-in, then asked again; a
changed role or a disabled account takes effect at the next page run. With an identity provider
configured in `.streamlit/secrets.toml` ([auth], see README), a "sign in with …" button calls
Streamlit's `st.login`; the provider's e-mail address must be an account (`user add EMAIL --role …
--identity-provider`), which gives the role.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import streamlit as st

from dashboard import auth, config, store
from dashboard.store import access
from dashboard.ui import navigation, serving
from dashboard.ui import t

KEY = "auth_session"


@st.cache_data(show_spinner=False, max_entries=64)
def _accounts(database: str, generation: int) -> dict[str, tuple[str, bool]]:
    """{user_name: (role, disabled)}, read again whenever a write has been published."""
    if not Path(database).exists():
        return {}
    with access.reading(database):
        try:
            return {name: (role, disabled) for name, role, _, _, disabled in auth.users(store.cursor())}
        except Exception:  # a database from before accounts existed: the open demo until it is migrated
            return {}


def accounts() -> dict[str, tuple[str, bool]]:
    database = str(config.db_path())
    return _accounts(database, access.generation(database))


def open_demo() -> bool:
    """No account exists: everyone may read and upload, and a banner says so."""
    return not accounts()


def identity_provider() -> bool:
    """Whether `.streamlit/secrets.toml` configures Streamlit's OIDC sign-in ([auth])."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def current() -> tuple[str, str] | None:
    """(user, role) of this session; ('', the open role) in the open demo; None: must sign in."""
    known = accounts()
    if not known:
        return "", auth.OPEN_ROLE
    if identity_provider() and getattr(st.user, "is_logged_in", False):
        email = st.user.get("email")
        entry = next((v for k, v in known.items() if email and k.lower() == email.lower()), None)
        return (email, entry[0]) if entry and not entry[1] else None
    session = st.session_state.get(KEY)
    if not session or session["expires"] <= dt.datetime.now():
        st.session_state.pop(KEY, None)
        return None
    entry = known.get(session["user"])
    if entry is None or entry[1]:  # removed or disabled since: signed out
        st.session_state.pop(KEY, None)
        return None
    return session["user"], entry[0]


def role() -> str | None:
    who = current()
    return who[1] if who else None


def user_name() -> str:
    who = current()
    return (who[0] if who and who[0] else "demo")


def needed_role(spec: navigation.PageSpec) -> str:
    """The role a page declares in its NAV (`"role": "analyst"`); reading pages need none beyond commissioner."""
    return (navigation.declared(config.ROOT / spec.path) or {}).get("role", auth.ROLES[0])


def visible(specs: list[navigation.PageSpec]) -> list[navigation.PageSpec]:
    """The pages this session may open (a page a role may not use is not in its navigation either)."""
    if open_demo():
        return specs  # the demo shows everything; the administration page only explains how to start
    mine = role()
    if mine is None:
        return [s for s in specs if needed_role(s) == auth.ROLES[0]]
    return [s for s in specs if auth.allows(mine, needed_role(s))]


def sign_in_form() -> None:
    """The sign-in page shown instead of any page until the session signs in."""
    st.title(t("auth.sign_in.title"))
    st.caption(t("auth.sign_in.intro"))
    with st.form("sign_in", border=True):
        name = st.text_input(t("auth.sign_in.user"), key="signin_user")
        password = st.text_input(t("auth.sign_in.password"), type="password", key="signin_password")
        submitted = st.form_submit_button(t("auth.sign_in.button"), type="primary")
    if identity_provider():
        st.button(t("auth.sign_in.oidc"), on_click=st.login, key="signin_oidc", icon=":material/login:")
    if submitted:
        with access.reading():
            granted = auth.verify(store.cursor(), name, password)

        with serving.write(publish=False) as con:
            auth.record(con, name.strip(), granted, "sign_in" if granted else "sign_in_failed", None,
                        "ok" if granted else "failed", None)
        if granted:
            st.session_state[KEY] = {"user": name.strip(), "expires": auth.expires_at()}
            st.rerun()
        st.error(t("auth.sign_in.wrong"), icon=":material/lock:")


def sidebar_account() -> None:
    """Who is signed in, with which role, and a sign-out button; the open demo's banner."""
    who = current()
    if who is None:
        return
    if open_demo():
        st.sidebar.warning(t("auth.open_demo"), icon=":material/lock_open:")
        return
    with st.sidebar:
        st.caption(t("auth.account.signed_in_as", user=who[0], role=t(f"auth.role.{who[1]}")))
        if st.button(t("auth.account.sign_out"), key="sign_out", icon=":material/logout:"):
            st.session_state.pop(KEY, None)
            if identity_provider() and getattr(st.user, "is_logged_in", False):
                st.logout()
            st.rerun()


def require_page(needed: str, action: str) -> str:
    """At the top of a page that changes something: the page stops with a refusal (and an audit
    line) unless the session's role includes `needed`. Returns the role."""
    mine = role()
    if not auth.allows(mine, needed):
        with serving.write(publish=False) as con:
            auth.record(con, user_name(), mine, "refused", action, "refused", f"needs {needed}")
        st.error(t("auth.refused", role=t(f"auth.role.{needed}")), icon=":material/block:")
        st.stop()
    return mine


def check(needed: str, action: str) -> None:
    """The same check again where the change is made (a stale page or a crafted rerun cannot skip
    it): raises auth.Refused."""
    auth.require(role(), needed, action)
