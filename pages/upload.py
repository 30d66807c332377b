"""Upload page for analysts: choose, check (dry run), confirm; templates to download."""

NAV = {"section": "data", "order": 10, "title": "app.nav.upload", "icon": ":material/upload_file:", "role": "analyst"}  # read by dashboard/ui/navigation.py (app.py's page list)

import datetime as dt
import hashlib

import streamlit as st

from dashboard.ingest import contracts, loading, templates

from dashboard.metrics import quality

from dashboard import auth, weeks
from dashboard.ui import auth as auth_ui
from dashboard.ui import serving
from dashboard.ui import clear_caches, lang, localise_file_uploader, page_header, t, v

f = page_header("data.upload.heading", needs_week=False)
role = auth_ui.require_page("analyst", "upload")  # a commissioner's session stops here, with an audit line
st.caption(t("data.upload.intro"))


def grain(name: str) -> str:
    return t(f"data.upload.grain.{contracts.dataset(name).replace_by}")


with st.expander(t("data.upload.templates"), icon=":material/description:"):
    st.caption(t("data.upload.templates_help"))
    per_row = 4
    for start in range(0, len(contracts.DATASETS), per_row):
        for column, name in zip(st.columns(per_row), contracts.DATASETS[start:start + per_row]):
            column.download_button(f"{v('dataset', name)}（{grain(name)}）" if lang() == "zh" else f"{v('dataset', name)} ({grain(name)})",
                                   templates.xlsx(name), file_name=f"{contracts.dataset(name).zh}_模板.xlsx",
                                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                                   key=f"tpl_{name}", on_click="ignore", icon=":material/download:")

left, middle, right = st.columns(3)
dataset = left.selectbox(t("data.upload.dataset"), [None, *contracts.DATASETS], key="up_dataset",
                         format_func=lambda d: t("data.upload.detect") if d is None else f"{v('dataset', d)} · {grain(d)}")
# A weekly report is loaded for the week of the date chosen; a daily report for that very day.
when_label = ("data.upload.when_detected" if dataset is None
              else "data.upload.day" if contracts.daily(dataset) else "data.upload.week")
default_day = f.latest_week or weeks.monday(dt.date.today())
day = middle.date_input(t(when_label), value=default_day, key="up_week", help=t("data.upload.when_help"))
user = right.text_input(t("data.upload.user"), value=st.session_state.get("up_user_saved", "") or ("" if auth_ui.open_demo() else auth_ui.user_name()),
                          key="up_user")
upload = st.file_uploader(t("data.upload.file"), type=["csv", "txt", "xlsx", "xls", "et", "ods"], key="up_file")
localise_file_uploader(t("data.upload.file_button"), t("data.upload.file_limits"))


def findings_table(result: loading.LoadResult, severity: str) -> None:
    table = quality.result_findings(result.findings, severity, lang())
    if table.height == 0:
        return
    st.markdown(f"**{t('data.upload.errors') if severity == 'error' else t('data.upload.warnings')}**")
    st.dataframe(table, hide_index=True, width="stretch")
    total = result.error_count if severity == "error" else result.warning_count
    if total > len(rows):
        st.caption(t("data.upload.more", n=20, total=total))


def run(dry_run: bool) -> loading.LoadResult:
    bar = st.progress(0.0, text=t("data.upload.progress.read"))

    def progress(fraction: float, stage: str) -> None:
        bar.progress(min(fraction, 1.0), text=t(f"data.upload.progress.{stage}"))

    auth_ui.check("analyst", "upload")  # again where the write happens, whatever led here
    who = auth_ui.user_name()
    # Checked outside the write lock; the lock only for publishing (or for the log line of a check).
    result = loading.stage_and_publish(
        upload.getvalue(), upload.name, dataset=dataset, week=day, user=user or who, dry_run=dry_run,
        progress=progress, on_wait=lambda what: bar.progress(0.0, text=serving.wait_text(what)),
        after=lambda con, r: auth.record_load(con, who, role, r))
    bar.empty()
    return result


def describe(result: loading.LoadResult) -> None:
    name = v("dataset", result.dataset) if result.dataset else "?"
    week = (result.day.isoformat() if result.day else weeks.label(result.week, lang()) if result.week else "?")
    if result.outcome == "rejected":
        st.error(t("data.upload.rejected", errors=result.error_count), icon=":material/block:")
    elif result.outcome == "dry_run":
        st.success(t("data.upload.would_load", rows=result.rows, dataset=name, week=week, replaced=result.replaced_rows),
                   icon=":material/task_alt:")
    else:
        st.success(t("data.upload.loaded", rows=result.rows, dataset=name, week=week), icon=":material/check_circle:")
    if result.blank_rows:
        st.caption(t("data.upload.blank_rows", n=result.blank_rows))
    findings_table(result, "error")
    findings_table(result, "warning")


if upload is not None:
    st.session_state["up_user_saved"] = user
    token = (hashlib.sha256(upload.getvalue()).hexdigest(), dataset, day)
    if st.button(t("data.upload.check"), type="secondary", icon=":material/rule:", key="up_check"):
        st.session_state["up_checked"] = (token, run(dry_run=True))
    checked = st.session_state.get("up_checked")
    if checked and checked[0] == token:
        result = checked[1]
        describe(result)
        if result.outcome == "dry_run" and result.ok:
            if st.button(t("data.upload.confirm"), type="primary", icon=":material/publish:", key="up_confirm"):
                final = run(dry_run=False)
                st.session_state.pop("up_checked", None)
                clear_caches()
                st.session_state["up_last"] = final
                st.rerun()
last = st.session_state.pop("up_last", None)
if last is not None:
    describe(last)
