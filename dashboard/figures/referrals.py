"""Referral charts: a pydeck flow map over the real boundaries (no basemap tiles), a Sankey between
tiers, destination compliance, and reception by receiving hospital."""
from __future__ import annotations

import math

import plotly.graph_objects as go
import polars as pl
import pydeck as pdk

from dashboard import geography, i18n
from dashboard.figures import briefing
from dashboard.referrals import TIERS


def _rgb(hex_colour: str, alpha: int = 255) -> list[int]:
    h = hex_colour.lstrip("#")
    return [int(h[i:i + 2], 16) for i in (0, 2, 4)] + [alpha]


def _view(lons: list[float], lats: list[float]) -> pdk.ViewState:
    """An initial view that fits the points (pydeck has no fit-bounds of its own)."""
    if not lons:
        return pdk.ViewState(longitude=111.7, latitude=44.0, zoom=3.6)
    lo_x, hi_x, lo_y, hi_y = min(lons), max(lons), min(lats), max(lats)
    span = max(hi_x - lo_x, (hi_y - lo_y) * 1.6, 0.05)
    zoom = max(min(math.log2(360 / span) + 0.6, 11), 3)
    return pdk.ViewState(longitude=(lo_x + hi_x) / 2, latitude=(lo_y + hi_y) / 2, zoom=zoom)


def flow_map(pairs: pl.DataFrame, facilities: pl.DataFrame, lang: str, league_code: str | None = None) -> pdk.Deck:
    """Boundaries as the base (no tiles: map_provider=None), facilities coloured by tier, one arc per
    origin-destination pair: width by volume, colour by main direction; tooltips in `lang`."""
    features = geography.boundaries("county")["features"]
    if league_code:
        features = [f for f in features if f["properties"]["league_code"] == league_code]
    base = pdk.Layer("GeoJsonLayer", {"type": "FeatureCollection", "features": features}, stroked=True, filled=True,
                     get_fill_color=[244, 246, 247, 255], get_line_color=[150, 160, 170, 255], line_width_min_pixels=1,
                     pickable=False)
    tier_name = {t: i18n.value("tier", t, lang) for t in TIERS}
    points = facilities.filter(pl.col("lat").is_not_null()).with_columns(
        pl.col("tier").replace_strict({t: _rgb(briefing.TIER_COLOURS[t]) for t in TIERS}, default=[120, 120, 120, 255],
                                      return_dtype=pl.List(pl.Int64)).alias("colour"),
        pl.format("{}<br>{}", "facility_name", pl.col("tier").replace_strict(tier_name, default="")).alias("tip"),
        pl.when(pl.col("tier") == "primary").then(2500).otherwise(5000).alias("radius"),
    )
    dots = pdk.Layer("ScatterplotLayer", points.select("lon", "lat", "colour", "tip", "radius").to_dicts(),
                     get_position=["lon", "lat"], get_fill_color="colour", get_radius="radius",
                     radius_min_pixels=2, radius_max_pixels=8, pickable=True)
    direction_name = {d: i18n.value("direction", d, lang) for d in ("up", "down", "lateral")}
    unit = i18n.t("referrals.map.unit", lang)
    most = max(pairs["referrals"].max() or 1, 1) if pairs.height else 1
    arcs_data = pairs.with_columns(
        pl.col("direction").replace_strict({d: _rgb(briefing.DIRECTION_COLOURS[d], 190) for d in direction_name},
                                           default=[120, 120, 120, 190], return_dtype=pl.List(pl.Int64)).alias("colour"),
        (1 + 5 * (pl.col("referrals") / most).sqrt()).alias("width"),
        pl.format("{} → {}<br>{}{} · {}", "from_name", "to_name", "referrals", pl.lit(unit),
                  pl.col("direction").replace_strict(direction_name, default="")).alias("tip"),
    ).sort("referrals").select("from_lon", "from_lat", "to_lon", "to_lat", "colour", "width", "tip").to_dicts() if pairs.height else []  # largest drawn last
    arcs = pdk.Layer("ArcLayer", arcs_data, get_source_position=["from_lon", "from_lat"],
                     get_target_position=["to_lon", "to_lat"], get_source_color="colour", get_target_color="colour",
                     get_width="width", width_units="pixels", width_min_pixels=1, width_max_pixels=6,
                     get_height=0.4, pickable=True)
    return pdk.Deck(layers=[base, arcs, dots], initial_view_state=_view(points["lon"].to_list(), points["lat"].to_list()),
                    map_provider=None,
                    tooltip={"html": "{tip}", "style": {"fontSize": "13px", "backgroundColor": "#1B2631", "color": "white"}})


def sankey(matrix: pl.DataFrame, ctx: briefing.Context) -> go.Figure:
    """Flows between tiers: senders on the left, receivers on the right."""
    what = i18n.t("referrals.chart.sankey", ctx.lang)
    if matrix.height == 0:
        return briefing.empty(ctx, what)
    names = [i18n.value("tier", t, ctx.lang) for t in TIERS]
    colours = [briefing.TIER_COLOURS[t] for t in TIERS]
    index = {t: i for i, t in enumerate(TIERS)}
    link_colour = {True: "rgba(214,69,65,0.35)", False: "rgba(46,134,193,0.35)"}
    fig = go.Figure(go.Sankey(
        node={"label": names + names, "color": colours + colours, "pad": 18, "thickness": 16},
        link={"source": [index[t] for t in matrix["from_tier"]], "target": [len(TIERS) + index[t] for t in matrix["to_tier"]],
              "value": matrix["referrals"].to_list(),
              "color": [link_colour[index[b] > index[a]] for a, b in zip(matrix["from_tier"], matrix["to_tier"])]},
        valueformat=",d", valuesuffix=i18n.t("referrals.map.unit", ctx.lang),
    ))
    return briefing.briefing(fig, ctx, what, height=480, legend_below=False)


def compliance_bars(by_group: pl.DataFrame, label_col: str, ctx: briefing.Context, top: int = 15) -> go.Figure:
    """Share of the judged referrals that went where the policy sends them, lowest first, stacked with
    the other verdicts (referrals that cannot be judged are left out and counted on the page)."""
    what = i18n.t("referrals.chart.compliance", ctx.lang)
    shown = by_group.filter(pl.col("judged") >= 5).sort("compliance_rate", label_col).head(top).reverse()
    if shown.height == 0:
        return briefing.empty(ctx, what)
    fig = go.Figure()
    for column, key, colour in (("as_expected", "as_expected", briefing.GOOD),
                                ("other_consortium", "other_consortium", briefing.NEUTRAL),
                                ("above", "above", briefing.WARN), ("below", "below", briefing.BAD),
                                ("should_stay_home", "should_stay_home", briefing.TIER_COLOURS["partner"])):
        fig.add_trace(go.Bar(y=shown[label_col].to_list(), x=(shown[column] / shown["judged"]).to_list(), orientation="h",
                             name=i18n.t(f"referrals.compliance.{key}", ctx.lang), marker_color=colour,
                             customdata=shown[column].to_list(), hovertemplate="%{y}: %{x:.0%} (%{customdata})<extra></extra>"))
    fig.update_layout(barmode="stack")
    fig.update_xaxes(title=i18n.t("referrals.chart.share_axis", ctx.lang), tickformat=".0%", range=[0, 1])
    fig.update_yaxes(automargin=True)
    return briefing.briefing(fig, ctx, what, height=max(360, 140 + 28 * shown.height))


def refusals(by_receiver: pl.DataFrame, ctx: briefing.Context, top: int = 15) -> go.Figure:
    """Receiving hospitals by refused referrals (must not be refused) and pending too long."""
    what = i18n.t("referrals.chart.refusals", ctx.lang)
    shown = by_receiver.filter((pl.col("refused") + pl.col("pending_too_long")) > 0).head(top).reverse()
    if shown.height == 0:
        return briefing.empty(ctx, what)
    fig = go.Figure()
    for column, key, colour in (("refused", "refused", briefing.BAD), ("pending_too_long", "pending_too_long", briefing.WARN)):
        fig.add_trace(go.Bar(y=shown["to_name"].to_list(), x=shown[column].to_list(), orientation="h",
                             name=i18n.t(f"referrals.col.{key}", ctx.lang), marker_color=colour))
    fig.update_layout(barmode="stack")
    fig.update_xaxes(title=i18n.t("referrals.chart.count_axis", ctx.lang))
    fig.update_yaxes(automargin=True)
    return briefing.briefing(fig, ctx, what, height=max(360, 140 + 28 * shown.height))
