"""Stock against the 15-20% target: query parameters for a chosen share and cover, and roll-ups of
the per-facility rows of queries/stock_by_facility.sql."""
from __future__ import annotations

import polars as pl

from dashboard import policy

ITEMS = ("antigen", "antipyretic", "cough", "tcm")
LEVELS = {"county": ("county_code", "county_name"), "league": ("league_code", "league_name"),
          "consortium": ("consortium", "consortium")}


def params(share: float | None = None, cover_days: float | None = None) -> dict:
    """Parameters of the stock queries; the page's sliders override the policy's target share and cover."""
    low, high = policy.policy_range("stock.population_share")
    out = policy.params("stock.min_cover_days", "stock.min_oximeters", "stock.min_ambulances_120")
    if cover_days is not None:
        out["stock_min_cover_days"] = cover_days
    return out | {"share": policy.value("stock.population_share") if share is None else share,
                  "share_low": low, "share_high": high}


def _summary(frame: pl.DataFrame, *keys) -> pl.DataFrame:
    return (frame.group_by(*keys)
            .agg(pl.col("facility_code").n_unique().alias("facilities"),
                 pl.col("facility_code").filter(~pl.col("reported")).n_unique().alias("missing"),
                 pl.col("target").filter(pl.col("reported")).sum().alias("target"),
                 pl.col("on_hand").sum(), pl.col("used").sum(), pl.col("shortfall").sum(),
                 (pl.col("status") == "below_low").sum().alias("below_low"),
                 (pl.col("status") == "between").sum().alias("between"),
                 (pl.col("status") == "met").sum().alias("met"),
                 (pl.col("cover_status") == "short").sum().alias("cover_short"),
                 (pl.col("cover_status") == "no_use").sum().alias("no_use"))
            .with_columns(pl.when(pl.col("target") > 0).then(pl.col("on_hand") / pl.col("target")).alias("share_of_target")))


def rollup(rows: pl.DataFrame, level: str) -> pl.DataFrame:
    """Per area and item: targets and stock of the facilities that reported, their shortfall (summed
    per facility: one facility's surplus does not cover another's gap), and the facilities that did not report."""
    code, name = LEVELS[level]
    return _summary(rows.with_columns(pl.col(code).alias("code"), pl.col(name).alias("name")), "code", "name", "item") \
        .sort(["item", "share_of_target", "code"], nulls_last=True)


def totals(rows: pl.DataFrame) -> pl.DataFrame:
    """Per item, for the whole selection."""
    return _summary(rows, "item").sort(pl.col("item").replace_strict({k: i for i, k in enumerate(ITEMS)}))


def trend(history: pl.DataFrame) -> pl.DataFrame:
    """Per week and item: stock as a share of target, and facilities below the low end."""
    return _summary(history, "week", "item").sort("week", "item")
