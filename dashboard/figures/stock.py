"""Stock charts: facilities furthest below target, maps of the shortfalls (pydeck, no basemap tiles;
and a plotly choropleth that exports as PNG), the trend."""
from __future__ import annotations

import plotly.graph_objects as go
import polars as pl
import pydeck as pdk

from dashboard import formatting as fmt
from dashboard.metrics import geography
from dashboard import i18n, policy, weeks
from dashboard.figures import briefing, maps

STATUS_COLOURS = {"below_low": briefing.BAD, "between": briefing.WARN, "met": briefing.GOOD,
                  "missing": briefing.MISSING, "no_population": briefing.MISSING}


ITEM_COLOURS = {"antigen": briefing.BLUE, "antipyretic": briefing.ORANGE, "cough": briefing.PURPLE, "tcm": briefing.TEAL}


def item_name(item: str, lang: str) -> str:
    return i18n.t(f"stock.items.{item}", lang)


def ranking(rows: pl.DataFrame, item: str, ctx: briefing.Context, top: int = 15) -> go.Figure:
    """Facilities with the lowest stock as a share of the chosen target, for one item."""
    what = i18n.t("stock.chart.ranking", ctx.lang, item=item_name(item, ctx.lang))
    ranked = (rows.filter((pl.col("item") == item) & pl.col("reported") & (pl.col("shortfall") > 0))
              .sort(["share_of_target", "facility_code"]).head(top).reverse())
    if ranked.height == 0:
        return briefing.empty(ctx, what)
    shares = ranked["share_of_target"].to_list()
    fig = go.Figure(go.Bar(
        y=ranked["facility_name"].to_list(), x=shares, orientation="h",
        # coloured by the status against the policy's 15-20% range, as on the map
        marker_color=ranked["status"].replace_strict(STATUS_COLOURS, default=briefing.MISSING).to_list(),
        # the share with its numbers: on hand / target, so a tiny facility cannot hide behind a percentage
        text=[f"{fmt.pct(s, ctx.lang)}（{fmt.compact(h, ctx.lang)}/{fmt.compact(t, ctx.lang)}）" if ctx.lang == "zh"
              else f"{fmt.pct(s, ctx.lang)} ({fmt.compact(h, ctx.lang)}/{fmt.compact(t, ctx.lang)})"
              for s, h, t in ranked.select("share_of_target", "on_hand", "target").rows()],
        textposition="outside", cliponaxis=False,
        hovertemplate="%{y}<br>%{text}<extra></extra>",
    ))
    fig.add_vline(x=1, line={"color": briefing.NEUTRAL, "dash": "dash"})
    fig.update_xaxes(title=i18n.t("stock.chart.share_axis", ctx.lang), **fmt.ticks(0, 1.0, ctx.lang, "pct", target=4))
    fig.update_xaxes(range=[0, 1.45])
    fig.update_yaxes(automargin=True)
    return briefing.briefing(fig, ctx, what, height=max(380, 150 + 28 * ranked.height))


def share_map(by_county: pl.DataFrame, item: str, ctx: briefing.Context, league_code: str | None = None) -> go.Figure:
    """Stock on hand as a share of target per banner/county (facilities that reported)."""
    what = i18n.t("stock.chart.map", ctx.lang, item=item_name(item, ctx.lang))
    values = by_county.filter(pl.col("item") == item).select(pl.col("code").alias("adcode"), pl.col("share_of_target").alias("value"))
    return maps.choropleth(values, ctx, what, level="county", value_label=i18n.t("stock.chart.share_axis", ctx.lang),
                           kind="pct", colorscale=maps.SEQUENTIAL_GOOD, zmin=0.5, zmax=1.5, league_code=league_code)


def trend(per_week: pl.DataFrame, ctx: briefing.Context) -> go.Figure:
    what = i18n.t("stock.chart.trend", ctx.lang)
    if per_week.height == 0:
        return briefing.empty(ctx, what)
    fig = go.Figure()
    most = 1.0
    for item in ("antigen", "antipyretic", "cough", "tcm"):
        one = per_week.filter(pl.col("item") == item)
        values = one["share_of_target"].to_list()
        most = max([most, *[v for v in values if v is not None]])
        fig.add_trace(go.Scatter(x=[weeks.tick(w, ctx.lang) for w in one["week"].to_list()], y=values,
                                 name=item_name(item, ctx.lang), mode="lines+markers",
                                 line={"color": ITEM_COLOURS[item], "width": 3},
                                 customdata=[fmt.pct(v, ctx.lang) for v in values],
                                 hovertemplate="%{x}<br>%{fullData.name}: %{customdata}<extra></extra>"))
    briefing.target_line(fig, 1, i18n.t("stock.chart.target_line", ctx.lang))
    fig.update_yaxes(title=i18n.t("stock.chart.share_axis", ctx.lang), **fmt.ticks(0, most * 1.05, ctx.lang, "pct", target=4))
    fig.update_xaxes(title=i18n.t("stock.chart.week_axis", ctx.lang), type="category")
    return briefing.briefing(fig, ctx, what, height=500, tick_lines=2)


def _rgb(hex_colour: str, alpha: int = 255) -> list[int]:
    h = hex_colour.lstrip("#")
    return [int(h[i:i + 2], 16) for i in (0, 2, 4)] + [alpha]


def shortfall_map(rows: pl.DataFrame, item: str, lang: str, league_code: str | None = None) -> pdk.Deck:
    """The real banner/county boundaries as the base (no tiles: map_provider=None) and one dot per
    facility for `item`: colour by status against the 15-20% range, area by shortfall (facilities that
    did not report: small grey dots); tooltips in `lang`."""
    features = geography.boundaries("county")["features"]
    if league_code:
        features = [f for f in features if f["properties"]["league_code"] == league_code]
    base = pdk.Layer("GeoJsonLayer", {"type": "FeatureCollection", "features": features}, stroked=True, filled=True,
                     get_fill_color=[244, 246, 247, 255], get_line_color=[150, 160, 170, 255], line_width_min_pixels=1,
                     pickable=False)
    low, high = policy.policy_range("stock.population_share")
    status = {s: i18n.t(f"stock.status.{s}", lang, low=f"{low:.0%}", high=f"{high:.0%}") for s in STATUS_COLOURS}
    cover = {s: i18n.t(f"stock.cover_status.{s}", lang) for s in ("missing", "use_missing", "no_use", "short", "ok")}
    unit = i18n.t("stock.map.unit", lang)
    one = rows.filter((pl.col("item") == item) & pl.col("lat").is_not_null() & pl.col("lon").is_not_null())
    most = max(one["shortfall"].max() or 1, 1) if one.height else 1
    def shown(col: str) -> pl.Expr:
        return pl.col(col).cast(pl.Int64).cast(pl.String).fill_null("—")

    points = one.with_columns(
        pl.col("status").replace_strict({s: _rgb(c, 230) for s, c in STATUS_COLOURS.items()}, default=[120, 120, 120, 230],
                                        return_dtype=pl.List(pl.Int64)).alias("colour"),
        # dot area in proportion to the shortfall; a floor so that met and missing facilities still show
        (1500 + 14000 * (pl.col("shortfall").fill_null(0) / most).sqrt()).alias("radius"),
        pl.format("<b>{}</b><br>{}<br>{}: {} / {} {}<br>{}: {} {}<br>{}: {}",
                  "facility_name", pl.col("status").replace_strict(status, default=""),
                  pl.lit(i18n.t("stock.col.on_hand", lang)), shown("on_hand"), shown("target"), pl.lit(unit),
                  pl.lit(i18n.t("stock.col.shortfall", lang)), shown("shortfall"), pl.lit(unit),
                  pl.lit(i18n.t("stock.col.cover_days", lang)),
                  pl.when(pl.col("cover_days").is_not_null()).then(pl.col("cover_days").round(1).cast(pl.String))
                  .otherwise(pl.col("cover_status").replace_strict(cover, default=""))).alias("tip"),
    ).sort(pl.col("shortfall").fill_null(-1))  # the largest gaps drawn last, on top
    dots = pdk.Layer("ScatterplotLayer", points.select("lon", "lat", "colour", "tip", "radius").to_dicts(),
                     get_position=["lon", "lat"], get_fill_color="colour", get_radius="radius",
                     get_line_color=[255, 255, 255, 255], stroked=True, line_width_min_pixels=1,
                     radius_min_pixels=3, radius_max_pixels=28, pickable=True)
    view = maps.fit_view(points["lon"].to_list(), points["lat"].to_list())  # a margin so the dots at the edges show whole
    return maps.CompactDeck(layers=[base, dots, maps.deck_names(league_code, lang, view)], initial_view_state=view,
                    map_provider=None,
                    tooltip={"html": "{tip}", "style": {"fontSize": "13px", "backgroundColor": "#1B2631", "color": "white"}})


def shortfall_legend(lang: str) -> str:
    """The on-screen map's legend: the dots' statuses against the policy range (dot size = shortfall)."""
    low, high = policy.policy_range("stock.population_share")
    items = [(STATUS_COLOURS[s], i18n.t(f"stock.status.{s}", lang, low=fmt.pct(low, lang, 0), high=fmt.pct(high, lang, 0)))
             for s in ("below_low", "between", "met", "missing")]
    return maps.legend_html(items)
