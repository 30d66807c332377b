"""Fever clinics (发热门诊/诊室), from the daily report: metrics over the per-facility-per-day rows of
queries/fever_clinic_days.sql, then the briefing charts (pure builders, data in, figure out).

How it counts (TJ-2022 §一, CQ-2023 §5; the numbers are in data/policy.toml):
- Set-up rate = facilities reporting a clinic set up / facilities that owe the report and said whether
  they have one. Opening rate = clinics open today / clinics set up that said whether they opened.
  Both are held against 100%. A blank answer or a missing report is counted apart, never as "no".
- Waiting status from the day's peak number waiting (10 normal, 30 warning, 50 alarm): the query
  classifies; a blank peak has no status.
- Visits: summed over the facilities that reported a number; a day where none did has no total (not 0).
  The rise is today's visits against the day `reference_rise_days` earlier (Tianjin: 30-fold in 15 days).
"""
from __future__ import annotations

import datetime as dt

import plotly.graph_objects as go
import polars as pl

from dashboard import i18n, policy
from dashboard.figures import briefing

STATUSES = ("normal", "elevated", "warning", "alarm")
STATUS_COLOURS = {"normal": briefing.GOOD, "elevated": "#F0C75E", "warning": "#E67E22", "alarm": briefing.BAD,
                  "blank": briefing.MISSING, "not_reported": "#7F8C8D"}
THRESHOLDS = ("fever_clinic.waiting_normal", "fever_clinic.waiting_warning", "fever_clinic.waiting_alarm")


# --- metrics ------------------------------------------------------------------------------------------
def params() -> dict:
    """The waiting thresholds the query classifies by, from the policy file."""
    return policy.params(*THRESHOLDS)


def days(rows: pl.DataFrame, week: dt.date) -> list[dt.date]:
    """The days of the chosen week that hold a fever report, newest first."""
    end = week + dt.timedelta(days=7)
    return sorted({d for d in rows["day"].unique().to_list() if week <= d < end}, reverse=True)


def on(rows: pl.DataFrame, day: dt.date) -> pl.DataFrame:
    return rows.filter(pl.col("day") == day)


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def headline(today: pl.DataFrame) -> dict:
    """One day's numbers. `owed`: facilities that must report; `unknown_duty`: those the register cannot
    tell; the rates are over the answers given (blanks counted apart in *_blank)."""
    owed = today.filter(pl.col("must_report").fill_null(False))
    sent = owed.filter(pl.col("reported"))
    set_up_known = sent.filter(pl.col("clinic_set_up").is_not_null())
    set_up = set_up_known.filter(pl.col("clinic_set_up"))
    open_known = set_up.filter(pl.col("open_today").is_not_null())
    reported_all = today.filter(pl.col("reported"))
    visits_known = reported_all.filter(pl.col("visits").is_not_null())
    statuses = {s: reported_all.filter(pl.col("waiting_status") == s).height for s in STATUSES}
    return {
        "owed": owed.height,
        "reported": sent.height,
        "not_reported": owed.height - sent.height,
        "unknown_duty": today.filter(pl.col("must_report").is_null()).height,
        "set_up": set_up.height,
        "set_up_blank": sent.height - set_up_known.height,
        "set_up_rate": _share(set_up.height, set_up_known.height),
        "open": open_known.filter(pl.col("open_today")).height,
        "open_blank": set_up.height - open_known.height,
        "open_rate": _share(open_known.filter(pl.col("open_today")).height, open_known.height),
        "visits": int(visits_known["visits"].sum()) if visits_known.height else None,
        "visits_blank": reported_all.height - visits_known.height,
        **statuses,
        "waiting_blank": reported_all.filter(pl.col("waiting_status").is_null()).height,
    }


def trend(rows: pl.DataFrame) -> pl.DataFrame:
    """Per day: visits in primary care and in hospitals (null where no facility of the kind reported a
    number), and how many facilities reported."""
    return (rows.filter(pl.col("reported"))
            .with_columns(pl.when(pl.col("tier") == "primary").then(pl.lit("primary")).otherwise(pl.lit("hospital")).alias("kind"))
            .group_by("day", "kind")
            .agg(pl.when(pl.col("visits").count() > 0).then(pl.col("visits").sum()).alias("visits"),
                 pl.len().alias("reports"))
            .sort("day", "kind"))


def rise(per_day: pl.DataFrame, day: dt.date) -> float | None:
    """Visits on `day` / visits `reference_rise_days` earlier, all facilities; None when either is unknown or 0."""
    back = day - dt.timedelta(days=int(policy.value("fever_clinic.reference_rise_days")))
    totals = per_day.group_by("day").agg(pl.when(pl.col("visits").count() > 0).then(pl.col("visits").sum()).alias("v"))
    value = dict(zip(totals["day"].to_list(), totals["v"].to_list()))
    now, then = value.get(day), value.get(back)
    return now / then if now is not None and then else None


def in_alarm(today: pl.DataFrame, lang: str) -> pl.DataFrame:
    """Facilities at the alarm level today, most waiting first, ready to show."""
    t = lambda key: i18n.t(key, lang)  # noqa: E731
    return (today.filter(pl.col("waiting_status") == "alarm")
            .sort(["peak_waiting", "facility_code"], descending=[True, False])
            .select(pl.col("facility_name").alias(t("fever.col.facility")),
                    pl.col("county_name").alias(t("fever.col.county")),
                    pl.col("peak_waiting").alias(t("fever.col.peak_waiting")),
                    pl.col("visits").alias(t("fever.col.visits"))))


def not_reported(today: pl.DataFrame, lang: str) -> pl.DataFrame:
    """Facilities that owe today's report and did not send it; then those the register cannot tell."""
    t = lambda key: i18n.t(key, lang)  # noqa: E731
    silent = today.filter(~pl.col("reported") & pl.col("must_report").fill_null(True))
    return (silent.sort([pl.col("must_report").is_null(), "county_code", "facility_code"])
            .select(pl.col("facility_code").alias(t("fever.col.code")),
                    pl.col("facility_name").alias(t("fever.col.facility")),
                    pl.col("tier").replace_strict({x: i18n.value("tier", x, lang) for x in silent["tier"].unique().drop_nulls()},
                                                  default="—").alias(t("fever.col.tier")),
                    pl.col("county_name").alias(t("fever.col.county")),
                    pl.when(pl.col("must_report").is_null()).then(pl.lit(t("fever.duty_unknown")))
                    .otherwise(pl.lit(t("fever.duty_owed"))).alias(t("fever.col.duty"))))


LEVELS = {"league": ("league_code", "league_name"), "county": ("county_code", "county_name")}


def level_for(league_code: str | None) -> str:
    """Leagues across the region; the banners/counties of a league once one is chosen."""
    return "county" if league_code else "league"


def by_area(today: pl.DataFrame, level: str) -> pl.DataFrame:
    """Per league or banner/county (`code`, `name`): owed, reported, set-up and opening rates over the
    answers given (blanks and missing reports left out of both parts), and alarms."""
    code, name = LEVELS[level]
    owed = today.filter(pl.col("must_report").fill_null(False))
    return (owed.group_by(pl.col(code).alias("code"), pl.coalesce(name, code).alias("name"))
            .agg(pl.len().alias("owed"), pl.col("reported").sum().alias("reported"),
                 (pl.col("reported") & pl.col("clinic_set_up").fill_null(False)).sum().alias("set_up"),
                 (pl.col("reported") & pl.col("clinic_set_up").is_not_null()).sum().alias("set_up_known"),
                 (pl.col("clinic_set_up").fill_null(False) & pl.col("open_today").fill_null(False)).sum().alias("open"),
                 (pl.col("clinic_set_up").fill_null(False) & pl.col("open_today").is_not_null()).sum().alias("open_known"),
                 (pl.col("waiting_status") == "alarm").sum().alias("alarm"))
            .with_columns(pl.when(pl.col("set_up_known") > 0).then(pl.col("set_up") / pl.col("set_up_known")).alias("set_up_rate"),
                          pl.when(pl.col("open_known") > 0).then(pl.col("open") / pl.col("open_known")).alias("open_rate"))
            .sort("code"))


# --- figures ------------------------------------------------------------------------------------------
class DayContext(briefing.Context):
    """A chart of one day: the source line names the day rather than a week."""

    def source_line(self) -> str:
        names = ("、" if self.lang == "zh" else ", ").join(i18n.value("dataset", s, self.lang) for s in self.sources)
        return i18n.t("fever.chart.source", self.lang, sources=names, day=self.week_label)


def context(area: str, day: dt.date, lang: str) -> DayContext:
    return DayContext(area, day_label(day, lang), ("fever",), lang)


def rates_figure(by: pl.DataFrame, ctx: briefing.Context) -> go.Figure:
    """Set-up and opening rates per area against the 100% target, lowest set-up first (areas with no
    answer left out)."""
    what = i18n.t("fever.chart.rates", ctx.lang)
    shown = by.filter(pl.col("set_up_rate").is_not_null() | pl.col("open_rate").is_not_null())
    if shown.height == 0:
        return briefing.empty(ctx, what)
    shown = shown.sort(["set_up_rate", "open_rate", "code"], nulls_last=True)
    fig = go.Figure()
    for column, key, colour in (("set_up_rate", "fever.chart.set_up", "#2E86C1"), ("open_rate", "fever.chart.open", "#2E9D5B")):
        fig.add_trace(go.Bar(x=shown["name"].to_list(), y=shown[column].to_list(), name=i18n.t(key, ctx.lang),
                             marker_color=colour, hovertemplate="%{x}: %{y:.1%}<extra>%{fullData.name}</extra>"))
    target = policy.value("fever_clinic.setup_rate_target")
    briefing.target_line(fig, target, i18n.t("fever.chart.target", ctx.lang, target=f"{target:.0%}"))
    fig.update_yaxes(title=i18n.t("fever.chart.rate_axis", ctx.lang), tickformat=".0%", range=[0, 1.12])
    fig.update_xaxes(title=i18n.t("fever.chart.area_axis", ctx.lang), type="category", tickangle=-30, automargin=True)
    briefing.briefing(fig, ctx, what, height=520, tick_lines=3)  # names at -30°: three lines deep
    fig.update_layout(barmode="group")
    return fig


def waiting_figure(h: dict, ctx: briefing.Context) -> go.Figure:
    """Facilities by today's waiting status, with the blanks and the silent ones counted apart."""
    what = i18n.t("fever.chart.waiting", ctx.lang)
    keys = [*STATUSES, "blank", "not_reported"]
    counts = [h[s] for s in STATUSES] + [h["waiting_blank"], h["not_reported"]]
    limits = {"normal": int(policy.value(THRESHOLDS[0])), "warning": int(policy.value(THRESHOLDS[1])),
              "alarm": int(policy.value(THRESHOLDS[2]))}
    limits |= {"above_normal": limits["normal"] + 1, "below_warning": limits["warning"] - 1}
    labels = [i18n.t(f"fever.status.{k}", ctx.lang, **limits) for k in keys]
    fig = go.Figure(go.Bar(x=labels, y=counts, marker_color=[STATUS_COLOURS[k] for k in keys], text=counts,
                           textposition="outside", cliponaxis=False, showlegend=False,
                           hovertemplate="%{x}: %{y}<extra></extra>"))
    fig.update_yaxes(title=i18n.t("fever.chart.facilities_axis", ctx.lang), rangemode="tozero")
    fig.update_xaxes(title=i18n.t("fever.chart.status_axis", ctx.lang), type="category")
    return briefing.briefing(fig, ctx, what, height=440, legend_below=False)


def trend_figure(per_day: pl.DataFrame, ctx: briefing.Context) -> go.Figure:
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


def day_label(day: dt.date, lang: str) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if lang == "zh" else f"{day.day} {day:%b} {day.year}"
