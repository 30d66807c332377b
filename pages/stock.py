"""Drug and antigen-kit stock against the 15-20% target: facilities, map, areas, equipment, trend."""

NAV = {"section": "missions", "order": 40, "title": "app.nav.stock", "icon": ":material/medication:"}  # read by dashboard/ui/navigation.py (app.py's page list)

import streamlit as st

from dashboard import policy

from dashboard.metrics import headlines, stock
from dashboard.figures import stock as figures
from dashboard.ui import chart, filters, kept_choice, lang, map_copy, map_view, metric_row, num, page_verdict, pct, query, stop_while_loading, t, table, table_downloads
from dashboard.ui.tabs import kept_value, open_tab

f = filters()
st.title(t("stock.heading"))
st.caption(f"{f.area_label} · {f.week_label}")
if f.week is None:
    st.info(t("stock.no_week"))
    st.stop()
stop_while_loading(f, "stock")

low, high = policy.policy_range("stock.population_share")
minimum_days = int(policy.value("stock.min_cover_days"))
st.caption(t("stock.intro", low=pct(low, 0), high=pct(high, 0), days=minimum_days,
             oximeters=int(policy.value("stock.min_oximeters")), ambulances=int(policy.value("stock.min_ambulances_120"))))
share_col, cover_col, item_col = st.columns([2, 2, 1])
share = share_col.slider(t("stock.share"), min_value=5, max_value=50, value=round(policy.value("stock.population_share") * 100),
                         step=1, format="%d%%", help=t("stock.share_help"), key="stock_share") / 100
cover_days = cover_col.slider(t("stock.cover"), min_value=7, max_value=42, value=minimum_days, step=1,
                              help=t("stock.cover_help"), key="stock_cover")
item = kept_choice(item_col.selectbox, t("stock.item"), list(stock.ITEMS), "stock_item", lambda i: t(f"stock.items.{i}"),
                   default="antigen")

params = stock.params(share, cover_days)
rows = query("stock_by_facility", **f.params(), **params)
if rows.height == 0:
    st.info(t("stock.no_facilities"))
    st.stop()
ctx = f.context("stock", "facility")
totals = {r["item"]: r for r in stock.totals(rows).iter_rows(named=True)}
chosen = totals[item]
items = {i: t(f"stock.items.{i}") for i in stock.ITEMS}
page_verdict(headlines.stock_headline, f, item=item, share=share, cover_days=cover_days,
             helps={"stock.metric.share": t("stock.metric.share_help", share=pct(share, 0)),
                    "stock.metric.shortfall": t("stock.metric.shortfall_help", share=pct(share, 0))})
metric_row([
    (t("stock.metric.cover_short", days=cover_days), num(chosen["cover_short"]), None),
    (t("stock.metric.no_use"), num(chosen["no_use"]), None),
])
st.caption(t("stock.cover_note"))

# only the open tab is built (the first by default): the map, the equipment and the trend wait for their tab
tab, box = open_tab("stock_tab", ["facilities", "map", "rollup", "equipment", "trend"], lambda x: t(f"stock.tab.{x}"))
with box:
    if tab == "facilities":
        chart(figures.ranking(rows, item, ctx), ctx, t("stock.chart.ranking", item=items[item]), key="stock_ranking")
        st.subheader(t("stock.list_heading"))
        only_action = kept_value(st.toggle, t("stock.only_action"), "stock_only_action", True)
        st.caption(t("stock.list_caption"))
        table(stock.action_table(rows, only_action, share, lang()), hide_index=True, width="stretch", height=420)
        table_downloads(stock.action_table(rows, only_action, share, lang(), shown=False), ctx.file_stem(t("stock.download_name")),
                        "stock_download", "stock")
        st.subheader(t("stock.detail_heading"))
        choices = stock.facility_choices(rows)
        picked = kept_choice(st.selectbox, t("stock.detail_pick"), list(choices), "stock_facility", choices.__getitem__)
        table(stock.detail_table(rows, picked, share, lang()), hide_index=True, width="stretch")
    elif tab == "map":
        st.subheader(t("stock.map.heading", item=items[item]))
        st.caption(t("stock.status_legend", low=pct(low, 0), high=pct(high, 0)))
        view = map_view("stock_map_view", st.columns([1, 2])[0])
        if view == "interactive":
            st.pydeck_chart(figures.shortfall_map(rows, item, lang(), league_code=f.league_code), height=560)
            st.html(figures.shortfall_legend(lang()))
            st.caption(t("stock.map.png_note"))
        map_copy(view, lambda: figures.share_map(stock.rollup(rows, "county"), item, ctx, league_code=f.league_code), ctx,
                 t("stock.chart.map", item=items[item]), "stock_map")
    elif tab == "rollup":
        level = kept_choice(st.radio, t("stock.level"), stock.LEVELS_SHOWN, "stock_level", lambda x: t(f"stock.level_{x}"),
                            default="county", horizontal=True)
        st.caption(t("stock.rollup_caption", item=items[item]))
        table(stock.areas_table(rows, level, item, share, cover_days, lang()), hide_index=True, width="stretch")
    elif tab == "equipment":
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
        table(stock.equipment_table(equipment, lang()), hide_index=True, width="stretch")
    elif tab == "trend":
        history = query("stock_by_facility", **(f.params() | {"week": None}), **params)
        per_week, per_week_data = stock.trend_data(history, until=f.week)
        chart(figures.trend(per_week, ctx), ctx, t("stock.chart.trend"), key="stock_trend", data=per_week_data)
