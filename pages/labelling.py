"""Risk labelling (红黄绿标识): coverage funnel, label audit, signing and contacts, map, trend."""

NAV = {"section": "missions", "order": 10, "title": "app.nav.labelling", "icon": ":material/traffic:"}  # read by dashboard/ui/navigation.py (app.py's page list)

from dataclasses import replace

import streamlit as st

from dashboard.metrics import geography, headlines, labelling

from dashboard import policy
from dashboard.figures import labelling as figures
from dashboard.ui import (chart, filters, kept_choice, lang, map_copy, map_view, metric_row, num, page_verdict, pct, query,
                          stop_while_loading, t, table)
from dashboard.ui.tabs import open_tab


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

page_verdict(headlines.labelling_headline, f,
             helps={"labelling.metric.found": t("labelling.metric.found_help", missing=labelling.counties_not_reporting(counties))})
metric_row([
    (t("labelling.metric.persons"), num(total["persons"]), None),
    (t("labelling.metric.mislabelled"), num(total["mislabelled"]), None),
    (t("labelling.metric.signed"), pct(total["signed_share"]), None),
])
st.caption(t("labelling.choices"))
if any(total[c] for c in labelling.UNKNOWNS):
    st.warning(t("labelling.unknowns", rule=num(total["rule_unknown"]), signed=num(total["signed_unknown"]),
                 contacts=num(total["yellow_contacts_unknown"] + total["red_contacts_unknown"]),
                 managed=num(total["managed_unknown"])), icon=":material/help:")

# only the open tab is built (the first by default): the map and the all-weeks trend wait for their tab
tab, box = open_tab("labelling_tab", ["funnel", "audit", "contact", "map", "trend"], lambda x: t(f"labelling.tab.{x}"))
with box:
    if tab == "funnel":
        reporting = labelling.reporting_facilities(facilities)
        one = kept_choice(st.columns([2, 3])[0].selectbox, t("labelling.drill"), [""] + list(reporting), "lab_drill",
                          lambda c: f"{reporting[c]} ({c})" if c else t("app.area.all"))
        scope, scope_ctx = (total, ctx) if not one else (labelling.totals(facilities, one), replace(ctx, area=reporting[one]))
        chart(figures.funnel(scope, scope_ctx), scope_ctx, t("labelling.chart.funnel"), key="lab_funnel")
        st.caption(t("labelling.funnel_note"))
        chart(figures.found(found[0], found[1], ctx), ctx, t("labelling.chart.found"), key="lab_found",
              data=labelling.found_data(counties))
        chart(figures.colours(scope, scope_ctx), scope_ctx, t("labelling.chart.colours"), key="lab_colours")
        table(labelling.coverage_table(facilities, lang()), hide_index=True, width="stretch")
    elif tab == "audit":
        chart(figures.audit(facilities, ctx), ctx, t("labelling.chart.audit"), key="lab_audit")
        offenders = labelling.mislabelling(facilities)
        table(labelling.mislabelling_table(offenders, lang()), hide_index=True, width="stretch", height=300)
        names = labelling.facility_names(offenders)
        if names:
            code = kept_choice(st.selectbox, t("labelling.audit.facility"), list(names), "lab_fix_facility", lambda c: f"{names[c]} ({c})")
            fixes = query("labelling_correction_list", week=f.week, facility_code=code)
            if fixes.height == 0:
                st.success(t("labelling.audit.none"))
            else:
                fix_list = labelling.correction_table(fixes, lang())
                st.caption(t("labelling.audit.count", n=num(fixes.height)))
                table(fix_list.head(200), hide_index=True, width="stretch", height=280)
                st.download_button(t("labelling.audit.download"), fix_list.write_csv().encode("utf-8-sig"),
                                   file_name=f"{code}_{f.week.isoformat()}_labels.csv", mime="text/csv",
                                   icon=":material/download:", on_click="ignore", key="lab_fix_download")
    elif tab == "contact":
        st.caption(t("labelling.contact_note", yellow=yellow_min, red=red_min))
        level = labelling.contact_level(f.league_code, f.county_code, f.consortium)
        compared = geography.in_language(labelling.rollup(facilities, level), lang())
        chart(figures.rates(compared, ctx, yellow_min, red_min, policy.value("coverage.family_doctor_signed_target")), ctx,
              t("labelling.chart.rates"), key="lab_rates",
              data=labelling.contacts_data(compared))
        table(labelling.contacts_table(facilities, lang()), hide_index=True, width="stretch")
    elif tab == "map":
        left, right, third = st.columns([2, 3, 2])
        map_label = lambda x: t(f"labelling.map.{x}")  # noqa: E731
        map_level = "county" if f.league_code else kept_choice(left.radio, t("labelling.map.level"), ["league", "county"],
                                                              "lab_map_level", map_label, horizontal=True)
        metric = kept_choice(right.radio, t("labelling.map.metric"), list(figures.MAP_KEYS), "lab_map_metric", map_label, horizontal=True)
        view = map_view("labelling_map_view", third)
        shown = labelling.areas(facilities, counties, map_level)
        what = t("labelling.chart.map", metric=t(f"labelling.map.{metric}"))
        if view == "interactive":
            st.caption(t("labelling.map_caption"))
            st.pydeck_chart(figures.coverage_deck(shown, metric, map_level, lang(), league_code=f.league_code), height=560)
            st.html(figures.coverage_legend(metric, lang()))
        map_copy(view, lambda: figures.coverage_map(shown, ctx, metric, map_level, league_code=f.league_code), ctx, what,
                 "lab_map", data=labelling.map_data(shown))
        table(labelling.areas_table(shown, metric, lang()), hide_index=True, width="stretch")
    elif tab == "trend":
        per_week = labelling.trend_until(query("labelling_by_facility", **(f.params() | {"week": None}), **params),
                                         query("labelling_found_by_county", **(f.params() | {"week": None})), f.week)
        chart(figures.trend(per_week, ctx, policy.value("coverage.labelled_target")), ctx, t("labelling.chart.trend"), key="lab_trend", data=per_week)
