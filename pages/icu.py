"""ICU staffing gaps: per hospital, rolled up by area, a map, a what-if for convertible beds, the trend."""

NAV = {"section": "missions", "order": 30, "title": "app.nav.icu", "icon": ":material/monitor_heart:"}  # read by dashboard/ui/navigation.py (app.py's page list)

import streamlit as st

from dashboard.metrics import headlines, icu

from dashboard import policy
from dashboard.figures import icu as figures
from dashboard.ui import chart, filters, kept_choice, lang, map_copy, map_view, metric_row, num, page_verdict, pct, query, stop_while_loading, t, table, table_downloads
from dashboard.ui.tabs import kept_value, open_tab

f = filters()
st.title(t("icu.heading"))
st.caption(f"{f.area_label} · {f.week_label}")
if f.week is None:
    st.info(t("icu.no_week"))
    st.stop()
stop_while_loading(f, "icu")

(n_low, n_high), (r_low, r_high) = policy.policy_range("icu.nurses_per_bed"), policy.policy_range("icu.reserve_share")
st.caption(t("icu.intro", nurses_low=f"{n_low:g}", nurses_high=f"{n_high:g}", reserve_low=pct(r_low, 0), reserve_high=pct(r_high, 0)))


def end_choice(column, label: str, policy_key: str, state: str, shown) -> str:
    """A radio for the end of a range; keyed per language (the front end keeps a choice by its shown
    text), the choice itself kept in session state so it survives the switch."""
    strict = icu.strict_end(policy_key)
    current = st.session_state.get(state, strict)
    labels = {e: shown(e) + (t("icu.strict_note") if e == strict else "") for e in ("low", "high")}  # in this run's language
    choice = column.radio(label, list(labels), index=list(labels).index(current), horizontal=True,
                          key=f"{state}_{lang()}", format_func=labels.__getitem__)
    st.session_state[state] = choice
    return choice


left, right = st.columns(2)
nurses_end = end_choice(left, t("icu.nurses_end"), "icu.nurses_per_bed", "icu_nurses_end",
                        lambda e: t("icu.end_nurses", n=f"{n_low if e == 'low' else n_high:g}"))
reserve_end = end_choice(right, t("icu.reserve_end"), "icu.reserve_share", "icu_reserve_end",
                         lambda e: t("icu.end_reserve", share=pct(r_low if e == "low" else r_high, 0)))

params = icu.params(nurses_end, reserve_end)
hospitals = query("icu_staffing_by_hospital", **f.params(), **params)
if hospitals.height == 0:
    st.info(t("icu.no_hospitals"))
    st.stop()
ctx = f.context("icu", "facility")
total = icu.totals(hospitals)

page_verdict(headlines.icu_headline, f, nurses_end=nurses_end, reserve_end=reserve_end)
metric_row([
    (t("icu.metric.occupancy"), pct(total["occupancy"]), None),
    (t("icu.metric.convertible"), num(total["convertible_beds"]), None),
])
st.caption(t("icu.reserve_basis"))
st.caption(t("icu.verdicts", short=num(total["short"]), minimum=num(total["meets_minimum"]), full=num(total["fully_meets"]),
             missing=num(total["missing"])))
if total["cannot_judge"] or total["duty_unknown"]:
    st.warning(t("icu.unknowns", n=num(total["cannot_judge"]), d=num(total["duty_unknown"])), icon=":material/help:")

levels = {x: t(f"icu.level_{x}") for x in ("county", "league", "consortium")}
# keyed per language (the front end keeps a choice by its shown text), the choice kept in session state
level = st.radio(t("icu.level"), list(levels), horizontal=True, key=f"icu_level_{lang()}", format_func=levels.__getitem__,
                 index=list(levels).index(st.session_state.get("icu_level", "county")), help=t("icu.level_help"))
st.session_state["icu_level"] = level
rolled = icu.rollup(hospitals, level)
name_col = icu.area_name_column(lang())

# only the open tab is built (the first by default): the map and the what-if query wait for their tab
tab, box = open_tab("icu_tab", ["hospitals", "rollup", "map", "whatif", "trend"], lambda x: t(f"icu.tab.{x}"))
with box:
    if tab == "hospitals":
        chart(figures.gap_ranking(hospitals, ctx), ctx, t("icu.chart.ranking"), key="icu_ranking")
        table(icu.hospital_table(hospitals, lang()), hide_index=True, width="stretch")
        table_downloads(hospitals, ctx.file_stem(t("icu.heading")), "icu_download", "icu")
        st.subheader(t("icu.drill"))
        names = icu.hospital_choices(hospitals)
        picked = kept_choice(st.selectbox, t("icu.drill"), list(names), "icu_hospital", names.__getitem__,
                             label_visibility="collapsed")
        history = query("icu_staffing_by_hospital", **(f.params() | {"week": None}), **params)
        one = icu.hospital_history(history, picked, until=f.week)
        chart(figures.hospital_trend(one, ctx, names[picked]), ctx, t("icu.chart.hospital", name=names[picked]),
              key="icu_hospital_trend", data=one)
    elif tab == "rollup":
        chart(figures.area_gaps(rolled, ctx, name_col), ctx, t("icu.chart.areas"), key="icu_areas",
              data=icu.rollup_data(rolled))
        table(icu.rollup_table(rolled, level, lang()), hide_index=True, width="stretch")
        st.caption(t("icu.rollup_note"))
    elif tab == "map":
        map_level = icu.map_level(level)
        mapped = rolled if map_level == level else icu.rollup(hospitals, map_level)
        view = map_view("icu_map_view", st.columns([1, 2])[0])
        if map_level != level:
            st.caption(t("icu.map_consortium_note"))
        if view == "interactive":
            st.caption(t("icu.map_caption", level=levels[map_level]))
            st.pydeck_chart(figures.gap_deck(mapped, hospitals, lang(), league_code=f.league_code, level=map_level), height=560)
            st.html(figures.gap_legend(mapped, lang()))
        map_copy(view, lambda: figures.gap_map(mapped, ctx, league_code=f.league_code, level=map_level), ctx,
                 t("icu.chart.map"), "icu_map", data=icu.rollup_data(mapped))
    elif tab == "whatif":
        st.caption(t("icu.whatif_help"))
        share = kept_value(st.slider, t("icu.open_share"), "icu_open_share", 100, min_value=10, max_value=100, step=10,
                           format="%d%%", help=t("icu.open_share_help")) / 100
        opened = query("icu_staffing_by_hospital", **f.params(), **icu.params(nurses_end, reserve_end, share))
        opened_total = icu.totals(opened)
        metric_row([
            (t("icu.metric.convertible"), num(opened_total["convertible_beds"]), None),
            (t("icu.metric.opened"), num(opened_total["opened_beds"]), None),
            (t("icu.metric.extra_doctors"), num(opened_total["extra_doctors_if_converted"]), None),
            (t("icu.metric.extra_nurses"), num(opened_total["extra_nurses_if_converted"]), None),
        ])
        by_area = icu.rollup(opened, icu.whatif_level(f.league_code))
        chart(figures.whatif(by_area, ctx, name_col), ctx, t("icu.chart.whatif"), key="icu_whatif",
              data=icu.whatif_data(by_area))
        table(icu.convertible_table(opened, lang()), hide_index=True, width="stretch")
    elif tab == "trend":
        history = query("icu_staffing_by_hospital", **(f.params() | {"week": None}), **params)
        per_week = icu.trend(history, until=f.week)
        chart(figures.trend(per_week, ctx), ctx, t("icu.chart.trend"), key="icu_trend", data=per_week)
