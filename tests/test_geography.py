"""Census and boundary tables shipped in data/, and the point-in-polygon helpers."""
from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from dashboard import config

from dashboard.metrics import geography

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
    for path in geography.boundary_files():
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
    from dashboard.ingest.reading import read_table

    raw = read_table((SHARED / "census_county_2020_v1.xlsx").read_bytes(), "census.xlsx").frame
    sheet = raw.filter(pl.col("区划代码").str.starts_with("15")).select(
        pl.col("区划代码").str.replace(r"\.0$", "").alias("adcode"),
        pl.col("人口数_合计").cast(pl.Float64).cast(pl.Int64).alias("population"))
    ours = geography.census().select("adcode", "population")
    both = ours.join(sheet, on="adcode", suffix="_xlsx")
    assert both.height >= 100
    assert both.height == ours.height  # every area of ours is in the workbook
    assert (both["population"] == both["population_xlsx"]).all()


BEIJING = "机构编码,机构名称,层级,医院等级,盟市代码,旗县代码,医联体名称,纬度,经度\n" \
          "B1,东城医院,定点医院,三级,110100,110101,东城医联体,39.92,116.41\n" \
          "B2,东城二院,定点医院,三级,110100,110101,东城医联体,40.50,116.41\n"


def _square(adcode: str, lon0: float, lat0: float, lon1: float, lat1: float) -> dict:
    ring = [[lon0, lat0], [lon1, lat0], [lon1, lat1], [lon0, lat1], [lon0, lat0]]
    return {"type": "Feature", "properties": {"adcode": adcode, "name_zh": "东城区", "league_code": "110100",
                                              "level": "county"},
            "geometry": {"type": "Polygon", "coordinates": [ring]}}


def test_outside_county_check_follows_the_loaded_boundaries(con, tmp_path, monkeypatch):
    """Row 3 names 东城区 (110101) but lies 60 km north of it. With no boundary for 110101 loaded
    nothing can be said; once a commission's boundary file is in HC_BOUNDARIES_DIR, the dry run flags it."""
    from dashboard.ingest import loading

    def check():
        result = loading.load_bytes(BEIJING.encode(), "facility_2022-W51.csv", dataset="facility", con=con, dry_run=True)
        assert result.outcome == "dry_run" and result.error_count == 0, [f.message_en for f in result.errors]
        return [(f.row, f.column, f.code) for f in result.warnings if f.code == "outside_county"], result

    found, result = check()
    assert found == []
    [unchecked] = [f for f in result.warnings if f.code == "unchecked_location"]
    assert (unchecked.row, unchecked.value) == (None, "110101")
    assert "2" in unchecked.message_zh and "HC_BOUNDARIES_DIR" in unchecked.message_en
    folder = tmp_path / "bounds"
    folder.mkdir()
    (folder / "beijing_counties.geojson").write_text(json.dumps(
        {"type": "FeatureCollection", "features": [_square("110101", 116.38, 39.85, 116.45, 39.97)]}))
    monkeypatch.setenv("HC_BOUNDARIES_DIR", str(folder))
    found, result = check()
    assert found == [(3, "经度", "outside_county")]
    assert not [f for f in result.warnings if f.code == "unchecked_location"]
    [warning] = [f for f in result.warnings if f.code == "outside_county"]
    assert "110101" in warning.message_zh and "116.41, 40.5" in warning.message_en
    assert warning.message_zh.startswith("第3行：") and warning.message_en.startswith("Row 3: ")
    assert con.execute("select count(*) from facility").fetchone()[0] == 0  # a dry run


def test_duplicate_facilities_are_flagged_in_the_dry_run(con):
    """Row 3 repeats row 2's name under another code; row 4 sits 50 m from row 2 (0.0005° of latitude)."""
    from dashboard.ingest import loading

    content = BEIJING.replace("40.50,116.41", "39.95,116.30").replace("东城二院", "东城医院") + \
        "B3,东城三院,定点医院,三级,110100,110101,东城医联体,39.9205,116.41\n"
    result = loading.load_bytes(content.encode(), "f.csv", dataset="facility", week="2022-W51", con=con, dry_run=True)
    got = sorted((f.row, f.code, f.value) for f in result.warnings if f.code in ("duplicate_name", "same_place"))
    assert got == [(3, "duplicate_name", "东城医院"), (4, "same_place", None)]
    [same] = [f for f in result.warnings if f.code == "same_place"]
    assert "第2行" in same.message_zh and "row 2" in same.message_en


def test_areas_named_in_the_interface_language():
    """In English a league takes the census's English name; a banner/county (the census gives none), a
    code the census does not know and a missing name keep what they had; Chinese is left as it is."""
    frame = pl.DataFrame({"code": ["150100", "150102", "X9", "150200"], "name": ["呼和浩特市", "新城区", "某地", None],
                          "n": [1, 2, 3, 4]})
    english = geography.in_language(frame, "en")
    assert english["name"].to_list() == ["Hohhot", "新城区", "某地", "Baotou"]
    assert english.columns == frame.columns and english["n"].to_list() == [1, 2, 3, 4]
    assert geography.in_language(frame, "zh").equals(frame)
    assert geography.in_language(frame.head(0), "en").equals(frame.head(0))
