"""ICU staffing: the policy parameters for a chosen end of each range, and roll-ups of the
per-hospital rows of queries/icu_staffing_by_hospital.sql (sums of per-hospital whole persons)."""
from __future__ import annotations

import polars as pl

from dashboard import i18n, policy
from dashboard.metrics.tables import readable

LEVELS = {"county": ("county_code", "county_name", "county_name"), "league": ("league_code", "league_name", "league_name_en"),
          "consortium": ("consortium", "consortium", "consortium")}  # code, Chinese name, English name
SUMMED = ["icu_beds", "convertible_beds", "occupied", "icu_doctors", "icu_nurses", "doctors_required",
          "nurses_required", "nurses_required_low", "nurses_required_high", "reserve_doctors", "reserve_nurses",
          "reserve_staff", "front_line_required", "reserve_required", "reserve_required_low", "reserve_required_high",
          "doctor_gap", "nurse_gap", "front_line_gap", "reserve_gap", "extra_doctors_if_converted",
          "extra_nurses_if_converted", "opened_beds"]


def _sum(column: str) -> pl.Expr:
    """A sum that stays null when no hospital has a figure (polars would answer 0: missing is not zero)."""
    return pl.when(pl.col(column).count() > 0).then(pl.col(column).sum()).alias(column)


# Silent hospitals: 'missing' owe the report (grade II and above); 'duty_unknown' are hospitals of blank
# grade, of which nobody can say whether they should have ICU beds (counted apart, not as missing).
STATUSES = ("short", "cannot_judge", "meets_minimum", "fully_meets", "no_beds", "missing", "duty_unknown")
_STATUS_COUNTS = [(pl.col("status") == s).sum().alias(s) for s in STATUSES]


def params(nurses_end: str | None = None, reserve_end: str | None = None, open_share: float = 1.0) -> dict:
    """Query parameters; an end ('low' | 'high') overrides the policy file's strict end; `open_share`
    is the what-if's share of convertible beds opened (all of them by default)."""
    nurses_low, nurses_high = policy.policy_range("icu.nurses_per_bed")
    reserve_low, reserve_high = policy.policy_range("icu.reserve_share")
    out = policy.params("icu.doctors_per_bed", "icu.nurses_per_bed", "icu.reserve_share")
    if nurses_end:
        out["icu_nurses_per_bed"] = nurses_low if nurses_end == "low" else nurses_high
    if reserve_end:
        out["icu_reserve_share"] = reserve_low if reserve_end == "low" else reserve_high
    return out | {"nurses_low": nurses_low, "nurses_high": nurses_high, "reserve_low": reserve_low,
                  "reserve_high": reserve_high, "open_share": open_share}


def strict_end(key: str) -> str:
    return policy.rules()[key].get("strict", "high")


def rollup(hospitals: pl.DataFrame, level: str) -> pl.DataFrame:
    """Sum the hospitals' figures per county, league or consortium. Gaps are summed per hospital
    (a surplus in one hospital does not fill another's gap). Missing reports are counted, not zeroed."""
    code, name, name_en = LEVELS[level]
    return (
        hospitals.group_by(pl.col(code).alias("code"), pl.col(name).fill_null(pl.col(code)).alias("name"),
                           pl.col(name_en).fill_null(pl.col(code)).alias("name_en"))
        .agg(pl.len().alias("hospitals"), pl.col("reported").sum().alias("reported"), *_STATUS_COUNTS,
             *[_sum(c) for c in SUMMED])
        .with_columns(pl.when(pl.col("icu_beds") > 0).then(pl.col("occupied") / pl.col("icu_beds")).alias("occupancy"),
                      _per_bed())
        .sort("front_line_gap", "code", descending=[True, False], nulls_last=True)
    )


def _per_bed() -> pl.Expr:
    """Front-line people missing per ICU bed: a large area does not look worse for being large; null
    where no bed was reported (unknown, not 0)."""
    return pl.when(pl.col("icu_beds") > 0).then(pl.col("front_line_gap") / pl.col("icu_beds")).alias("gap_per_bed")


def trend(hospitals: pl.DataFrame, until=None) -> pl.DataFrame:
    """Per week (up to `until`, the chosen week, when given): beds, occupancy, gaps and how many
    hospitals reported. A week in which no hospital reported has null figures, not zeros."""
    if until is not None:
        hospitals = hospitals.filter(pl.col("week") <= until)
    return (
        hospitals.group_by("week")
        .agg(pl.len().alias("hospitals"), pl.col("reported").sum().alias("reported"),
             *[_sum(c) for c in ("icu_beds", "occupied", "doctor_gap", "nurse_gap", "reserve_gap")])
        .with_columns(pl.when(pl.col("icu_beds") > 0).then(pl.col("occupied") / pl.col("icu_beds")).alias("occupancy"))
        .sort("week")
    )


def totals(hospitals: pl.DataFrame) -> dict:
    """The whole selection in one row (as a dict)."""
    whole = hospitals.with_columns(pl.lit("all").alias("_all"))
    return (whole.group_by("_all")
            .agg(pl.len().alias("hospitals"), pl.col("reported").sum().alias("reported"), *_STATUS_COUNTS,
                 *[_sum(c) for c in SUMMED])
            .with_columns(pl.when(pl.col("icu_beds") > 0).then(pl.col("occupied") / pl.col("icu_beds")).alias("occupancy"))
            .row(0, named=True))


def ranked(hospitals: pl.DataFrame) -> pl.DataFrame:
    """Hospitals by front-line gap, largest first; those that did not report at the end (unknown,
    not zero), then hospitals without ICU beds."""
    return hospitals.sort(["front_line_gap", "reserve_gap", "facility_code"], descending=[True, True, False],
                          nulls_last=True)


def convertible(hospitals: pl.DataFrame) -> pl.DataFrame:
    """Hospitals with convertible ICU beds, those needing the most extra people first."""
    return (hospitals.filter(pl.col("convertible_beds") > 0)
            .sort(pl.col("extra_doctors_if_converted") + pl.col("extra_nurses_if_converted"), "facility_code",
                  descending=[True, False]))


def hospital_history(history: pl.DataFrame, facility_code: str, until=None) -> pl.DataFrame:
    """One hospital's weeks (up to `until`): staff reported against staff required."""
    one = history.filter(pl.col("facility_code") == facility_code)
    if until is not None:
        one = one.filter(pl.col("week") <= until)
    return one.sort("week")


def with_have_need(hospitals: pl.DataFrame) -> pl.DataFrame:
    """Adds 'have / need' text columns for the hospital table (null when the hospital did not report)."""
    def have_need(have: pl.Expr, need: pl.Expr) -> pl.Expr:
        return pl.when(have.is_not_null() & need.is_not_null()).then(pl.format("{} / {}", have, need))

    return hospitals.with_columns(
        have_need(pl.col("icu_doctors"), pl.col("doctors_required")).alias("doctors_have_need"),
        have_need(pl.col("icu_nurses"), pl.col("nurses_required")).alias("nurses_have_need"),
        pl.when(pl.col("nurses_required_low").is_not_null())
        .then(pl.format("{}-{}", "nurses_required_low", "nurses_required_high")).alias("nurses_range"),
        have_need(pl.col("reserve_staff"), pl.col("reserve_required")).alias("reserve_have_need"),
    )


def whatif_level(league_code: str | None) -> str:
    """The what-if chart's areas: leagues for the whole region, banners/counties within a league."""
    return "county" if league_code else "league"


MAP_LEVELS = ("county", "league")  # the levels with boundaries; a consortium has none


def map_level(level: str) -> str:
    """The map follows the roll-up: leagues or banners/counties; consortia (which have no boundary)
    are drawn on the banner/county map."""
    return level if level in MAP_LEVELS else "county"


def area_name_column(lang: str) -> str:
    return "name_en" if lang == "en" else "name"


def hospital_choices(hospitals: pl.DataFrame) -> dict[str, str]:
    """Facility code -> name, in the ranking's order (largest front-line gap first)."""
    order = ranked(hospitals)
    return dict(zip(order["facility_code"].to_list(), order["facility_name"].to_list()))


def hospital_table(hospitals: pl.DataFrame, lang: str) -> pl.DataFrame:
    """The hospital list as the page shows it: ranked by gap, 'have / need' per group, statuses and
    tiers in words, occupancy as a percentage, blanks as '—'."""
    t = lambda key, **kw: i18n.t(key, lang, **kw)  # noqa: E731
    n_low, n_high = policy.policy_range("icu.nurses_per_bed")
    rows = with_have_need(ranked(hospitals))
    table = rows.select(
        pl.col("facility_name").alias(t("icu.col.hospital")),
        pl.col("tier").replace_strict({x: i18n.value("tier", x, lang) for x in rows["tier"].unique().drop_nulls()},
                                      default=None).alias(t("icu.col.tier")),
        pl.col("county_name").alias(t("icu.col.county")),
        pl.col("status").replace_strict({s: t(f"icu.status.{s}") for s in STATUSES}, default=None).alias(t("icu.col.status")),
        pl.col("icu_beds").alias(t("icu.col.beds")),
        pl.col("convertible_beds").alias(t("icu.col.convertible")),
        pl.col("occupancy").alias(t("icu.col.occupancy")),
        pl.col("doctors_have_need").alias(t("icu.col.doctors")),
        pl.col("nurses_have_need").alias(t("icu.col.nurses")),
        pl.col("nurses_range").alias(t("icu.col.nurses_range", low=f"{n_low:g}", high=f"{n_high:g}")),
        pl.col("reserve_have_need").alias(t("icu.col.reserve")),
        pl.col("doctor_gap").alias(t("icu.col.doctor_gap")),
        pl.col("nurse_gap").alias(t("icu.col.nurse_gap")),
        pl.col("reserve_gap").alias(t("icu.col.reserve_gap")),
    )
    return readable(table, lang, percent=[t("icu.col.occupancy")])


def rollup_table(rolled: pl.DataFrame, level: str, lang: str) -> pl.DataFrame:
    """The roll-up as the page shows it (rows of `rollup`), gap per bed beside the gaps."""
    t = lambda key: i18n.t(key, lang)  # noqa: E731
    table = rolled.select(
        pl.col(area_name_column(lang)).alias(t(f"icu.level_{level}")),
        pl.col("hospitals").alias(t("icu.col.hospitals")),
        pl.col("missing").alias(t("icu.col.missing")),
        pl.col("icu_beds").alias(t("icu.col.beds")),
        pl.col("convertible_beds").alias(t("icu.col.convertible")),
        pl.col("occupancy").alias(t("icu.col.occupancy")),
        pl.col("doctors_required").alias(t("icu.col.doctors_required")),
        pl.col("nurses_required").alias(t("icu.col.nurses_required")),
        pl.col("doctor_gap").alias(t("icu.col.doctor_gap")),
        pl.col("nurse_gap").alias(t("icu.col.nurse_gap")),
        pl.col("reserve_gap").alias(t("icu.col.reserve_gap")),
        pl.col("gap_per_bed").alias(t("icu.chart.gap_per_bed")),
    )
    return readable(table, lang, percent=[t("icu.col.occupancy")], decimals={t("icu.chart.gap_per_bed"): 2})


def rollup_data(rolled: pl.DataFrame) -> pl.DataFrame:
    """The roll-up chart's and map's data, for its CSV/XLSX download."""
    return rolled.select("code", "name", "hospitals", "reported", "icu_beds", "doctor_gap", "nurse_gap",
                         "reserve_gap", "front_line_gap", "gap_per_bed")


def whatif_data(by_area: pl.DataFrame) -> pl.DataFrame:
    return by_area.select("code", "name", "convertible_beds", "opened_beds", "extra_doctors_if_converted",
                          "extra_nurses_if_converted")


def convertible_table(opened: pl.DataFrame, lang: str) -> pl.DataFrame:
    """Hospitals with convertible beds and the extra people opening them needs, as the page shows them."""
    t = lambda key: i18n.t(key, lang)  # noqa: E731
    return readable(convertible(opened).select(
        pl.col("facility_name").alias(t("icu.col.hospital")), pl.col("county_name").alias(t("icu.col.county")),
        pl.col("icu_beds").alias(t("icu.col.beds")), pl.col("convertible_beds").alias(t("icu.col.convertible")),
        pl.col("opened_beds").alias(t("icu.metric.opened")),
        pl.col("extra_doctors_if_converted").alias(t("icu.col.extra_doctors")),
        pl.col("extra_nurses_if_converted").alias(t("icu.col.extra_nurses"))), lang)
