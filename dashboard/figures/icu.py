"""ICU staffing charts: hospitals ranked by gap, maps of gaps (pydeck on screen, a plotly choropleth
for export; neither loads tiles), occupancy and gaps over the weeks, one hospital's staff over the weeks."""
from __future__ import annotations

import plotly.graph_objects as go
import polars as pl
import pydeck as pdk
from plotly.colors import sample_colorscale
from plotly.subplots import make_subplots

from dashboard import formatting as fmt
from dashboard.metrics import geography
from dashboard import i18n, weeks
from dashboard.figures import briefing, maps

STATUS_COLOURS = {"short": briefing.BAD, "meets_minimum": briefing.WARN, "fully_meets": briefing.GOOD,
                  "cannot_judge": briefing.MISSING, "no_beds": briefing.NEUTRAL, "missing": briefing.MISSING,
                  "duty_unknown": briefing.MISSING}
DOCTOR, NURSE, RESERVE = briefing.SERIES[0], briefing.SERIES[1], briefing.SERIES[2]


def _axis(hi, lang: str, kind: str = "compact") -> dict:
    """Tick values and text for a count axis from 0 to hi, written the way the tables write numbers."""
    return fmt.ticks(0, hi or 1, lang, kind, integer=kind != "pct")


def gap_ranking(hospitals: pl.DataFrame, ctx: briefing.Context, top: int = 15) -> go.Figure:
    """Horizontal stacked bars (doctors, nurses) for the hospitals with the largest front-line gap."""
    what = i18n.t("icu.chart.ranking", ctx.lang)
    ranked = (hospitals.filter(pl.col("reported") & ((pl.col("doctor_gap") + pl.col("nurse_gap")) > 0))
              .with_columns((pl.col("doctor_gap") + pl.col("nurse_gap")).alias("gap"))
              .sort(["gap", "facility_code"], descending=[True, False]).head(top)
              .reverse())  # plotly draws the first bar at the bottom
    if ranked.height == 0:
        return briefing.empty(ctx, what)
    names = ranked["facility_name"].to_list()
    fig = go.Figure()
    for column, key, colour in (("doctor_gap", "icu.col.doctor_gap", DOCTOR),
                                ("nurse_gap", "icu.col.nurse_gap", NURSE)):
        values = ranked[column].to_list()
        fig.add_trace(go.Bar(y=names, x=values, orientation="h", name=i18n.t(key, ctx.lang),
                             marker_color=colour, text=[fmt.num(v, ctx.lang) if v else "" for v in values],
                             textposition="inside", textangle=0, insidetextanchor="middle",
                             hovertemplate="%{y}<br>%{fullData.name}: %{text}<extra></extra>"))
    totals = ranked["gap"].to_list()
    briefing.bar_ends(fig, names, totals, [fmt.num(v, ctx.lang) for v in totals])
    fig.update_layout(barmode="stack")
    fig.update_xaxes(title=i18n.t("icu.chart.gap_axis", ctx.lang), **_axis(max(totals) * 1.12, ctx.lang))
    fig.update_yaxes(automargin=True)
    return briefing.briefing(fig, ctx, what, height=max(380, 170 + 28 * ranked.height))


def gap_map(by_area: pl.DataFrame, ctx: briefing.Context, league_code: str | None = None,
            level: str = "county") -> go.Figure:
    """Front-line gap per ICU bed (doctors + nurses missing per bed) per banner/county or league, so a
    large area does not look worse for being large; grey where no hospital reported. The hover and
    the exported data keep the gap in people too."""
    per_bed = by_area.select(pl.col("code").alias("adcode"), pl.col("gap_per_bed").alias("value"),
                             pl.col("front_line_gap").alias("people"))
    extra = {r["adcode"]: f"{i18n.t('icu.chart.gap_axis', ctx.lang)}: {fmt.num(r['people'], ctx.lang)}"
             for r in per_bed.iter_rows(named=True) if r["people"] is not None}
    return maps.choropleth(per_bed, ctx, i18n.t("icu.chart.map", ctx.lang), level=level,
                           value_label=i18n.t("icu.chart.gap_per_bed", ctx.lang), kind="num1",
                           colorscale=maps.SEQUENTIAL_BAD, zmin=0, league_code=league_code, hover_extra=extra)


def trend(per_week: pl.DataFrame, ctx: briefing.Context) -> go.Figure:
    """Two panels over the weeks, each with its own plain axis (no dual axis): occupancy (line, %)
    above, front-line and reserve gaps (bars, people) below. A week with no report leaves a hole,
    never a zero."""
    what = i18n.t("icu.chart.trend", ctx.lang)
    if per_week.height == 0:
        return briefing.empty(ctx, what)
    labels = [weeks.tick(w, ctx.lang) for w in per_week["week"].to_list()]
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.38, 0.62], vertical_spacing=0.1)
    occupancy = per_week["occupancy"].to_list()
    fig.add_trace(go.Scatter(x=labels, y=occupancy, name=i18n.t("icu.chart.occupancy_axis", ctx.lang),
                             mode="lines+markers+text", line={"color": briefing.NEUTRAL, "width": 3},
                             text=[fmt.pct(v, ctx.lang) if v is not None else "" for v in occupancy],
                             textposition="top center", cliponaxis=False,
                             hovertemplate="%{x}: %{text}<extra></extra>"), row=1, col=1)
    most = 0
    for column, key, colour in (("doctor_gap", "icu.col.doctor_gap", DOCTOR),
                                ("nurse_gap", "icu.col.nurse_gap", NURSE),
                                ("reserve_gap", "icu.col.reserve_gap", RESERVE)):
        values = per_week[column].to_list()
        most = max([most, *[v for v in values if v is not None]])
        fig.add_trace(go.Bar(x=labels, y=values, name=i18n.t(key, ctx.lang), marker_color=colour,
                             text=[fmt.num(v, ctx.lang) if v is not None else "" for v in values],
                             textposition="outside", cliponaxis=False,
                             hovertemplate="%{x}<br>%{fullData.name}: %{text}<extra></extra>"), row=2, col=1)
    fig.update_layout(barmode="group")
    fig.update_yaxes(title=i18n.t("icu.chart.occupancy_axis", ctx.lang), row=1, col=1,
                     **fmt.ticks(0, 1.2, ctx.lang, "pct", target=3))
    fig.update_yaxes(title=i18n.t("icu.chart.gap_axis", ctx.lang), row=2, col=1, **_axis(most * 1.2, ctx.lang))
    fig.update_xaxes(type="category")
    fig.update_xaxes(title=i18n.t("icu.chart.week_axis", ctx.lang), row=2, col=1)
    return briefing.briefing(fig, ctx, what, height=580, tick_lines=2, x_title=True)


def _rgb(hex_colour: str, alpha: int = 255) -> list[int]:
    h = hex_colour.lstrip("#")
    return [int(h[i:i + 2], 16) for i in (0, 2, 4)] + [alpha]


def _shown(column: str) -> pl.Expr:
    return pl.col(column).cast(pl.Int64).cast(pl.String).fill_null("—")


def gap_deck(by_area: pl.DataFrame, hospitals: pl.DataFrame, lang: str, league_code: str | None = None,
             level: str = "county") -> pdk.Deck:
    """Areas (banners/counties or leagues: the roll-up's level, rows of metrics.icu.rollup) filled by
    the front-line gap per ICU bed (a light-to-dark sequential scale; grey where no hospital
    reported), one dot per hospital coloured by status, sized by its own gap per bed; place names on
    the map; tooltips in `lang`."""
    features = geography.boundaries(level)["features"]
    if league_code:
        key = "league_code" if level == "county" else "adcode"
        features = [f for f in features if f["properties"][key] == league_code]
    gap_label, people = i18n.t("icu.chart.gap_axis", lang), i18n.t("icu.metric.people", lang)
    per_bed_label = i18n.t("icu.chart.gap_per_bed", lang)
    no_report = i18n.t("icu.status.missing", lang)
    per_bed = by_area["gap_per_bed"].to_list()
    most = max([v for v in per_bed if v is not None] or [1.0]) or 1.0
    colours = [_rgb(briefing.MISSING, 200) if v is None else
               [int(float(x)) for x in sample_colorscale(maps.SEQUENTIAL_BAD, [min(v / most, 1.0)])[0][4:-1].split(",")] + [215]
               for v in per_bed]
    shown_per_bed = [no_report if v is None else fmt.num(v, lang, 2) for v in per_bed]
    counties = by_area.with_columns(
        pl.Series("colour", colours, dtype=pl.List(pl.Int64)),
        pl.Series("per_bed_text", shown_per_bed, dtype=pl.String)).with_columns(
        pl.format("<b>{}</b><br>{}: {}<br>{}: {}<br>{}: {} / {}", "name", pl.lit(per_bed_label), "per_bed_text",
                  pl.lit(gap_label),
                  pl.when(pl.col("front_line_gap").is_null()).then(pl.lit(no_report))
                  .otherwise(pl.format("{} {}", "front_line_gap", pl.lit(people))),
                  pl.lit(i18n.t("icu.metric.reported", lang)), "reported", "hospitals").alias("tip"),
    )
    lookup = {r["code"]: r for r in counties.select("code", "colour", "tip").to_dicts()}
    blank = {"colour": [248, 249, 249, 255], "tip": ""}
    coloured = [{**f, "properties": {**f["properties"], **{k: v for k, v in lookup.get(f["properties"]["adcode"], blank).items()
                                                           if k != "code"}}} for f in features]
    base = pdk.Layer("GeoJsonLayer", {"type": "FeatureCollection", "features": coloured}, stroked=True, filled=True,
                     get_fill_color="properties.colour", get_line_color=[150, 160, 170, 255], line_width_min_pixels=1,
                     pickable=True)
    status = {s: i18n.t(f"icu.status.{s}", lang) for s in STATUS_COLOURS}
    located = hospitals.filter(pl.col("lat").is_not_null() & pl.col("lon").is_not_null()).with_columns(
        pl.when(pl.col("icu_beds") > 0).then(pl.col("front_line_gap") / pl.col("icu_beds")).alias("gap_per_bed"))
    worst = max(located["gap_per_bed"].max() or 1.0, 1e-9) if located.height else 1.0
    points = located.with_columns(
        pl.col("status").replace_strict({s: _rgb(c, 210) for s, c in STATUS_COLOURS.items()},
                                        return_dtype=pl.List(pl.Int64)).alias("colour"),
        (2 + 6 * (pl.col("gap_per_bed").fill_null(0).clip(0, None) / worst).sqrt()).alias("radius"),  # pixels: small enough to leave the areas readable
        pl.format("<b>{}</b><br>{}<br>{}: {} · {}: {} / {} · {}: {} / {}", "facility_name",
                  pl.col("status").replace_strict(status),
                  pl.lit(i18n.t("icu.col.beds", lang)), _shown("icu_beds"),
                  pl.lit(i18n.t("icu.chart.doctors", lang)), _shown("icu_doctors"), _shown("doctors_required"),
                  pl.lit(i18n.t("icu.chart.nurses", lang)), _shown("icu_nurses"), _shown("nurses_required")).alias("tip"),
    ).sort(pl.col("gap_per_bed").fill_null(-1))  # the largest gaps drawn last, on top
    dots = pdk.Layer("ScatterplotLayer", points.select("lon", "lat", "colour", "tip", "radius").to_dicts(),
                     get_position=["lon", "lat"], get_fill_color="colour", get_radius="radius",
                     get_line_color=[255, 255, 255, 255], stroked=True, line_width_min_pixels=1,
                     radius_units=pdk.types.String("pixels"), pickable=True)
    if points.height:
        lons, lats = points["lon"].to_list(), points["lat"].to_list()
    else:
        rings = [pt for f in features for ring in maps._rings(f["geometry"]) for pt in ring]
        lons, lats = [p[0] for p in rings], [p[1] for p in rings]
    view = maps.fit_view(lons, lats, margin=0.3, max_zoom=10)
    return maps.CompactDeck(layers=[base, dots, maps.deck_names(league_code, lang, view)],  # leagues named, or a league's counties
                    initial_view_state=view, map_provider=None,
                    tooltip={"html": "{tip}", "style": {"fontSize": "13px", "backgroundColor": "#1B2631", "color": "white"}})


def hospital_trend(one: pl.DataFrame, ctx: briefing.Context, name: str) -> go.Figure:
    """One hospital over the weeks: front-line doctors and nurses reported (bars) against the number
    required (lines). A week with no report shows as a gap in the bars, not as zero."""
    what = i18n.t("icu.chart.hospital", ctx.lang, name=name)
    if one.height == 0:
        return briefing.empty(ctx, what)
    labels = [weeks.tick(w, ctx.lang) for w in one["week"].to_list()]
    fig = go.Figure()
    most = 0
    for have, need, key, colour in (("icu_doctors", "doctors_required", "icu.chart.doctors", DOCTOR),
                                    ("icu_nurses", "nurses_required", "icu.chart.nurses", NURSE)):
        label = i18n.t(key, ctx.lang)
        values, needed = one[have].to_list(), one[need].to_list()
        most = max([most, *[v for v in values + needed if v is not None]])
        fig.add_trace(go.Bar(x=labels, y=values, name=i18n.t("icu.chart.reported", ctx.lang, who=label),
                             marker_color=colour, opacity=0.8, textposition="outside", cliponaxis=False,
                             text=[fmt.num(v, ctx.lang) if v is not None else "" for v in values]))
        fig.add_trace(go.Scatter(x=labels, y=needed, name=i18n.t("icu.chart.required", ctx.lang, who=label),
                                 mode="lines+markers", line={"color": colour, "width": 2, "dash": "dash"}))
    fig.update_layout(barmode="group")
    fig.update_xaxes(title=i18n.t("icu.chart.week_axis", ctx.lang), type="category")
    fig.update_yaxes(title=i18n.t("icu.chart.people_axis", ctx.lang), **_axis(most * 1.2, ctx.lang))
    return briefing.briefing(fig, ctx, what, height=480, tick_lines=2)


def whatif(by_area: pl.DataFrame, ctx: briefing.Context, name_col: str = "name") -> go.Figure:
    """Extra doctors and nurses needed per area if the convertible beds are opened (on top of today's gap)."""
    what = i18n.t("icu.chart.whatif", ctx.lang)
    rows = (by_area.filter(pl.col("opened_beds") > 0)
            .sort(pl.col("extra_doctors_if_converted") + pl.col("extra_nurses_if_converted"), "code", descending=[True, False])
            .reverse())  # horizontal bars: plotly draws the first at the bottom, so the largest ends on top
    if rows.height == 0:
        return briefing.empty(ctx, what)
    names = rows[name_col].to_list()
    fig = go.Figure()
    most = 0
    for column, key, colour in (("extra_doctors_if_converted", "icu.col.extra_doctors", DOCTOR),
                                ("extra_nurses_if_converted", "icu.col.extra_nurses", NURSE)):
        values = rows[column].to_list()
        most = max([most, *[v for v in values if v is not None]])
        fig.add_trace(go.Bar(y=names, x=values, orientation="h", name=i18n.t(key, ctx.lang), marker_color=colour,
                             text=[fmt.num(v, ctx.lang) for v in values], textposition="outside", cliponaxis=False))
    fig.update_layout(barmode="group")
    fig.update_xaxes(title=i18n.t("icu.chart.people_axis", ctx.lang), **_axis(most * 1.15, ctx.lang))
    fig.update_yaxes(type="category", automargin=True)
    return briefing.briefing(fig, ctx, what, height=max(380, 170 + 44 * rows.height))


def area_gaps(rolled: pl.DataFrame, ctx: briefing.Context, name_col: str = "name", top: int = 20) -> go.Figure:
    """Front-line gap per area (stacked doctors and nurses), largest on top; areas where no hospital
    reported are left out (their gap is unknown), and counted in the table beside."""
    what = i18n.t("icu.chart.areas", ctx.lang)
    rows = (rolled.filter(pl.col("front_line_gap") > 0)
            .sort(["front_line_gap", "code"], descending=[True, False]).head(top).reverse())
    if rows.height == 0:
        return briefing.empty(ctx, what)
    names = rows[name_col].to_list()
    fig = go.Figure()
    for column, key, colour in (("doctor_gap", "icu.col.doctor_gap", DOCTOR),
                                ("nurse_gap", "icu.col.nurse_gap", NURSE)):
        values = rows[column].to_list()
        fig.add_trace(go.Bar(y=names, x=values, orientation="h", name=i18n.t(key, ctx.lang), marker_color=colour,
                             text=[fmt.num(v, ctx.lang) if v else "" for v in values], textposition="inside",
                             textangle=0, insidetextanchor="middle"))
    totals = rows["front_line_gap"].to_list()
    briefing.bar_ends(fig, names, totals, [fmt.num(v, ctx.lang) for v in totals])
    fig.update_layout(barmode="stack")
    fig.update_xaxes(title=i18n.t("icu.chart.gap_axis", ctx.lang), **_axis(max(totals) * 1.12, ctx.lang))
    fig.update_yaxes(type="category", automargin=True)
    return briefing.briefing(fig, ctx, what, height=max(380, 170 + 28 * rows.height))


def gap_legend(by_area: pl.DataFrame, lang: str) -> str:
    """The on-screen map's legend: the per-bed scale, then the hospital dots' statuses."""
    most = max([v for v in by_area["gap_per_bed"].to_list() if v is not None] or [1.0]) or 1.0
    scale = maps.scale_legend(maps.SEQUENTIAL_BAD, 0, most, "num1", lang) + [(briefing.MISSING, i18n.t("icu.status.missing", lang))]
    dots = [(c, i18n.t(f"icu.status.{s}", lang)) for s, c in STATUS_COLOURS.items()]
    return maps.legend_html(scale, i18n.t("icu.chart.gap_per_bed", lang)) + maps.legend_html(dots, i18n.t("icu.col.hospital", lang))
