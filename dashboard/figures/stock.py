"""Stock charts: facilities furthest below target, a map of stock against target, the trend."""
from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from dashboard import i18n, weeks
from dashboard.figures import briefing, maps

ITEM_COLOURS = {"antigen": "#C0392B", "antipyretic": "#2E86C1", "cough": "#8E6CC9", "tcm": "#2E9D5B"}


def item_name(item: str, lang: str) -> str:
    return i18n.t(f"stock.items.{item}", lang)


def ranking(rows: pl.DataFrame, item: str, ctx: briefing.Context, top: int = 15) -> go.Figure:
    """Facilities with the lowest stock as a share of the chosen target, for one item."""
    what = i18n.t("stock.chart.ranking", ctx.lang, item=item_name(item, ctx.lang))
    ranked = (rows.filter((pl.col("item") == item) & pl.col("reported") & (pl.col("shortfall") > 0))
              .sort(["share_of_target", "facility_code"]).head(top).reverse())
    if ranked.height == 0:
        return briefing.empty(ctx, what)
    shares = ranked["share_of_target"].to_list()
    fig = go.Figure(go.Bar(
        y=ranked["facility_name"].to_list(), x=shares, orientation="h",
        marker_color=[briefing.BAD if s < 0.75 else briefing.WARN for s in shares],
        text=[f"{s:.0%}" for s in shares], textposition="outside", cliponaxis=False,
        customdata=ranked.select("on_hand", "target").rows(),
        hovertemplate="%{y}<br>%{x:.0%} (%{customdata[0]:,} / %{customdata[1]:,})<extra></extra>",
    ))
    fig.add_vline(x=1, line={"color": briefing.NEUTRAL, "dash": "dash"},
                  annotation_text=i18n.t("stock.chart.target_line", ctx.lang), annotation_position="top")
    fig.update_xaxes(title=i18n.t("stock.chart.share_axis", ctx.lang), tickformat=".0%", range=[0, 1.15])
    fig.update_yaxes(automargin=True)
    return briefing.briefing(fig, ctx, what, height=max(360, 130 + 28 * ranked.height), legend_below=False)


def share_map(by_county: pl.DataFrame, item: str, ctx: briefing.Context, league_code: str | None = None) -> go.Figure:
    """Stock on hand as a share of target per banner/county (facilities that reported)."""
    what = i18n.t("stock.chart.map", ctx.lang, item=item_name(item, ctx.lang))
    values = by_county.filter(pl.col("item") == item).select(pl.col("code").alias("adcode"), pl.col("share_of_target").alias("value"))
    return maps.choropleth(values, ctx, what, level="county", value_label=i18n.t("stock.chart.share_axis", ctx.lang),
                           tickformat=".0%", colorscale="RdYlGn", zmin=0.5, zmax=1.5, league_code=league_code)


def trend(per_week: pl.DataFrame, ctx: briefing.Context) -> go.Figure:
    what = i18n.t("stock.chart.trend", ctx.lang)
    if per_week.height == 0:
        return briefing.empty(ctx, what)
    fig = go.Figure()
    for item in ("antigen", "antipyretic", "cough", "tcm"):
        one = per_week.filter(pl.col("item") == item)
        fig.add_trace(go.Scatter(x=[weeks.short(w) for w in one["week"].to_list()], y=one["share_of_target"].to_list(),
                                 name=item_name(item, ctx.lang), mode="lines+markers",
                                 line={"color": ITEM_COLOURS[item], "width": 3}))
    fig.add_hline(y=1, line={"color": briefing.NEUTRAL, "dash": "dash"},
                  annotation_text=i18n.t("stock.chart.target_line", ctx.lang), annotation_position="right")
    fig.update_yaxes(title=i18n.t("stock.chart.share_axis", ctx.lang), tickformat=".0%", rangemode="tozero")
    fig.update_xaxes(title=i18n.t("stock.chart.week_axis", ctx.lang), type="category")
    return briefing.briefing(fig, ctx, what)
