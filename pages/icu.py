"""ICU staffing gaps: per hospital, rolled up by area, a what-if for convertible beds, the trend."""
import polars as pl
import streamlit as st

from dashboard import icu, policy
from dashboard.figures import icu as figures
from dashboard.ui import chart, filters, metric_row, num, pct, query, t, v

f = filters()
st.title(t("icu.heading"))
st.caption(f"{f.area_label} · {f.week_label}")
if f.week is None:
    st.info(t("icu.no_week"))
    st.stop()

(n_low, n_high), (r_low, r_high) = policy.policy_range("icu.nurses_per_bed"), policy.policy_range("icu.reserve_share")
st.caption(t("icu.intro", nurses_low=f"{n_low:g}", nurses_high=f"{n_high:g}", reserve_low=pct(r_low, 0), reserve_high=pct(r_high, 0)))
left, right = st.columns(2)
nurses_end = left.radio(
    t("icu.nurses_end"), ["low", "high"], index=["low", "high"].index(icu.strict_end("icu.nurses_per_bed")), horizontal=True,
    key="icu_nurses_end", format_func=lambda e: t("icu.end_nurses", n=f"{n_low if e == 'low' else n_high:g}")
    + (t("icu.strict_note") if e == icu.strict_end("icu.nurses_per_bed") else ""))
reserve_end = right.radio(
    t("icu.reserve_end"), ["low", "high"], index=["low", "high"].index(icu.strict_end("icu.reserve_share")), horizontal=True,
    key="icu_reserve_end", format_func=lambda e: t("icu.end_reserve", share=pct(r_low if e == "low" else r_high, 0))
    + (t("icu.strict_note") if e == icu.strict_end("icu.reserve_share") else ""))

params = icu.params(nurses_end, reserve_end)
hospitals = query("icu_staffing_by_hospital", **f.params(), **params)
if hospitals.height == 0:
    st.info(t("icu.no_hospitals"))
    st.stop()
history = query("icu_staffing_by_hospital", **(f.params() | {"week": None}), **params)
ctx = f.context("icu")
total = icu.totals(hospitals)

metric_row([
    (t("icu.metric.reported"), f"{total['reported']}/{total['hospitals']}", None),
    (t("icu.metric.beds"), num(total["icu_beds"]), None),
    (t("icu.metric.occupancy"), pct(total["occupancy"]), None),
])
metric_row([
    (t("icu.metric.doctor_gap"), num(total["doctor_gap"]), None),
    (t("icu.metric.nurse_gap"), num(total["nurse_gap"]), None),
    (t("icu.metric.reserve_gap"), num(total["reserve_doctor_gap"] + total["reserve_nurse_gap"]), None),
])
st.caption(t("icu.reserve_basis"))

table_config = {
    t("icu.col.occupancy"): st.column_config.NumberColumn(format="percent"),
}


def hospital_table(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select(
        pl.col("facility_name").alias(t("icu.col.hospital")),
        pl.col("tier").replace_strict({x: v("tier", x) for x in frame["tier"].unique()}).alias(t("icu.col.tier")),
        pl.col("county_name").alias(t("icu.col.county")),
        pl.col("status").replace_strict({s: t(f"icu.status.{s}") for s in ("missing", "no_beds", "short", "met")}).alias(t("icu.col.status")),
        pl.col("icu_beds").alias(t("icu.col.beds")),
        pl.col("convertible_beds").alias(t("icu.col.convertible")),
        pl.col("occupancy").alias(t("icu.col.occupancy")),
        pl.format("{} / {}", "icu_doctors", "doctors_required").alias(t("icu.col.doctors")),
        pl.format("{} / {}", "icu_nurses", "nurses_required").alias(t("icu.col.nurses")),
        pl.format("{}-{}", "nurses_required_low", "nurses_required_high").alias(t("icu.col.nurses_range")),
        pl.format("{} / {}", pl.col("reserve_doctors") + pl.col("reserve_nurses"),
                  pl.col("reserve_doctors_required") + pl.col("reserve_nurses_required")).alias(t("icu.col.reserve")),
        pl.col("doctor_gap").alias(t("icu.col.doctor_gap")),
        pl.col("nurse_gap").alias(t("icu.col.nurse_gap")),
        (pl.col("reserve_doctor_gap") + pl.col("reserve_nurse_gap")).alias(t("icu.col.reserve_gap")),
    )


tabs = st.tabs([t("icu.tab.hospitals"), t("icu.tab.rollup"), t("icu.tab.whatif"), t("icu.tab.trend")])
with tabs[0]:
    chart(figures.gap_ranking(hospitals, ctx), ctx, t("icu.chart.ranking"), key="icu_ranking")
    ranked = hospitals.sort([pl.col("status") == "missing", pl.col("doctor_gap") + pl.col("nurse_gap")], descending=[True, True], nulls_last=True)
    st.dataframe(hospital_table(ranked), hide_index=True, width="stretch", column_config=table_config)
    st.download_button(t("icu.download"), hospitals.write_csv().encode("utf-8-sig"), file_name=f"{ctx.file_stem(t('icu.heading'))}.csv",
                       mime="text/csv", icon=":material/download:", on_click="ignore", key="icu_download")
with tabs[1]:
    level = st.radio(t("icu.level"), ["county", "league", "consortium"], horizontal=True, key="icu_level",
                     format_func=lambda x: t(f"icu.level_{x}"))
    rolled = icu.rollup(hospitals, level)
    chart(figures.gap_map(icu.rollup(hospitals, "county"), ctx, league_code=f.league_code), ctx, t("icu.chart.map"), key="icu_map")
    st.dataframe(rolled.select(
        pl.col("name").alias(t("icu.col.area")),
        pl.col("hospitals").alias(t("icu.col.hospitals")),
        pl.col("missing").alias(t("icu.col.missing")),
        pl.col("icu_beds").alias(t("icu.col.beds")),
        pl.col("occupancy").alias(t("icu.col.occupancy")),
        pl.col("doctor_gap").alias(t("icu.col.doctor_gap")),
        pl.col("nurse_gap").alias(t("icu.col.nurse_gap")),
        (pl.col("reserve_doctor_gap") + pl.col("reserve_nurse_gap")).alias(t("icu.col.reserve_gap")),
    ), hide_index=True, width="stretch", column_config=table_config)
with tabs[2]:
    st.caption(t("icu.whatif_help"))
    metric_row([
        (t("icu.metric.convertible"), num(total["convertible_beds"]), None),
        (t("icu.metric.extra_doctors"), num(total["extra_doctors_if_converted"]), None),
        (t("icu.metric.extra_nurses"), num(total["extra_nurses_if_converted"]), None),
    ])
    st.dataframe(
        hospitals.filter(pl.col("convertible_beds") > 0)
        .sort(pl.col("extra_doctors_if_converted") + pl.col("extra_nurses_if_converted"), descending=True)
        .select(pl.col("facility_name").alias(t("icu.col.hospital")), pl.col("county_name").alias(t("icu.col.county")),
                pl.col("icu_beds").alias(t("icu.col.beds")), pl.col("convertible_beds").alias(t("icu.col.convertible")),
                pl.col("extra_doctors_if_converted").alias(t("icu.col.extra_doctors")),
                pl.col("extra_nurses_if_converted").alias(t("icu.col.extra_nurses"))),
        hide_index=True, width="stretch")
with tabs[3]:
    per_week = icu.trend(history.filter(pl.col("week") <= f.week))
    chart(figures.trend(per_week, ctx), ctx, t("icu.chart.trend"), key="icu_trend", data=per_week)
