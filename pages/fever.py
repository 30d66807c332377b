"""Fever clinics: set-up and opening rates against 100%, waiting status with the facilities in alarm,
the daily visits trend, and who did not report today."""

NAV = {"section": "missions", "order": 50, "title": "fever.nav", "icon": ":material/thermometer:"}  # read by dashboard/ui/navigation.py (app.py's page list)

import streamlit as st

from dashboard.metrics import fever, geography, headlines
from dashboard.metrics.tables import readable

from dashboard import policy, weeks
from dashboard.figures import fever as figures
from dashboard.ui import chart, headline_row, kept_choice, lang, metric_row, num, page_header, page_verdict, pct, query, t, table

f = page_header("fever.heading", reads=("fever",))
rows = query("fever_clinic_days", **f.params(), **fever.params())
days = fever.days(rows, f.week)
if not days:
    headline_row(headlines.fever_headline(query, f.week, f.params()))  # unknown: '—', as on the overview
    st.info(t("fever.no_day"))
    st.stop()
st.caption(t("fever.intro", normal=int(policy.value("fever_clinic.waiting_normal")),
             warning=int(policy.value("fever_clinic.waiting_warning")), alarm=int(policy.value("fever_clinic.waiting_alarm"))))
day = kept_choice(st.columns([1, 3])[0].selectbox, t("fever.day"), days, "fever_day", lambda d: weeks.day_label(d, lang()))
today = fever.on(rows, day)
h = fever.headline(today)
per_day = fever.trend(rows)
ctx = figures.context(f.area_label, day, lang())

page_verdict(headlines.fever_headline, f, day=day, helps={
    "fever.metric.reported": t("fever.metric.reported_help", unknown=h["unknown_duty"]),
    "fever.metric.set_up_rate": t("fever.metric.rate_help", target=pct(policy.value("fever_clinic.setup_rate_target"), 0),
                                  blank=h["set_up_blank"]),
    "fever.metric.open_rate": t("fever.metric.rate_help", target=pct(policy.value("fever_clinic.open_rate_target"), 0),
                                blank=h["open_blank"]),
    "fever.metric.visits": t("fever.metric.visits_help", blank=h["visits_blank"])})
rise = fever.rise(per_day, day)
metric_row([
    (t("fever.metric.rise", days=int(policy.value("fever_clinic.reference_rise_days"))),
     "—" if rise is None else t("fever.metric.fold", fold=f"{rise:.1f}"),
     t("fever.metric.rise_help", fold=int(policy.value("fever_clinic.reference_rise_fold")),
       days=int(policy.value("fever_clinic.reference_rise_days")))),
    (t("fever.metric.warning"), num(h["warning"]), None),
])

st.subheader(t("fever.section.rates"))
by_area = geography.in_language(fever.by_area(today, fever.level_for(f.league_code)), lang())
chart(figures.rates(by_area, ctx), ctx, t("fever.chart.rates"), "fever_rates", data=by_area)

st.subheader(t("fever.section.waiting"))
chart(figures.waiting(h, ctx), ctx, t("fever.chart.waiting"), "fever_waiting")
alarm = fever.in_alarm(today, lang())
if alarm.height == 0:
    st.success(t("fever.none_in_alarm"), icon=":material/check_circle:")
else:
    st.markdown(f"**{t('fever.in_alarm', n=alarm.height)}**")
    table(readable(alarm, lang()), hide_index=True, width="stretch")

st.subheader(t("fever.section.trend"))
chart(figures.trend(per_day, ctx), ctx, t("fever.chart.trend"), "fever_trend", data=per_day)

st.subheader(t("fever.section.missing"))
silent = fever.not_reported(today, lang())
if silent.height == 0:
    st.success(t("fever.none_missing"), icon=":material/check_circle:")
else:
    st.caption(t("fever.missing_help"))
    table(readable(silent, lang()), hide_index=True, width="stretch", height=300)
