"""Staff-on-duty charts (pure builders, data in, figure out): on-duty rate and placement share by area
against the minimum, primary facilities by status, the weekly trend."""
from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from dashboard import i18n, policy, weeks
from dashboard.figures import briefing
from dashboard.metrics import staff

STATUS_COLOURS = {"met": briefing.GOOD, "below": briefing.BAD, "blank": briefing.MISSING, "not_reported": "#7F8C8D"}


def _minimum(ctx: briefing.Context) -> tuple[float, str]:
    """The on-duty minimum and its legend text ("Minimum 80%")."""
    value = policy.value(staff.ON_DUTY)
    return value, i18n.t("staff.chart.minimum", ctx.lang, value=f"{value:.0%}")


def areas(by: pl.DataFrame, ctx: briefing.Context) -> go.Figure:
    """On-duty rate of primary care and placement share of the hospitals, per area, against 80%."""
    what = i18n.t("staff.chart.areas", ctx.lang)
    shown = by.filter(pl.col("on_duty_rate").is_not_null() | pl.col("placed_share").is_not_null())
    if shown.height == 0:
        return briefing.empty(ctx, what)
    shown = shown.sort(["on_duty_rate", "code"], nulls_last=True)
    series = [("on_duty_rate", i18n.t("staff.chart.on_duty", ctx.lang), "#2E86C1"),
              ("placed_share", i18n.t("staff.chart.placed", ctx.lang), "#8E6CC9")]
    return briefing.area_rates(ctx, what, shown, series, *_minimum(ctx),
                               i18n.t("staff.chart.share_axis", ctx.lang), i18n.t("staff.chart.area_axis", ctx.lang))


def status(h: dict, ctx: briefing.Context) -> go.Figure:
    """Primary facilities by on-duty status, the blanks and the silent ones apart."""
    what = i18n.t("staff.chart.status", ctx.lang)
    keys = ["met", "below", "blank", "not_reported"]
    counts = [h[k] for k in keys]
    minimum = f"{policy.value(staff.ON_DUTY):.0%}"
    labels = [i18n.t(f"staff.status.{k}_long", ctx.lang, minimum=minimum) for k in keys]
    return briefing.status_bars(ctx, what, labels, counts, [STATUS_COLOURS[k] for k in keys],
                                i18n.t("staff.chart.facilities_axis", ctx.lang), i18n.t("staff.chart.status_axis", ctx.lang), 420)


def trend(per_week: pl.DataFrame, ctx: briefing.Context) -> go.Figure:
    """The area's on-duty rate and placement share, week by week (a week with nothing given is a gap)."""
    what = i18n.t("staff.chart.trend", ctx.lang)
    if per_week.height == 0:
        return briefing.empty(ctx, what)
    fig = go.Figure()
    for column, key, colour in (("on_duty_rate", "staff.chart.on_duty", "#2E86C1"),
                                ("placed_share", "staff.chart.placed", "#8E6CC9")):
        fig.add_trace(go.Scatter(x=[weeks.short(w) for w in per_week["week"].to_list()], y=per_week[column].to_list(),
                                 mode="lines+markers", name=i18n.t(key, ctx.lang), line={"color": colour, "width": 3},
                                 hovertemplate="%{x}: %{y:.1%}<extra>%{fullData.name}</extra>"))
    briefing.target_line(fig, *_minimum(ctx))
    fig.update_yaxes(title=i18n.t("staff.chart.share_axis", ctx.lang), tickformat=".0%", range=[0, 1.12])
    fig.update_xaxes(title=i18n.t("staff.chart.week_axis", ctx.lang), type="category")
    briefing.briefing(fig, ctx, what, height=460, legend_below=False)
    return fig
