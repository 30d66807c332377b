"""Administration: accounts and roles, the audit trail (downloadable), the commission's policy overrides.
Administrators only: the page is not in other roles' navigation, and it refuses them if reached."""

NAV = {"section": "data", "order": 30, "title": "auth.admin.nav", "icon": ":material/admin_panel_settings:",
       "role": "administrator"}  # read by dashboard/ui/navigation.py (app.py's page list)

import streamlit as st

from dashboard import auth, config, store
from dashboard.ui import auth as auth_ui
from dashboard.ui import clear_caches, page_header, serving, t

f = page_header("auth.admin.heading", needs_week=False)


def audit_trail() -> None:
    st.subheader(t("auth.admin.audit"))
    st.caption(t("auth.admin.audit_help"))
    trail = auth.audit_rows(store.cursor())
    st.dataframe(trail, hide_index=True, width="stretch", height=320)
    st.download_button(t("auth.admin.audit_csv"), data=trail.write_csv().encode("utf-8-sig"), file_name="audit.csv",
                       mime="text/csv", key="admin_audit_csv", icon=":material/download:", on_click="ignore")


if auth_ui.open_demo():  # no account yet: the trail, and how to make the first administrator
    st.info(t("auth.open_demo"), icon=":material/lock_open:")
    audit_trail()
    st.stop()
role = auth_ui.require_page("administrator", "admin")
me = auth_ui.user_name()


def change(action, *args) -> None:
    """One account change, checked again and written (with its audit line) under the write lock."""
    auth_ui.check("administrator", "accounts")
    try:
        with serving.write() as con:
            action(con, *args, by=me)
    except ValueError as exc:
        st.error(str(exc))
        return
    clear_caches()
    st.success(t("auth.admin.done"), icon=":material/check_circle:")


st.subheader(t("auth.admin.users"))
accounts = auth.users(store.cursor())
st.dataframe(
    [{t("auth.admin.columns.user_name"): name, t("auth.admin.columns.role"): t(f"auth.role.{r}"),
      t("auth.admin.columns.password"): t("auth.admin.password_login" if has_pw else "auth.admin.idp_login"),
      t("auth.admin.columns.created_at"): created.strftime("%Y-%m-%d %H:%M"),
      t("auth.admin.columns.disabled"): t("auth.admin.yes" if off else "auth.admin.no")}
     for name, r, has_pw, created, off in accounts],
    hide_index=True, width="stretch")

left, right = st.columns(2)
with left.form("admin_add", border=True):
    st.markdown(f"**{t('auth.admin.add')}**")
    name = st.text_input(t("auth.admin.name"), key="admin_add_name")
    new_role = st.selectbox(t("auth.admin.role"), auth.ROLES, format_func=lambda r: t(f"auth.role.{r}"), key="admin_add_role")
    idp = st.checkbox(t("auth.admin.idp"), key="admin_add_idp")
    password = st.text_input(t("auth.admin.password"), type="password", key="admin_add_password")
    if st.form_submit_button(t("auth.admin.add_button"), type="primary"):
        change(auth.add_user, name, new_role, None if idp else password)

names = [a[0] for a in accounts]
with right.form("admin_change", border=True):
    st.markdown(f"**{t('auth.admin.change')}**")
    who = st.selectbox(t("auth.admin.account"), names, key="admin_who")
    to_role = st.selectbox(t("auth.admin.new_role"), auth.ROLES, format_func=lambda r: t(f"auth.role.{r}"), key="admin_to_role")
    new_password = st.text_input(t("auth.admin.new_password"), type="password", key="admin_new_password")
    a, b, c, d = st.columns(4)
    if a.form_submit_button(t("auth.admin.set_role")) and who:
        change(auth.set_role, who, to_role)
    if b.form_submit_button(t("auth.admin.disable")) and who:
        change(auth.set_disabled, who, True)
    if c.form_submit_button(t("auth.admin.enable")) and who:
        change(auth.set_disabled, who, False)
    if d.form_submit_button(t("auth.admin.set_password")) and who:
        change(auth.set_password, who, new_password)

audit_trail()

st.subheader(t("auth.admin.policy"))
st.caption(t("auth.admin.policy_help"))
target = config.policy_override_path() or (config.ROOT / "config" / "policy.override.toml")
current = target.read_text(encoding="utf-8") if target.exists() else ""
text = st.text_area(str(target), value=current, height=200, key="admin_policy")
if st.button(t("auth.admin.policy_save"), key="admin_policy_save", icon=":material/save:"):
    auth_ui.check("administrator", "policy")
    try:
        auth.check_policy_override(text)
    except ValueError as exc:
        st.error(t("auth.admin.policy_invalid", error=str(exc)))
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(target)
        with serving.write() as con:
            auth.record(con, me, role, "policy", str(target), "ok", f"{len(text)} characters")
        st.success(t("auth.admin.policy_saved", path=str(target)), icon=":material/check_circle:")
