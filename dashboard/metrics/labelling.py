"""Risk labelling: totals, roll-ups and trend of the per-facility rows of
queries/labelling_by_facility.sql, and the coverage (everyone found) of the county rows."""
from __future__ import annotations

import polars as pl

from dashboard import policy

COUNTS = ["persons", "persons_65", "labelled", "green", "yellow", "red", "under_labelled", "over_labelled", "signed",
          "rule_yellow", "rule_red", "yellow_contacted", "red_contacted", "managed",
          # blanks, counted apart (queries/labelling_by_facility.sql): never in a share's numerator or denominator
          "rule_unknown", "audit_unknown", "signed_unknown", "yellow_contacts_unknown", "red_contacts_unknown",
          "managed_unknown"]
UNKNOWNS = ["rule_unknown", "signed_unknown", "yellow_contacts_unknown", "red_contacts_unknown", "managed_unknown"]
LEVELS = {"county": ("county_code", "county_name"), "league": ("league_code", "league_name"),
          "consortium": ("consortium", "consortium"), "facility": ("facility_code", "facility_name")}


def params() -> dict:
    return policy.params("contacts.yellow_per_week", "contacts.red_per_week")


def _rates(frame: pl.DataFrame) -> pl.DataFrame:
    """Shares over the people whose answer is known: a blank answer leaves the denominator (and is
    counted apart in the *_unknown columns, which the page states), never counted as a no."""
    def share(part: str, whole: pl.Expr) -> pl.Expr:
        return pl.when(whole > 0).then(pl.col(part) / whole)

    c = pl.col
    return frame.with_columns(
        share("labelled", c("persons")).alias("labelled_share"),
        share("signed", c("persons") - c("signed_unknown")).alias("signed_share"),
        share("yellow_contacted", c("rule_yellow") - c("yellow_contacts_unknown")).alias("yellow_contact_share"),
        share("red_contacted", c("rule_red") - c("red_contacts_unknown")).alias("red_contact_share"),
        (c("under_labelled") + c("over_labelled")).alias("mislabelled"),
        share("under_labelled", c("labelled") - c("audit_unknown")).alias("under_share"),
        share("managed", c("rule_yellow") + c("rule_red") - c("managed_unknown")).alias("managed_share"),
    )


def contact_level(league_code: str | None, county_code: str | None, consortium: str | None) -> str:
    """Signing and contacts are compared across the level below the selected area: leagues across
    the region, banners/counties across a league, facilities within a banner/county or consortium."""
    return "facility" if county_code or consortium else "county" if league_code else "league"


def with_rates(facilities: pl.DataFrame) -> pl.DataFrame:
    return _rates(facilities)


def _sum(frame: pl.DataFrame, *keys) -> pl.DataFrame:
    return _rates(frame.group_by(*keys).agg(
        pl.len().alias("facilities"), pl.col("reported").sum().alias("reported"), *[pl.col(c).sum() for c in COUNTS]))


def totals(facilities: pl.DataFrame, facility_code: str | None = None) -> dict:
    """The area's totals, or one facility's when `facility_code` is given (drill-down)."""
    if facility_code:
        facilities = facilities.filter(pl.col("facility_code") == facility_code)
    return _sum(facilities.with_columns(pl.lit(1).alias("_all")), "_all").row(0, named=True)


def rollup(facilities: pl.DataFrame, level: str) -> pl.DataFrame:
    code, name = LEVELS[level]
    return _sum(facilities.with_columns(pl.col(code).alias("code"), pl.col(name).alias("name")), "code", "name").sort("code")


def found(counties: pl.DataFrame) -> tuple[int | None, int | None]:
    """People 65+ found in the registers, and the census 65+ of the same banners/counties: only the
    counties where some facility reported (a county that sent nothing is unknown, not 0 found, and
    its population leaves the denominator; the page counts those counties apart). (None, None) when
    no county reported."""
    reporting = counties.filter(pl.col("found_65").is_not_null())
    if reporting.height == 0:
        return None, None
    return int(reporting["found_65"].sum()), int(reporting["pop65"].sum())


def counties_not_reporting(counties: pl.DataFrame) -> int:
    return counties.filter(pl.col("found_65").is_null()).height


def trend(facilities: pl.DataFrame, counties: pl.DataFrame) -> pl.DataFrame:
    """Per week: labelled, signed and contact shares, and 65+ found against the census."""
    # counties that reported that week (one that sent nothing is unknown, not 0 found)
    found = counties.filter(pl.col("found_65").is_not_null()).group_by("week").agg(pl.col("found_65").sum(), pl.col("pop65").sum())
    return (_sum(facilities, "week").join(found, on="week", how="left")
            .with_columns((pl.col("found_65") / pl.col("pop65")).alias("found_share")).sort("week"))


def found_by_league(counties: pl.DataFrame) -> pl.DataFrame:
    """League rows from the county rows (sums of found and of census 65+)."""
    return (counties.group_by("week", "league_code")
            .agg(pl.col("league_name").drop_nulls().first(), pl.col("found_65").sum(), pl.col("pop65").sum(),
                 pl.col("found_65").is_not_null().sum().alias("reporting"))
            .with_columns(pl.when(pl.col("reporting") > 0).then(pl.col("found_65")),  # nobody reported: missing, not 0
                          pl.when(pl.col("reporting") > 0).then(pl.col("found_65") / pl.col("pop65")).alias("found_share")))


def areas(facilities: pl.DataFrame, counties: pl.DataFrame, level: str) -> pl.DataFrame:
    """One row per banner/county or league/city of one week: the facility roll-up (labelled,
    signed, case-managed...) beside people 65+ found against the census. `counties` are the rows of
    queries/labelling_found_by_county.sql for the same week and area."""
    rolled = rollup(facilities, level)
    if level == "county":
        found = counties.select(pl.col("county_code").alias("code"), pl.col("county_name").alias("census_name"),
                                "found_65", "pop65", "found_share")
    else:
        found = found_by_league(counties).select(pl.col("league_code").alias("code"), pl.col("league_name").alias("census_name"),
                                                 "found_65", "pop65", "found_share")
    return (found.join(rolled, on="code", how="full", coalesce=True)
            .with_columns(pl.coalesce("census_name", "name").alias("name")).drop("census_name").sort("code"))
