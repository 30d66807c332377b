"""Stock against the 15-20% target: query parameters for a chosen share and cover, and roll-ups of
the per-facility rows of queries/stock_by_facility.sql."""
from __future__ import annotations

import polars as pl

from dashboard import policy

ITEMS = ("antigen", "antipyretic", "cough", "tcm")
LEVELS = {"county": ("county_code", "county_name"), "league": ("league_code", "league_name"),
          "consortium": ("consortium", "consortium")}
LEVELS_SHOWN = ["county", "league", "consortium"]


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
                 # stock set against the target only where there is one (a facility with no population has none)
                 pl.col("on_hand").filter(pl.col("target").is_not_null()).sum().alias("on_hand"),
                 pl.col("used").sum(), pl.col("shortfall").sum(),
                 (pl.col("status") == "below_low").sum().alias("below_low"),
                 (pl.col("status") == "between").sum().alias("between"),
                 (pl.col("status") == "met").sum().alias("met"),
                 (pl.col("cover_status") == "short").sum().alias("cover_short"),
                 (pl.col("cover_status") == "no_use").sum().alias("no_use"))
            # the share of the target held where it is needed: one facility's surplus does not cover
            # another's gap, so the share agrees with the shortfall beside it (it is 1 exactly when the
            # shortfall is 0), never "109% of target" next to a shortfall
            .with_columns(pl.when(pl.col("target") > 0).then((pl.col("target") - pl.col("shortfall")) / pl.col("target"))
                          .alias("share_of_target")))


def rollup(rows: pl.DataFrame, level: str, names: pl.DataFrame | None = None) -> pl.DataFrame:
    """Per area and item: targets and stock of the facilities that reported, their shortfall (summed
    per facility: one facility's surplus does not cover another's gap), and the facilities that did not report.
    With `names` (adcode, name_en: queries/area_census_names.sql), areas are named in English where
    the census has an English name."""
    code, name = LEVELS[level]
    out = _summary(rows.with_columns(pl.col(code).alias("code"), pl.col(name).alias("name")), "code", "name", "item") \
        .sort(["item", "share_of_target", "code"], nulls_last=True)
    if names is not None and level != "consortium":
        english = names.select(pl.col("adcode").alias("code"), "name_en")
        out = out.join(english, on="code", how="left", maintain_order="left") \
            .with_columns(pl.coalesce("name_en", "name").alias("name")).drop("name_en")
    return out


def totals(rows: pl.DataFrame) -> pl.DataFrame:
    """Per item, for the whole selection."""
    return _summary(rows, "item").sort(pl.col("item").replace_strict({k: i for i, k in enumerate(ITEMS)}))


def trend(history: pl.DataFrame, until=None) -> pl.DataFrame:
    """Per week and item (up to the week `until`, when given): stock as a share of target, and
    facilities below the low end."""
    if until is not None:
        history = history.filter(pl.col("week") <= until)
    return _summary(history, "week", "item").sort("week", "item")


def needs_action(rows: pl.DataFrame, only_action: bool = True) -> pl.DataFrame:
    """The procurement list: facility-items short of the chosen target, under the minimum cover, or
    not reported; the furthest below target first, then the ones whose cover is short, then the
    ones that did not report (their need is unknown). With only_action=False, every facility-item."""
    if only_action:
        rows = rows.filter((pl.col("shortfall") > 0) | pl.col("cover_status").is_in(["missing", "short"]))
    return rows.sort([pl.col("status") == "missing", "share_of_target", "facility_code", "item_order"],
                     nulls_last=True)


def equipment_totals(equipment: pl.DataFrame) -> dict[str, int]:
    """Facilities short of each minimum, and those whose count is unknown (not reported)."""
    return {f"{what}_{status}": int((equipment[f"{what}_status"] == status).sum())
            for what in ("oximeter", "ambulance") for status in ("short", "missing", "ok")}


def facility_choices(rows: pl.DataFrame) -> dict[str, str]:
    """Facility code -> 'name · banner/county', the facilities furthest below target (any item) first,
    those that did not report last."""
    worst = (rows.group_by("facility_code", "facility_name", "county_name")
             .agg(pl.col("share_of_target").min().alias("worst"))
             .sort(["worst", "facility_code"], nulls_last=True))
    labels = worst.select(pl.format("{} · {}", "facility_name", pl.col("county_name").fill_null("—"))).to_series()
    return dict(zip(worst["facility_code"].to_list(), labels.to_list()))


def facility_detail(rows: pl.DataFrame, facility_code: str) -> pl.DataFrame:
    """One facility's four items."""
    return rows.filter(pl.col("facility_code") == facility_code).sort("item_order")
