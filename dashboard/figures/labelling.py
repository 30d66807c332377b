"""Risk-labelling charts: the coverage funnel, recorded colours, the label audit, signing and contact
rates, the map of people found, and the trend."""
from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from dashboard import i18n, weeks
from dashboard.figures import briefing, maps


def funnel(total: dict, ctx: briefing.Context) -> go.Figure:
    """In the register -> labelled -> yellow/red by the rule -> under case management."""
    what = i18n.t("labelling.chart.funnel", ctx.lang)
    if not total.get("persons"):
        return briefing.empty(ctx, what)
    stages = ["persons", "labelled", "rule_yellow_red", "managed"]
    values = [total["persons"], total["labelled"], total["rule_yellow"] + total["rule_red"], total["managed"]]
    fig = go.Figure(go.Funnel(
        y=[i18n.t(f"labelling.stage.{s}", ctx.lang) for s in stages], x=values,
        textinfo="value+percent previous", texttemplate="%{value:,}<br>%{percentPrevious:.1%}",
        marker={"color": [briefing.NEUTRAL, briefing.TIER_COLOURS["primary"], briefing.LABEL_COLOURS["yellow"],
                          briefing.LABEL_COLOURS["red"]]},
        connector={"line": {"color": "#D5D8DC"}},
    ))
    fig.update_yaxes(automargin=True)
    return briefing.briefing(fig, ctx, what, legend_below=False)


def colours(total: dict, ctx: briefing.Context) -> go.Figure:
    """One stacked bar: recorded green / yellow / red and not labelled, in people."""
    what = i18n.t("labelling.chart.colours", ctx.lang)
    if not total.get("persons"):
        return briefing.empty(ctx, what)
    fig = go.Figure()
    parts = [("green", total["green"], briefing.LABEL_COLOURS["green"]),
             ("yellow", total["yellow"], briefing.LABEL_COLOURS["yellow"]),
             ("red", total["red"], briefing.LABEL_COLOURS["red"]),
             (None, total["persons"] - total["labelled"], briefing.MISSING)]
    for label, value, colour in parts:
        name = i18n.value("label", label, ctx.lang) if label else i18n.t("labelling.chart.unlabelled", ctx.lang)
        fig.add_trace(go.Bar(x=[value], y=[""], orientation="h", name=name, marker_color=colour,
                             text=[f"{value:,}<br>{value / total['persons']:.1%}"], textposition="inside", insidetextanchor="middle"))
    fig.update_layout(barmode="stack")
    fig.update_xaxes(title=i18n.t("labelling.chart.people_axis", ctx.lang))
    return briefing.briefing(fig, ctx, what, height=340)


def audit(facilities: pl.DataFrame, ctx: briefing.Context, top: int = 15) -> go.Figure:
    """Facilities with the most people whose recorded label differs from the rule (under and over)."""
    what = i18n.t("labelling.chart.audit", ctx.lang)
    ranked = (facilities.filter(pl.col("reported") & (pl.col("mislabelled") > 0))
              .sort(["mislabelled", "facility_code"], descending=[True, False]).head(top).reverse())
    if ranked.height == 0:
        return briefing.empty(ctx, what)
    fig = go.Figure()
    for column, key, colour in (("under_labelled", "labelling.col.under", briefing.BAD),
                                ("over_labelled", "labelling.col.over", briefing.WARN)):
        fig.add_trace(go.Bar(y=ranked["facility_name"].to_list(), x=ranked[column].to_list(), orientation="h",
                             name=i18n.t(key, ctx.lang), marker_color=colour))
    fig.update_layout(barmode="stack")
    fig.update_xaxes(title=i18n.t("labelling.chart.people_axis", ctx.lang))
    fig.update_yaxes(automargin=True)
    return briefing.briefing(fig, ctx, what, height=max(360, 130 + 28 * ranked.height))


def rates(areas: pl.DataFrame, ctx: briefing.Context, yellow_min: int, red_min: int) -> go.Figure:
    """Signing and contact-frequency shares per area (grouped bars), against the 100% target."""
    what = i18n.t("labelling.chart.rates", ctx.lang)
    shown = areas.filter(pl.col("reported") > 0)
    if shown.height == 0:
        return briefing.empty(ctx, what)
    fig = go.Figure()
    for column, name, colour in (
        ("signed_share", i18n.t("labelling.series.signed", ctx.lang), briefing.TIER_COLOURS["primary"]),
        ("yellow_contact_share", i18n.t("labelling.series.yellow_contact", ctx.lang, n=yellow_min), briefing.LABEL_COLOURS["yellow"]),
        ("red_contact_share", i18n.t("labelling.series.red_contact", ctx.lang, n=red_min), briefing.LABEL_COLOURS["red"]),
    ):
        fig.add_trace(go.Bar(x=shown["name"].to_list(), y=shown[column].to_list(), name=name, marker_color=colour))
    fig.add_hline(y=1, line={"color": briefing.NEUTRAL, "dash": "dash"},
                  annotation_text=i18n.t("labelling.chart.target", ctx.lang), annotation_position="top right")
    fig.update_layout(barmode="group")
    fig.update_yaxes(title=i18n.t("labelling.chart.share_axis", ctx.lang), tickformat=".0%", range=[0, 1.08])
    fig.update_xaxes(tickangle=-30)
    return briefing.briefing(fig, ctx, what)


def found_map(counties: pl.DataFrame, ctx: briefing.Context, league_code: str | None = None) -> go.Figure:
    values = counties.select(pl.col("county_code").alias("adcode"), pl.col("found_share").alias("value"))
    return maps.choropleth(values, ctx, i18n.t("labelling.chart.map", ctx.lang), level="county",
                           value_label=i18n.t("labelling.col.found_share", ctx.lang), tickformat=".0%",
                           colorscale="RdYlGn", zmin=0.5, zmax=1.0, league_code=league_code)


def trend(per_week: pl.DataFrame, ctx: briefing.Context) -> go.Figure:
    what = i18n.t("labelling.chart.trend", ctx.lang)
    if per_week.height == 0:
        return briefing.empty(ctx, what)
    x = [weeks.short(w) for w in per_week["week"].to_list()]
    fig = go.Figure()
    for column, key, colour in (("found_share", "found", briefing.NEUTRAL),
                                ("labelled_share", "labelled", briefing.TIER_COLOURS["primary"]),
                                ("signed_share", "signed", briefing.GOOD),
                                ("managed_share", "managed", briefing.LABEL_COLOURS["red"])):
        fig.add_trace(go.Scatter(x=x, y=per_week[column].to_list(), name=i18n.t(f"labelling.series.{key}", ctx.lang),
                                 mode="lines+markers", line={"color": colour, "width": 3}))
    fig.update_yaxes(title=i18n.t("labelling.chart.share_axis", ctx.lang), tickformat=".0%", range=[0, 1.05])
    fig.update_xaxes(title=i18n.t("labelling.chart.week_axis", ctx.lang), type="category")
    return briefing.briefing(fig, ctx, what)
