"""Census denominators and boundaries shipped in data/ (see their READMEs), and point-in-polygon
helpers that need no GIS library: numpy ray casting over each county's rings.

Boundaries are data, not code: every GeoJSON file in data/boundaries/ and in the folders named by
HC_BOUNDARIES_DIR (separated by the path separator) is read, and each feature with properties
`adcode` and `level` ('county' or 'league') counts. A commission outside Inner Mongolia drops its own
county file in; the check that a facility lies in the county it names then covers its counties too.
"""
from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path

import numpy as np
import polars as pl

from dashboard import config

CENSUS_FILE = config.DATA / "census" / "nmg_2020_census.csv"
BOUNDARY_FILES = {"county": config.DATA / "boundaries" / "nmg_counties.geojson",
                  "league": config.DATA / "boundaries" / "nmg_leagues.geojson"}


def census() -> pl.DataFrame:
    return pl.read_csv(CENSUS_FILE, schema_overrides={"adcode": pl.Utf8, "league_code": pl.Utf8})


@lru_cache(maxsize=1)
def _english_names() -> pl.DataFrame:
    return census().filter(pl.col("name_en").is_not_null()).select(pl.col("adcode").alias("_code"),
                                                                   pl.col("name_en").alias("_name_en"))


def in_language(frame: pl.DataFrame, lang: str, code: str = "code", name: str = "name") -> pl.DataFrame:
    """Areas named in the interface's language: in English, the census's English name where it has
    one (the province and its leagues: Hohhot), as the maps and the sidebar name them; banners and
    counties keep their Chinese names (the census gives them none), as do facilities."""
    if lang != "en" or frame.height == 0 or code not in frame.columns:
        return frame
    return (frame.join(_english_names(), left_on=code, right_on="_code", how="left", maintain_order="left")
            .with_columns(pl.coalesce("_name_en", name).alias(name)).drop("_name_en"))


def boundary_files() -> list[Path]:
    """The GeoJSON files read: the shipped ones, then those in HC_BOUNDARIES_DIR's folders."""
    folders = [config.DATA / "boundaries"]
    folders += [Path(p) for p in os.environ.get("HC_BOUNDARIES_DIR", "").split(os.pathsep) if p]
    return [f for folder in folders for f in sorted(folder.glob("*.geojson"))]


def boundaries(level: str) -> dict:
    """GeoJSON FeatureCollection of every loaded 'county' or 'league' feature (properties adcode,
    name_zh, league_code, level). A later file's feature replaces an earlier one with the same adcode."""
    return _boundaries(level, tuple(boundary_files()))


@lru_cache(maxsize=8)
def _boundaries(level: str, files: tuple[Path, ...]) -> dict:
    features: dict[str, dict] = {}
    for path in files:
        for feature in json.loads(path.read_text(encoding="utf-8")).get("features", []):
            props = feature.get("properties") or {}
            if props.get("level") == level and props.get("adcode") and feature.get("geometry"):
                features[str(props["adcode"])] = feature
    return {"type": "FeatureCollection", "features": list(features.values())}


def _polygons(adcode: str) -> tuple:
    """A county's polygons as tuples of numpy rings (outer first, then holes)."""
    return _county_polygons(tuple(boundary_files())).get(adcode, ())


@lru_cache(maxsize=4)
def _county_polygons(files: tuple[Path, ...]) -> dict[str, tuple]:
    out = {}
    for feature in _boundaries("county", files)["features"]:
        geometry = feature["geometry"]
        polys = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        out[feature["properties"]["adcode"]] = tuple(tuple(np.asarray(ring, dtype=float) for ring in poly) for poly in polys)
    return out


def _in_ring(ring: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    x1, y1 = ring[:-1, 0], ring[:-1, 1]
    x2, y2 = ring[1:, 0], ring[1:, 1]
    if x.size * x1.size <= 2_000_000:
        # every point against every edge at once (a county's few facilities x its few hundred edges)
        with np.errstate(divide="ignore", invalid="ignore"):
            crosses = (y1 > y[:, None]) != (y2 > y[:, None])
            at = x1 + (y[:, None] - y1) * (x2 - x1) / (y2 - y1)
        return (np.count_nonzero(crosses & (x[:, None] < at), axis=1) % 2).astype(bool)
    inside = np.zeros(x.shape, dtype=bool)
    for a, b, c, d in zip(x1, y1, x2, y2):  # many points: loop over ring vertices, vectorised over points
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


def known_counties() -> set[str]:
    """The adcodes of every county-level boundary loaded."""
    return set(_county_polygons(tuple(boundary_files())))


def points_in_counties(codes: pl.Series, lons: pl.Series, lats: pl.Series) -> pl.Series:
    """For each facility, whether its coordinates fall inside its own banner/county. Counties we
    have no boundary for (none of the loaded boundary files has them) count as inside: nothing to check."""
    code = np.asarray(pl.Series(codes, dtype=pl.Utf8).fill_null("").to_list(), dtype=object)
    x, y = np.asarray(lons, dtype=float), np.asarray(lats, dtype=float)
    result = np.ones(code.shape[0], dtype=bool)
    polygons = _county_polygons(tuple(boundary_files()))
    for adcode in set(code.tolist()) & polygons.keys():
        rows = np.flatnonzero(code == adcode)
        result[rows] = contains(adcode, x[rows], y[rows])
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
