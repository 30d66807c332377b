"""Fever clinics (发热门诊/诊室), from the daily report: metrics over the per-facility-per-day rows of
queries/fever_clinic_days.sql (its charts: dashboard.figures.fever).

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

import polars as pl

from dashboard import i18n, policy

STATUSES = ("normal", "elevated", "warning", "alarm")
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
