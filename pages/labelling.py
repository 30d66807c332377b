"""Risk labelling (红黄绿标识): coverage funnel, label audit, signing and contacts, map, trend."""

NAV = {"section": "missions", "order": 10, "title": "app.nav.labelling", "icon": ":material/traffic:"}  # read by dashboard/ui/navigation.py (app.py's page list)

from dataclasses import replace

import polars as pl
import streamlit as st

from dashboard.metrics import labelling

from dashboard import policy
from dashboard.figures import labelling as figures
from dashboard.ui import chart, filters, lang, metric_row, num, pct, query, stop_while_loading, t, v


def choice(widget, label: str, options: list[str], key: str, fmt, **kwargs) -> str:
    """A radio or selectbox whose choice survives a language switch (Streamlit's front end remembers it
    by its displayed text, so the widget is keyed per language and the choice kept under `key`)."""
    current = st.session_state.get(key)
    shown = {option: fmt(option) for option in options}  # formatted now, in this run's language
    value = widget(label, options, index=options.index(current) if current in options else 0,
                   format_func=shown.__getitem__, key=f"{key}_{lang()}", **kwargs)
    st.session_state[key] = value
    return value


f = filters()
st.title(t("labelling.heading"))
st.caption(f"{f.area_label} · {f.week_label}")
if f.week is None:
    st.info(t("labelling.no_week"))
    st.stop()

stop_while_loading(f, "register")
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
found = labelling.found(counties)
ctx = f.context("register")

metric_row([
    (t("labelling.metric.reported"), f"{total['reported']}/{total['facilities']}", None),
    (t("labelling.metric.found"), pct(found[0] / found[1] if found[1] else None),
     t("labelling.metric.found_help", missing=labelling.counties_not_reporting(counties))),
    (t("labelling.metric.persons"), num(total["persons"]), None),
    (t("labelling.metric.labelled"), pct(total["labelled_share"]), None),
])
metric_row([
    (t("labelling.metric.mislabelled"), num(total["mislabelled"]), None),
    (t("labelling.metric.signed"), pct(total["signed_share"]), None),
    (t("labelling.metric.managed"), pct(total["managed_share"]), None),
])
st.caption(t("labelling.choices"))
if any(total[c] for c in labelling.UNKNOWNS):
    st.warning(t("labelling.unknowns", rule=num(total["rule_unknown"]), signed=num(total["signed_unknown"]),
                 contacts=num(total["yellow_contacts_unknown"] + total["red_contacts_unknown"]),
                 managed=num(total["managed_unknown"])), icon=":material/help:")

percent = st.column_config.NumberColumn(format="percent")
count = st.column_config.NumberColumn(format="localized")  # thousands separated
tabs = st.tabs([t("labelling.tab.funnel"), t("labelling.tab.audit"), t("labelling.tab.contact"), t("labelling.tab.map"),
                t("labelling.tab.trend")])
with tabs[0]:
    reporting = dict(zip(*facilities.filter(pl.col("reported")).select("facility_code", "facility_name")))
    one = choice(st.columns([2, 3])[0].selectbox, t("labelling.drill"), [""] + list(reporting), "lab_drill",
                 lambda c: f"{reporting[c]} ({c})" if c else t("app.area.all"))
    scope, scope_ctx = (total, ctx) if not one else (labelling.totals(facilities, one), replace(ctx, area=reporting[one]))
    chart(figures.funnel(scope, scope_ctx), scope_ctx, t("labelling.chart.funnel"), key="lab_funnel")
    st.caption(t("labelling.funnel_note"))
    chart(figures.found(found[0], found[1], ctx), ctx, t("labelling.chart.found"), key="lab_found",
          data=counties.select("county_code", "county_name", "pop65", "found_65", "found_share"))
    chart(figures.colours(scope, scope_ctx), scope_ctx, t("labelling.chart.colours"), key="lab_colours")
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
                pl.col("recorded_label").replace_strict(labels, default=None).fill_null(t("labelling.problem.unlabelled"))
                .alias(t("labelling.col.recorded")),
                pl.col("rule_label").replace_strict(labels, default=None).alias(t("labelling.col.rule")),
                pl.col("problem").replace_strict({x: t(f"labelling.problem.{x}") for x in ("rule_unknown", "unlabelled", "under", "over")}).alias(t("labelling.col.problem")),
            )
            st.caption(t("labelling.audit.count", n=f"{fixes.height:,}"))
            st.dataframe(table.head(200), hide_index=True, width="stretch", height=280)
            st.download_button(t("labelling.audit.download"), table.write_csv().encode("utf-8-sig"),
                               file_name=f"{code}_{f.week.isoformat()}_labels.csv", mime="text/csv",
                               icon=":material/download:", on_click="ignore", key="lab_fix_download")
with tabs[2]:
    st.caption(t("labelling.contact_note", yellow=yellow_min, red=red_min))
    level = labelling.contact_level(f.league_code, f.county_code, f.consortium)
    compared = labelling.rollup(facilities, level)
    chart(figures.rates(compared, ctx, yellow_min, red_min, policy.value("coverage.family_doctor_signed_target")), ctx,
          t("labelling.chart.rates"), key="lab_rates",
          data=compared.select("code", "name", "reported", "persons", "signed", "rule_yellow", "yellow_contacted",
                               "rule_red", "red_contacted", "managed", "signed_share", "yellow_contact_share",
                               "red_contact_share", "managed_share"))
    st.dataframe(facilities.sort("red_contact_share", nulls_last=True).select(
        pl.col("facility_name").alias(t("labelling.col.facility")),
        pl.col("county_name").alias(t("labelling.col.county")),
        pl.col("reported").replace_strict({True: t("labelling.reported"), False: t("labelling.not_reported")}).alias(t("labelling.col.status")),
        pl.col("signed_share").alias(t("labelling.col.signed_share")),
        pl.col("yellow_contact_share").alias(t("labelling.col.yellow_contact")),
        pl.col("red_contact_share").alias(t("labelling.col.red_contact")),
        pl.col("managed_share").alias(t("labelling.col.managed_share")),
    ), hide_index=True, width="stretch",
        column_config={t(f"labelling.col.{c}"): percent for c in ("signed_share", "yellow_contact", "red_contact", "managed_share")})
with tabs[3]:
    left, right = st.columns([1, 2])
    map_label = lambda x: t(f"labelling.map.{x}")  # noqa: E731
    map_level = "county" if f.league_code else choice(left.radio, t("labelling.map.level"), ["league", "county"],
                                                      "lab_map_level", map_label, horizontal=True)
    metric = choice(right.radio, t("labelling.map.metric"), list(figures.MAP_KEYS), "lab_map_metric", map_label, horizontal=True)
    shown = labelling.areas(facilities, counties, map_level)
    st.caption(t("labelling.map_caption"))
    st.pydeck_chart(figures.coverage_deck(shown, metric, map_level, lang(), league_code=f.league_code), height=560)
    st.html(figures.coverage_legend(metric, lang()))
    what = t("labelling.chart.map", metric=t(f"labelling.map.{metric}"))
    chart(figures.coverage_map(shown, ctx, metric, map_level, league_code=f.league_code), ctx, what, key="lab_map",
          data=shown.select("code", "name", "facilities", "reported", "pop65", "found_65", "found_share", "persons",
                            "labelled_share", "signed_share", "managed_share"))
    st.dataframe(shown.sort(metric, nulls_last=False).select(
        pl.col("name").fill_null(pl.col("code")).alias(t("labelling.col.area")),
        pl.col("pop65").alias(t("labelling.col.pop65")),
        pl.col("found_65").alias(t("labelling.col.found")),
        pl.col("found_share").alias(t("labelling.col.found_share")),
        pl.col("labelled_share").alias(t("labelling.col.labelled_share")),
        pl.col("signed_share").alias(t("labelling.col.signed_share")),
        pl.col("managed_share").alias(t("labelling.col.managed_share")),
    ), hide_index=True, width="stretch", column_config={
        **{t(f"labelling.col.{c}"): percent for c in ("found_share", "labelled_share", "signed_share", "managed_share")},
        **{t(f"labelling.col.{c}"): count for c in ("pop65", "found")}})
with tabs[4]:
    history = labelling.with_rates(query("labelling_by_facility", **(f.params() | {"week": None}), **params))
    all_counties = query("labelling_found_by_county", **(f.params() | {"week": None}))
    per_week = labelling.trend(history.filter(pl.col("week") <= f.week), all_counties.filter(pl.col("week") <= f.week))
    chart(figures.trend(per_week, ctx, policy.value("coverage.labelled_target")), ctx, t("labelling.chart.trend"), key="lab_trend", data=per_week)
