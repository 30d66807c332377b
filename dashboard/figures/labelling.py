"""Risk-labelling charts: the coverage funnel, recorded colours, the label audit, signing and contact
rates, the map of people found, and the trend."""
from __future__ import annotations

import math

import plotly.graph_objects as go
import polars as pl
import pydeck as pdk
from plotly.colors import sample_colorscale

from dashboard import formatting as fmt
from dashboard.metrics import geography
from dashboard import i18n, weeks
from dashboard.figures import briefing, maps


def _legend_on_top(fig: go.Figure, **_) -> go.Figure:
    """(The legend's place is reserved by briefing.briefing now.)"""
    return fig


def funnel(total: dict, ctx: briefing.Context) -> go.Figure:
    """In the register -> labelled -> yellow/red by the rule -> under case management."""
    what = i18n.t("labelling.chart.funnel", ctx.lang)
    if not total.get("persons"):
        return briefing.empty(ctx, what)
    stages = ["persons", "labelled", "rule_yellow_red", "managed"]
    values = [total["persons"], total["labelled"], total["rule_yellow"] + total["rule_red"], total["managed"]]
    fig = go.Figure(go.Funnel(
        y=[i18n.t(f"labelling.stage.{s}", ctx.lang) for s in stages], x=values,
        text=[fmt.num(values[0], ctx.lang)] + [f"{fmt.num(v, ctx.lang)}<br>{fmt.pct(v / p if p else None, ctx.lang)}"
                                                for v, p in zip(values[1:], values[:-1])],
        textinfo="text", hovertemplate="%{y}: %{text}<extra></extra>",
        marker={"color": [briefing.NEUTRAL, briefing.TIER_COLOURS["primary"], briefing.LABEL_COLOURS["yellow"],
                          briefing.LABEL_COLOURS["red"]]},
        connector={"line": {"color": "#D5D8DC"}},
    ))
    fig.update_yaxes(automargin=True)
    fig.update_xaxes(visible=False)
    return briefing.briefing(fig, ctx, what, axis_band=0, left=150)


def colours(total: dict, ctx: briefing.Context) -> go.Figure:
    """One stacked bar: recorded green / yellow / red and not labelled, in people."""
    what = i18n.t("labelling.chart.colours", ctx.lang)
    if not total.get("persons"):
        return briefing.empty(ctx, what)
    fig = go.Figure()
    parts = [("green", total["green"], briefing.LABEL_COLOURS["green"]),
             ("yellow", total["yellow"], briefing.LABEL_COLOURS["yellow"]),
             ("red", total["red"], briefing.LABEL_COLOURS["red"]),
             (None, total["persons"] - total["labelled"], briefing.MISSING)]
    for label, value, colour in parts:
        name = i18n.value("label", label, ctx.lang) if label else i18n.t("labelling.chart.unlabelled", ctx.lang)
        fig.add_trace(go.Bar(x=[value], y=[""], orientation="h", name=name, marker_color=colour,
                             text=[f"{fmt.num(value, ctx.lang)}<br>{fmt.pct(value / total['persons'], ctx.lang)}"],
                             textposition="inside", insidetextanchor="middle", hovertemplate="%{fullData.name}: %{text}<extra></extra>"))
    fig.update_layout(barmode="stack")
    fig.update_xaxes(title=i18n.t("labelling.chart.people_axis", ctx.lang), **fmt.ticks(0, total["persons"], ctx.lang, "compact"))
    fig.update_yaxes(showticklabels=False)
    return briefing.briefing(fig, ctx, what, height=340, left=20)


def audit(facilities: pl.DataFrame, ctx: briefing.Context, top: int = 15) -> go.Figure:
    """Facilities with the most people whose recorded label differs from the rule (under and over)."""
    what = i18n.t("labelling.chart.audit", ctx.lang)
    ranked = (facilities.filter(pl.col("reported") & (pl.col("mislabelled") > 0))
              .sort(["mislabelled", "facility_code"], descending=[True, False]).head(top).reverse())
    if ranked.height == 0:
        return briefing.empty(ctx, what)
    fig = go.Figure()
    # audit categories are not risk labels: blue and sky, never the labels' red and yellow
    for column, key, colour in (("under_labelled", "labelling.col.under", briefing.BLUE),
                                ("over_labelled", "labelling.col.over", briefing.SKY)):
        values = ranked[column].to_list()
        fig.add_trace(go.Bar(y=ranked["facility_name"].to_list(), x=values, orientation="h",
                             name=i18n.t(key, ctx.lang), marker_color=colour,
                             text=[fmt.num(v, ctx.lang) if v else "" for v in values], textposition="inside",
                             textangle=0, insidetextanchor="middle"))
    totals = ranked["mislabelled"].to_list()
    briefing.bar_ends(fig, ranked["facility_name"].to_list(), totals, [fmt.num(v, ctx.lang) for v in totals])
    fig.update_layout(barmode="stack")
    fig.update_xaxes(title=i18n.t("labelling.chart.people_axis", ctx.lang),
                     **fmt.ticks(0, max(totals) * 1.12, ctx.lang, "compact", integer=True))
    fig.update_yaxes(automargin=True)
    return briefing.briefing(fig, ctx, what, height=max(380, 170 + 28 * ranked.height))


def rates(areas: pl.DataFrame, ctx: briefing.Context, yellow_min: int, red_min: int, target: float) -> go.Figure:
    """Signing and contact-frequency shares per area or facility (grouped bars; `name` column),
    against the signing target (coverage.family_doctor_signed_target)."""
    what = i18n.t("labelling.chart.rates", ctx.lang)
    shown = areas.filter(pl.col("reported") > 0)
    if shown.height == 0:
        return briefing.empty(ctx, what)
    fig = go.Figure()
    for column, name, colour in (
        ("signed_share", i18n.t("labelling.series.signed", ctx.lang), briefing.TIER_COLOURS["primary"]),
        ("yellow_contact_share", i18n.t("labelling.series.yellow_contact", ctx.lang, n=yellow_min), briefing.LABEL_COLOURS["yellow"]),
        ("red_contact_share", i18n.t("labelling.series.red_contact", ctx.lang, n=red_min), briefing.LABEL_COLOURS["red"]),
    ):
        fig.add_trace(go.Bar(x=shown["name"].to_list(), y=shown[column].to_list(), name=name, marker_color=colour,
                             customdata=[fmt.pct(v, ctx.lang) for v in shown[column].to_list()],
                             hovertemplate="%{x}<br>%{fullData.name}: %{customdata}<extra></extra>"))
    briefing.target_line(fig, target, f"{i18n.t('labelling.chart.target', ctx.lang)} {fmt.pct(target, ctx.lang, 0)}")
    fig.update_layout(barmode="group")
    fig.update_yaxes(title=i18n.t("labelling.chart.share_axis", ctx.lang),
                     **fmt.ticks(0, max(1.0, target), ctx.lang, "pct", target=4))
    fig.update_yaxes(range=[0, max(1.12, target + 0.12)])
    lines = briefing.category_ticks(fig, shown["name"].to_list())
    return briefing.briefing(fig, ctx, what, height=540 + briefing.TICK_LINE * lines, tick_lines=lines, x_title=False)


def found(found_65: int | None, pop65: int | None, ctx: briefing.Context) -> go.Figure:
    """Everyone found (全覆盖): people aged 65+ in the registers against the census 65+ population."""
    what = i18n.t("labelling.chart.found", ctx.lang)
    if not pop65 or found_65 is None:
        return briefing.empty(ctx, what)
    names = [i18n.t("labelling.col.pop65", ctx.lang), i18n.t("labelling.col.found", ctx.lang)]
    fig = go.Figure(go.Bar(
        y=names, x=[pop65, found_65], orientation="h", marker_color=[briefing.MISSING, briefing.NEUTRAL],
        text=[fmt.num(pop65, ctx.lang), f"{fmt.num(found_65, ctx.lang)}（{fmt.pct(found_65 / pop65, ctx.lang)}）"
              if ctx.lang == "zh" else f"{fmt.num(found_65, ctx.lang)} ({fmt.pct(found_65 / pop65, ctx.lang)})"],
        textposition="auto", showlegend=False, hovertemplate="%{y}: %{text}<extra></extra>",
    ))
    fig.update_xaxes(title=i18n.t("labelling.chart.people_axis", ctx.lang),
                     **fmt.ticks(0, max(pop65, found_65), ctx.lang, "compact"))
    fig.update_yaxes(automargin=True, autorange="reversed")
    return briefing.briefing(fig, ctx, what, height=320)


MAP_KEYS = ("found_share", "labelled_share", "signed_share", "managed_share")
COVERAGE_SCALE = maps.SEQUENTIAL_GOOD  # single hue, colour-blind safe (was red-yellow-green)
COVERAGE_RANGE = (0.5, 1.0)  # colour stretch: 50% and below red, full coverage green


def coverage_map(areas: pl.DataFrame, ctx: briefing.Context, metric: str, level: str,
                 league_code: str | None = None) -> go.Figure:
    """Offline plotly choropleth (PNG export) of one coverage share per banner/county or league/city."""
    what = i18n.t("labelling.chart.map", ctx.lang, metric=i18n.t(f"labelling.map.{metric}", ctx.lang))
    values = areas.select(pl.col("code").alias("adcode"), pl.col(metric).alias("value"))
    return maps.choropleth(values, ctx, what, level=level, value_label=i18n.t(f"labelling.map.{metric}", ctx.lang),
                           kind="pct", colorscale=COVERAGE_SCALE, zmin=COVERAGE_RANGE[0], zmax=COVERAGE_RANGE[1],
                           league_code=league_code if level == "county" else None)


def _colours(values: list) -> list[list[int]]:
    """RGBA of each share on the coverage scale; grey (maps.NO_DATA) where missing."""
    lo, hi = COVERAGE_RANGE
    present = [v is not None and not (isinstance(v, float) and math.isnan(v)) for v in values]
    sampled = iter(sample_colorscale(COVERAGE_SCALE, [min(max((v - lo) / (hi - lo), 0.0), 1.0)
                                                      for v, ok in zip(values, present) if ok]))
    out = []
    for ok in present:
        rgb = next(sampled) if ok else "rgb(213, 216, 220)"
        out.append([int(float(x)) for x in rgb[rgb.index("(") + 1:-1].split(",")] + [215])
    return out


def _share(column: str) -> pl.Expr:
    return pl.when(pl.col(column).is_not_nan()).then((pl.col(column) * 100).round(1).cast(pl.String) + "%").fill_null("—")


def coverage_deck(areas: pl.DataFrame, metric: str, level: str, lang: str, league_code: str | None = None) -> pdk.Deck:
    """The same map on screen: pydeck over the real boundaries, no basemap tiles, tooltips in `lang`
    with the area's found / census 65+, labelled, signed and case-managed shares."""
    features = geography.boundaries(level)["features"]
    if league_code and level == "county":
        features = [f for f in features if f["properties"]["league_code"] == league_code]
    label = {k: i18n.t(f"labelling.map.{k}", lang) for k in MAP_KEYS}
    tips = areas.with_columns(pl.col("reported").fill_null(0), pl.col("facilities").fill_null(0)).select(
        "code",
        pl.format("{}{}: {} ({} / {})<br>{}: {}<br>{}: {}<br>{}: {}<br>{}: {} / {}",
                  pl.when(pl.col("reported") == 0).then(pl.lit(i18n.t("labelling.not_reported", lang) + "<br>")).otherwise(pl.lit("")),
                  pl.lit(label["found_share"]), _share("found_share"),
                  pl.col("found_65").cast(pl.String).fill_null("—"), pl.col("pop65").cast(pl.String).fill_null("—"),
                  pl.lit(label["labelled_share"]), _share("labelled_share"),
                  pl.lit(label["signed_share"]), _share("signed_share"),
                  pl.lit(label["managed_share"]), _share("managed_share"),
                  pl.lit(i18n.t("labelling.metric.reported", lang)), "reported", "facilities").alias("tip"),
        pl.Series("colour", _colours(areas[metric].to_list()), dtype=pl.List(pl.Int64)),
    )
    lookup = {r["code"]: r for r in tips.to_dicts()}
    blank = {"tip": "", "colour": [248, 249, 249, 255]}
    coloured = [{**f, "properties": {**f["properties"], "colour": lookup.get(f["properties"]["adcode"], blank)["colour"],
                                     "tip": f"<b>{f['properties']['name_zh']}</b><br>"
                                            + lookup.get(f["properties"]["adcode"], blank)["tip"]}} for f in features]
    base = pdk.Layer("GeoJsonLayer", {"type": "FeatureCollection", "features": coloured}, stroked=True, filled=True,
                     get_fill_color="properties.colour", get_line_color=[255, 255, 255, 255], line_width_min_pixels=1,
                     pickable=True, auto_highlight=True)
    points = [pt for f in features for ring in maps._rings(f["geometry"]) for pt in ring]
    view = maps.fit_view([p[0] for p in points], [p[1] for p in points], max_zoom=10, min_zoom=2.4)
    names = maps.deck_names(league_code if level == "county" else None, lang, view)
    return maps.CompactDeck(layers=[base, names], initial_view_state=view, map_provider=None,
                    tooltip={"html": "{tip}", "style": {"fontSize": "13px", "backgroundColor": "#1B2631", "color": "white"}})


def trend(per_week: pl.DataFrame, ctx: briefing.Context, target: float | None = None) -> go.Figure:
    """Shares over the weeks up to the selected one, with the full-coverage target (policy) dashed."""
    what = i18n.t("labelling.chart.trend", ctx.lang)
    if per_week.height == 0:
        return briefing.empty(ctx, what)
    x = [weeks.tick(w, ctx.lang) for w in per_week["week"].to_list()]
    fig = go.Figure()
    for column, key, colour in (("found_share", "found", briefing.NEUTRAL),
                                ("labelled_share", "labelled", briefing.SKY),
                                ("signed_share", "signed", briefing.BLUE),
                                ("managed_share", "managed", briefing.PURPLE)):
        values = per_week[column].to_list()
        fig.add_trace(go.Scatter(x=x, y=values, name=i18n.t(f"labelling.series.{key}", ctx.lang),
                                 mode="lines+markers", line={"color": colour, "width": 3},
                                 customdata=[fmt.pct(v, ctx.lang) for v in values],
                                 hovertemplate="%{x}<br>%{fullData.name}: %{customdata}<extra></extra>"))
    if target is not None:
        briefing.target_line(fig, target, f"{i18n.t('labelling.chart.target', ctx.lang)} {fmt.pct(target, ctx.lang, 0)}")
    fig.update_yaxes(title=i18n.t("labelling.chart.share_axis", ctx.lang), **fmt.ticks(0, 1.0, ctx.lang, "pct", target=4))
    fig.update_yaxes(range=[0, max(1.05, (target or 0) + 0.05)])
    fig.update_xaxes(title=i18n.t("labelling.chart.week_axis", ctx.lang), type="category")
    return briefing.briefing(fig, ctx, what, tick_lines=2)


def coverage_legend(metric: str, lang: str) -> str:
    """The on-screen map's legend: the coverage scale and 'no data'."""
    lo, hi = COVERAGE_RANGE
    items = maps.scale_legend(COVERAGE_SCALE, lo, hi, "pct", lang) + [(maps.NO_DATA, i18n.t("app.chart.map_no_data", lang))]
    return maps.legend_html(items, i18n.t(f"labelling.map.{metric}", lang))
