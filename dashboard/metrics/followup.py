"""Discharged-patient follow-up (DIS-2020 §二(二), (四)), from the weekly discharge register: metrics over
the patient-by-week rows of queries/followup_patient_weeks.sql (its charts:
dashboard.figures.followup).

How it counts (the numbers are in data/policy.toml, group `discharge`; the query classifies):
- Under management in a week: a patient listed in some week up to it whose three months after discharge
  have not ended by the week's Monday. A patient the facility stopped listing stays, as "not reported".
- Follow-up: owed in whole Monday-Sunday weeks of the window (release -> discharge + 3 months); the
  twice-a-week and weekly categories owe every week, the every-two-weeks category once per two-week
  span, judged at the span's last week. "Met"/"short" compare the contacts made with those owed; a
  blank count or a missing week that could change the answer is "cannot be judged", a patient whose
  category cannot be told likewise; neither is ever met or 0. Contacts owed vs made are summed over the
  judged patients only, each patient's contacts counted up to what they were owed (a keen call to one
  patient does not cover another's missed one), so owed - made is the contacts missing.
- Signing and file within the week: judged once the deadline has passed; a blank date past it is
  "no date recorded", counted apart (and on the action list), never "on time" or "late".
- Observation tests: positive on either day, or missing once their day has passed.
"""
from __future__ import annotations

import polars as pl

from dashboard import i18n, policy

KEYS = ("discharge.observation_days", "discharge.first_test_day", "discharge.second_test_day",
        "discharge.signing_within_days", "discharge.followup_months", "discharge.older_from_age",
        "discharge.severe_per_week", "discharge.standard_per_week", "discharge.mild_every_weeks")
CATEGORIES = ("severe", "weekly", "biweekly")
JUDGED = ("met", "short")
UNJUDGED = ("unknown", "not_reported", "no_category", "no_release")  # cannot be judged, each named
LEVELS = {"league": ("league_code", "league_name"), "county": ("county_code", "county_name")}
PROBLEMS = ("short", "signing_overdue", "positive", "missing_test")


# --- metrics ------------------------------------------------------------------------------------------
def params() -> dict:
    return policy.params(*KEYS)


def level_for(league_code: str | None) -> str:
    return "county" if league_code else "league"


def of_week(rows: pl.DataFrame, week) -> pl.DataFrame:
    """The patients under management in the chosen week, one row each."""
    return rows.filter(pl.col("week") == week)


def _made() -> pl.Expr:
    """Contacts made in the span, counted up to those owed (judged rows only)."""
    return pl.min_horizontal(pl.col("span_made").fill_null(0), pl.col("owed")).filter(pl.col("week_status").is_in(JUDGED))


def _problems() -> list[pl.Expr]:
    return [(pl.col("week_status") == "short").alias("short"),
            (pl.col("signing_status") == "blank").alias("signing_overdue"),
            (pl.col("test_status") == "positive").alias("positive"),
            (pl.col("test_status") == "missing").alias("missing_test")]


def headline(week_rows: pl.DataFrame) -> dict:
    """The week's numbers for the area: what is wrong first, then what is unknown."""
    def count(column: str, value: str) -> int:
        return week_rows.filter(pl.col(column) == value).height

    judged = week_rows.filter(pl.col("week_status").is_in(JUDGED))
    signing_known = count("signing_status", "on_time") + count("signing_status", "late")
    return {
        "patients": week_rows.height,
        "facilities": week_rows["facility_code"].n_unique(),
        "observation": count("week_status", "observation"),
        **{s: count("week_status", s) for s in (*JUDGED, *UNJUDGED, "partial", "not_due")},
        "owed": int(judged["owed"].sum()) if judged.height else None,
        "made": int(judged.select(_made().sum()).item()) if judged.height else None,
        "met_share": count("week_status", "met") / judged.height if judged.height else None,
        **{f"signing_{s}": count("signing_status", s) for s in ("on_time", "late", "blank", "not_due", "no_release")},
        "signing_share": count("signing_status", "on_time") / signing_known if signing_known else None,
        **{f"test_{s}": count("test_status", s) for s in ("positive", "missing", "pending", "negative")},
        "released_early": week_rows.filter(pl.col("released_early").fill_null(False)).height,
        "unknown_duty": week_rows.filter(pl.col("must_report").is_null())["facility_code"].n_unique(),
    }


def by_area(week_rows: pl.DataFrame, level: str) -> pl.DataFrame:
    """Per league or banner/county (`code`, `name`): patients under management and facilities managing
    them, follow-ups judged / met / short / cannot be judged, signing on time / late / no date, tests
    positive / missing. Problem areas first."""
    code, name = LEVELS[level]
    return (week_rows.with_columns(*_problems())
            .group_by(pl.col(code).alias("code"), pl.coalesce(name, code).alias("name"))
            .agg(pl.len().alias("patients"), pl.col("facility_code").n_unique().alias("facilities"),
                 pl.col("week_status").is_in(JUDGED).sum().alias("judged"),
                 (pl.col("week_status") == "met").sum().alias("met"),
                 pl.col("short").sum(),
                 pl.col("week_status").is_in(UNJUDGED).sum().alias("cannot_judge"),
                 (pl.col("signing_status") == "on_time").sum().alias("signing_on_time"),
                 (pl.col("signing_status") == "late").sum().alias("signing_late"),
                 pl.col("signing_overdue").sum(), pl.col("positive").sum(), pl.col("missing_test").sum())
            .with_columns(problems=pl.sum_horizontal(*PROBLEMS))
            .sort(["problems", "code"], descending=[True, False]))


def by_facility(week_rows: pl.DataFrame, lang: str) -> pl.DataFrame:
    """Per facility, ready to show: patients, those missing from this week's list (the facility owes them
    a line every week until their three months end), follow-ups short and cannot be judged, signing, tests."""
    t = lambda key: i18n.t(key, lang)  # noqa: E731
    return (week_rows.with_columns(*_problems())
            .group_by("facility_code", "facility_name", "county_name")
            .agg(pl.len().alias("patients"), (~pl.col("listed_this_week")).sum().alias("not_listed"),
                 pl.col("short").sum(),
                 pl.col("week_status").is_in(UNJUDGED).sum().alias("cannot_judge"),
                 (pl.col("signing_status") == "late").sum().alias("late"), pl.col("signing_overdue").sum(),
                 pl.col("positive").sum(), pl.col("missing_test").sum())
            .with_columns(problems=pl.sum_horizontal(*PROBLEMS))
            .sort(["problems", "facility_code"], descending=[True, False])
            .select(pl.col("facility_name").alias(t("followup.col.facility")),
                    pl.col("county_name").alias(t("followup.col.county")),
                    pl.col("patients").alias(t("followup.col.patients")),
                    pl.col("not_listed").alias(t("followup.col.not_listed")),
                    pl.col("short").alias(t("followup.col.short")),
                    pl.col("cannot_judge").alias(t("followup.col.cannot_judge")),
                    pl.col("late").alias(t("followup.col.signing_late")),
                    pl.col("signing_overdue").alias(t("followup.col.signing_overdue")),
                    pl.col("positive").alias(t("followup.col.positive")),
                    pl.col("missing_test").alias(t("followup.col.missing_test"))))


def short_by_facility(week_rows: pl.DataFrame) -> pl.DataFrame:
    """Facilities with patients short of follow-up this week, most short first (then by code): the
    overview's worst places. Columns: facility_code, facility_name, league_code, county_code, short,
    judged (met + short)."""
    return (week_rows.group_by("facility_code", "facility_name", "league_code", "county_code")
            .agg((pl.col("week_status") == "short").sum().alias("short"),
                 pl.col("week_status").is_in(JUDGED).sum().alias("judged"))
            .filter(pl.col("short") > 0)
            .sort(["short", "facility_code"], descending=[True, False]))


def compliance(week_rows: pl.DataFrame) -> pl.DataFrame:
    """Per category, in the order of the text: patients, owed this week (judged), met, short, cannot be
    judged, contacts owed and made (over the judged)."""
    known = week_rows.filter(pl.col("category").is_not_null())
    per = (known.group_by("category").agg(
        pl.len().alias("patients"),
        pl.col("week_status").is_in(JUDGED).sum().alias("judged"),
        (pl.col("week_status") == "met").sum().alias("met"),
        (pl.col("week_status") == "short").sum().alias("short"),
        pl.col("week_status").is_in(UNJUDGED).sum().alias("cannot_judge"),
        pl.col("owed").filter(pl.col("week_status").is_in(JUDGED)).sum().alias("owed"),
        _made().sum().cast(pl.Int64).alias("made")))
    order = pl.DataFrame({"category": list(CATEGORIES)})
    return order.join(per, on="category", how="left").with_columns(
        pl.col(c).fill_null(0) for c in ("patients", "judged", "met", "short", "cannot_judge", "owed", "made"))


def trend(rows: pl.DataFrame) -> pl.DataFrame:
    """Per week and category: contacts owed and made over the patients judged that week, and how many
    patients were met, short or could not be judged."""
    judged = pl.col("week_status").is_in(JUDGED)
    return (rows.filter(pl.col("category").is_not_null())
            .group_by("week", "category")
            .agg(pl.col("owed").filter(judged).sum().alias("owed"),
                 _made().sum().cast(pl.Int64).alias("made"),
                 (pl.col("week_status") == "met").sum().alias("met"),
                 (pl.col("week_status") == "short").sum().alias("short"),
                 pl.col("week_status").is_in(UNJUDGED).sum().alias("cannot_judge"))
            .sort("week", pl.col("category").replace_strict({c: i for i, c in enumerate(CATEGORIES)})))


def action_list(week_rows: pl.DataFrame, lang: str) -> pl.DataFrame:
    """Patients a facility must act on this week: follow-up short, or signing/file past the week with no
    date. Record number and masked ID only (never a name or an ID in clear)."""
    t = lambda key: i18n.t(key, lang)  # noqa: E731
    reasons = pl.concat_list(
        pl.when(pl.col("week_status") == "short").then(pl.lit(t("followup.reason.short"))),
        pl.when(pl.col("signing_status") == "blank").then(pl.lit(t("followup.reason.signing")))).list.drop_nulls()
    return (week_rows.with_columns(reason=reasons).filter(pl.col("reason").list.len() > 0)
            .sort(["county_code", "facility_code", "record_no"])
            .select(pl.col("facility_name").alias(t("followup.col.facility")),
                    pl.col("record_no").alias(t("followup.col.record_no")),
                    pl.col("id_masked").alias(t("followup.col.id_masked")),
                    pl.col("category").replace_strict(_category_names(lang), default="—").alias(t("followup.col.category")),
                    _shown("owed").alias(t("followup.col.owed")),
                    _shown("span_made").alias(t("followup.col.made")),
                    _shown("signing_deadline").alias(t("followup.col.deadline")),
                    pl.col("reason").list.join("；" if lang == "zh" else "; ").alias(t("followup.col.reason"))))


def tests_list(week_rows: pl.DataFrame, lang: str) -> pl.DataFrame:
    """Patients whose observation tests are positive or missing, or who were released early."""
    t = lambda key: i18n.t(key, lang)  # noqa: E731
    results = {"negative": t("followup.test.negative"), "positive": t("followup.test.positive")}
    status = {s: t(f"followup.test_status.{s}") for s in ("positive", "missing", "pending", "negative")}
    flagged = week_rows.filter(pl.col("test_status").is_in(["positive", "missing"]) | pl.col("released_early").fill_null(False))
    return (flagged.sort([pl.col("test_status") != "positive", "county_code", "facility_code", "record_no"])
            .select(pl.col("facility_name").alias(t("followup.col.facility")),
                    pl.col("record_no").alias(t("followup.col.record_no")),
                    pl.col("id_masked").alias(t("followup.col.id_masked")),
                    pl.col("discharge_date").alias(t("followup.col.discharge")),
                    pl.col("test_day7").replace_strict(results, default=t("followup.test.blank")).alias(t("followup.col.day7")),
                    pl.col("test_day14").replace_strict(results, default=t("followup.test.blank")).alias(t("followup.col.day14")),
                    _shown("release_date").alias(t("followup.col.release")),
                    (pl.col("test_status").replace_strict(status)
                     + pl.when(pl.col("released_early").fill_null(False)).then(pl.lit(t("followup.test.early"))).otherwise(pl.lit("")))
                    .alias(t("followup.col.test_status"))))


def _shown(column: str) -> pl.Expr:
    """A cell of a list shown to people: a blank is '—', never None."""
    return pl.col(column).cast(pl.Utf8).fill_null("—")


def _category_names(lang: str) -> dict[str, str]:
    return {c: i18n.t(f"followup.category.{c}", lang) for c in CATEGORIES}
