"""Referral flows: the views of the classified referrals (queries/referral_classified.sql, stored
counted in agg_transfer) that the referral page, the overview and the briefing read: indicators,
flows between places, the tier matrix, destination compliance, its cases, and reception. Each view
is grouped in the database (queries/referral_*.sql, over the shared macro referral_selected) with
the weeks, the area and the page's filters as parameters, so it returns at most a few hundred rows
however many transfers a week holds; the functions here only shape those rows.

`run` is how a query is run: the page's cached `dashboard.ui.query`, or `queries.run` bound to a
connection; `sel` is the parameters of `selection`."""
from __future__ import annotations

import datetime as dt
from typing import Callable

import polars as pl

from dashboard import i18n, policy
from dashboard.metrics.tables import readable

TIERS = ("primary", "sub_designated", "designated", "lead", "partner")
Runner = Callable[..., pl.DataFrame]


def params() -> dict:
    return policy.params("referral.upward_reception_hours", "referral.pending_too_long_hours", "referral.advanced_age_from")


def selection(area: dict, week_from: dt.date, week_to: dt.date, tier_pair: tuple[str, str] | None = None,
              severities=(), statuses=()) -> dict:
    """The parameters every referral view takes: weeks, area (league, county, consortium; extra keys of
    `area` are ignored), and the page's filters: one (from tier, to tier) pair or None for all,
    severities and statuses (empty: all). Tuples, so a selection can key a cache."""
    return {"week_from": week_from, "week_to": week_to, "league_code": area.get("league_code"),
            "county_code": area.get("county_code"), "consortium": area.get("consortium"),
            "from_tier": tier_pair[0] if tier_pair else None, "to_tier": tier_pair[1] if tier_pair else None,
            "severities": tuple(severities), "statuses": tuple(statuses)}


def unfiltered(sel: dict) -> dict:
    """The same weeks and area without the page's filters (the filters' own choices read this)."""
    return sel | {"from_tier": None, "to_tier": None, "severities": (), "statuses": ()}


# The pairs the origin-destination matrix beside the map reads (dashboard/figures/referrals.od_matrix):
# the places of the MATRIX_FLOWS largest flows, and every flow between them.
MATRIX_FLOWS = 24


def flows(run: Runner, sel: dict, level: str, top: int) -> pl.DataFrame:
    """Referrals per origin-destination pair (queries/referral_flows.sql): level 'facility' keeps
    facilities; 'county' merges them into banners/counties (the arc joins the mean position of each
    county's facilities). The `top` largest pairs first (at least MATRIX_FLOWS, with the matrix's
    cells after them); `pair_count` says how many pairs there are in all."""
    return run("referral_flows", **sel, level=level, top=top, matrix_flows=MATRIX_FLOWS)


def pair_count(pairs: pl.DataFrame) -> int:
    """How many origin-destination pairs there are in all (the rows of `flows` are only the largest)."""
    return int(pairs["pairs"][0]) if pairs.height else 0


def tier_matrix(run: Runner, sel: dict) -> pl.DataFrame:
    """Referrals per (from tier, to tier)."""
    return run("referral_tier_matrix", **sel)


# The verdicts of queries/referral_classified.sql on an assessed referral (upward, sent by primary
# care). 'cannot_judge' is counted apart: it is in neither the rate's numerator nor its denominator.
JUDGED = ("as_expected", "other_consortium", "above", "below", "should_stay_home")
VERDICTS = (*JUDGED, "cannot_judge")
UNJUDGED_REASONS = ("haemodialysis", "main_problem", "beyond_capacity", "underlying_disease", "patient_age",
                    "lead_grade", "lead_insufficient", "text_silent")


def compliance(run: Runner, sel: dict, by: str) -> pl.DataFrame:
    """Assessed referrals per sender (queries/referral_compliance.sql): by 'from_code' (with each
    sender's name, league and county), 'from_name' or 'from_consortium'; how many of each verdict, how
    many could be judged, and the share of the judged ones that went where the policy sends them (null
    when none could be judged). The group is in the column named `by`."""
    rows = run("referral_compliance", **sel, by=by)
    sender = ["from_name", "from_league", "from_county"]
    return rows.rename({"grp": by}) if by == "from_code" else rows.drop(sender).rename({"grp": by})


def compliance_cases(run: Runner, sel: dict) -> pl.DataFrame:
    """Assessed referrals per (case of §二(五), severity, main problem, expected tier, tier reached, verdict,
    the blank that stopped the judgement): queries/referral_cases.sql."""
    return run("referral_cases", **sel)


def unjudged(cases: pl.DataFrame) -> pl.DataFrame:
    """Why referrals could not be judged (from the rows of `compliance_cases`): the blank column (or
    the text's silence), most frequent first."""
    return (cases.filter(pl.col("compliance") == "cannot_judge").group_by("unjudged_reason")
            .agg(pl.col("referrals").sum()).sort("referrals", "unjudged_reason", descending=[True, False]))


def reception(run: Runner, sel: dict) -> pl.DataFrame:
    """Per receiving facility: referrals received, refused, accepted upward within the reception
    window, pending too long (queries/referral_reception.sql)."""
    return run("referral_reception", **sel)


def indicators(run: Runner, sel: dict, reported: bool = True) -> dict:
    """Headline numbers (queries/referral_indicators.sql). Upward share = upward referrals from primary
    care / (upward + downward) (MC-PLAN §1.2: of two-way referrals, upward from primary care at least
    60%). The first-visit rate and the two-way referral rate are per consortium:
    dashboard/metrics/scorecard.py. reported: whether a transfer log was loaded for the weeks asked
    about; without one every figure is unknown (None), never 0 referrals."""
    return shaped_indicators(run("referral_indicators", **sel).row(0, named=True), reported)


def shaped_indicators(counts: dict, reported: bool = True) -> dict:
    """The headline numbers from referral_indicators' counts: the shares, None where their base is 0
    (a share of nothing is unknown), and every figure None when no transfer log was loaded."""
    n = {k: int(x or 0) for k, x in counts.items()}
    up, down, judged = n["up"], n["down"], n["judged"]
    out = {
        "referrals": n["referrals"], "up": up, "down": down, "lateral": n["lateral"],
        "upward_share": n["up_primary"] / (up + down) if up + down else None,
        "refused": n["refused"],
        "pending_too_long": n["pending_too_long"],
        "in_time_share": n["in_time"] / n["accepted_up"] if n["accepted_up"] else None,
        "compliance_rate": n["as_expected"] / judged if judged else None,
        "judged": judged, "cannot_judge": n["cannot_judge"],
        "direction_disagrees": n["direction_disagrees"],
    }
    return out if reported else dict.fromkeys(out)


def logged(run, week_from, week_to) -> bool:
    """Whether a transfer log was loaded for any week from week_from to week_to."""
    return any(week_from <= w <= week_to for w in run("dataset_weeks", dataset="transfer")["week"].to_list())


# The page's pieces: each returns what the page places (tables already in the interface's language,
# shares as '12.3%', blanks as '—').

def tier_pairs(matrix: pl.DataFrame) -> list[tuple[str, str] | None]:
    """The tier-pair filter's choices (from the unfiltered `tier_matrix`): None (all), then each
    (from tier, to tier) that occurs."""
    return [None, *matrix.select("from_tier", "to_tier").iter_rows()]


def flows_table(pairs: pl.DataFrame, lang: str) -> pl.DataFrame:
    """Rows of `flows` as the page lists them."""
    t = lambda key: i18n.t(key, lang)  # noqa: E731
    return readable(pairs.select(
        pl.col("from_name").alias(t("referrals.col.from")), pl.col("to_name").alias(t("referrals.col.to")),
        pl.col("referrals").alias(t("referrals.col.referrals")),
        pl.col("direction").replace_strict({d: i18n.value("direction", d, lang) for d in ("up", "down", "lateral")},
                                           default=None).alias(t("referrals.col.direction")),
        pl.col("refused").alias(t("referrals.col.refused")),
    ), lang)


def main_unjudged(cases: pl.DataFrame, lang: str, n: int = 3) -> str:
    """The n most frequent reasons a referral could not be judged, with their counts, in words:
    '主要问题未填 3、年龄未填 1'."""
    from dashboard import formatting as fmt

    return i18n.t("app.list_separator", lang).join(
        f"{i18n.t('referrals.unjudged.' + reason, lang)} {fmt.num(n_, lang)}" for reason, n_ in unjudged(cases).head(n).iter_rows())


COMPLIANCE_BY = {"sender": "from_name", "consortium": "from_consortium"}


def compliance_by(run: Runner, sel: dict, by: str) -> tuple[pl.DataFrame, str]:
    """`compliance` per sending facility or per sending consortium, and the column naming the group."""
    label = COMPLIANCE_BY[by]
    return compliance(run, sel, label), label


def cases_table(cases: pl.DataFrame, lang: str) -> pl.DataFrame:
    """The rows of `compliance_cases` as the page lists them: codes in words, a blank as '—'."""
    t = lambda key: i18n.t(key, lang)  # noqa: E731
    v = lambda group, values: {x: i18n.value(group, x, lang) for x in values if x is not None}  # noqa: E731
    expected = {x: t("referrals.compliance.should_stay_home") if x == "home" else i18n.value("tier", x, lang)
                for x in cases["expected_tier"].unique().drop_nulls()}
    return readable(cases.select(
        pl.col("severity").replace_strict(v("severity", cases["severity"].unique()), default=None).alias(t("referrals.col.severity")),
        pl.col("main_problem").replace_strict(v("main_problem", cases["main_problem"].unique()), default=None)
        .alias(t("referrals.col.main_problem")),
        pl.col("policy_case").alias(t("referrals.col.case")),
        pl.col("expected_tier").replace_strict(expected, default=None).alias(t("referrals.col.expected")),
        pl.col("to_tier").replace_strict(v("tier", cases["to_tier"].unique()), default=None).alias(t("referrals.col.reached")),
        pl.col("compliance").replace_strict({c: t(f"referrals.compliance.{c}") for c in VERDICTS}, default=None)
        .alias(t("referrals.col.rate")),
        pl.col("unjudged_reason").replace_strict({r: t(f"referrals.unjudged.{r}") for r in UNJUDGED_REASONS}, default=None)
        .fill_null("").alias(t("referrals.col.unjudged_reason")),
        pl.col("referrals").alias(t("referrals.col.referrals")),
    ), lang)


def reception_table(received: pl.DataFrame, lang: str) -> pl.DataFrame:
    """Rows of `reception` as the page lists them (in-time share as '12.3%', '—' with no upward accepted)."""
    t = lambda key: i18n.t(key, lang)  # noqa: E731
    return readable(received.select(
        pl.col("to_name").alias(t("referrals.col.facility")),
        pl.col("to_tier").replace_strict({s: i18n.value("tier", s, lang) for s in TIERS}, default=None).alias(t("referrals.col.tier")),
        pl.col("to_county_name").alias(t("referrals.col.county")),
        pl.col("referrals").alias(t("referrals.col.referrals")),
        pl.col("refused").alias(t("referrals.col.refused")),
        pl.col("pending_too_long").alias(t("referrals.col.pending_too_long")),
        pl.col("in_time_share").alias(t("referrals.col.in_time")),
    ), lang, percent=[t("referrals.col.in_time")])
