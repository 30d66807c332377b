"""Risk labelling: totals, roll-ups and trend of the per-facility rows of
queries/labelling_by_facility.sql, and the coverage (everyone found) of the county rows."""
from __future__ import annotations

import datetime as dt

import polars as pl

from dashboard import i18n, policy
from dashboard.metrics.tables import readable

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


# The page's pieces: each returns what the page places (tables already in the interface's language,
# shares as '12.3%', blanks as '—').

def reporting_facilities(facilities: pl.DataFrame) -> dict[str, str]:
    """Facility code -> name, for the facilities that reported (the funnel's drill-down)."""
    sent = facilities.filter(pl.col("reported"))
    return dict(zip(sent["facility_code"].to_list(), sent["facility_name"].to_list()))


def coverage_table(facilities: pl.DataFrame, lang: str) -> pl.DataFrame:
    """Facilities, the least labelled first (those that did not report, with no share, at the top)."""
    t = lambda key: i18n.t(key, lang)  # noqa: E731
    shares = [t(f"labelling.col.{c}") for c in ("labelled_share", "signed_share", "managed_share")]
    return readable(facilities.sort("labelled_share", "facility_code", nulls_last=False).select(
        pl.col("facility_name").alias(t("labelling.col.facility")),
        pl.col("county_name").alias(t("labelling.col.county")),
        pl.col("persons").alias(t("labelling.col.persons")),
        *[pl.col(c).alias(h) for c, h in zip(("labelled_share", "signed_share", "managed_share"), shares)],
    ), lang, percent=shares)


def found_data(counties: pl.DataFrame) -> pl.DataFrame:
    return counties.select("county_code", "county_name", "pop65", "found_65", "found_share")


def mislabelling(facilities: pl.DataFrame) -> pl.DataFrame:
    """Facilities that reported people labelled wrongly or not at all, the most mislabelled first."""
    c = pl.col
    return (facilities.filter(c("reported") & ((c("mislabelled") + c("persons") - c("labelled")) > 0))
            .sort(["mislabelled", "facility_code"], descending=[True, False]))


def mislabelling_table(offenders: pl.DataFrame, lang: str) -> pl.DataFrame:
    t = lambda key: i18n.t(key, lang)  # noqa: E731
    return readable(offenders.select(
        pl.col("facility_name").alias(t("labelling.col.facility")),
        pl.col("county_name").alias(t("labelling.col.county")),
        pl.col("under_labelled").alias(t("labelling.col.under")),
        pl.col("over_labelled").alias(t("labelling.col.over")),
        (pl.col("persons") - pl.col("labelled")).alias(t("labelling.col.unlabelled")),
    ), lang)


def facility_names(frame: pl.DataFrame) -> dict[str, str]:
    return dict(zip(frame["facility_code"].to_list(), frame["facility_name"].to_list()))


def correction_table(fixes: pl.DataFrame, lang: str) -> pl.DataFrame:
    """The list of people to correct at one facility (rows of queries/labelling_correction_list.sql):
    codes in words, a missing label as 'not labelled', other blanks as '—'."""
    t = lambda key: i18n.t(key, lang)  # noqa: E731
    v = lambda group, values: {x: i18n.value(group, x, lang) for x in values}  # noqa: E731
    labels = v("label", ("green", "yellow", "red"))
    return readable(fixes.select(
        pl.col("record_no").alias(t("labelling.col.record_no")),
        pl.col("id_masked").alias(t("labelling.col.id_masked")),
        pl.col("age").alias(t("labelling.col.age")),
        pl.col("disease_state").replace_strict(v("disease_state", ("none", "stable", "unstable")), default=None)
        .alias(t("labelling.col.disease")),
        pl.col("vaccination").replace_strict(v("vaccination", ("none", "partial", "full")), default=None)
        .alias(t("labelling.col.vaccination")),
        pl.col("recorded_label").replace_strict(labels, default=None).fill_null(t("labelling.problem.unlabelled"))
        .alias(t("labelling.col.recorded")),
        pl.col("rule_label").replace_strict(labels, default=None).alias(t("labelling.col.rule")),
        pl.col("problem").replace_strict({x: t(f"labelling.problem.{x}") for x in ("rule_unknown", "unlabelled", "under", "over")},
                                         default=None).alias(t("labelling.col.problem")),
    ), lang)


def contacts_data(compared: pl.DataFrame) -> pl.DataFrame:
    return compared.select("code", "name", "reported", "persons", "signed", "rule_yellow", "yellow_contacted",
                           "rule_red", "red_contacted", "managed", "signed_share", "yellow_contact_share",
                           "red_contact_share", "managed_share")


def contacts_table(facilities: pl.DataFrame, lang: str) -> pl.DataFrame:
    """Facilities by red-label contact share, the lowest first (no share last), with their reporting."""
    t = lambda key: i18n.t(key, lang)  # noqa: E731
    columns = (("signed_share", "signed_share"), ("yellow_contact_share", "yellow_contact"),
               ("red_contact_share", "red_contact"), ("managed_share", "managed_share"))
    return readable(facilities.sort("red_contact_share", "facility_code", nulls_last=True).select(
        pl.col("facility_name").alias(t("labelling.col.facility")),
        pl.col("county_name").alias(t("labelling.col.county")),
        pl.when(pl.col("reported")).then(pl.lit(t("labelling.reported"))).otherwise(pl.lit(t("labelling.not_reported")))
        .alias(t("labelling.col.status")),
        *[pl.col(c).alias(t(f"labelling.col.{h}")) for c, h in columns],
    ), lang, percent=[t(f"labelling.col.{h}") for _, h in columns])


def map_data(shown: pl.DataFrame) -> pl.DataFrame:
    return shown.select("code", "name", "facilities", "reported", "pop65", "found_65", "found_share", "persons",
                        "labelled_share", "signed_share", "managed_share")


def areas_table(shown: pl.DataFrame, metric: str, lang: str) -> pl.DataFrame:
    """The map's areas (rows of `areas`), the lowest on the map's metric first (unknown at the top)."""
    t = lambda key: i18n.t(key, lang)  # noqa: E731
    shares = ("found_share", "labelled_share", "signed_share", "managed_share")
    return readable(shown.sort(metric, "code", nulls_last=False).select(
        pl.col("name").fill_null(pl.col("code")).alias(t("labelling.col.area")),
        pl.col("pop65").alias(t("labelling.col.pop65")),
        pl.col("found_65").alias(t("labelling.col.found")),
        *[pl.col(c).alias(t(f"labelling.col.{c}")) for c in shares],
    ), lang, percent=[t(f"labelling.col.{c}") for c in shares])


def trend_until(history: pl.DataFrame, counties: pl.DataFrame, until: dt.date) -> pl.DataFrame:
    """`trend` of the weeks up to the chosen one (rows of every week, with rates)."""
    return trend(with_rates(history).filter(pl.col("week") <= until), counties.filter(pl.col("week") <= until))
