"""ICU staffing: the policy parameters for a chosen end of each range, and roll-ups of the
per-hospital rows of queries/icu_staffing_by_hospital.sql (sums of per-hospital whole persons)."""
from __future__ import annotations

import polars as pl

from dashboard import policy

LEVELS = {"county": ("county_code", "county_name"), "league": ("league_code", "league_name"),
          "consortium": ("consortium", "consortium")}
SUMMED = ["icu_beds", "convertible_beds", "occupied", "icu_doctors", "icu_nurses", "doctors_required",
          "nurses_required", "nurses_required_low", "nurses_required_high", "reserve_doctors", "reserve_nurses",
          "reserve_doctors_required", "reserve_nurses_required", "doctor_gap", "nurse_gap", "reserve_doctor_gap",
          "reserve_nurse_gap", "extra_doctors_if_converted", "extra_nurses_if_converted"]


def params(nurses_end: str | None = None, reserve_end: str | None = None) -> dict:
    """Query parameters; an end ('low' | 'high') overrides the policy file's strict end."""
    nurses_low, nurses_high = policy.policy_range("icu.nurses_per_bed")
    reserve_low, reserve_high = policy.policy_range("icu.reserve_share")
    out = policy.params("icu.doctors_per_bed", "icu.nurses_per_bed", "icu.reserve_share")
    if nurses_end:
        out["icu_nurses_per_bed"] = nurses_low if nurses_end == "low" else nurses_high
    if reserve_end:
        out["icu_reserve_share"] = reserve_low if reserve_end == "low" else reserve_high
    return out | {"nurses_low": nurses_low, "nurses_high": nurses_high}


def strict_end(key: str) -> str:
    return policy.rules()[key].get("strict", "high")


def rollup(hospitals: pl.DataFrame, level: str) -> pl.DataFrame:
    """Sum the hospitals' figures per county, league or consortium. Gaps are summed per hospital
    (a surplus in one hospital does not fill another's gap). Missing reports are counted, not zeroed."""
    code, name = LEVELS[level]
    return (
        hospitals.group_by(pl.col(code).alias("code"), pl.col(name).alias("name"))
        .agg(pl.len().alias("hospitals"), pl.col("reported").sum().alias("reported"),
             *[pl.col(c).sum() for c in SUMMED])
        .with_columns((pl.col("hospitals") - pl.col("reported")).alias("missing"),
                      pl.when(pl.col("icu_beds") > 0).then(pl.col("occupied") / pl.col("icu_beds")).alias("occupancy"))
        .sort(pl.col("doctor_gap") + pl.col("nurse_gap"), "code", descending=[True, False])
    )


def trend(hospitals: pl.DataFrame) -> pl.DataFrame:
    """Per week: beds, occupancy, gaps and how many hospitals reported."""
    return (
        hospitals.group_by("week")
        .agg(pl.len().alias("hospitals"), pl.col("reported").sum().alias("reported"),
             pl.col("icu_beds").sum(), pl.col("occupied").sum(), pl.col("doctor_gap").sum(), pl.col("nurse_gap").sum())
        .with_columns(pl.when(pl.col("icu_beds") > 0).then(pl.col("occupied") / pl.col("icu_beds")).alias("occupancy"))
        .sort("week")
    )


def totals(hospitals: pl.DataFrame) -> dict:
    """The whole selection in one row (as a dict)."""
    whole = hospitals.with_columns(pl.lit("all").alias("_all"))
    return (whole.group_by("_all")
            .agg(pl.len().alias("hospitals"), pl.col("reported").sum().alias("reported"), *[pl.col(c).sum() for c in SUMMED])
            .with_columns(pl.when(pl.col("icu_beds") > 0).then(pl.col("occupied") / pl.col("icu_beds")).alias("occupancy"))
            .row(0, named=True))
