"""Data quality: the load log, rejected files with their errors, missing reports, misplaced and
duplicate facilities. Every dataset of data/datasets.toml appears without an edit here."""

NAV = {"section": "data", "order": 20, "title": "app.nav.quality", "icon": ":material/fact_check:"}  # read by dashboard/ui/navigation.py (app.py's page list)

import streamlit as st

from dashboard.metrics import quality
from dashboard.ui import lang, loading_note, page_header, query, t

f = page_header("data.quality.heading", needs_week=False)

st.subheader(t("data.quality.log"))
history = query("load_history", limit=500)
st.dataframe(quality.load_log(history, lang()), hide_index=True, width="stretch", height=280)

st.subheader(t("data.quality.rejected"))
rejected = quality.rejected_loads(history)
if not rejected:
    st.success(t("data.quality.no_rejected"), icon=":material/check_circle:")
else:
    chosen = st.selectbox(t("data.quality.pick_load"), list(rejected), format_func=rejected.get, key="dq_load")
    st.dataframe(quality.findings(query("load_findings", load_id=chosen), lang()), hide_index=True, width="stretch")

st.subheader(t("data.quality.missing"))
if f.week is not None:
    loading_note(f, *f.loading)
    gaps = quality.still_missing(query("reporting_gaps", **f.params()), f.loading)
    if gaps.height == 0:
        st.success(t("data.quality.none_missing"), icon=":material/check_circle:")
    else:
        st.caption(t("data.quality.missing_help"))
        st.dataframe(quality.missing_reports(gaps, lang()), hide_index=True, width="stretch", height=300)

st.subheader(t("data.quality.out_of_area"))
outside = quality.out_of_area(query("facility_locations", **f.params()), lang())
if outside.height == 0:
    st.success(t("data.quality.none_out_of_area"), icon=":material/check_circle:")
else:
    st.dataframe(outside, hide_index=True, width="stretch")

st.subheader(t("data.quality.duplicates"))
duplicates = query("duplicate_facilities", **f.params())
if duplicates.height == 0:
    st.success(t("data.quality.none_duplicates"), icon=":material/check_circle:")
else:
    st.dataframe(quality.duplicates(duplicates, lang()), hide_index=True, width="stretch")
