"""Staff on duty (CQ-2023 §2), from the weekly staff report: metrics over the per-facility-per-week rows
of queries/staff_on_duty.sql (its charts: dashboard.figures.staff).

How it counts (the numbers are in data/policy.toml):
- On duty: community health centres and township hospitals. A facility's rate is staff on duty / staff
  on the roll; an area's is the sum of those on duty / the sum on the roll, over the facilities that gave
  both (so a blank is left out of both parts, not read as 0). Held against >= 80%.
- Placed in primary care: lead and sub-designated hospitals (the district/county-level hospitals),
  cumulative counts. An area's share = doctors placed / doctors recruited over the hospitals that gave
  both. Held against 80%.
- A facility that owes the report and sent nothing is "not reported"; one that left the cells blank is
  "not given"; neither is counted as below or met.
"""
from __future__ import annotations

import datetime as dt

import polars as pl

from dashboard import i18n, policy

ON_DUTY, PLACED = "staff.on_duty_rate_min", "staff.new_doctors_to_primary_share_min"
LEVELS = {"league": ("league_code", "league_name"), "county": ("county_code", "county_name")}


# --- metrics ------------------------------------------------------------------------------------------
def params() -> dict:
    return policy.params(ON_DUTY, PLACED)


def level_for(league_code: str | None) -> str:
    """Leagues across the region; the banners/counties of a league once one is chosen."""
    return "county" if league_code else "league"


def of_week(rows: pl.DataFrame, week: dt.date) -> pl.DataFrame:
    return rows.filter(pl.col("week") == week)


def primary(rows: pl.DataFrame) -> pl.DataFrame:
    """The community health centres and township hospitals that owe the report (or sent it)."""
    return rows.filter(pl.col("tier") == "primary")


def hospitals(rows: pl.DataFrame) -> pl.DataFrame:
    return rows.filter(pl.col("tier") != "primary")


def _ratio(part: str, whole: str) -> pl.Expr:
    both = pl.col(part).is_not_null() & pl.col(whole).is_not_null()
    num, den = pl.col(part).filter(both).sum(), pl.col(whole).filter(both).sum()
    return pl.when(den > 0).then(num / den)


def headline(week_rows: pl.DataFrame) -> dict:
    """One week's numbers for the area: on-duty rate and placement share, with what is missing."""
    prim, hosp = primary(week_rows), hospitals(week_rows)
    owed_p = prim.filter(pl.col("must_report").fill_null(False))
    owed_h = hosp.filter(pl.col("must_report").fill_null(False))
    on_duty = prim.select(_ratio("staff_on_duty", "staff_total")).item() if prim.height else None
    placed = hosp.select(_ratio("new_doctors_to_primary", "new_doctors")).item() if hosp.height else None
    known = prim.filter(pl.col("staff_on_duty").is_not_null() & pl.col("staff_total").is_not_null())
    recruited = hosp.filter(pl.col("new_doctors_to_primary").is_not_null() & pl.col("new_doctors").is_not_null())
    return {
        "primary_owed": owed_p.height, "primary_reported": owed_p.filter(pl.col("reported")).height,
        "on_duty_rate": on_duty,
        "staff_total": int(known["staff_total"].sum()) if known.height else None,
        "staff_on_duty": int(known["staff_on_duty"].sum()) if known.height else None,
        "below": prim.filter(pl.col("on_duty_status") == "below").height,
        "met": prim.filter(pl.col("on_duty_status") == "met").height,
        "blank": prim.filter(pl.col("reported") & pl.col("on_duty_status").is_null()).height,
        "not_reported": owed_p.filter(~pl.col("reported")).height,
        "unknown_duty": week_rows.filter(pl.col("must_report").is_null()).height,
        "hospitals_owed": owed_h.height, "hospitals_reported": owed_h.filter(pl.col("reported")).height,
        "placed_share": placed,
        "recruited": int(recruited["new_doctors"].sum()) if recruited.height else None,
        "placed": int(recruited["new_doctors_to_primary"].sum()) if recruited.height else None,
        "hospitals_below": hosp.filter(pl.col("placed_status") == "below").height,
    }


def by_area(week_rows: pl.DataFrame, level: str) -> pl.DataFrame:
    """Per league or banner/county (`code`, `name`): on-duty rate of primary care, placement share of the
    hospitals, facilities below, not reported."""
    code, name = LEVELS[level]
    prim = primary(week_rows).group_by(pl.col(code).alias("code"), pl.coalesce(name, code).alias("name")).agg(
        _ratio("staff_on_duty", "staff_total").alias("on_duty_rate"),
        (pl.col("on_duty_status") == "below").sum().alias("below"),
        (pl.col("must_report").fill_null(False) & ~pl.col("reported")).sum().alias("not_reported"))
    hosp = hospitals(week_rows).group_by(pl.col(code).alias("code")).agg(
        _ratio("new_doctors_to_primary", "new_doctors").alias("placed_share"))
    return prim.join(hosp, on="code", how="full", coalesce=True).sort("code")


def trend(rows: pl.DataFrame) -> pl.DataFrame:
    """Per week: the area's on-duty rate in primary care and the placement share."""
    prim = primary(rows).group_by("week").agg(_ratio("staff_on_duty", "staff_total").alias("on_duty_rate"))
    hosp = hospitals(rows).group_by("week").agg(_ratio("new_doctors_to_primary", "new_doctors").alias("placed_share"))
    return prim.join(hosp, on="week", how="full", coalesce=True).sort("week")


def below_list(week_rows: pl.DataFrame, lang: str) -> pl.DataFrame:
    """Primary facilities below the on-duty minimum, lowest first, ready to show."""
    t = lambda key: i18n.t(key, lang)  # noqa: E731
    return (primary(week_rows).filter(pl.col("on_duty_status") == "below")
            .sort(["on_duty_rate", "facility_code"])
            .select(pl.col("facility_name").alias(t("staff.col.facility")),
                    pl.col("county_name").alias(t("staff.col.county")),
                    pl.col("staff_on_duty").alias(t("staff.col.on_duty")),
                    pl.col("staff_total").alias(t("staff.col.total")),
                    (pl.col("on_duty_rate") * 100).round(1).alias(t("staff.col.rate"))))


def hospital_list(week_rows: pl.DataFrame, lang: str) -> pl.DataFrame:
    """Every hospital that owes or sent the recruitment figures, lowest placement share first; blanks last."""
    t = lambda key: i18n.t(key, lang)  # noqa: E731
    status = {s: t(f"staff.status.{s}") for s in ("met", "below")}
    return (hospitals(week_rows).sort(["placed_share", "facility_code"], nulls_last=True)
            .select(pl.col("facility_name").alias(t("staff.col.facility")),
                    pl.col("county_name").alias(t("staff.col.county")),
                    pl.col("new_doctors").alias(t("staff.col.recruited")),
                    pl.col("new_doctors_to_primary").alias(t("staff.col.placed")),
                    (pl.col("placed_share") * 100).round(1).alias(t("staff.col.share")),
                    pl.when(~pl.col("reported")).then(pl.lit(t("staff.status.not_reported")))
                    .when(pl.col("placed_status").is_null()).then(pl.lit(t("staff.status.blank")))
                    .otherwise(pl.col("placed_status").replace_strict(status, default="")).alias(t("staff.col.status"))))


def not_reported(week_rows: pl.DataFrame, lang: str) -> pl.DataFrame:
    t = lambda key: i18n.t(key, lang)  # noqa: E731
    silent = week_rows.filter(~pl.col("reported") & pl.col("must_report").fill_null(True))
    return (silent.sort([pl.col("must_report").is_null(), "county_code", "facility_code"])
            .select(pl.col("facility_code").alias(t("staff.col.code")),
                    pl.col("facility_name").alias(t("staff.col.facility")),
                    pl.col("county_name").alias(t("staff.col.county")),
                    pl.when(pl.col("must_report").is_null()).then(pl.lit(t("staff.duty_unknown")))
                    .otherwise(pl.lit(t("staff.duty_owed"))).alias(t("staff.col.duty"))))
