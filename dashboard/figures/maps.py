"""Choropleth maps that work offline and export as PNG.

plotly's geo traces (go.Choropleth, px.choropleth) fetch a world topojson from cdn.plot.ly even with
the basemap hidden, which breaks on the intranet and in image export. These maps draw the shipped
boundaries as filled polygons on plain axes instead (equal scale, no axes), so nothing loads from
outside. Colours come from a plotly colour scale; areas without data are grey and say so.
"""
from __future__ import annotations

import math

import plotly.graph_objects as go
import polars as pl
from plotly.colors import sample_colorscale

from dashboard import geography, i18n
from dashboard.figures import briefing

NO_DATA = "#D5D8DC"


def _rings(geometry: dict):
    polys = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    for poly in polys:
        yield poly[0]  # outer ring; holes are rare at this scale and drawn over by neighbours


def choropleth(
    values: pl.DataFrame,
    ctx: briefing.Context,
    what: str,
    *,
    level: str = "county",
    code_col: str = "adcode",
    value_col: str = "value",
    value_label: str = "",
    tickformat: str = ".0%",
    colorscale: str | list = "RdYlGn",
    zmin: float | None = None,
    zmax: float | None = None,
    league_code: str | None = None,
    height: int = 560,
) -> go.Figure:
    """Fill each county (or league) by `value_col`; `league_code` limits a county map to one league."""
    features = geography.boundaries(level)["features"]
    if league_code and level == "county":
        features = [f for f in features if f["properties"]["league_code"] == league_code]
    lookup = dict(zip(values[code_col].to_list(), values[value_col].to_list())) if values.height else {}
    present = [v for v in lookup.values() if v is not None and not (isinstance(v, float) and math.isnan(v))]
    lo = zmin if zmin is not None else (min(present) if present else 0.0)
    hi = zmax if zmax is not None else (max(present) if present else 1.0)
    span = (hi - lo) or 1.0
    fig = go.Figure()
    no_data = i18n.t("app.chart.map_no_data", ctx.lang)
    for feature in features:
        props = feature["properties"]
        value = lookup.get(props["adcode"])
        missing = value is None or (isinstance(value, float) and math.isnan(value))
        colour = NO_DATA if missing else sample_colorscale(colorscale, [min(max((value - lo) / span, 0), 1)])[0]
        shown = no_data if missing else format(value, tickformat.lstrip(":")) if tickformat else str(value)
        for ring in _rings(feature["geometry"]):
            xs, ys = zip(*ring)
            fig.add_trace(go.Scatter(
                x=xs, y=ys, fill="toself", fillcolor=colour, mode="lines", line={"color": "white", "width": 0.7},
                hoveron="fills", hoverinfo="text", text=f"{props['name_zh']}<br>{value_label}: {shown}",
                showlegend=False,
            ))
    # the colour bar: one invisible marker carrying the scale
    fig.add_trace(go.Scatter(
        x=[None], y=[None], mode="markers", showlegend=False, hoverinfo="skip",
        marker={"colorscale": colorscale, "cmin": lo, "cmax": hi, "color": [lo], "showscale": True,
                "colorbar": {"title": {"text": value_label, "side": "top"}, "tickformat": tickformat,
                             "thickness": 14, "len": 0.8}},
    ))
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, scaleanchor="x", scaleratio=1 / math.cos(math.radians(44)))
    briefing.briefing(fig, ctx, what, height=height, legend_below=False)
    fig.update_layout(plot_bgcolor="white", margin={"l": 10, "r": 10, "t": 70, "b": 70})
    return fig
