"""Staff on duty: primary-care staff on duty against >= 80%, per facility and area, and the share of
newly recruited county-level doctors placed in primary care against 80%."""

NAV = {"section": "missions", "order": 60, "title": "staff.nav", "icon": ":material/badge:"}  # read by dashboard/ui/navigation.py (app.py's page list)

import streamlit as st

from dashboard.metrics import geography, headlines, staff
from dashboard.metrics.tables import readable

from dashboard import policy
from dashboard.figures import staff as figures
from dashboard.ui import chart, headline_row, lang, metric_row, num, page_header, page_verdict, pct, query, t, table

f = page_header("staff.heading", reads=("staff",))
rows = query("staff_on_duty", **f.params(), **staff.params())
week_rows = staff.of_week(rows, f.week)
if week_rows.height == 0 or not week_rows["reported"].any():
    headline_row(headlines.staff_headline(query, f.week, f.params()))  # unknown: '—', as on the overview
    st.info(t("staff.no_week"))
    st.stop()
on_duty_min, placed_min = pct(policy.value(staff.ON_DUTY), 0), pct(policy.value(staff.PLACED), 0)
st.caption(t("staff.intro", on_duty=on_duty_min, placed=placed_min))
h = staff.headline(week_rows)
ctx = f.context("staff")

page_verdict(headlines.staff_headline, f, helps={
    "staff.metric.reported": t("staff.metric.reported_help", unknown=h["unknown_duty"]),
    "staff.metric.on_duty_rate": t("staff.metric.on_duty_help", minimum=on_duty_min, on_duty=num(h["staff_on_duty"]),
                                   total=num(h["staff_total"]), blank=h["blank"]),
    "staff.metric.placed_share": t("staff.metric.placed_help", minimum=placed_min, placed=num(h["placed"]),
                                   recruited=num(h["recruited"]))})
metric_row([
    (t("staff.metric.hospitals_reported"), f"{h['hospitals_reported']}/{h['hospitals_owed']}", None),
    (t("staff.metric.hospitals_below", minimum=placed_min), num(h["hospitals_below"]), None),
])

st.subheader(t("staff.section.areas"))
by_area = geography.in_language(staff.by_area(week_rows, staff.level_for(f.league_code)), lang())
chart(figures.areas(by_area, ctx), ctx, t("staff.chart.areas"), "staff_areas", data=by_area)

st.subheader(t("staff.section.facilities"))
chart(figures.status(h, ctx), ctx, t("staff.chart.status"), "staff_status")
below = readable(staff.below_list(week_rows, lang()), lang(), decimals={t("staff.col.rate"): 1})
if below.height == 0:
    st.success(t("staff.none_below", minimum=on_duty_min), icon=":material/check_circle:")
else:
    st.markdown(f"**{t('staff.below_list', n=below.height, minimum=on_duty_min)}**")
    table(below, hide_index=True, width="stretch", height=300)

st.subheader(t("staff.section.recruitment"))
table(readable(staff.hospital_list(week_rows, lang()), lang(), decimals={t("staff.col.share"): 1}), hide_index=True, width="stretch", height=300)

st.subheader(t("staff.section.trend"))
per_week = staff.trend(rows)
chart(figures.trend(per_week, ctx), ctx, t("staff.chart.trend"), "staff_trend", data=per_week)

st.subheader(t("staff.section.missing"))
silent = staff.not_reported(week_rows, lang())
if silent.height == 0:
    st.success(t("staff.none_missing"), icon=":material/check_circle:")
else:
    table(readable(silent, lang()), hide_index=True, width="stretch", height=300)
