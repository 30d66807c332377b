"""Follow-up charts (pure builders, data in, figure out): problems by area, contacts owed and made per
category, the share met week by week."""
from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from dashboard import i18n, weeks
from dashboard.figures import briefing
from dashboard.metrics import followup

PROBLEM_COLOURS = {"short": briefing.BAD, "signing_overdue": briefing.ORANGE, "positive": briefing.PURPLE,
                   "missing_test": briefing.NEUTRAL}
CATEGORY_COLOURS = {"severe": briefing.VERMILION, "weekly": briefing.BLUE, "biweekly": briefing.SKY}


def problems(by: pl.DataFrame, ctx: briefing.Context) -> go.Figure:
    """What is wrong and where: per area, patients short of follow-up, signing past the week with no
    date, positive and missing observation tests (stacked; most problems first)."""
    what = i18n.t("followup.chart.problems", ctx.lang)
    if by.height == 0:
        return briefing.empty(ctx, what)
    fig = go.Figure()
    for key in followup.PROBLEMS:
        fig.add_trace(go.Bar(x=by["name"].to_list(), y=by[key].to_list(), name=i18n.t(f"followup.problem.{key}", ctx.lang),
                             marker_color=PROBLEM_COLOURS[key], hovertemplate="%{x}: %{y}<extra>%{fullData.name}</extra>"))
    fig.update_layout(barmode="stack")
    fig.update_yaxes(title=i18n.t("followup.chart.patients_axis", ctx.lang), rangemode="tozero")
    fig.update_xaxes(title=i18n.t("followup.chart.area_axis", ctx.lang), type="category")
    lines = briefing.category_ticks(fig, by["name"].to_list())
    return briefing.briefing(fig, ctx, what, height=480 + briefing.TICK_LINE * (lines - 1), tick_lines=lines)


def compliance(per_category: pl.DataFrame, ctx: briefing.Context) -> go.Figure:
    """Contacts owed and made this week per category (over the patients judged), with the judged count."""
    what = i18n.t("followup.chart.compliance", ctx.lang)
    if per_category["judged"].sum() == 0:
        return briefing.empty(ctx, what)
    names = [_category_label(c, ctx.lang) for c in per_category["category"].to_list()]
    fig = go.Figure()
    for column, colour in (("owed", briefing.NEUTRAL), ("made", briefing.BLUE)):
        values = per_category[column].to_list()
        fig.add_trace(go.Bar(x=names, y=values, name=i18n.t(f"followup.chart.{column}", ctx.lang), marker_color=colour,
                             text=values, textposition="outside", cliponaxis=False,
                             hovertemplate="%{x}: %{y}<extra>%{fullData.name}</extra>"))
    fig.update_layout(barmode="group")
    fig.update_yaxes(title=i18n.t("followup.chart.contacts_axis", ctx.lang), rangemode="tozero")
    fig.update_xaxes(title=i18n.t("followup.chart.category_axis", ctx.lang), type="category")
    return briefing.briefing(fig, ctx, what, height=480, tick_lines=2)


def trend(per_week: pl.DataFrame, ctx: briefing.Context) -> go.Figure:
    """Share of judged patients met, per week and category (a week with nobody judged is a gap)."""
    what = i18n.t("followup.chart.trend", ctx.lang)
    if per_week.height == 0:
        return briefing.empty(ctx, what)
    fig = go.Figure()
    all_weeks = sorted(per_week["week"].unique().to_list())
    for category in followup.CATEGORIES:
        mine = {r["week"]: r for r in per_week.filter(pl.col("category") == category).iter_rows(named=True)}
        shares = [(mine[w]["met"] / (mine[w]["met"] + mine[w]["short"])) if w in mine and mine[w]["met"] + mine[w]["short"] else None
                  for w in all_weeks]
        fig.add_trace(go.Scatter(x=[weeks.short(w) for w in all_weeks], y=shares, mode="lines+markers",
                                 name=i18n.t(f"followup.category.{category}", ctx.lang),
                                 line={"color": CATEGORY_COLOURS[category], "width": 3},
                                 hovertemplate="%{x}: %{y:.1%}<extra>%{fullData.name}</extra>"))
    fig.update_yaxes(title=i18n.t("followup.chart.share_axis", ctx.lang), tickformat=".0%", range=[0, 1.05])
    fig.update_xaxes(title=i18n.t("followup.chart.week_axis", ctx.lang), type="category")
    return briefing.briefing(fig, ctx, what, height=460)


def _category_label(category: str, lang: str) -> str:
    """'每周二次<br>重症、危重症' : the frequency, then who (two tick lines)."""
    return i18n.t(f"followup.category.{category}", lang).replace("：", "<br>").replace(": ", "<br>")
