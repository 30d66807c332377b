"""Stock against the 15-20% target: query parameters for a chosen share and cover, and roll-ups of
the per-facility rows of queries/stock_by_facility.sql."""
from __future__ import annotations

import datetime as dt

import polars as pl

from dashboard import formatting as fmt
from dashboard import i18n, policy
from dashboard.metrics import geography
from dashboard.metrics.tables import readable

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


def rollup(rows: pl.DataFrame, level: str) -> pl.DataFrame:
    """Per area and item: targets and stock of the facilities that reported, their shortfall (summed
    per facility: one facility's surplus does not cover another's gap), and the facilities that did not report."""
    code, name = LEVELS[level]
    return _summary(rows.with_columns(pl.col(code).alias("code"), pl.col(name).alias("name")), "code", "name", "item") \
        .sort(["item", "share_of_target", "code"], nulls_last=True)


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


# The page's pieces: each returns what the page places (tables already in the interface's language,
# shares as '12.3%', days with one decimal, blanks as '—').

STATUSES = ("missing", "no_population", "below_low", "between", "met")
COVER_STATUSES = ("missing", "use_missing", "no_use", "short", "ok")
EQUIPMENT_STATUSES = ("missing", "short", "ok")


def _words(lang: str, share: float) -> dict:
    """Headers and status words, the target's share and range written in."""
    low, high = policy.policy_range("stock.population_share")
    t = lambda key, **kw: i18n.t(key, lang, **kw)  # noqa: E731
    p = lambda x: fmt.pct(x, lang, 0)  # noqa: E731
    return {
        "items": {i: t(f"stock.items.{i}") for i in ITEMS},
        "status": {s: t(f"stock.status.{s}", low=p(low), high=p(high)) for s in STATUSES},
        "cover": {s: t(f"stock.cover_status.{s}") for s in COVER_STATUSES},
        "target_low": t("stock.col.target_low", low=p(low)), "target_high": t("stock.col.target_high", high=p(high)),
        "target": t("stock.col.target", share=p(share)),
    }


def _item_columns(w: dict, lang: str) -> list[pl.Expr]:
    t = lambda key: i18n.t(key, lang)  # noqa: E731
    return [
        pl.col("target_low").alias(w["target_low"]),
        pl.col("target_high").alias(w["target_high"]),
        pl.col("target").alias(w["target"]),
        pl.col("on_hand").alias(t("stock.col.on_hand")),
        pl.col("used").alias(t("stock.col.used")),
        pl.col("shortfall").alias(t("stock.col.shortfall")),
    ]


def action_table(rows: pl.DataFrame, only_action: bool, share: float, lang: str, shown: bool = True) -> pl.DataFrame:
    """`needs_action` as the page lists it; with shown=False, the numbers left as numbers (for the
    CSV/XLSX download)."""
    w, t = _words(lang, share), (lambda key: i18n.t(key, lang))
    table = needs_action(rows, only_action).select(
        pl.col("facility_name").alias(t("stock.col.facility")),
        pl.col("county_name").alias(t("stock.col.county")),
        pl.col("consortium").alias(t("stock.col.consortium")),
        pl.col("item").replace_strict(w["items"], default=None).alias(t("stock.col.item")),
        pl.col("service_population").alias(t("stock.col.population")),
        *_item_columns(w, lang),
        pl.col("share_of_target").alias(t("stock.col.share")),
        pl.col("cover_days").alias(t("stock.col.cover_days")),
        pl.col("cover_status").replace_strict(w["cover"], default=None).alias(t("stock.col.cover_status")),
        pl.col("status").replace_strict(w["status"], default=None).alias(t("stock.col.status")),
    )
    return readable(table, lang, percent=[t("stock.col.share")], decimals={t("stock.col.cover_days"): 1}) if shown else table


def detail_table(rows: pl.DataFrame, facility_code: str, share: float, lang: str) -> pl.DataFrame:
    """One facility's four items (`facility_detail`) as the page lists them."""
    w, t = _words(lang, share), (lambda key: i18n.t(key, lang))
    return readable(facility_detail(rows, facility_code).select(
        pl.col("item").replace_strict(w["items"], default=None).alias(t("stock.col.item")),
        *_item_columns(w, lang),
        pl.col("cover_days").alias(t("stock.col.cover_days")),
        pl.col("cover_status").replace_strict(w["cover"], default=None).alias(t("stock.col.cover_status")),
        pl.col("status").replace_strict(w["status"], default=None).alias(t("stock.col.status")),
    ), lang, decimals={t("stock.col.cover_days"): 1})


def areas_table(rows: pl.DataFrame, level: str, item: str, share: float, cover_days: float, lang: str) -> pl.DataFrame:
    """`rollup` of one item as the page lists it, areas named in the interface's language (a
    consortium's name is data, kept as given)."""
    low, _ = policy.policy_range("stock.population_share")
    w, t = _words(lang, share), (lambda key, **kw: i18n.t(key, lang, **kw))
    rolled = rollup(rows, level) if level == "consortium" else geography.in_language(rollup(rows, level), lang)
    return readable(rolled.filter(pl.col("item") == item).select(
        pl.col("name").fill_null(pl.col("code")).alias(t("stock.col.area")),
        pl.col("facilities").alias(t("stock.col.facilities")),
        pl.col("missing").alias(t("stock.col.missing")),
        pl.col("target").alias(w["target"]),
        pl.col("on_hand").alias(t("stock.col.on_hand")),
        pl.col("shortfall").alias(t("stock.col.shortfall")),
        pl.col("share_of_target").alias(t("stock.col.share")),
        pl.col("below_low").alias(t("stock.col.below_low", low=fmt.pct(low, lang, 0))),
        pl.col("cover_short").alias(t("stock.col.cover_short", days=cover_days)),
    ), lang, percent=[t("stock.col.share")])


def equipment_table(equipment: pl.DataFrame, lang: str) -> pl.DataFrame:
    """Oximeters and 120 ambulances per facility (rows of queries/stock_equipment.sql)."""
    t = lambda key: i18n.t(key, lang)  # noqa: E731
    words = {s: t(f"stock.equipment_status.{s}") for s in EQUIPMENT_STATUSES}
    return readable(equipment.select(
        pl.col("facility_name").alias(t("stock.col.facility")),
        pl.col("county_name").alias(t("stock.col.county")),
        pl.col("oximeters").alias(t("stock.col.oximeters_n")),
        pl.col("oximeter_status").replace_strict(words, default=None).alias(t("stock.col.oximeter_status")),
        pl.col("ambulances_120").alias(t("stock.col.ambulances_n")),
        pl.col("ambulance_status").replace_strict(words, default=None).alias(t("stock.col.ambulance_status")),
    ), lang)


def trend_data(history: pl.DataFrame, until: dt.date) -> tuple[pl.DataFrame, pl.DataFrame]:
    """`trend` up to the chosen week, and its columns for the download."""
    per_week = trend(history, until=until)
    return per_week, per_week.select("week", "item", "facilities", "missing", "target", "on_hand", "shortfall",
                                     "share_of_target", "below_low", "cover_short")
