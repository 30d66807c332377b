"""Census and boundary tables shipped in data/, and the point-in-polygon helpers."""
from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from dashboard import config, geography

SHARED = config.ROOT.parent / "shared" / "realdata" / "census"


def test_census_totals():
    census = geography.census()
    province = census.filter(pl.col("level") == "province").row(0, named=True)
    assert (province["population"], province["pop65"]) == (24_049_155, 3_138_918)
    assert census.filter(pl.col("level") == "league").height == 12
    assert census.filter(pl.col("is_county_level_division")).height == 103
    counties = census.filter(pl.col("level") == "county").group_by("league_code").agg(pl.col("pop65").sum())
    leagues = census.filter(pl.col("level") == "league").join(counties, left_on="adcode", right_on="league_code")
    assert (leagues["pop65"] == leagues["pop65_right"]).all()


def test_every_county_has_one_polygon():
    codes = [f["properties"]["adcode"] for f in geography.boundaries("county")["features"]]
    official = geography.census().filter(pl.col("is_county_level_division"))["adcode"].to_list()
    assert sorted(codes) == sorted(official)
    leagues = [f["properties"]["adcode"] for f in geography.boundaries("league")["features"]]
    assert len(leagues) == 12


def test_boundary_files_are_small():
    for path in geography.BOUNDARY_FILES.values():
        assert path.stat().st_size < 400 * 1024, path


def test_contains_known_places():
    # 新城区 holds Hohhot's old town (111.68E 40.86N); 土默特左旗's seat is Chasuqi (111.15E 40.72N)
    assert geography.contains("150102", [111.68, 111.15], [40.86, 40.72]).tolist() == [True, False]
    assert geography.contains("150121", [111.68, 111.15], [40.86, 40.72]).tolist() == [False, True]


def test_points_in_counties_flags_misplaced_facilities():
    inside = geography.points_in_counties(pl.Series(["150102", "150102", "999999"]),
                                          pl.Series([111.68, 111.15, 0.0]), pl.Series([40.86, 40.72, 0.0]))
    assert inside.to_list() == [True, False, True]  # unknown county: nothing to check against


def test_random_points_are_inside_and_deterministic():
    points = geography.random_points_in_county("152921", 50, seed=7)
    assert points == geography.random_points_in_county("152921", 50, seed=7)
    assert points != geography.random_points_in_county("152921", 50, seed=8)
    lons, lats = zip(*points)
    assert geography.contains("152921", lons, lats).all()


@pytest.mark.skipif(not (SHARED / "census_county_2020_v1.xlsx").exists(),
                    reason="../shared/realdata/census is not in this checkout (it exists only on the team's machines and CI)")
def test_census_table_matches_the_real_workbook():
    from dashboard.reading import read_table

    raw = read_table((SHARED / "census_county_2020_v1.xlsx").read_bytes(), "census.xlsx").frame
    sheet = raw.filter(pl.col("区划代码").str.starts_with("15")).select(
        pl.col("区划代码").str.replace(r"\.0$", "").alias("adcode"),
        pl.col("人口数_合计").cast(pl.Float64).cast(pl.Int64).alias("population"))
    ours = geography.census().select("adcode", "population")
    both = ours.join(sheet, on="adcode", suffix="_xlsx")
    assert both.height >= 100
    assert both.height == ours.height  # every area of ours is in the workbook
    assert (both["population"] == both["population_xlsx"]).all()
