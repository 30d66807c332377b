"""Referral flows: a map of flows between places, flows between tiers, destination compliance,
reception and refusals, and the consortium indicators."""

NAV = {"section": "missions", "order": 20, "title": "app.nav.referrals", "icon": ":material/alt_route:"}  # read by dashboard/ui/navigation.py (app.py's page list)

from dataclasses import replace

import streamlit as st

from dashboard import policy, weeks

from dashboard.metrics import headlines, referrals
from dashboard.figures import referrals as figures
from dashboard.ui import (chart, filters, kept_choice, kept_choices, lang, map_copy, map_view, metric_row, num,
                          page_verdict, pct, query, stop_while_loading, t, table, v)
from dashboard.ui.tabs import kept_value, open_tab

f = filters()
st.title(t("referrals.heading"))
st.caption(f"{f.area_label} · {f.week_label}")
if f.week is None:
    st.info(t("referrals.no_week"))
    st.stop()
stop_while_loading(f, "transfer")
st.caption(t("referrals.intro"))
page_verdict(headlines.referrals_headline, f)

ordered = sorted(f.weeks)
week_names = {w: weeks.short(w, lang()) for w in ordered}  # formatted now, in this run's language
first, last = st.select_slider(t("referrals.weeks"), options=ordered, value=(f.week, f.week),
                               format_func=week_names.__getitem__, key=f"ref_weeks_{lang()}")
period = weeks.span(first, last, lang())
if not referrals.logged(query, first, last):
    st.warning(t("referrals.not_reported"))
    st.stop()
everything = referrals.selection(f.params(), first, last)
if referrals.indicators(query, everything)["referrals"] == 0:
    st.info(t("referrals.no_referrals"))
    st.stop()

c1, c2, c3 = st.columns(3)
tier_pair = kept_choice(c1.selectbox, t("referrals.filter.tier_pair"), referrals.tier_pairs(referrals.tier_matrix(query, everything)),
                        "ref_pair", lambda p: t("referrals.filter.all") if p is None else f"{v('tier', p[0])} → {v('tier', p[1])}")
severities = kept_choices(t("referrals.filter.severity"), ["asymptomatic", "mild", "ordinary", "severe", "critical"],
                          "ref_severity", lambda s: v("severity", s), place=c2, placeholder=t("referrals.filter.all"))
statuses = kept_choices(t("referrals.filter.status"), ["accepted", "refused", "pending"], "ref_status",
                        lambda s: v("status", s), place=c3, placeholder=t("referrals.filter.all"))
sel = referrals.selection(f.params(), first, last, tier_pair, severities, statuses)
ind = referrals.indicators(query, sel)
hours = int(policy.value("referral.upward_reception_hours"))
pending_hours = int(policy.value("referral.pending_too_long_hours"))
upward_target = policy.value("referral.upward_share_min")
ctx = replace(f.context("transfer", "facility"), week_label=period)

st.markdown(f"**{t('referrals.selection', weeks=period)}**")
metric_row([
    (t("referrals.metric.referrals"), num(ind["referrals"]), None),
    (t("referrals.metric.upward_share"), pct(ind["upward_share"]), t("referrals.metric.upward_help", target=pct(upward_target, 0))),
    (t("referrals.metric.compliance"), pct(ind["compliance_rate"]), None),
])
metric_row([
    (t("referrals.metric.in_time", hours=hours), pct(ind["in_time_share"]), None),
    (t("referrals.metric.refused"), num(ind["refused"]), None),
    (t("referrals.metric.pending", hours=pending_hours), num(ind["pending_too_long"]), None),
])
with st.expander(t("referrals.indicators"), expanded=True, icon=":material/flag:"):
    st.markdown("\n".join([
        "- " + t("referrals.indicator.upward", target=pct(upward_target, 0), value=pct(ind["upward_share"]),
                 up=num(ind["up"]), down=num(ind["down"])),
        "- " + t("referrals.indicator.first_visit", target=pct(policy.value("referral.primary_first_visit_rate_min"), 0),
                 page=t("scorecard.nav")),
        "- " + t("referrals.indicator.two_way", target=pct(policy.value("referral.two_way_referral_rate_min"), 0),
                 page=t("scorecard.nav")),
        "- " + t("referrals.indicator.direction", n=num(ind["direction_disagrees"])),
    ]))
    st.page_link("pages/scorecard.py", label=t("referrals.indicator.open_scorecard"), icon=":material/leaderboard:")

# only the open tab is built (each rerun on a tab switch): the map costs more than all the charts
tab, box = open_tab("referrals_tab", ["map", "tiers", "compliance", "reception"], lambda n: t(f"referrals.tab.{n}"))
if tab == "map":
    with box:
        st.subheader(f"{f.area_label} {t('referrals.map.heading')}" if lang() == "zh" else f"{t('referrals.map.heading')}, {f.area_label}")
        m1, m2, m3 = st.columns([2, 2, 3])
        zoomed_in = bool(f.county_code or f.consortium)
        level = kept_choice(m1.radio, t("referrals.map.level"), ["county", "facility"], "ref_map_level",
                            lambda x: t(f"referrals.map.level_{x}"), default="facility" if zoomed_in else "county", horizontal=True)
        top = kept_value(m2.slider, t("referrals.map.top"), "ref_map_top", 150, min_value=10, max_value=500, step=10)
        view = map_view("referrals_map_view", m3)
        all_pairs = referrals.flows(query, sel, level, top)
        flow_what = t("referrals.chart.flow_map", n=figures.FACILITY_FLOWS)
        if view == "interactive":
            located = query("facility_locations", **f.params())
            st.pydeck_chart(figures.flow_map(all_pairs.head(top), located, lang(), league_code=f.league_code, level=level), height=620)
            st.html(figures.flow_legend(lang()))
            total_pairs = referrals.pair_count(all_pairs)
            drawn = min(top, total_pairs, figures.FACILITY_FLOWS if level == "facility" else top)
            st.caption(t("referrals.map.caption", area=f.area_label, weeks=period, shown=drawn, total=total_pairs,
                         top_flows=figures.FACILITY_FLOWS))
        map_copy(view, lambda: figures.flow_figure(all_pairs, ctx, flow_what, league_code=f.league_code, level=level),
                 ctx, flow_what, "ref_flow_png")
        if level == "facility":
            chart(figures.od_matrix(all_pairs, ctx, t("referrals.chart.od")), ctx, t("referrals.chart.od"), key="ref_od")
        table(referrals.flows_table(all_pairs.head(top), lang()), hide_index=True, width="stretch", height=280)
if tab == "tiers":
    with box:
        matrix = referrals.tier_matrix(query, sel)
        chart(figures.sankey(matrix, ctx), ctx, t("referrals.chart.sankey"), key="ref_sankey", data=matrix)
if tab == "compliance":
    with box:
        st.caption(t("referrals.compliance.rule", age=int(policy.value("referral.advanced_age_from"))))
        cases = referrals.compliance_cases(query, sel)
        if ind["cannot_judge"]:
            st.warning(t("referrals.compliance.unjudged", n=num(ind["cannot_judge"]), reasons=referrals.main_unjudged(cases, lang())),
                       icon=":material/help:")
        by = kept_choice(st.radio, t("referrals.compliance.by"), list(referrals.COMPLIANCE_BY), "ref_by",
                         lambda x: t(f"referrals.compliance.by_{x}"), horizontal=True)
        group, label = referrals.compliance_by(query, sel, by)
        chart(figures.compliance_bars(group, label, ctx), ctx, t("referrals.chart.compliance"), key="ref_compliance", data=group)
        st.markdown(f"**{t('referrals.compliance.cases')}**")
        table(referrals.cases_table(cases, lang()), hide_index=True, width="stretch", height=300)
if tab == "reception":
    with box:
        received = referrals.reception(query, sel)
        chart(figures.refusals(received, ctx), ctx, t("referrals.chart.refusals"), key="ref_refusals", data=received)
        table(referrals.reception_table(received, lang()), hide_index=True, width="stretch")
