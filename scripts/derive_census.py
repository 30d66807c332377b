"""Derive data/census/nmg_2020_census.csv: Inner Mongolia's 2020 census population and 65+ counts.

    python scripts/derive_census.py [../shared/realdata/census/census2020_tj_nmg_cq_subset.csv]

Source: the county-level 2020 census compiled by Lei Dong et al. from the 7th census bulletins and
yearbook (MIT licence, see data/census/README.md). Development zones (5th digit 7) are kept but are not
official county-level divisions; their people are part of their league's total.
"""
from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT.parent / "shared" / "realdata" / "census" / "census2020_tj_nmg_cq_subset.csv"
OUT = ROOT / "data" / "census" / "nmg_2020_census.csv"

LEAGUE_EN = {
    "150000": "Inner Mongolia", "150100": "Hohhot", "150200": "Baotou", "150300": "Wuhai", "150400": "Chifeng",
    "150500": "Tongliao", "150600": "Ordos", "150700": "Hulunbuir", "150800": "Bayannur", "150900": "Ulanqab",
    "152200": "Hinggan League", "152500": "Xilingol League", "152900": "Alxa League",
}


def derive(source: Path) -> pl.DataFrame:
    raw = pl.read_csv(source, infer_schema=False)
    nmg = raw.filter(pl.col("区划代码").str.starts_with("15"))
    code = pl.col("区划代码")
    return nmg.select(
        code.alias("adcode"),
        pl.when(code == "150000").then(pl.lit("province"))
        .when(code.str.ends_with("00")).then(pl.lit("league"))
        .otherwise(pl.lit("county")).alias("level"),
        pl.when(code == "150000").then(pl.lit(None)).otherwise(code.str.slice(0, 4) + "00").alias("league_code"),
        pl.col("区县").alias("name_zh"),
        code.replace_strict(LEAGUE_EN, default=None).alias("name_en"),
        pl.col("市").alias("league_name_zh"),
        pl.col("人口数_合计").cast(pl.Int64).alias("population"),
        pl.col("65岁及以上_由年龄段合计").cast(pl.Int64).alias("pop65"),
        (~code.str.ends_with("00") & (code.str.slice(4, 1) != "7")).alias("is_county_level_division"),
    ).sort("adcode")


def check(table: pl.DataFrame) -> list[str]:
    problems = []
    leagues = table.filter(pl.col("level") == "league")
    counties = table.filter(pl.col("level") == "county")
    if leagues.height != 12:
        problems.append(f"{leagues.height} leagues, not 12")
    if counties["is_county_level_division"].sum() != 103:
        problems.append(f"{counties['is_county_level_division'].sum()} county-level divisions, not 103")
    sums = counties.group_by("league_code").agg(pl.col("population").sum(), pl.col("pop65").sum())
    joined = leagues.join(sums, left_on="adcode", right_on="league_code", suffix="_sum")
    for row in joined.filter((pl.col("population") != pl.col("population_sum")) | (pl.col("pop65") != pl.col("pop65_sum"))).iter_rows(named=True):
        problems.append(f"{row['adcode']} {row['name_zh']}: league {row['population']}/{row['pop65']} vs counties {row['population_sum']}/{row['pop65_sum']}")
    return problems


if __name__ == "__main__":
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    table = derive(source)
    for problem in check(table):
        print("check:", problem)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    table.write_csv(OUT)
    print(f"wrote {OUT} ({table.height} rows)")
