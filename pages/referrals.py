"""Referral flows: a map of flows between places, flows between tiers, destination compliance,
reception and refusals, and the consortium indicators."""

NAV = {"section": "missions", "order": 20, "title": "app.nav.referrals", "icon": ":material/alt_route:"}  # read by dashboard/ui/navigation.py (app.py's page list)

from dataclasses import replace

import polars as pl
import streamlit as st

from dashboard import policy, weeks

from dashboard.metrics import referrals
from dashboard.metrics.referrals import TIERS
from dashboard.figures import referrals as figures
from dashboard.ui import chart, filters, lang, metric_row, num, pct, query, t, v

f = filters()
st.title(t("referrals.heading"))
st.caption(f"{f.area_label} · {f.week_label}")
if f.week is None:
    st.info(t("referrals.no_week"))
    st.stop()
st.caption(t("referrals.intro"))

ordered = sorted(f.weeks)
first, last = st.select_slider(t("referrals.weeks"), options=ordered, value=(f.week, f.week),
                               format_func=lambda w: weeks.short(w, lang()), key="ref_weeks")
period = weeks.span(first, last, lang())
rows = query("referral_counts", **f.params(), week_from=first, week_to=last)
if rows.height == 0:
    st.info(t("referrals.no_referrals"))
    st.stop()

pairs = referrals.tier_matrix(rows)
pair_options = [None, *[(a, b) for a, b in pairs.select("from_tier", "to_tier").iter_rows()]]
c1, c2, c3 = st.columns(3)
tier_pair = c1.selectbox(t("referrals.filter.tier_pair"), pair_options, key="ref_pair",
                         format_func=lambda p: t("referrals.filter.all") if p is None else f"{v('tier', p[0])} → {v('tier', p[1])}")
severities = c2.multiselect(t("referrals.filter.severity"), ["asymptomatic", "mild", "ordinary", "severe", "critical"],
                            format_func=lambda s: v("severity", s), key="ref_severity", placeholder=t("referrals.filter.all"))
statuses = c3.multiselect(t("referrals.filter.status"), ["accepted", "refused", "pending"], format_func=lambda s: v("status", s),
                          key="ref_status", placeholder=t("referrals.filter.all"))
shown = referrals.narrow(rows, tier_pair, severities, statuses)
ind = referrals.indicators(shown)
hours = int(policy.value("referral.upward_reception_hours"))
pending_hours = int(policy.value("referral.pending_too_long_hours"))
upward_target = policy.value("referral.upward_share_min")
ctx = replace(f.context("transfer", "facility"), week_label=period)

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
        "- " + t("referrals.indicator.first_visit", target=pct(policy.value("referral.primary_first_visit_rate_min"), 0)),
        "- " + t("referrals.indicator.two_way", target=pct(policy.value("referral.two_way_referral_rate_min"), 0)),
        "- " + t("referrals.indicator.direction", n=num(ind["direction_disagrees"])),
    ]))

tabs = st.tabs([t("referrals.tab.map"), t("referrals.tab.tiers"), t("referrals.tab.compliance"), t("referrals.tab.reception")])
with tabs[0]:
    st.subheader(f"{f.area_label} {t('referrals.map.heading')}" if lang() == "zh" else f"{t('referrals.map.heading')}, {f.area_label}")
    m1, m2 = st.columns(2)
    zoomed_in = bool(f.county_code or f.consortium)
    level = m1.radio(t("referrals.map.level"), ["county", "facility"], index=1 if zoomed_in else 0, horizontal=True,
                     format_func=lambda x: t(f"referrals.map.level_{x}"), key="ref_map_level")
    top = m2.slider(t("referrals.map.top"), min_value=10, max_value=500, value=150, step=10, key="ref_map_top")
    located = query("facility_locations", **f.params())
    all_pairs = referrals.flows(shown, level, referrals.places(located, level))
    st.pydeck_chart(figures.flow_map(all_pairs.head(top), located, lang(), league_code=f.league_code, level=level), height=620)
    st.html(figures.flow_legend(lang()))
    drawn = min(top, all_pairs.height, figures.FACILITY_FLOWS if level == "facility" else top)
    st.caption(t("referrals.map.caption", area=f.area_label, weeks=period, shown=drawn, total=all_pairs.height,
                 top_flows=figures.FACILITY_FLOWS))
    flow_what = t("referrals.chart.flow_map", n=figures.FACILITY_FLOWS)
    chart(figures.flow_figure(all_pairs, ctx, flow_what, league_code=f.league_code, level=level), ctx, flow_what,
          key="ref_flow_png")
    if level == "facility":
        chart(figures.od_matrix(all_pairs, ctx, t("referrals.chart.od")), ctx, t("referrals.chart.od"), key="ref_od")
    st.dataframe(all_pairs.head(top).select(
        pl.col("from_name").alias(t("referrals.col.from")), pl.col("to_name").alias(t("referrals.col.to")),
        pl.col("referrals").alias(t("referrals.col.referrals")),
        pl.col("direction").replace_strict({d: v("direction", d) for d in ("up", "down", "lateral")}).alias(t("referrals.col.direction")),
        pl.col("refused").alias(t("referrals.col.refused")),
    ), hide_index=True, width="stretch", height=280)
with tabs[1]:
    matrix = referrals.tier_matrix(shown)
    chart(figures.sankey(matrix, ctx), ctx, t("referrals.chart.sankey"), key="ref_sankey", data=matrix)
with tabs[2]:
    st.caption(t("referrals.compliance.rule", age=int(policy.value("referral.advanced_age_from"))))
    if ind["cannot_judge"]:
        why = referrals.unjudged(shown).head(3)
        st.warning(t("referrals.compliance.unjudged", n=num(ind["cannot_judge"]), reasons=t("app.list_separator").join(
            f"{t('referrals.unjudged.' + r)} {num(n)}" for r, n in why.iter_rows())), icon=":material/help:")
    by = st.radio(t("referrals.compliance.by"), ["sender", "consortium"], horizontal=True, key="ref_by",
                  format_func=lambda x: t(f"referrals.compliance.by_{x}"))
    group = referrals.compliance(shown, "from_name") if by == "sender" else referrals.compliance(shown, "from_consortium")
    label = "from_name" if by == "sender" else "from_consortium"
    chart(figures.compliance_bars(group, label, ctx), ctx, t("referrals.chart.compliance"), key="ref_compliance", data=group)
    st.markdown(f"**{t('referrals.compliance.cases')}**")
    cases = referrals.compliance_cases(shown)
    st.dataframe(cases.select(
        pl.col("severity").replace_strict({s: v("severity", s) for s in cases["severity"].unique()}).alias(t("referrals.col.severity")),
        pl.col("main_problem").replace_strict({s: v("main_problem", s) for s in cases["main_problem"].unique()}).alias(t("referrals.col.main_problem")),
        pl.col("policy_case").fill_null("—").alias(t("referrals.col.case")),
        pl.col("expected_tier").replace_strict({s: t("referrals.compliance.should_stay_home") if s == "home" else v("tier", s)
                                                for s in cases["expected_tier"].unique()}, default=None).fill_null("—").alias(t("referrals.col.expected")),
        pl.col("to_tier").replace_strict({s: v("tier", s) for s in cases["to_tier"].unique()}, default=None).alias(t("referrals.col.reached")),
        pl.col("compliance").replace_strict({c: t(f"referrals.compliance.{c}") for c in referrals.VERDICTS}).alias(t("referrals.col.rate")),
        pl.col("unjudged_reason").replace_strict({r: t(f"referrals.unjudged.{r}") for r in referrals.UNJUDGED_REASONS},
                                                 default=None).fill_null("").alias(t("referrals.col.unjudged_reason")),
        pl.col("referrals").alias(t("referrals.col.referrals")),
    ), hide_index=True, width="stretch", height=300)
with tabs[3]:
    received = referrals.reception(shown)
    chart(figures.refusals(received, ctx), ctx, t("referrals.chart.refusals"), key="ref_refusals", data=received)
    st.dataframe(received.select(
        pl.col("to_name").alias(t("referrals.col.facility")),
        pl.col("to_tier").replace_strict({s: v("tier", s) for s in TIERS}, default=None).alias(t("referrals.col.tier")),
        pl.col("to_county_name").alias(t("referrals.col.county")),
        pl.col("referrals").alias(t("referrals.col.referrals")),
        pl.col("refused").alias(t("referrals.col.refused")),
        pl.col("pending_too_long").alias(t("referrals.col.pending_too_long")),
        pl.col("in_time_share").alias(t("referrals.col.in_time")),
    ), hide_index=True, width="stretch", column_config={t("referrals.col.in_time"): st.column_config.NumberColumn(format="percent")})
