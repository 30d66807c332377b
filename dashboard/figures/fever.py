"""Fever-clinic charts (pure builders, data in, figure out): set-up and opening rates by area, today's
waiting status, daily visits; a day's charts name the day in their source line."""
from __future__ import annotations

import datetime as dt

import plotly.graph_objects as go
import polars as pl

from dashboard import i18n, policy, weeks
from dashboard.figures import briefing
from dashboard.metrics import fever

STATUS_COLOURS = {"normal": briefing.GOOD, "elevated": "#F0C75E", "warning": "#E67E22", "alarm": briefing.BAD,
                  "blank": briefing.MISSING, "not_reported": "#7F8C8D"}


class DayContext(briefing.Context):
    """A chart of one day: the source line names the day rather than a week."""

    def source_line(self) -> str:
        names = ("、" if self.lang == "zh" else ", ").join(i18n.value("dataset", s, self.lang) for s in self.sources)
        return i18n.t("fever.chart.source", self.lang, sources=names, day=self.week_label)


def context(area: str, day: dt.date, lang: str) -> DayContext:
    return DayContext(area, weeks.day_label(day, lang), ("fever",), lang)


def rates(by: pl.DataFrame, ctx: briefing.Context) -> go.Figure:
    """Set-up and opening rates per area against the 100% target, lowest set-up first (areas with no
    answer left out)."""
    what = i18n.t("fever.chart.rates", ctx.lang)
    shown = by.filter(pl.col("set_up_rate").is_not_null() | pl.col("open_rate").is_not_null())
    if shown.height == 0:
        return briefing.empty(ctx, what)
    shown = shown.sort(["set_up_rate", "open_rate", "code"], nulls_last=True)
    target = policy.value("fever_clinic.setup_rate_target")
    series = [("set_up_rate", i18n.t("fever.chart.set_up", ctx.lang), "#2E86C1"),
              ("open_rate", i18n.t("fever.chart.open", ctx.lang), "#2E9D5B")]
    return briefing.area_rates(ctx, what, shown, series, target, i18n.t("fever.chart.target", ctx.lang, target=f"{target:.0%}"),
                               i18n.t("fever.chart.rate_axis", ctx.lang), i18n.t("fever.chart.area_axis", ctx.lang))


def waiting(h: dict, ctx: briefing.Context) -> go.Figure:
    """Facilities by today's waiting status, with the blanks and the silent ones counted apart."""
    what = i18n.t("fever.chart.waiting", ctx.lang)
    keys = [*fever.STATUSES, "blank", "not_reported"]
    counts = [h[s] for s in fever.STATUSES] + [h["waiting_blank"], h["not_reported"]]
    limits = {"normal": int(policy.value(fever.THRESHOLDS[0])), "warning": int(policy.value(fever.THRESHOLDS[1])),
              "alarm": int(policy.value(fever.THRESHOLDS[2]))}
    limits |= {"above_normal": limits["normal"] + 1, "below_warning": limits["warning"] - 1}
    labels = [i18n.t(f"fever.status.{k}", ctx.lang, **limits) for k in keys]
    return briefing.status_bars(ctx, what, labels, counts, [STATUS_COLOURS[k] for k in keys],
                                i18n.t("fever.chart.facilities_axis", ctx.lang), i18n.t("fever.chart.status_axis", ctx.lang), 440)


def trend(per_day: pl.DataFrame, ctx: briefing.Context) -> go.Figure:
    """Daily fever-clinic visits, primary care and hospitals (days with no number are gaps, not zeros)."""
    what = i18n.t("fever.chart.trend", ctx.lang)
    if per_day.height == 0:
        return briefing.empty(ctx, what)
    fig = go.Figure()
    for kind, colour in (("primary", briefing.TIER_COLOURS["primary"]), ("hospital", briefing.TIER_COLOURS["lead"])):
        one = per_day.filter(pl.col("kind") == kind)
        fig.add_trace(go.Scatter(x=one["day"].to_list(), y=one["visits"].to_list(), mode="lines+markers",
                                 name=i18n.t(f"fever.chart.kind.{kind}", ctx.lang), line={"color": colour, "width": 3},
                                 connectgaps=False, hovertemplate="%{x|%Y-%m-%d}: %{y:,}<extra>%{fullData.name}</extra>"))
    fig.update_yaxes(title=i18n.t("fever.chart.visits_axis", ctx.lang), rangemode="tozero", tickformat=",")
    fig.update_xaxes(title=i18n.t("fever.chart.day_axis", ctx.lang), tickformat="%m-%d")
    briefing.briefing(fig, ctx, what, height=480, legend_below=False)
    return fig
