"""Drug and antigen-kit stock against the 15-20% target: facilities, map, areas, equipment, trend."""

NAV = {"section": "missions", "order": 40, "title": "app.nav.stock", "icon": ":material/medication:"}  # read by dashboard/ui/navigation.py (app.py's page list)

import polars as pl
import streamlit as st

from dashboard import policy

from dashboard.metrics import stock
from dashboard.figures import stock as figures
from dashboard.ui import chart, filters, table_downloads, lang, metric_row, num, pct, query, t

f = filters()
st.title(t("stock.heading"))
st.caption(f"{f.area_label} · {f.week_label}")
if f.week is None:
    st.info(t("stock.no_week"))
    st.stop()

low, high = policy.policy_range("stock.population_share")
minimum_days = int(policy.value("stock.min_cover_days"))
st.caption(t("stock.intro", low=pct(low, 0), high=pct(high, 0), days=minimum_days,
             oximeters=int(policy.value("stock.min_oximeters")), ambulances=int(policy.value("stock.min_ambulances_120"))))
share_col, cover_col, item_col = st.columns([2, 2, 1])
share = share_col.slider(t("stock.share"), min_value=5, max_value=50, value=round(policy.value("stock.population_share") * 100),
                         step=1, format="%d%%", help=t("stock.share_help"), key="stock_share") / 100
cover_days = cover_col.slider(t("stock.cover"), min_value=7, max_value=42, value=minimum_days, step=1,
                              help=t("stock.cover_help"), key="stock_cover")
# keyed per language (Streamlit's front end keeps a choice by its shown text); the choice itself lives in
# session state, so it survives the switch
item = item_col.selectbox(t("stock.item"), stock.ITEMS, index=stock.ITEMS.index(st.session_state.get("stock_item", "antigen")),
                          format_func=lambda i: t(f"stock.items.{i}"), key=f"stock_item_{lang()}")
st.session_state["stock_item"] = item

params = stock.params(share, cover_days)
rows = query("stock_by_facility", **f.params(), **params)
if rows.height == 0:
    st.info(t("stock.no_facilities"))
    st.stop()
ctx = f.context("stock", "facility")
totals = {r["item"]: r for r in stock.totals(rows).iter_rows(named=True)}
chosen = totals[item]
items = {i: t(f"stock.items.{i}") for i in stock.ITEMS}
metric_row([
    (t("stock.metric.reported"), f"{chosen['facilities'] - chosen['missing']}/{chosen['facilities']}", None),
    (t("stock.metric.share", item=items[item]), pct(chosen["share_of_target"]), t("stock.metric.share_help", share=pct(share, 0))),
    (t("stock.metric.shortfall", item=items[item]), num(chosen["shortfall"]), t("stock.metric.shortfall_help", share=pct(share, 0))),
])
metric_row([
    (t("stock.metric.below", low=pct(low, 0)), num(chosen["below_low"]), None),
    (t("stock.metric.cover_short", days=cover_days), num(chosen["cover_short"]), None),
    (t("stock.metric.no_use"), num(chosen["no_use"]), None),
])
st.caption(t("stock.cover_note"))

statuses = {s: t(f"stock.status.{s}", low=pct(low, 0), high=pct(high, 0)) for s in ("missing", "no_population", "below_low", "between", "met")}
covers = {s: t(f"stock.cover_status.{s}") for s in ("missing", "use_missing", "no_use", "short", "ok")}
equipment_statuses = {s: t(f"stock.equipment_status.{s}") for s in ("missing", "short", "ok")}
percent = st.column_config.NumberColumn(format="percent")
days = st.column_config.NumberColumn(format="%.1f")
count = st.column_config.NumberColumn(format="localized")  # thousands separated

tabs = st.tabs([t("stock.tab.facilities"), t("stock.tab.map"), t("stock.tab.rollup"), t("stock.tab.equipment"),
                t("stock.tab.trend")])
with tabs[0]:
    chart(figures.ranking(rows, item, ctx), ctx, t("stock.chart.ranking", item=items[item]), key="stock_ranking")
    st.subheader(t("stock.list_heading"))
    only_action = st.toggle(t("stock.only_action"), value=True, key="stock_only_action")
    st.caption(t("stock.list_caption"))
    table = stock.needs_action(rows, only_action).select(
        pl.col("facility_name").alias(t("stock.col.facility")),
        pl.col("county_name").alias(t("stock.col.county")),
        pl.col("consortium").alias(t("stock.col.consortium")),
        pl.col("item").replace_strict(items).alias(t("stock.col.item")),
        pl.col("service_population").alias(t("stock.col.population")),
        pl.col("target_low").alias(t("stock.col.target_low", low=pct(low, 0))),
        pl.col("target_high").alias(t("stock.col.target_high", high=pct(high, 0))),
        pl.col("target").alias(t("stock.col.target", share=pct(share, 0))),
        pl.col("on_hand").alias(t("stock.col.on_hand")),
        pl.col("used").alias(t("stock.col.used")),
        pl.col("shortfall").alias(t("stock.col.shortfall")),
        pl.col("share_of_target").alias(t("stock.col.share")),
        pl.col("cover_days").alias(t("stock.col.cover_days")),
        pl.col("cover_status").replace_strict(covers).alias(t("stock.col.cover_status")),
        pl.col("status").replace_strict(statuses).alias(t("stock.col.status")),
    )
    st.dataframe(table, hide_index=True, width="stretch", height=420,
                 column_config={t("stock.col.share"): percent, t("stock.col.cover_days"): days}
                 | dict.fromkeys([t("stock.col.population"), t("stock.col.target_low", low=pct(low, 0)),
                                  t("stock.col.target_high", high=pct(high, 0)), t("stock.col.target", share=pct(share, 0)),
                                  t("stock.col.on_hand"), t("stock.col.used"), t("stock.col.shortfall")], count))
    table_downloads(table, ctx.file_stem(t("stock.download_name")), "stock_download", "stock")
    st.subheader(t("stock.detail_heading"))
    choices = stock.facility_choices(rows)
    picked = st.selectbox(t("stock.detail_pick"), list(choices), format_func=choices.__getitem__, key="stock_facility")
    st.dataframe(stock.facility_detail(rows, picked).select(
        pl.col("item").replace_strict(items).alias(t("stock.col.item")),
        pl.col("target_low").alias(t("stock.col.target_low", low=pct(low, 0))),
        pl.col("target_high").alias(t("stock.col.target_high", high=pct(high, 0))),
        pl.col("target").alias(t("stock.col.target", share=pct(share, 0))),
        pl.col("on_hand").alias(t("stock.col.on_hand")),
        pl.col("used").alias(t("stock.col.used")),
        pl.col("shortfall").alias(t("stock.col.shortfall")),
        pl.col("cover_days").alias(t("stock.col.cover_days")),
        pl.col("cover_status").replace_strict(covers).alias(t("stock.col.cover_status")),
        pl.col("status").replace_strict(statuses).alias(t("stock.col.status")),
    ), hide_index=True, width="stretch", column_config={t("stock.col.cover_days"): days}
        | dict.fromkeys([t("stock.col.target_low", low=pct(low, 0)), t("stock.col.target_high", high=pct(high, 0)),
                         t("stock.col.target", share=pct(share, 0)), t("stock.col.on_hand"), t("stock.col.used"),
                         t("stock.col.shortfall")], count))
with tabs[1]:
    st.subheader(t("stock.map.heading", item=items[item]))
    st.caption(t("stock.status_legend", low=pct(low, 0), high=pct(high, 0)))
    st.pydeck_chart(figures.shortfall_map(rows, item, lang(), league_code=f.league_code), height=560)
    st.html(figures.shortfall_legend(lang()))
    st.caption(t("stock.map.png_note"))
    by_county = stock.rollup(rows, "county")
    chart(figures.share_map(by_county, item, ctx, league_code=f.league_code), ctx,
          t("stock.chart.map", item=items[item]), key="stock_map")
with tabs[2]:
    level = st.radio(t("stock.level"), stock.LEVELS_SHOWN, horizontal=True, key=f"stock_level_{lang()}",
                     index=stock.LEVELS_SHOWN.index(st.session_state.get("stock_level", "county")),
                     format_func=lambda x: t(f"stock.level_{x}"))
    st.session_state["stock_level"] = level
    areas = stock.rollup(rows, level, names=query("area_census_names") if lang() == "en" else None).filter(pl.col("item") == item).select(
        pl.col("name").alias(t("stock.col.area")),
        pl.col("facilities").alias(t("stock.col.facilities")),
        pl.col("missing").alias(t("stock.col.missing")),
        pl.col("target").alias(t("stock.col.target", share=pct(share, 0))),
        pl.col("on_hand").alias(t("stock.col.on_hand")),
        pl.col("shortfall").alias(t("stock.col.shortfall")),
        pl.col("share_of_target").alias(t("stock.col.share")),
        pl.col("below_low").alias(t("stock.col.below_low", low=pct(low, 0))),
        pl.col("cover_short").alias(t("stock.col.cover_short", days=cover_days)),
    )
    st.caption(t("stock.rollup_caption", item=items[item]))
    st.dataframe(areas, hide_index=True, width="stretch",
                 column_config={t("stock.col.share"): percent}
                 | dict.fromkeys([t("stock.col.target", share=pct(share, 0)), t("stock.col.on_hand"),
                                  t("stock.col.shortfall")], count))
with tabs[3]:
    equipment = query("stock_equipment", **f.params(), **params)
    counts = stock.equipment_totals(equipment)
    metric_row([
        (t("stock.metric.oximeters", n=int(params["stock_min_oximeters"])), num(counts["oximeter_short"]), None),
        (t("stock.metric.equipment_missing"), num(counts["oximeter_missing"]), None),
        (t("stock.metric.ambulances", n=int(params["stock_min_ambulances_120"])), num(counts["ambulance_short"]), None),
    ])
    if counts["oximeter_short"] == 0 and counts["ambulance_short"] == 0:
        st.success(t("stock.equipment_ok"), icon=":material/check_circle:")
    st.caption(t("stock.equipment_caption"))
    st.dataframe(equipment.select(
        pl.col("facility_name").alias(t("stock.col.facility")),
        pl.col("county_name").alias(t("stock.col.county")),
        pl.col("oximeters").alias(t("stock.col.oximeters_n")),
        pl.col("oximeter_status").replace_strict(equipment_statuses).alias(t("stock.col.oximeter_status")),
        pl.col("ambulances_120").alias(t("stock.col.ambulances_n")),
        pl.col("ambulance_status").replace_strict(equipment_statuses).alias(t("stock.col.ambulance_status")),
    ), hide_index=True, width="stretch")
with tabs[4]:
    history = query("stock_by_facility", **(f.params() | {"week": None}), **params)
    per_week = stock.trend(history, until=f.week)
    chart(figures.trend(per_week, ctx), ctx, t("stock.chart.trend"), key="stock_trend",
          data=per_week.select("week", "item", "facilities", "missing", "target", "on_hand", "shortfall",
                               "share_of_target", "below_low", "cover_short"))
