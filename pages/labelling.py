"""Risk labelling (红黄绿标识): coverage funnel, label audit, signing and contacts, map, trend."""
import polars as pl
import streamlit as st

from dashboard import labelling, policy
from dashboard.figures import labelling as figures
from dashboard.ui import chart, filters, metric_row, num, pct, query, t, v

f = filters()
st.title(t("labelling.heading"))
st.caption(f"{f.area_label} · {f.week_label}")
if f.week is None:
    st.info(t("labelling.no_week"))
    st.stop()

yellow_min, red_min = int(policy.value("contacts.yellow_per_week")), int(policy.value("contacts.red_per_week"))
st.caption(t("labelling.intro", yellow=yellow_min, red=red_min))
params = labelling.params()
facilities = query("labelling_by_facility", **f.params(), **params)
if facilities.height == 0:
    st.info(t("labelling.no_facilities"))
    st.stop()
facilities = labelling.with_rates(facilities)
counties = query("labelling_found_by_county", **f.params())
total = labelling.totals(facilities)
found = counties.select(pl.col("found_65").sum(), pl.col("pop65").sum()).row(0)
ctx = f.context("register")

metric_row([
    (t("labelling.metric.reported"), f"{total['reported']}/{total['facilities']}", None),
    (t("labelling.metric.found"), pct(found[0] / found[1] if found[1] else None), t("labelling.metric.found_help")),
    (t("labelling.metric.persons"), num(total["persons"]), None),
    (t("labelling.metric.labelled"), pct(total["labelled_share"]), None),
])
metric_row([
    (t("labelling.metric.mislabelled"), num(total["mislabelled"]), None),
    (t("labelling.metric.signed"), pct(total["signed_share"]), None),
    (t("labelling.metric.managed"), pct(total["managed_share"]), None),
])
st.caption(t("labelling.choices"))

percent = st.column_config.NumberColumn(format="percent")
tabs = st.tabs([t("labelling.tab.funnel"), t("labelling.tab.audit"), t("labelling.tab.contact"), t("labelling.tab.map"),
                t("labelling.tab.trend")])
with tabs[0]:
    chart(figures.funnel(total, ctx), ctx, t("labelling.chart.funnel"), key="lab_funnel")
    chart(figures.colours(total, ctx), ctx, t("labelling.chart.colours"), key="lab_colours")
    st.dataframe(facilities.sort("labelled_share", nulls_last=False).select(
        pl.col("facility_name").alias(t("labelling.col.facility")),
        pl.col("county_name").alias(t("labelling.col.county")),
        pl.col("persons").alias(t("labelling.col.persons")),
        pl.col("labelled_share").alias(t("labelling.col.labelled_share")),
        pl.col("signed_share").alias(t("labelling.col.signed_share")),
        pl.col("managed_share").alias(t("labelling.col.managed_share")),
    ), hide_index=True, width="stretch", column_config={t(f"labelling.col.{c}"): percent for c in ("labelled_share", "signed_share", "managed_share")})
with tabs[1]:
    chart(figures.audit(facilities, ctx), ctx, t("labelling.chart.audit"), key="lab_audit")
    offenders = facilities.filter(pl.col("reported") & ((pl.col("mislabelled") + pl.col("persons") - pl.col("labelled")) > 0)) \
        .sort("mislabelled", descending=True)
    st.dataframe(offenders.select(
        pl.col("facility_name").alias(t("labelling.col.facility")),
        pl.col("county_name").alias(t("labelling.col.county")),
        pl.col("under_labelled").alias(t("labelling.col.under")),
        pl.col("over_labelled").alias(t("labelling.col.over")),
        (pl.col("persons") - pl.col("labelled")).alias(t("labelling.col.unlabelled")),
    ), hide_index=True, width="stretch", height=300)
    names = dict(zip(offenders["facility_code"].to_list(), offenders["facility_name"].to_list()))
    if names:
        code = st.selectbox(t("labelling.audit.facility"), list(names), format_func=lambda c: f"{names[c]} ({c})", key="lab_fix_facility")
        fixes = query("labelling_correction_list", week=f.week, facility_code=code)
        if fixes.height == 0:
            st.success(t("labelling.audit.none"))
        else:
            labels = {x: v("label", x) for x in ("green", "yellow", "red")}
            table = fixes.select(
                pl.col("record_no").alias(t("labelling.col.record_no")),
                pl.col("id_masked").alias(t("labelling.col.id_masked")),
                pl.col("age").alias(t("labelling.col.age")),
                pl.col("disease_state").replace_strict({x: v("disease_state", x) for x in ("none", "stable", "unstable")}, default=None).alias(t("labelling.col.disease")),
                pl.col("vaccination").replace_strict({x: v("vaccination", x) for x in ("none", "partial", "full")}, default=None).alias(t("labelling.col.vaccination")),
                pl.col("recorded_label").replace_strict(labels, default=None).alias(t("labelling.col.recorded")),
                pl.col("rule_label").replace_strict(labels, default=None).alias(t("labelling.col.rule")),
                pl.col("problem").replace_strict({x: t(f"labelling.problem.{x}") for x in ("unlabelled", "under", "over")}).alias(t("labelling.col.problem")),
            )
            st.caption(t("labelling.audit.count", n=f"{fixes.height:,}"))
            st.dataframe(table.head(200), hide_index=True, width="stretch", height=280)
            st.download_button(t("labelling.audit.download"), table.write_csv().encode("utf-8-sig"),
                               file_name=f"{code}_{f.week.isoformat()}_labels.csv", mime="text/csv",
                               icon=":material/download:", on_click="ignore", key="lab_fix_download")
with tabs[2]:
    level = "county" if f.league_code else "league"
    areas = labelling.rollup(facilities, level)
    chart(figures.rates(areas, ctx, yellow_min, red_min), ctx, t("labelling.chart.rates"), key="lab_rates", data=areas)
    st.dataframe(facilities.filter(pl.col("reported")).sort("red_contact_share", nulls_last=True).select(
        pl.col("facility_name").alias(t("labelling.col.facility")),
        pl.col("county_name").alias(t("labelling.col.county")),
        pl.col("signed_share").alias(t("labelling.col.signed_share")),
        pl.col("yellow_contact_share").alias(t("labelling.col.yellow_contact")),
        pl.col("red_contact_share").alias(t("labelling.col.red_contact")),
        pl.col("managed_share").alias(t("labelling.col.managed_share")),
    ), hide_index=True, width="stretch",
        column_config={t(f"labelling.col.{c}"): percent for c in ("signed_share", "yellow_contact", "red_contact", "managed_share")})
with tabs[3]:
    chart(figures.found_map(counties, ctx, league_code=f.league_code), ctx, t("labelling.chart.map"), key="lab_map")
    st.dataframe(counties.sort("found_share", nulls_last=True).select(
        pl.col("county_name").alias(t("labelling.col.county")),
        pl.col("pop65").alias(t("labelling.col.pop65")),
        pl.col("found_65").alias(t("labelling.col.found")),
        pl.col("found_share").alias(t("labelling.col.found_share")),
    ), hide_index=True, width="stretch", column_config={t("labelling.col.found_share"): percent})
with tabs[4]:
    history = labelling.with_rates(query("labelling_by_facility", **(f.params() | {"week": None}), **params))
    all_counties = query("labelling_found_by_county", **(f.params() | {"week": None}))
    per_week = labelling.trend(history.filter(pl.col("week") <= f.week), all_counties.filter(pl.col("week") <= f.week))
    chart(figures.trend(per_week, ctx), ctx, t("labelling.chart.trend"), key="lab_trend", data=per_week)
