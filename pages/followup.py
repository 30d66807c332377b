"""Discharged-patient follow-up (DIS-2020 §二(二), (四)): what is wrong and where first (follow-up short,
signing past due, positive or missing observation tests), then, one tab at a time, the patients to act
on, follow-up by category, the observation tests, each facility and the weeks."""
NAV = {"section": "missions", "order": 70, "title": "followup.nav", "icon": ":material/home_health:"}  # read by dashboard/ui/navigation.py (app.py's page list)

import streamlit as st

from dashboard.figures import followup as figures
from dashboard.metrics import followup, geography, headlines

from dashboard.ui import chart, headline_row, lang, metric_row, num, page_header, page_verdict, query, t
from dashboard.ui.tabs import open_tab

f = page_header("followup.heading", reads=("discharge",))
rows = query("followup_patient_weeks", **f.params(), **followup.params())
week_rows = followup.of_week(rows, f.week)
if week_rows.height == 0:
    headline_row(headlines.followup_headline(query, f.week, f.params()))  # unknown: '—', as on the overview
    st.info(t("followup.no_week"))
    st.stop()
st.caption(t("followup.intro"))
h = followup.headline(week_rows)
ctx = f.context("discharge")
cannot = h["unknown"] + h["not_reported"] + h["no_category"] + h["no_release"]

page_verdict(headlines.followup_headline, f, helps={
    "followup.metric.patients": t("followup.metric.patients_help", facilities=h["facilities"], observation=h["observation"]),
    "followup.metric.compliance": t("followup.metric.compliance_help", judged=h["met"] + h["short"], met=h["met"], cannot=cannot),
    "followup.metric.signing": t("followup.metric.signing_help", on_time=h["signing_on_time"], late=h["signing_late"],
                                 blank=h["signing_blank"]),
    "followup.metric.test_positive": t("followup.metric.tests_help", positive=h["test_positive"], missing=h["test_missing"],
                                       early=h["released_early"])})
metric_row([
    (t("followup.metric.short"), num(h["short"]),
     t("followup.metric.short_help", judged=h["met"] + h["short"], met=h["met"], cannot=cannot)),
    (t("followup.metric.signing_overdue"), num(h["signing_blank"]), None),
    (t("followup.metric.contacts"), f"{num(h['owed'])} / {num(h['made'])}", t("followup.metric.contacts_help")),
])

st.subheader(t("followup.section.where"))
by_area = geography.in_language(followup.by_area(week_rows, followup.level_for(f.league_code)), lang())
chart(figures.problems(by_area, ctx), ctx, t("followup.chart.problems"), "followup_problems", data=by_area)

# the rest one tab at a time (only the open one is built): the patients to act on first
tab, box = open_tab("followup_tab", ["actions", "compliance", "tests", "facilities", "trend"], lambda n: t(f"followup.tab.{n}"))
with box:
    if tab == "actions":
        actions = followup.action_list(week_rows, lang())
        if actions.height == 0:
            st.success(t("followup.none_actions"), icon=":material/check_circle:")
        else:
            st.markdown(f"**{t('followup.actions_help', n=actions.height)}**")
            st.dataframe(actions, hide_index=True, width="stretch", height=300)
    if tab == "compliance":
        per_category = followup.compliance(week_rows)
        chart(figures.compliance(per_category, ctx), ctx, t("followup.chart.compliance"), "followup_compliance",
              data=per_category)
        st.caption(t("followup.rules"))
    if tab == "tests":
        tests = followup.tests_list(week_rows, lang())
        if tests.height == 0:
            st.success(t("followup.none_tests"), icon=":material/check_circle:")
        else:
            st.dataframe(tests, hide_index=True, width="stretch", height=300)
    if tab == "facilities":
        st.dataframe(followup.by_facility(week_rows, lang()), hide_index=True, width="stretch", height=300)
    if tab == "trend":
        per_week = followup.trend(rows)
        chart(figures.trend(per_week, ctx), ctx, t("followup.chart.trend"), "followup_trend", data=per_week)
