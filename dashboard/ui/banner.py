"""The freshness banner on every page: which week the data are as of, and who has not reported."""
from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import weeks
from dashboard.metrics import quality
from dashboard.ui import Filters, lang, query, t, v


def show(f: Filters, demo_status: dict | None = None) -> None:
    if demo_status and demo_status.get("is_demo"):
        note = t("app.banner.demo_scale", pct=f"{demo_status['scale']:.0%}") if demo_status.get("scale", 1) < 1 else ""
        st.info(t("app.banner.demo") + note, icon=":material/science:")
        done, total = demo_status.get("weeks_complete", 0), demo_status.get("weeks_total", 0)
        if total and done < total:
            st.warning(t("app.banner.demo_loading", done=done, total=total), icon=":material/hourglass_top:")
    if f.week is None:
        return
    if f.latest_week and f.week != f.latest_week:
        st.warning(t("app.banner.not_latest", week=weeks.label(f.week, lang()), latest=weeks.label(f.latest_week, lang())),
                   icon=":material/history:")
    gaps = query("reporting_gaps", **f.params())
    gaps = quality.still_missing(gaps, f.loading)
    as_of = t("app.banner.as_of", week=weeks.label(f.week, lang()))
    if gaps.height == 0:
        st.caption(f"{as_of} · {t('app.banner.all_reported')}")
        return
    counts = gaps.group_by("dataset").agg(pl.len().alias("n")).sort("dataset")
    items = ("；" if lang() == "zh" else "; ").join(
        t("app.banner.missing_item", dataset=v("dataset", row["dataset"]), n=row["n"]) for row in counts.iter_rows(named=True)
    )
    st.caption(f"{as_of} · {t('app.banner.missing', items=items)}")
