"""Overview: the headline of each monitoring area, with links to its page."""
import streamlit as st

from dashboard import policy
from dashboard.ui import briefing_pack_button, filters, metric_row, num, pct, query, t

f = filters()
st.title(t("app.overview.heading"))
st.caption(f"{f.area_label} · {f.week_label}")
if f.week is None:
    st.info(t("app.sidebar.no_data"))
    st.stop()
briefing_pack_button(f)

h = query(
    "overview_headlines", **f.params(),
    stock_population_share_low=policy.policy_range("stock.population_share")[0],
    **policy.params("icu.doctors_per_bed", "icu.nurses_per_bed"),
).row(0, named=True)
census = query("area_pop65", **f.params()).row(0, named=True)


def share(part, whole):
    return None if not whole or part is None else part / whole


with st.container(border=True):
    st.subheader(t("app.overview.labelling"))
    metric_row([
        (t("app.overview.persons"), num(h["persons"]), None),
        (t("app.overview.labelled_share"), pct(share(h["labelled"], h["persons"])), None),
        (t("app.overview.found_share"), pct(share(census["register_65_plus"], census["pop65"])), t("app.overview.found_help")),
    ])
    st.page_link("pages/labelling.py", label=t("app.overview.open"), icon=":material/arrow_forward:")

left, right = st.columns(2)
with left.container(border=True):
    st.subheader(t("app.overview.referrals"))
    metric_row([
        (t("app.overview.referral_count"), num(h["referrals"]), None),
        (t("app.overview.accepted_share"), pct(share(h["accepted"], h["referrals"])), None),
        (t("app.overview.refused"), num(h["refused"]), None),
    ])
    st.page_link("pages/referrals.py", label=t("app.overview.open"), icon=":material/arrow_forward:")
with right.container(border=True):
    st.subheader(t("app.overview.icu"))
    metric_row([
        (t("app.overview.icu_beds"), num(h["icu_beds"]), None),
        (t("app.overview.doctor_gap"), num(h["doctor_gap"]), None),
        (t("app.overview.nurse_gap"), num(h["nurse_gap"]), None),
    ])
    st.page_link("pages/icu.py", label=t("app.overview.open"), icon=":material/arrow_forward:")
with st.container(border=True):
    st.subheader(t("app.overview.stock"))
    metric_row([
        (t("app.overview.stock_reports"), num(h["stock_reports"]), None),
        (t("app.overview.below_low"), num(h["below_low"]), None),
    ])
    st.page_link("pages/stock.py", label=t("app.overview.open"), icon=":material/arrow_forward:")
