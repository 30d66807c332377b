"""Census denominators and boundaries shipped in data/ (see their READMEs), and point-in-polygon
helpers that need no GIS library: numpy ray casting over each county's rings."""
from __future__ import annotations

import json
from functools import lru_cache

import numpy as np
import polars as pl

from dashboard import config

CENSUS_FILE = config.DATA / "census" / "nmg_2020_census.csv"
BOUNDARY_FILES = {"county": config.DATA / "boundaries" / "nmg_counties.geojson",
                  "league": config.DATA / "boundaries" / "nmg_leagues.geojson"}


def census() -> pl.DataFrame:
    return pl.read_csv(CENSUS_FILE, schema_overrides={"adcode": pl.Utf8, "league_code": pl.Utf8})


@lru_cache(maxsize=2)
def boundaries(level: str) -> dict:
    """GeoJSON FeatureCollection for 'county' or 'league' (properties adcode, name_zh, league_code)."""
    return json.loads(BOUNDARY_FILES[level].read_text(encoding="utf-8"))


@lru_cache(maxsize=256)
def _polygons(adcode: str) -> tuple:
    """A county's polygons as tuples of numpy rings (outer first, then holes)."""
    for feature in boundaries("county")["features"]:
        if feature["properties"]["adcode"] == adcode:
            geometry = feature["geometry"]
            polys = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
            return tuple(tuple(np.asarray(ring, dtype=float) for ring in poly) for poly in polys)
    return ()


def _in_ring(ring: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    inside = np.zeros(x.shape, dtype=bool)
    x1, y1 = ring[:-1, 0], ring[:-1, 1]
    x2, y2 = ring[1:, 0], ring[1:, 1]
    for a, b, c, d in zip(x1, y1, x2, y2):  # loops over ring vertices, vectorised over points
        crosses = (b > y) != (d > y)
        with np.errstate(divide="ignore", invalid="ignore"):
            at = a + (y - b) * (c - a) / (d - b)
        inside ^= crosses & (x < at)
    return inside


def contains(adcode: str, lons, lats) -> np.ndarray:
    """Which of the points lie inside the county's boundary."""
    x, y = np.asarray(lons, dtype=float), np.asarray(lats, dtype=float)
    result = np.zeros(x.shape, dtype=bool)
    for poly in _polygons(adcode):
        inside = _in_ring(poly[0], x, y)
        for hole in poly[1:]:
            inside &= ~_in_ring(hole, x, y)
        result |= inside
    return result


def points_in_counties(codes: pl.Series, lons: pl.Series, lats: pl.Series) -> pl.Series:
    """For each facility, whether its coordinates fall inside its own banner/county. Counties we
    have no boundary for (codes outside the shipped region) count as inside: nothing to check."""
    frame = pl.DataFrame({"code": codes, "lon": lons, "lat": lats}).with_row_index("i")
    result = np.ones(frame.height, dtype=bool)
    known = {f["properties"]["adcode"] for f in boundaries("county")["features"]}
    for (code,), group in frame.group_by("code"):
        if code in known:
            result[group["i"].to_numpy()] = contains(code, group["lon"].to_numpy(), group["lat"].to_numpy())
    return pl.Series("inside", result)


def random_points_in_county(adcode: str, n: int, seed: int) -> list[tuple[float, float]]:
    """n deterministic points inside the county (rejection sampling in its bounding box)."""
    polys = _polygons(adcode)
    if not polys:
        raise KeyError(f"no boundary for {adcode}")
    allpts = np.concatenate([poly[0] for poly in polys])
    (xmin, ymin), (xmax, ymax) = allpts.min(axis=0), allpts.max(axis=0)
    rng = np.random.default_rng(seed)
    found: list[np.ndarray] = []
    total = 0
    while total < n:
        x = rng.uniform(xmin, xmax, max(64, n * 4))
        y = rng.uniform(ymin, ymax, max(64, n * 4))
        keep = contains(adcode, x, y)
        pts = np.column_stack([x[keep], y[keep]])
        found.append(pts)
        total += len(pts)
    points = np.concatenate(found)[:n]
    return [(round(float(a), 5), round(float(b), 5)) for a, b in points]
