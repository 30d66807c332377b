"""Data quality, as tables ready to show: the load log, a load's findings, missing reports, facilities
placed outside their county, duplicates. Column headers are translated here so pages only place them.
Datasets are named by their contracts, so a new dataset shows up without an edit."""
from __future__ import annotations

import polars as pl

from dashboard.metrics import geography

from dashboard import i18n

OUTCOMES = ("accepted", "rejected", "dry_run")
SEVERITIES = ("error", "warning")


def _names(group: str, stored, lang: str) -> dict[str, str]:
    return {x: i18n.value(group, x, lang) for x in stored if x is not None}


def load_log(history: pl.DataFrame, lang: str) -> pl.DataFrame:
    """queries/load_history.sql, for reading: dataset and outcome named, times to the minute. A day-grain
    load shows its day in the week column."""
    t = lambda key: i18n.t(key, lang)  # noqa: E731
    return history.select(
        pl.col("load_id").alias("#"),
        pl.col("loaded_at").dt.strftime("%Y-%m-%d %H:%M").alias(t("data.quality.col.loaded_at")),
        pl.col("user_name").alias(t("data.quality.col.user")),
        pl.col("dataset").replace_strict(_names("dataset", history["dataset"].unique(), lang), default="?")
        .alias(t("data.quality.col.dataset")),
        pl.coalesce(pl.col("day").dt.strftime("%Y-%m-%d"), pl.col("week").dt.strftime("%G-W%V"))
        .alias(t("data.quality.col.week")),
        pl.col("file_name").alias(t("data.quality.col.file")),
        pl.col("rows").alias(t("data.quality.col.rows")),
        pl.col("outcome").replace_strict(_names("outcome", OUTCOMES, lang)).alias(t("data.quality.col.outcome")),
        pl.col("errors").alias(t("data.quality.col.errors")),
        pl.col("warnings").alias(t("data.quality.col.warnings")),
    )


def rejected_loads(history: pl.DataFrame) -> dict[int, str]:
    """load id -> '#12 · file.csv · 2022-12-19 08:30' for the rejected attempts, newest first."""
    rejected = history.filter(pl.col("outcome") == "rejected")
    return {r["load_id"]: f"#{r['load_id']} · {r['file_name']} · {r['loaded_at']:%Y-%m-%d %H:%M}"
            for r in rejected.iter_rows(named=True)}


def findings(rows: pl.DataFrame, lang: str) -> pl.DataFrame:
    """The recorded errors and warnings of one load (queries/load_findings.sql), in the reader's language."""
    t = lambda key: i18n.t(key, lang)  # noqa: E731
    return rows.select(
        pl.col("severity").replace_strict(_names("severity_level", SEVERITIES, lang)).alias(t("data.quality.col.outcome")),
        pl.col("row_no").alias(t("data.col.row")),
        pl.col("column_name").alias(t("data.col.column")),
        pl.col("message_zh" if lang == "zh" else "message_en").alias(t("data.col.message")),
        pl.col("occurrences").alias(t("data.col.occurrences")),
    )


def result_findings(findings_list, severity: str, lang: str) -> pl.DataFrame:
    """The findings of a load attempt still in hand (loading.LoadResult.findings), one severity."""
    rows = [f for f in findings_list if f.severity == severity]
    t = lambda key: i18n.t(key, lang)  # noqa: E731
    return pl.DataFrame({
        t("data.col.row"): [f.row for f in rows],
        t("data.col.column"): [f.column or "" for f in rows],
        t("data.col.message"): [f.message(lang) for f in rows],
        t("data.col.occurrences"): [f.occurrences for f in rows],
    }, schema_overrides={t("data.col.row"): pl.Int64})


def still_missing(gaps: pl.DataFrame, loading: tuple[str, ...]) -> pl.DataFrame:
    """reporting_gaps rows less those of datasets still loading for the week (the demo's first start):
    a report not in yet is "loading", never "not reported"."""
    return gaps.filter(~pl.col("dataset").is_in(list(loading)))


def missing_reports(gaps: pl.DataFrame, lang: str) -> pl.DataFrame:
    """queries/reporting_gaps.sql for reading: every dataset a facility owes and did not send. A day-grain
    dataset names the day judged; a facility whose duty cannot be told says so."""
    t = lambda key: i18n.t(key, lang)  # noqa: E731
    return gaps.select(
        pl.col("dataset").replace_strict(_names("dataset", gaps["dataset"].unique(), lang), default="?")
        .alias(t("data.quality.col.dataset")),
        pl.col("day").dt.strftime("%Y-%m-%d").fill_null("").alias(t("data.quality.col.day")),
        pl.when(pl.col("must_report").is_null()).then(pl.lit(t("data.quality.duty_unknown")))
        .otherwise(pl.lit(t("data.quality.duty_owed"))).alias(t("data.quality.col.duty")),
        pl.col("facility_code").alias(t("data.quality.col.code")),
        pl.col("facility_name").alias(t("data.quality.col.facility")),
        pl.col("tier").replace_strict(_names("tier", gaps["tier"].unique(), lang), default="—").alias(t("data.quality.col.tier")),
        pl.col("consortium").alias(t("app.sidebar.consortium")),
    )


def out_of_area(located: pl.DataFrame, lang: str) -> pl.DataFrame:
    """Facilities whose coordinates fall outside the county they are registered in."""
    t = lambda key: i18n.t(key, lang)  # noqa: E731
    outside = located.filter(~geography.points_in_counties(located["county_code"], located["lon"], located["lat"]))
    return outside.select(
        pl.col("facility_code").alias(t("data.quality.col.code")),
        pl.col("facility_name").alias(t("data.quality.col.facility")),
        pl.col("county_code").alias(t("data.quality.col.county")),
        pl.col("lon").alias(t("data.quality.col.lon")),
        pl.col("lat").alias(t("data.quality.col.lat")),
    )


def duplicates(rows: pl.DataFrame, lang: str) -> pl.DataFrame:
    t = lambda key: i18n.t(key, lang)  # noqa: E731
    return rows.select(
        pl.col("reason").replace_strict({r: t(f"data.quality.reason.{r}") for r in ("same_name", "same_place")})
        .alias(t("data.quality.col.reason")),
        pl.col("facility_code").alias(t("data.quality.col.code")),
        pl.col("facility_name").alias(t("data.quality.col.facility")),
        pl.col("county_code").alias(t("data.quality.col.county")),
    )
