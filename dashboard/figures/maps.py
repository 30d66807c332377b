"""Choropleth maps that work offline, name their places, carry their legend, and export as PNG.

plotly's geo traces (go.Choropleth, px.choropleth) fetch a world topojson from cdn.plot.ly even with
the basemap hidden, which breaks on the intranet and in image export. These maps draw the shipped
boundaries as filled polygons on plain axes instead (equal scale, no axes), so nothing loads from
outside. Colours are single-hue sequential scales (readable by colour-blind readers and in greyscale
print); areas without data are grey and the legend says so. Place names are written on the map:
leagues on a region map, the banners/counties when one league is shown.
"""
from __future__ import annotations

import json
import math
from functools import lru_cache

import plotly.graph_objects as go
import polars as pl
import pydeck as pdk
from pydeck.bindings import json_tools
from plotly.colors import sample_colorscale

from dashboard import formatting as fmt
from dashboard.metrics import geography
from dashboard import i18n
from dashboard.figures import briefing, labels

NO_DATA = "#D5D8DC"
# Sequential, single hue, light = little: more is better (coverage, stock against target) in blue,
# more is worse (gaps) in orange-brown. Neither is red-green; both read in greyscale.
SEQUENTIAL_GOOD = [[0.0, "#DEEBF7"], [0.5, "#6BAED6"], [1.0, "#08306B"]]  # ColorBrewer Blues, from light blue
SEQUENTIAL_BAD = "YlOrBr"


def _rings(geometry: dict):
    polys = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    for poly in polys:
        yield poly[0]  # outer ring; holes are rare at this scale and drawn over by neighbours


def _ring_area_centroid(ring) -> tuple[float, float, float]:
    a = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1]):
        cross = x0 * y1 - x1 * y0
        a += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if abs(a) < 1e-12:
        xs, ys = zip(*ring)
        return 0.0, sum(xs) / len(xs), sum(ys) / len(ys)
    return abs(a / 2), cx / (3 * a), cy / (3 * a)


@lru_cache(maxsize=512)
def _largest_ring(level: str, adcode: str) -> tuple[float, float, float] | None:
    """(area, centroid x, centroid y) of a place's largest ring."""
    for feature in geography.boundaries(level)["features"]:
        if feature["properties"]["adcode"] == adcode:
            return max((_ring_area_centroid([tuple(p) for p in ring]) for ring in _rings(feature["geometry"])),
                       key=lambda t: t[0])
    return None


def label_point(level: str, adcode: str) -> tuple[float, float] | None:
    """Where a place's name goes first: the centroid of its largest ring."""
    ring = _largest_ring(level, adcode)
    return None if ring is None else (ring[1], ring[2])


@lru_cache(maxsize=1)
def _english_names() -> dict[str, str]:
    census = geography.census()
    return {c: (en or zh) for c, en, zh in census.select("adcode", "name_en", "name_zh").iter_rows()}


def place_name(adcode: str, name_zh: str, lang: str) -> str:
    return name_zh if lang == "zh" else _english_names().get(adcode, name_zh)


def _shown(value, kind: str, lang: str) -> str:
    if kind == "pct":
        return fmt.pct(value, lang)
    if kind == "num1":
        return fmt.num(value, lang, 1)
    return fmt.compact(value, lang)


def _present(v) -> bool:
    return not fmt.missing(v)


def choropleth(
    values: pl.DataFrame,
    ctx: briefing.Context,
    what: str,
    *,
    level: str = "county",
    code_col: str = "adcode",
    value_col: str = "value",
    value_label: str = "",
    kind: str = "pct",
    tickformat: str | None = None,  # old callers; the text comes from `kind`
    colorscale: str | list = SEQUENTIAL_GOOD,
    zmin: float | None = None,
    zmax: float | None = None,
    league_code: str | None = None,
    height: int = 600,
    hover_extra: dict[str, str] | None = None,
) -> go.Figure:
    """Fill each county (or league) by `value_col`; `league_code` limits a county map to one league.
    Names: leagues on a league map and on a whole-region county map, counties when one league is shown."""
    if tickformat == ".0%":
        kind = "pct"
    features = geography.boundaries(level)["features"]
    if league_code and level == "county":
        features = [f for f in features if f["properties"]["league_code"] == league_code]
    lookup = dict(zip(values[code_col].to_list(), values[value_col].to_list())) if values.height else {}
    present = [v for v in lookup.values() if _present(v)]
    lo = zmin if zmin is not None else (min(present) if present else 0.0)
    hi = zmax if zmax is not None else (max(present) if present else 1.0)
    if hi <= lo:
        hi = lo + (0.1 if kind == "pct" else 1.0)
    span = hi - lo
    fig = go.Figure()
    no_data = i18n.t("app.chart.map_no_data", ctx.lang)
    any_missing = False
    for feature in features:
        props = feature["properties"]
        value = lookup.get(props["adcode"])
        missing = not _present(value)
        any_missing |= missing
        colour = NO_DATA if missing else sample_colorscale(colorscale, [min(max((value - lo) / span, 0), 1)])[0]
        shown = no_data if missing else _shown(value, kind, ctx.lang)
        name = place_name(props["adcode"], props["name_zh"], ctx.lang)
        extra = (hover_extra or {}).get(props["adcode"])
        for ring in _rings(feature["geometry"]):
            xs, ys = zip(*ring)
            fig.add_trace(go.Scatter(
                x=xs, y=ys, fill="toself", fillcolor=colour, mode="lines", line={"color": "white", "width": 0.8},
                hoveron="fills", hoverinfo="text",
                text=f"{name}<br>{value_label}: {shown}" + (f"<br>{extra}" if extra else ""),
                showlegend=False,
            ))
    # League outlines over a whole-region county map, so the leagues named on it can be seen.
    if level == "county" and not league_code:
        for feature in geography.boundaries("league")["features"]:
            for ring in _rings(feature["geometry"]):
                xs, ys = zip(*ring)
                fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line={"color": "#566573", "width": 1.2},
                                         hoverinfo="skip", showlegend=False))
    # the legend, drawn on the map: a colour bar with ticks in the tables' format, and "no data"
    ticks = fmt.ticks(lo, hi, ctx.lang, "pct" if kind == "pct" else "compact" if kind != "num1" else "num", target=4)
    inside = [(v, t) for v, t in zip(ticks["tickvals"], ticks["ticktext"]) if lo - 1e-9 <= v <= hi + 1e-9]
    fig.add_trace(go.Scatter(
        x=[None], y=[None], mode="markers", showlegend=False, hoverinfo="skip",
        marker={"colorscale": colorscale, "cmin": lo, "cmax": hi, "color": [lo], "showscale": True,
                "colorbar": {"title": {"text": value_label, "side": "top", "font": {"size": 12}},
                             "tickmode": "array", "tickvals": [v for v, _ in inside], "ticktext": [t for _, t in inside],
                             "thickness": 14, "len": 0.5, "lenmode": "fraction", "x": 0.0, "xanchor": "left",
                             "y": 0.02, "yanchor": "bottom", "bgcolor": "rgba(255,255,255,0.9)",
                             "outlinewidth": 0}},
    ))
    if any_missing:
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=no_data, showlegend=True,
                                 marker={"symbol": "square", "size": 14, "color": NO_DATA}, hoverinfo="skip"))
    x_range, y_range = _extent(features)
    fig.update_xaxes(visible=False, showgrid=False, range=x_range)
    fig.update_yaxes(visible=False, showgrid=False, scaleanchor="x", scaleratio=RATIO, range=y_range)
    briefing.briefing(fig, ctx, what, height=height, axis_band=0, left=10, right=10)
    top, bottom = fig.layout.meta["bands"]["plot"]
    plot = (briefing.MIN_WIDTH - 20, bottom - top)  # the plot at its narrowest (left and right margins 10)
    bar_w = max(14 + 8 + max((briefing.text_width(t, 12) for _, t in inside), default=0),
                briefing.text_width(value_label, 12))
    covered = [("left", "bottom", bar_w + 4, plot[1] * 0.52 + 24)]  # the colour bar, its ticks and title
    if any_missing:
        covered.append(("left", "top", briefing.text_width(no_data, 13) + 44, 26))  # the "no data" key
    _names(fig, features, level, league_code, ctx.lang, x_range, y_range, plot, covered)
    if any_missing:  # one entry only: shown in the map's corner, inside the plot band
        fig.update_layout(showlegend=True, legend={"orientation": "h", "x": 0.0, "xanchor": "left", "xref": "paper",
                                                   "y": 1.0, "yanchor": "top", "yref": "paper",
                                                   "bgcolor": "rgba(255,255,255,0.9)", "title": None})
    return fig


def _largest_first(features: list[dict], level: str, lang: str) -> list[tuple[float, float, str]]:
    """(centroid x, y, name) of each place's largest ring, the largest place first (ties by name):
    the order in which names are placed, so a small place gives way to a large one."""
    places = [(ring, place_name(f["properties"]["adcode"], f["properties"]["name_zh"], lang))
              for f in features for ring in [_largest_ring(level, f["properties"]["adcode"])] if ring is not None]
    return [(x, y, name) for (_, x, y), name in sorted(places, key=lambda p: (-p[0][0], p[1]))]


RATIO = 1 / math.cos(math.radians(44))  # the maps' north-south scale against east-west, at the region's middle


def _extent(features: list[dict], pad: float = 0.02) -> tuple[list[float], list[float]]:
    """The axes' ranges: every ring drawn, and a little room."""
    xs = [p[0] for f in features for ring in _rings(f["geometry"]) for p in ring]
    ys = [p[1] for f in features for ring in _rings(f["geometry"]) for p in ring]
    dx, dy = (max(xs) - min(xs)) * pad, (max(ys) - min(ys)) * pad
    return [min(xs) - dx, max(xs) + dx], [min(ys) - dy, max(ys) + dy]


def _names(fig: go.Figure, features: list[dict], level: str, league_code: str | None, lang: str,
           x_range: list[float], y_range: list[float], plot: tuple[float, float], covered: list[tuple]) -> None:
    """Place names, with a white halo so they read on any fill: the largest place first, each at the
    centroid of its largest ring, else nudged a little, else out with a thin leader line back to it,
    so that no two names, and no name and the legend (`covered`: (side, side, width, height) boxes in
    the plot's corners, pixels), cover each other or leave the frame (labels.Board: the plot at its
    narrowest, `plot`)."""
    if level == "county" and not league_code:
        level_named = "league"
        named = geography.boundaries("league")["features"]
    else:
        level_named = level
        named = features
    size = 12 if level_named == "league" else 11
    board = labels.Board(x_range, y_range, RATIO, plot)
    fx, fy, fw, fh = board.frame
    for x_side, y_side, w, h in covered:
        board.markers.append((fx - fw + w / 2 if x_side == "left" else fx + fw - w / 2,
                              fy - fh + h / 2 if y_side == "bottom" else fy + fh - h / 2, w / 2, h / 2))
    xs, ys, texts, leader_x, leader_y = [], [], [], [], []
    for lon, lat, text in _largest_first(named, level_named, lang):
        x, y = board.px(lon, lat)
        half_w, half_h = labels.half_width(text, size), labels.HALF_LINE
        dx, dy, leader = board.spot(x, y, half_w, half_h, [(0, 0), (0, -10), (0, 10), (10, 0), (-10, 0)],
                                    labels.around(half_w, half_h, gaps=(8, 20, 34)))
        board.texts.append((x + dx, y + dy, half_w, half_h))
        px, py = board.data(x + dx, y + dy)
        xs.append(px)
        ys.append(py)
        texts.append(text)
        if leader:  # from the place to the name's nearest edge
            reach = min((half_w + 1) / abs(dx) if dx else math.inf, (half_h + 1) / abs(dy) if dy else math.inf)
            end = board.data(x + dx * (1 - reach), y + dy * (1 - reach))
            leader_x += [lon, end[0], None]
            leader_y += [lat, end[1], None]
    if leader_x:
        fig.add_trace(go.Scatter(x=leader_x, y=leader_y, mode="lines", line={"color": "#566573", "width": 0.8},
                                 hoverinfo="skip", showlegend=False, name="leaders"))
    fig.add_trace(go.Scatter(
        x=xs, y=ys, mode="text", text=texts, hoverinfo="skip", showlegend=False, name="names",
        textfont={"size": size, "color": "#1B2631", "family": briefing.FONT,
                  "shadow": "1px 1px 1px white, -1px -1px 1px white, 1px -1px 1px white, -1px 1px 1px white"},
    ))


class CompactDeck(pdk.Deck):
    """A pydeck Deck whose JSON is compact. st.pydeck_chart sends `to_json()`, which pydeck indents by
    two spaces a level: every coordinate of a boundary ring on its own deeply indented line, 1.5-1.8 MB
    for one province map against about 0.3 MB compact, and slow to write (Python's JSON encoder falls
    back from C to pure Python when it indents). Written here as pydeck writes it (its own serialiser for
    its objects, sorted keys), without the indentation; Chinese kept as UTF-8."""

    def to_json(self) -> str:
        return json.dumps(self, sort_keys=True, default=json_tools.default_serialize, separators=(",", ":"), ensure_ascii=False)


DECK_SIZE = (briefing.MIN_WIDTH, 560)  # an on-screen map at its narrowest, pixels (width, height)


def _mercator(lat: float) -> float:
    """Web Mercator's north-south coordinate, in degrees of longitude at the equator."""
    return math.degrees(math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)))


def fit_view(lons: list[float], lats: list[float], *, height: int = DECK_SIZE[1], margin: float = 0.2,
             max_zoom: float = 11, min_zoom: float = 3, width: int = 950) -> pdk.ViewState:
    """An on-screen map's first view fitting the points (pydeck has no fit-bounds of its own): the zoom
    at which both the east-west and the Mercator north-south spans fit in width x height pixels, less
    `margin` (a zoom step, so what sits at the edge shows whole)."""
    if not lons:
        return pdk.ViewState(longitude=111.7, latitude=44.0, zoom=3.6)
    lo_x, hi_x, lo_y, hi_y = min(lons), max(lons), min(lats), max(lats)
    y_lo, y_hi = (math.radians(_mercator(lat)) for lat in (lo_y, hi_y))
    zoom_x = math.log2(width * 360 / (512 * max(hi_x - lo_x, 0.05)))
    zoom_y = math.log2(height * 2 * math.pi / (512 * max(y_hi - y_lo, 0.001)))
    zoom = max(min(min(zoom_x, zoom_y) - margin, max_zoom), min_zoom)
    latitude = math.degrees(math.atan(math.sinh((y_lo + y_hi) / 2)))
    return pdk.ViewState(longitude=(lo_x + hi_x) / 2, latitude=latitude, zoom=zoom)


def deck_names(league_code: str | None, lang: str, view: pdk.ViewState, height: int = DECK_SIZE[1]):
    """A pydeck TextLayer naming the places on an on-screen map: leagues on a region map, the
    banners/counties when one league is shown (white halo, so the names read over any fill). Placed
    for the map's first `view` at its narrowest (labels.Board, in Mercator pixels): the largest place
    first at its centroid, else nudged a little; a name with no room is left off (its place is named
    on hover, and zooming in does not bring it back, so the first view is never cluttered)."""
    named_level = "county" if league_code else "league"
    features = geography.boundaries(named_level)["features"]
    if league_code:
        features = [f for f in features if f["properties"]["league_code"] == league_code]
    size = 13 if not league_code else 12
    pixels = 512 * 2 ** view.zoom / 360  # per degree of longitude at the first view's zoom
    width = DECK_SIZE[0]
    centre = (view.longitude, _mercator(view.latitude))
    board = labels.Board([centre[0] - width / 2 / pixels, centre[0] + width / 2 / pixels],
                         [centre[1] - height / 2 / pixels, centre[1] + height / 2 / pixels], 1.0, (width, height))
    rows = []
    for lon, lat, name in _largest_first(features, named_level, lang):
        x, y = board.px(lon, _mercator(lat))
        half_w, half_h = labels.half_width(name, size), labels.HALF_LINE
        side = half_w - 4  # beside the point, the name starting or ending at it
        nudges = [(0, 0), (0, -10), (0, 10), (10, 0), (-10, 0), (0, -18), (0, 18), (side, 0), (-side, 0),
                  (side, -12), (-side, -12), (side, 12), (-side, 12), (0, -24), (0, 24)]
        place = board.spot(x, y, half_w, half_h, nudges, fallback=False)
        if place is not None:
            board.texts.append((x + place[0], y + place[1], half_w, half_h))
            rows.append({"lon": lon, "lat": lat, "name": name, "offset": [place[0], -place[1]]})  # screen y is down
    return pdk.Layer("TextLayer", rows, get_position=["lon", "lat"], get_text="name", get_size=size,
                     get_pixel_offset="offset", get_color=[27, 38, 49, 255], outline_width=3,
                     outline_color=[255, 255, 255, 230], font_settings={"sdf": True},
                     font_family=pdk.types.String(briefing.FONT), character_set=pdk.types.String("auto"), pickable=False)


def legend_html(items: list[tuple[str, str]], title: str = "") -> str:
    """A legend row for an on-screen map (pydeck draws none): colour swatches with their words."""
    swatches = "".join(
        f"<span style='display:inline-flex;align-items:center;margin-right:14px'>"
        f"<span style='display:inline-block;width:14px;height:14px;background:{colour};border-radius:2px;"
        f"margin-right:5px;border:1px solid #AAB7B8'></span>{label}</span>" for colour, label in items)
    head = f"<b style='margin-right:10px'>{title}</b>" if title else ""
    return f"<div style='font-size:0.85rem;color:#1B2631;font-family:{briefing.FONT};margin:4px 0 8px'>{head}{swatches}</div>"


def scale_legend(colorscale, lo: float, hi: float, kind: str, lang: str, steps: int = 5) -> list[tuple[str, str]]:
    """Swatches sampling a sequential scale from lo to hi, labelled in the tables' format."""
    out = []
    for i in range(steps):
        v = lo + (hi - lo) * i / (steps - 1)
        out.append((sample_colorscale(colorscale, [i / (steps - 1)])[0], _shown(v, kind, lang)))
    return out
