"""Consortium scorecard: the consortia of the area ranked on the plan's six indicators and weights,
who is behind and on what first, then, one tab at a time, the ranking table, one consortium's working
and the members that did not report."""

NAV = {"section": "missions", "order": 80, "title": "scorecard.nav", "icon": ":material/leaderboard:"}  # read by dashboard/ui/navigation.py (app.py's page list)

import streamlit as st

from dashboard.figures import scorecard as figures
from dashboard.metrics import headlines, scorecard

from dashboard.ui import chart, headline_row, kept_choice, lang, page_header, page_verdict, query, t, table_downloads
from dashboard.ui.tabs import open_tab

f = page_header("scorecard.heading", reads=("visits",))
members = query("scorecard_members", **f.params())
if not scorecard.has_reports(members):
    headline_row(headlines.scorecard_headline(query, f.week, f.params()))  # unknown: '—', as on the overview
    st.info(t("scorecard.no_week"))
    st.stop()
scored = scorecard.scored_indicators(query, members, f.week)
totals = scorecard.totals(scored, members)
h = scorecard.headline(totals)
ctx = f.context("visits", "transfer", "facility")
st.caption(t("scorecard.intro"))

worst_behind = scorecard.indicator_name(h["worst_behind"], lang()) if h["worst_behind"] else t("scorecard.all_met")
page_verdict(headlines.scorecard_headline, f, helps={
    "scorecard.metric.ranked": t("scorecard.metric.ranked_help", unranked=h["unranked"]),
    "scorecard.metric.unranked": t("scorecard.metric.unranked_help"),
    "scorecard.metric.worst": t("scorecard.metric.worst_help", behind=worst_behind) if h["worst"] else None,
    "scorecard.metric.silent": t("scorecard.metric.silent_help")})

st.subheader(t("scorecard.section.ranking"))
st.markdown("\n".join(f"- {line}" for line in scorecard.behind_summary(totals, lang())))
by_dimension = scorecard.dimension_points(scored, totals)
chart(figures.points_figure(by_dimension, totals, ctx), ctx, t("scorecard.chart.points"), "scorecard_points")

# the rest one tab at a time (only the open one is built): the ranking table first
tab, box = open_tab("scorecard_tab", ["ranking", "detail", "missing"], lambda n: t(f"scorecard.tab.{n}"))
with box:
    if tab == "ranking":
        ranking = scorecard.table(scored, totals, lang())
        st.dataframe(ranking, hide_index=True, width="stretch", height=360)
        table_downloads(ranking, ctx.file_stem(t("scorecard.heading")), "scorecard_table")
        with st.expander(t("scorecard.how"), icon=":material/calculate:"):
            st.markdown(t("scorecard.how_text"))
        st.caption(t("scorecard.referrals_note"))
    if tab == "detail":
        picked = kept_choice(st.columns([2, 3])[0].selectbox, t("scorecard.pick"), scorecard.consortia(totals),
                             "scorecard_consortium", str)
        st.dataframe(scorecard.detail(scored, picked, lang()), hide_index=True, width="stretch")
        st.caption(t("scorecard.inputs"))
        st.dataframe(scorecard.member_inputs(members, picked, lang()), hide_index=True, width="stretch")
    if tab == "missing":
        silent = scorecard.silent_members(members, lang())
        if silent.height == 0:
            st.success(t("scorecard.none_missing"), icon=":material/check_circle:")
        else:
            st.dataframe(silent, hide_index=True, width="stretch", height=300)
