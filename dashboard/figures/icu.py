"""ICU staffing charts: hospitals ranked by gap, a map of gaps, occupancy and gaps over the weeks."""
from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from dashboard import i18n, weeks
from dashboard.figures import briefing, maps


def gap_ranking(hospitals: pl.DataFrame, ctx: briefing.Context, top: int = 15) -> go.Figure:
    """Horizontal stacked bars (doctors, nurses) for the hospitals with the largest front-line gap."""
    what = i18n.t("icu.chart.ranking", ctx.lang)
    ranked = (hospitals.filter(pl.col("reported") & ((pl.col("doctor_gap") + pl.col("nurse_gap")) > 0))
              .with_columns((pl.col("doctor_gap") + pl.col("nurse_gap")).alias("gap"))
              .sort(["gap", "facility_code"], descending=[True, False]).head(top)
              .reverse())  # plotly draws the first bar at the bottom
    if ranked.height == 0:
        return briefing.empty(ctx, what)
    names = ranked["facility_name"].to_list()
    fig = go.Figure()
    for column, key, colour in (("doctor_gap", "icu.col.doctor_gap", briefing.TIER_COLOURS["lead"]),
                                ("nurse_gap", "icu.col.nurse_gap", briefing.TIER_COLOURS["primary"])):
        fig.add_trace(go.Bar(y=names, x=ranked[column].to_list(), orientation="h", name=i18n.t(key, ctx.lang),
                             marker_color=colour, text=ranked[column].to_list(), textposition="inside", textangle=0,
                             insidetextanchor="middle"))
    fig.update_layout(barmode="stack")
    fig.update_xaxes(title=i18n.t("icu.chart.gap_axis", ctx.lang))
    fig.update_yaxes(automargin=True)
    return briefing.briefing(fig, ctx, what, height=max(360, 130 + 28 * ranked.height))


def gap_map(by_county: pl.DataFrame, ctx: briefing.Context, league_code: str | None = None) -> go.Figure:
    """Front-line gap (doctors + nurses, people) per banner/county; grey where no hospital reported."""
    values = by_county.select(pl.col("code").alias("adcode"),
                              pl.when(pl.col("reported") > 0).then(pl.col("doctor_gap") + pl.col("nurse_gap")).alias("value"))
    return maps.choropleth(values, ctx, i18n.t("icu.chart.map", ctx.lang), level="county",
                           value_label=i18n.t("icu.chart.gap_axis", ctx.lang), tickformat=",d", colorscale="Reds",
                           zmin=0, league_code=league_code)


def trend(per_week: pl.DataFrame, ctx: briefing.Context) -> go.Figure:
    """Occupancy (line, left axis) and front-line gaps (bars, right axis) per week."""
    what = i18n.t("icu.chart.trend", ctx.lang)
    if per_week.height == 0:
        return briefing.empty(ctx, what)
    labels = [weeks.short(w) for w in per_week["week"].to_list()]
    fig = go.Figure()
    fig.add_trace(go.Bar(x=labels, y=per_week["doctor_gap"].to_list(), name=i18n.t("icu.col.doctor_gap", ctx.lang),
                         marker_color=briefing.TIER_COLOURS["lead"], opacity=0.75, yaxis="y2"))
    fig.add_trace(go.Bar(x=labels, y=per_week["nurse_gap"].to_list(), name=i18n.t("icu.col.nurse_gap", ctx.lang),
                         marker_color=briefing.TIER_COLOURS["primary"], opacity=0.75, yaxis="y2"))
    fig.add_trace(go.Scatter(x=labels, y=per_week["occupancy"].to_list(), name=i18n.t("icu.chart.occupancy_axis", ctx.lang),
                             mode="lines+markers+text", line={"color": briefing.NEUTRAL, "width": 3},
                             text=[f"{v:.0%}" if v is not None else "" for v in per_week["occupancy"].to_list()],
                             textposition="top center"))
    fig.update_layout(
        barmode="group",
        yaxis={"title": i18n.t("icu.chart.occupancy_axis", ctx.lang), "tickformat": ".0%", "rangemode": "tozero"},
        yaxis2={"title": i18n.t("icu.chart.gap_axis", ctx.lang), "overlaying": "y", "side": "right",
                "rangemode": "tozero", "showgrid": False},
    )
    fig.update_xaxes(title=i18n.t("icu.chart.week_axis", ctx.lang), type="category")
    briefing.briefing(fig, ctx, what)
    fig.update_layout(margin={"r": 70})
    return fig
