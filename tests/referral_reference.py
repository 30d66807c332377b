"""The referral aggregations as the product computed them in polars before they moved into SQL
(queries/referral_*.sql over agg_transfer): an independent reference. Run on one row per referral
(referral_classified) it is the rule counted directly; the tests assert that the SQL views over the
stored aggregate give the same numbers."""
from __future__ import annotations

import polars as pl

from dashboard.metrics.referrals import JUDGED, VERDICTS, shaped_indicators

N = pl.col("referrals")  # referrals a row stands for (1 per row of referral_classified)


def counted(rows: pl.DataFrame) -> pl.DataFrame:
    """The rows with their `referrals` count: as they are from referral_counts, 1 each per referral."""
    return rows if "referrals" in rows.columns else rows.with_columns(pl.lit(1, pl.UInt32).alias("referrals"))


def _n(condition: pl.Expr) -> pl.Expr:
    """Referrals where the condition holds (null counts as not)."""
    return N.filter(condition).sum()


def total(rows: pl.DataFrame) -> int:
    """Referrals in the rows."""
    return int(counted(rows)["referrals"].sum() or 0)


def flows(rows: pl.DataFrame, level: str, places: pl.DataFrame, top: int | None = None) -> pl.DataFrame:
    """Referrals per origin-destination pair. level 'facility' keeps facilities; 'county' merges them
    into banners/counties (the arc joins the mean position of each county's facilities). Each pair
    carries its count, its main direction (the most frequent) and counts per direction; the top
    pairs by volume when top is given. Referrals within one county vanish at county level (no arc)."""
    key = {"facility": ("from_code", "to_code"), "county": ("from_county", "to_county")}[level]
    kept = counted(rows).filter(pl.col(key[0]).is_not_null() & pl.col(key[1]).is_not_null() & (pl.col(key[0]) != pl.col(key[1])))
    # the main direction: the most frequent; on a tie the first in sort order (a blank first)
    main = (kept.group_by(key[0], key[1], "direction").agg(N.sum().alias("n"))
            .sort([key[0], key[1], "n", "direction"], descending=[False, False, True, False], nulls_last=False)
            .unique([key[0], key[1]], keep="first", maintain_order=True))
    pairs = (kept.group_by(key[0], key[1])
             .agg(N.sum().alias("referrals"),
                  _n(pl.col("direction") == "up").alias("up"),
                  _n(pl.col("direction") == "down").alias("down"),
                  _n(pl.col("direction") == "lateral").alias("lateral"),
                  _n(pl.col("status") == "refused").alias("refused"))
             .join(main.select(key[0], key[1], "direction"), on=[key[0], key[1]], nulls_equal=True)
             .rename({key[0]: "from", key[1]: "to"}))
    positions = places.select("code", "name", "lat", "lon")
    pairs = (pairs.join(positions.rename({"code": "from", "name": "from_name", "lat": "from_lat", "lon": "from_lon"}), on="from")
             .join(positions.rename({"code": "to", "name": "to_name", "lat": "to_lat", "lon": "to_lon"}), on="to")
             .sort(["referrals", "from", "to"], descending=[True, False, False]))
    return pairs.head(top) if top else pairs


def places(facilities: pl.DataFrame, level: str) -> pl.DataFrame:
    """Where flows start and end: facilities as they are, or counties at the mean of their facilities."""
    if level == "facility":
        return facilities.select(pl.col("facility_code").alias("code"), pl.col("facility_name").alias("name"), "lat", "lon")
    return (facilities.group_by(pl.col("county_code").alias("code"))
            .agg(pl.col("county_name").first().alias("name"), pl.col("lat").mean(), pl.col("lon").mean()))


def tier_matrix(rows: pl.DataFrame) -> pl.DataFrame:
    """Referrals per (from tier, to tier)."""
    return (counted(rows).filter(pl.col("from_tier").is_not_null() & pl.col("to_tier").is_not_null())
            .group_by("from_tier", "to_tier").agg(N.sum().alias("referrals"))
            .sort("from_tier", "to_tier"))




def compliance(rows: pl.DataFrame, *keys: str) -> pl.DataFrame:
    """Assessed referrals per group: how many of each verdict, how many could be judged, and the share
    of the judged ones that went where the policy sends them (null when none could be judged)."""
    assessed = counted(rows).filter(pl.col("compliance") != "not_assessed")
    grouped = assessed.group_by(*keys) if keys else assessed.with_columns(pl.lit(1).alias("_all")).group_by("_all")
    return (grouped.agg(N.sum().alias("assessed"), *[_n(pl.col("compliance") == v).alias(v) for v in VERDICTS])
            .with_columns((pl.col("assessed") - pl.col("cannot_judge")).alias("judged"))
            .with_columns(pl.when(pl.col("judged") > 0).then(pl.col("as_expected") / pl.col("judged")).alias("compliance_rate"))
            .sort("compliance_rate", "judged", descending=[False, True], nulls_last=True))


def compliance_cases(rows: pl.DataFrame) -> pl.DataFrame:
    """Assessed referrals per (case of §二(五), severity, main problem, expected tier, tier reached, verdict,
    the blank that stopped the judgement)."""
    return (counted(rows).filter(pl.col("compliance") != "not_assessed")
            .group_by("policy_case", "severity", "main_problem", "expected_tier", "to_tier", "compliance", "unjudged_reason")
            .agg(N.sum().alias("referrals")).sort("referrals", descending=True))


def unjudged(rows: pl.DataFrame) -> pl.DataFrame:
    """Why referrals could not be judged: the blank column (or the text's silence), most frequent first."""
    return (counted(rows).filter(pl.col("compliance") == "cannot_judge").group_by("unjudged_reason")
            .agg(N.sum().alias("referrals")).sort("referrals", "unjudged_reason", descending=[True, False]))


def reception(rows: pl.DataFrame) -> pl.DataFrame:
    """Per receiving facility: referrals received, refused, accepted upward within the reception
    window, pending too long."""
    return (counted(rows).group_by("to_code", "to_name", "to_tier", "to_county_name")
            .agg(N.sum().alias("referrals"),
                 _n(pl.col("status") == "refused").alias("refused"),
                 _n(pl.col("status") == "pending").alias("pending"),
                 _n(pl.col("pending_too_long")).alias("pending_too_long"),
                 _n(pl.col("received_in_time").is_not_null()).alias("upward_accepted"),
                 _n(pl.col("received_in_time")).alias("received_in_time"))
            .with_columns((pl.col("refused") / pl.col("referrals")).alias("refused_share"),
                          pl.when(pl.col("upward_accepted") > 0)
                          .then(pl.col("received_in_time") / pl.col("upward_accepted")).alias("in_time_share"))
            .sort(["refused", "pending_too_long", "to_code"], descending=[True, True, False]))


def indicators(rows: pl.DataFrame, reported: bool = True) -> dict:
    """Headline numbers. Upward share = upward referrals from primary care / (upward + downward)
    (MC-PLAN §1.2: of two-way referrals, upward from primary care at least 60%). The first-visit
    rate and the two-way referral rate are per consortium: dashboard/metrics/scorecard.py.
    reported: whether a transfer log was loaded for the weeks asked about; without one every figure is
    unknown (None), never 0 referrals."""
    n = counted(rows).select(
        N.sum().alias("referrals"),
        _n((pl.col("direction") == "up") & (pl.col("from_tier") == "primary")).alias("up_primary"),
        _n(pl.col("direction") == "up").alias("up"), _n(pl.col("direction") == "down").alias("down"),
        _n(pl.col("direction") == "lateral").alias("lateral"),
        _n(pl.col("received_in_time").is_not_null()).alias("accepted_up"), _n(pl.col("received_in_time")).alias("in_time"),
        _n(pl.col("compliance").is_in(JUDGED)).alias("judged"), _n(pl.col("compliance") == "as_expected").alias("as_expected"),
        _n(pl.col("status") == "refused").alias("refused"), _n(pl.col("pending_too_long")).alias("pending_too_long"),
        _n(pl.col("compliance") == "cannot_judge").alias("cannot_judge"),
        _n(pl.col("direction_disagrees")).alias("direction_disagrees"),
    ).row(0, named=True)
    return shaped_indicators(n, reported)  # the counts are this file's own; the shares are the product's


def narrow(rows: pl.DataFrame, tier_pair: tuple[str, str] | None, severities: list[str], statuses: list[str]) -> pl.DataFrame:
    """The page's filters: one (from tier, to tier) pair or all, severities and statuses (empty = all)."""
    out = rows
    if tier_pair:
        out = out.filter((pl.col("from_tier") == tier_pair[0]) & (pl.col("to_tier") == tier_pair[1]))
    if severities:
        out = out.filter(pl.col("severity").is_in(severities))
    if statuses:
        out = out.filter(pl.col("status").is_in(statuses))
    return out


