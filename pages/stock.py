"""Drug and antigen-kit stock against the 15-20% target: facilities, areas, equipment, trend."""
import polars as pl
import streamlit as st

from dashboard import policy, stock
from dashboard.figures import stock as figures
from dashboard.ui import chart, filters, metric_row, num, pct, query, t, v

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
cover_days = cover_col.slider(t("stock.cover"), min_value=7, max_value=42, value=minimum_days, step=1, key="stock_cover")
item = item_col.selectbox(t("stock.item"), stock.ITEMS, format_func=lambda i: t(f"stock.items.{i}"), key="stock_item")

params = stock.params(share, cover_days)
rows = query("stock_by_facility", **f.params(), **params)
if rows.height == 0:
    st.info(t("stock.no_facilities"))
    st.stop()
ctx = f.context("stock", "facility")
totals = {r["item"]: r for r in stock.totals(rows).iter_rows(named=True)}
chosen = totals[item]
metric_row([
    (t("stock.metric.reported"), f"{chosen['facilities'] - chosen['missing']}/{chosen['facilities']}", None),
    (t("stock.metric.share"), pct(chosen["share_of_target"]), None),
    (t("stock.metric.shortfall"), num(chosen["shortfall"]), None),
])
metric_row([
    (t("stock.metric.below", low=pct(low, 0)), num(chosen["below_low"]), None),
    (t("stock.metric.cover_short", days=cover_days), num(chosen["cover_short"]), None),
    (t("stock.metric.no_use"), num(chosen["no_use"]), None),
])
st.caption(t("stock.cover_note"))

statuses = {s: t(f"stock.status.{s}") for s in ("missing", "no_population", "below_low", "between", "met")}
covers = {s: t(f"stock.cover_status.{s}") for s in ("missing", "no_use", "short", "ok")}
items = {i: t(f"stock.items.{i}") for i in stock.ITEMS}
percent = st.column_config.NumberColumn(format="percent")
days = st.column_config.NumberColumn(format="%.1f")

tabs = st.tabs([t("stock.tab.facilities"), t("stock.tab.rollup"), t("stock.tab.equipment"), t("stock.tab.trend")])
with tabs[0]:
    chart(figures.ranking(rows, item, ctx), ctx, t("stock.chart.ranking", item=items[item]), key="stock_ranking")
    shortfall = rows.filter((pl.col("shortfall") > 0) | (pl.col("status") == "missing") | (pl.col("cover_status") == "short")) \
        .sort([pl.col("status") == "missing", "share_of_target"], descending=[False, False], nulls_last=True)
    table = shortfall.select(
        pl.col("facility_name").alias(t("stock.col.facility")),
        pl.col("county_name").alias(t("stock.col.county")),
        pl.col("item").replace_strict(items).alias(t("stock.col.item")),
        pl.col("service_population").alias(t("stock.col.population")),
        pl.col("target_low").alias(t("stock.col.target_low")),
        pl.col("target_high").alias(t("stock.col.target_high")),
        pl.col("target").alias(t("stock.col.target")),
        pl.col("on_hand").alias(t("stock.col.on_hand")),
        pl.col("used").alias(t("stock.col.used")),
        pl.col("shortfall").alias(t("stock.col.shortfall")),
        pl.col("share_of_target").alias(t("stock.col.share")),
        pl.col("cover_days").alias(t("stock.col.cover_days")),
        pl.col("cover_status").replace_strict(covers).alias(t("stock.col.cover_status")),
        pl.col("status").replace_strict(statuses).alias(t("stock.col.status")),
    )
    st.dataframe(table, hide_index=True, width="stretch",
                 column_config={t("stock.col.share"): percent, t("stock.col.cover_days"): days})
    st.download_button(t("stock.download"), table.write_csv().encode("utf-8-sig"),
                       file_name=f"{ctx.file_stem(t('stock.download'))}.csv", mime="text/csv",
                       icon=":material/download:", on_click="ignore", key="stock_download")
with tabs[1]:
    level = st.radio(t("stock.level"), ["county", "league", "consortium"], horizontal=True, key="stock_level",
                     format_func=lambda x: t(f"stock.level_{x}"))
    chart(figures.share_map(stock.rollup(rows, "county"), item, ctx, league_code=f.league_code), ctx,
          t("stock.chart.map", item=items[item]), key="stock_map")
    st.dataframe(stock.rollup(rows, level).filter(pl.col("item") == item).select(
        pl.col("name").alias(t("stock.col.area")),
        pl.col("facilities").alias(t("stock.col.facilities")),
        pl.col("missing").alias(t("stock.col.missing")),
        pl.col("target").alias(t("stock.col.target")),
        pl.col("on_hand").alias(t("stock.col.on_hand")),
        pl.col("shortfall").alias(t("stock.col.shortfall")),
        pl.col("share_of_target").alias(t("stock.col.share")),
        pl.col("below_low").alias(t("stock.col.below_low")),
    ), hide_index=True, width="stretch", column_config={t("stock.col.share"): percent})
with tabs[2]:
    equipment = query("stock_equipment", **f.params(), **params)
    failing = equipment.filter(~pl.col("oximeters_ok").fill_null(True) | ~pl.col("ambulances_ok"))
    metric_row([
        (t("stock.metric.oximeters", n=int(params["stock_min_oximeters"])), num(equipment["oximeters_ok"].not_().sum()), None),
        (t("stock.metric.ambulances"), num(equipment["ambulances_ok"].not_().sum()), None),
    ])
    if failing.height == 0:
        st.success(t("stock.equipment_ok"), icon=":material/check_circle:")
    else:
        st.dataframe(failing.select(
            pl.col("facility_name").alias(t("stock.col.facility")),
            pl.col("primary_type").replace_strict({x: v("primary_type", x) for x in ("chc", "township")}).alias(t("stock.col.type")),
            pl.col("county_name").alias(t("stock.col.county")),
            pl.col("oximeters").alias(t("stock.col.oximeters")),
            pl.col("ambulances_120").alias(t("stock.col.ambulances")),
        ), hide_index=True, width="stretch")
with tabs[3]:
    history = query("stock_by_facility", **(f.params() | {"week": None}), **params)
    per_week = stock.trend(history.filter(pl.col("week") <= f.week))
    chart(figures.trend(per_week, ctx), ctx, t("stock.chart.trend"), key="stock_trend", data=per_week)
