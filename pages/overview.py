"""Overview: the headline of each monitoring area, with links to its page. Every figure comes from the
same query and metric function as the figure on the page it links to (dashboard/metrics/headlines.py)."""

NAV = {"section": "overview", "order": 0, "title": "app.nav.overview", "icon": ":material/dashboard:", "default": True}  # read by dashboard/ui/navigation.py (app.py's page list)

import streamlit as st

from dashboard.metrics import verdicts
from dashboard.ui import briefing_pack_button, cached_headlines, filters, follow_link, loading_note, query, t, verdict_row

f = filters()
st.title(t("app.overview.heading"))
st.caption(f"{f.area_label} · {f.week_label}")
if f.week is None:
    st.info(t("app.sidebar.no_data"))
    st.stop()
follow_link()
briefing_pack_button(f)
past = verdicts.history(query, [w for w in f.weeks if w <= f.week], f.params(), cached_headlines)

for headline in cached_headlines(f.week, f.params()):
    with st.container(border=True):
        st.subheader(t(headline.title_key))
        if not loading_note(f, "facility", *headline.datasets):
            verdict_row(headline, past, f)
        st.page_link(headline.page, label=t("app.overview.open"), icon=":material/arrow_forward:")
