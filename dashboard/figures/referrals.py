"""Referral charts: a pydeck flow map over the real boundaries (no basemap tiles), a Sankey between
tiers, destination compliance, and reception by receiving hospital."""
from __future__ import annotations

import math

import plotly.graph_objects as go
import polars as pl
import pydeck as pdk

from dashboard import formatting as fmt
from dashboard.metrics import geography
from dashboard import i18n
from dashboard.figures import briefing, labels, maps
from dashboard.metrics.referrals import TIERS


def _rgb(hex_colour: str, alpha: int = 255) -> list[int]:
    h = hex_colour.lstrip("#")
    return [int(h[i:i + 2], 16) for i in (0, 2, 4)] + [alpha]


FACILITY_FLOWS = 15  # at facility level only the largest flows are drawn, each with its number


def flow_map(pairs: pl.DataFrame, facilities: pl.DataFrame, lang: str, league_code: str | None = None,
             level: str = "county") -> pdk.Deck:
    """Boundaries as the base (no tiles: map_provider=None), one flat arc (great-circle line) per
    origin-destination pair with its number written at the middle: width by volume, colour by main
    direction; facilities coloured by tier. At facility level only the FACILITY_FLOWS largest pairs are
    drawn and only the facilities they join, so each flow can be followed; the view fits every end."""
    features = geography.boundaries("county")["features"]
    if league_code:
        features = [f for f in features if f["properties"]["league_code"] == league_code]
    base = pdk.Layer("GeoJsonLayer", {"type": "FeatureCollection", "features": features}, stroked=True, filled=True,
                     get_fill_color=[244, 246, 247, 255], get_line_color=[150, 160, 170, 255], line_width_min_pixels=1,
                     pickable=False)
    if level == "facility":
        pairs = pairs.head(FACILITY_FLOWS)
        ends = set(pairs["from"].to_list()) | set(pairs["to"].to_list()) if pairs.height else set()
        facilities = facilities.filter(pl.col("facility_code").is_in(list(ends)))
    tier_name = {t: i18n.value("tier", t, lang) for t in TIERS}
    points = facilities.filter(pl.col("lat").is_not_null()).with_columns(
        pl.col("tier").replace_strict({t: _rgb(briefing.TIER_COLOURS[t]) for t in TIERS}, default=[120, 120, 120, 255],
                                      return_dtype=pl.List(pl.Int64)).alias("colour"),
        pl.format("{}<br>{}", "facility_name", pl.col("tier").replace_strict(tier_name, default="")).alias("tip"),
        pl.when(pl.col("tier") == "primary").then(2500).otherwise(5000).alias("radius"),
    )
    dots = pdk.Layer("ScatterplotLayer", points.select("lon", "lat", "colour", "tip", "radius").to_dicts(),
                     get_position=["lon", "lat"], get_fill_color="colour", get_radius="radius",
                     radius_min_pixels=3 if level == "facility" else 2, radius_max_pixels=8, pickable=True)
    direction_name = {d: i18n.value("direction", d, lang) for d in ("up", "down", "lateral")}
    unit = i18n.t("referrals.map.unit", lang)
    most = max(pairs["referrals"].max() or 1, 1) if pairs.height else 1
    arcs_frame = pairs.with_columns(
        pl.col("direction").replace_strict({d: _rgb(briefing.DIRECTION_COLOURS[d], 200) for d in direction_name},
                                           default=[120, 120, 120, 190], return_dtype=pl.List(pl.Int64)).alias("colour"),
        (1 + 7 * (pl.col("referrals") / most).sqrt()).alias("width"),
        pl.format("{} → {}<br>{}{} · {}", "from_name", "to_name",
                  pl.col("referrals").map_elements(lambda n: fmt.num(n, lang), return_dtype=pl.String), pl.lit(unit),
                  pl.col("direction").replace_strict(direction_name, default="")).alias("tip"),
        ((pl.col("from_lon") + pl.col("to_lon")) / 2).alias("mid_lon"),
        ((pl.col("from_lat") + pl.col("to_lat")) / 2).alias("mid_lat"),
        pl.col("referrals").map_elements(lambda n: fmt.num(n, lang), return_dtype=pl.String).alias("label"),
    ).sort("referrals") if pairs.height else None  # largest drawn last
    arcs_data = arcs_frame.select("from_lon", "from_lat", "to_lon", "to_lat", "colour", "width", "tip").to_dicts() \
        if arcs_frame is not None else []
    arcs = pdk.Layer("ArcLayer", arcs_data, get_source_position=["from_lon", "from_lat"],
                     get_target_position=["to_lon", "to_lat"], get_source_color="colour", get_target_color="colour",
                     get_width="width", width_units="pixels", width_min_pixels=1, width_max_pixels=8,
                     get_height=0, great_circle=True, pickable=True)
    lons = points["lon"].to_list() + (arcs_frame["from_lon"].to_list() + arcs_frame["to_lon"].to_list() if arcs_frame is not None else [])
    lats = points["lat"].to_list() + (arcs_frame["from_lat"].to_list() + arcs_frame["to_lat"].to_list() if arcs_frame is not None else [])
    view = maps.fit_view(lons, lats, height=620, margin=0.35)
    layers = [base, arcs, dots, maps.deck_names(league_code, lang, view, height=620)]
    if level == "facility" and arcs_frame is not None:
        labels = arcs_frame.select("mid_lon", "mid_lat", "label").to_dicts()
        layers.append(pdk.Layer("TextLayer", labels, get_position=["mid_lon", "mid_lat"], get_text="label",
                                get_size=14, get_color=[27, 38, 49, 255], background=True,
                                get_background_color=[255, 255, 255, 230], font_family=pdk.types.String(FONT_STACK),
                                character_set=pdk.types.String("auto")))
    return maps.CompactDeck(layers=layers, initial_view_state=view, map_provider=None,
                    tooltip={"html": "{tip}", "style": {"fontSize": "13px", "backgroundColor": "#1B2631", "color": "white"}})


FONT_STACK = "Noto Sans CJK SC, Microsoft YaHei, sans-serif"


def flow_figure(pairs: pl.DataFrame, ctx: briefing.Context, what: str, league_code: str | None = None,
                level: str = "county", top: int = 15) -> go.Figure:
    """The flow map for export and for the briefing pack: boundaries, the `top` largest flows as
    straight lines (width by volume, colour by direction) with an arrow head and their number, the
    receivers named (senders on hover and in the OD matrix); the axes fit every end, so nothing runs
    off the frame. Numbers and names are placed clear of each other (_place_labels): a receiver
    with no room for its name on the map gets a letter there and its name in a key under the map."""
    shown = pairs.head(top)
    fig = go.Figure()
    features = geography.boundaries("county")["features"]
    if league_code:
        features = [f for f in features if f["properties"]["league_code"] == league_code]
    # every boundary in one trace, rings apart by a gap ("toself" fills each): one trace, not a hundred
    rings = [ring for feature in features for ring in maps._rings(feature["geometry"])]
    fig.add_trace(go.Scatter(x=[x for ring in rings for x in [*(p[0] for p in ring), None]],
                             y=[y for ring in rings for y in [*(p[1] for p in ring), None]],
                             fill="toself", fillcolor="#F4F6F7", mode="lines", line={"color": "#AAB7B8", "width": 0.7},
                             hoverinfo="skip", showlegend=False))
    if shown.height == 0:
        return briefing.empty(ctx, what)
    xs = [v for c in ("from_lon", "to_lon") for v in shown[c].to_list()]
    ys = [v for c in ("from_lat", "to_lat") for v in shown[c].to_list()]
    pad_x, pad_y = max((max(xs) - min(xs)) * 0.08, 0.1), max((max(ys) - min(ys)) * 0.12, 0.08)
    x_range, y_range = [min(xs) - pad_x, max(xs) + pad_x], [min(ys) - pad_y, max(ys) + pad_y]
    ratio = maps.RATIO
    names, places = _place_labels(shown, x_range, y_range, ratio, ctx.lang)
    most = max(shown["referrals"].max() or 1, 1)
    directions = {d: i18n.value("direction", d, ctx.lang) for d in ("up", "down", "lateral")}
    seen, lines, notes = set(), [], []
    for r in shown.sort("referrals").iter_rows(named=True):
        colour = briefing.DIRECTION_COLOURS.get(r["direction"], briefing.NEUTRAL)
        legend = r["direction"] not in seen
        seen.add(r["direction"])
        lines.append(go.Scatter(x=[r["from_lon"], r["to_lon"]], y=[r["from_lat"], r["to_lat"]], mode="lines",
                                line={"color": colour, "width": 1 + 7 * (r["referrals"] / most) ** 0.5},
                                name=directions.get(r["direction"], ""), legendgroup=r["direction"], showlegend=legend,
                                hoverinfo="text", text=f"{r['from_name']} → {r['to_name']}: {fmt.num(r['referrals'], ctx.lang)}"))
        notes.append({"x": r["to_lon"], "y": r["to_lat"], "ax": r["from_lon"], "ay": r["from_lat"], "xref": "x", "yref": "y",
                      "axref": "x", "ayref": "y", "showarrow": True, "arrowhead": 2, "arrowsize": 1, "arrowwidth": 1.5,
                      "arrowcolor": colour, "text": "", "standoff": 4})
        x, y, dx, dy, leader = places[(r["from"], r["to"])]
        notes.append({"x": x, "y": y, "text": fmt.num(r["referrals"], ctx.lang), "bgcolor": "rgba(255,255,255,0.9)",
                      "font": {"size": 11, "color": "#1B2631"}, "name": "count", **_offset(dx, dy, leader)})
    fig.add_traces(lines)  # at once: add_trace / add_annotation in a loop copy the figure each time
    # receivers named on the map (few, and where flows meet); senders named on hover and in the OD matrix
    receivers = {r["to"]: (r["to_lon"], r["to_lat"], r["to_name"]) for r in shown.iter_rows(named=True)}
    senders = {r["from"]: (r["from_lon"], r["from_lat"], r["from_name"]) for r in shown.iter_rows(named=True)
               if r["from"] not in receivers}
    fig.add_trace(go.Scatter(x=[p[0] for p in senders.values()], y=[p[1] for p in senders.values()], mode="markers",
                             showlegend=False, hoverinfo="text", text=[p[2] for p in senders.values()],
                             marker={"size": 6, "color": "#566573"}))
    fig.add_trace(go.Scatter(x=[p[0] for p in receivers.values()], y=[p[1] for p in receivers.values()], mode="markers",
                             text=[p[2] for p in receivers.values()], showlegend=False, hoverinfo="text",
                             marker={"size": 9, "color": "#1B2631", "symbol": "diamond"}))
    for code, (lon, lat, _) in receivers.items():
        name = names[code]
        label = {"x": lon, "y": lat, "xref": "x", "yref": "y", "text": name["text"], "name": "place",
                 "font": {"size": 11, "color": "#1B2631"}, "bgcolor": "rgba(255,255,255,0.85)", "borderpad": 1}
        notes.append(label | _offset(name["dx"], name["dy"], name["leader"], standoff=5))
    key = _key_lines([f"{n['text']} {n['key']}" for n in names.values() if n["key"]])
    if key:
        notes.append({"text": "<br>".join(key), "xref": "paper", "yref": "paper", "x": 0, "y": 0, "xanchor": "left",
                       "yanchor": "top", "yshift": -4, "align": "left", "showarrow": False, "name": "key",
                       "font": {"size": 11, "color": "#1B2631"}})
    briefing.add_annotations(fig, notes)
    fig.update_xaxes(visible=False, range=x_range)
    fig.update_yaxes(visible=False, range=y_range, scaleanchor="x", scaleratio=ratio)
    return briefing.briefing(fig, ctx, what, height=620 + KEY_LINE * len(key), axis_band=KEY_LINE * len(key),
                             left=10, right=10, legend_always=True)


LABEL_PLOT = (briefing.MIN_WIDTH - 20, 500)  # the flow map's plot at its narrowest, in pixels (width, height)
KEY_LINE = 18  # one line of the key under the map naming receivers too close together to name on it


def _place_labels(shown: pl.DataFrame, x_range: list[float], y_range: list[float], ratio: float, lang: str
                  ) -> tuple[dict[str, dict], dict[tuple[str, str], tuple[float, float, int, int, bool]]]:
    """Where the receivers' names and the flows' numbers go so that no two texts, and no text and
    marker, cover each other, and none leaves the frame (labels.Board, the map at its narrowest:
    LABEL_PLOT).

    Receivers first, most referrals received first: the name beside its marker (above, below, right,
    left), else further out with a thin leader line to the marker, else a letter beside the marker and
    the name in the key under the map. Then each flow's number, largest flow first: along its line
    (the middle first), else beside it, else further out with a leader line to the line's middle;
    where nothing is free, where it covers least.

    Returns ({receiver code: {"text", "dx", "dy", "leader", "key"}}, {("from", "to"): (x, y, x shift,
    y shift, leader)}), offsets in pixels with y up."""
    board = labels.Board(x_range, y_range, ratio, LABEL_PLOT)
    received = (shown.with_columns(pl.col("to_name").fill_null(pl.col("to")))  # a facility with no name: its code
                .group_by("to", "to_name", "to_lon", "to_lat").agg(pl.col("referrals").sum())
                .sort(["referrals", "to"], descending=[True, False]))
    board.markers += [(*board.px(lon, lat), 4, 4) for lon, lat in shown.select("from_lon", "from_lat").iter_rows()]
    board.markers += [(*board.px(lon, lat), 6, 6) for lon, lat in received.select("to_lon", "to_lat").iter_rows()]
    ring = labels.around(4, 4, gaps=(22, 38, 54, 72))  # a number out from a line's middle
    names, keyed = {}, 0
    for r in received.iter_rows(named=True):
        x, y = board.px(r["to_lon"], r["to_lat"])
        text, key, half_w, half_h = r["to_name"], None, labels.half_width(r["to_name"], 11), labels.HALF_LINE
        place = board.spot(x, y, half_w, half_h, [(0, 15), (0, -15), (half_w + 9, 0), (-half_w - 9, 0)],
                           [(dx, dy) for dy in (34, -34, 54, -54, 76, -76) for dx in (0, half_w + 10, -half_w - 10)],
                           fallback=False)
        if place is None:  # no room for the name: a letter here, the name in the key
            text, key, keyed = chr(ord("A") + keyed), text, keyed + 1
            half_w = labels.half_width(text, 11)
            place = board.spot(x, y, half_w, half_h, [(0, 15), (0, -15), (13, 0), (-13, 0), (13, 15), (-13, 15),
                                                      (13, -15), (-13, -15)], ring)
        dx, dy, leader = place
        names[r["to"]] = {"text": text, "dx": dx, "dy": dy, "leader": leader, "key": key}
        board.texts.append((x + dx, y + dy, half_w, half_h))
    places = {}
    for r in shown.sort(["referrals", "from", "to"], descending=[True, False, False]).iter_rows(named=True):
        (x0, y0), (x1, y1) = board.px(r["from_lon"], r["from_lat"]), board.px(r["to_lon"], r["to_lat"])
        half_w, half_h = labels.half_width(fmt.num(r["referrals"], lang), 11) + 2, labels.HALF_LINE + 1
        length = math.hypot(x1 - x0, y1 - y0) or 1.0
        nx, ny = -(y1 - y0) / length, (x1 - x0) / length  # across the line
        candidates = [(t, 0.0) for t in (0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8, 0.12, 0.88)] + \
            [(t, d) for d in (16, -16, 28, -28) for t in (0.5, 0.35, 0.65, 0.2, 0.8)]

        def box(t, d):
            return (x0 + (x1 - x0) * t + nx * d, y0 + (y1 - y0) * t + ny * d, half_w, half_h)

        chosen = next((c for c in candidates if board.free(box(*c))), None)
        if chosen is not None:
            t, d = chosen
            board.texts.append(box(t, d))
            places[(r["from"], r["to"])] = (r["from_lon"] + (r["to_lon"] - r["from_lon"]) * t,
                                            r["from_lat"] + (r["to_lat"] - r["from_lat"]) * t,
                                            round(nx * d), round(ny * d), False)
            continue
        # a line too short, or too crowded, to carry its number: the number further out, a leader to the middle
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        dx, dy, _ = board.spot(cx, cy, half_w, half_h, [], ring)
        board.texts.append((cx + dx, cy + dy, half_w, half_h))
        places[(r["from"], r["to"])] = ((r["from_lon"] + r["to_lon"]) / 2, (r["from_lat"] + r["to_lat"]) / 2,
                                        round(dx), round(dy), True)
    return names, places


def _offset(dx: int, dy: int, leader: bool, standoff: int = 0) -> dict:
    """An annotation's text moved (dx, dy) pixels (y up) from its point: shifted, or with `leader` at
    the end of a thin line back to the point (plotly's arrow tail offsets, y down)."""
    if leader:
        return {"showarrow": True, "ax": dx, "ay": -dy, "axref": "pixel", "ayref": "pixel", "arrowhead": 0,
                "arrowwidth": 0.8, "arrowcolor": "#566573", "standoff": standoff}
    return {"showarrow": False, "xshift": dx, "yshift": dy}


def _key_lines(entries: list[str]) -> list[str]:
    """The key's entries ("A 某某医院") run on across lines no wider than the map at its narrowest."""
    lines: list[str] = []
    for entry in entries:
        if lines and briefing.text_width(lines[-1] + "   " + entry, 11) <= LABEL_PLOT[0]:
            lines[-1] += "   " + entry
        else:
            lines.append(entry)
    return lines


def od_matrix(pairs: pl.DataFrame, ctx: briefing.Context, what: str, top: int = 12) -> go.Figure:
    """Origin-destination matrix beside the map: senders in rows, receivers in columns, the number in
    each cell (the places of the `top` largest flows)."""
    shown = pairs.head(top * 2)
    if shown.height == 0:
        return briefing.empty(ctx, what)
    # ties by name: the same places in the same order on every run (group_by's order is arbitrary)
    senders = (shown.group_by("from_name").agg(pl.col("referrals").sum())
               .sort(["referrals", "from_name"], descending=[True, False]).head(top)["from_name"].to_list())
    receivers = (shown.group_by("to_name").agg(pl.col("referrals").sum())
                 .sort(["referrals", "to_name"], descending=[True, False]).head(top)["to_name"].to_list())
    cell = {(r["from_name"], r["to_name"]): r["referrals"] for r in pairs.iter_rows(named=True)}
    z = [[cell.get((a, b)) for b in receivers] for a in senders]
    text = [[fmt.num(v, ctx.lang) if v is not None else "" for v in row] for row in z]
    fig = go.Figure(go.Heatmap(z=z, x=receivers, y=senders, text=text, texttemplate="%{text}", colorscale=maps.SEQUENTIAL_GOOD,
                               showscale=False, hovertemplate="%{y} → %{x}: %{text}<extra></extra>", xgap=2, ygap=2))
    fig.update_yaxes(autorange="reversed", automargin=True, title=i18n.t("referrals.col.from", ctx.lang), showgrid=False)
    longest = max((briefing.text_width(n, briefing.BODY_SIZE) for n in receivers), default=0)
    lines = max(1, min(12, math.ceil(longest * 0.7 / briefing.TICK_LINE)))
    fig.update_xaxes(tickangle=-45, title=i18n.t("referrals.col.to", ctx.lang), showgrid=False, side="bottom")
    return briefing.briefing(fig, ctx, what, height=260 + 30 * len(senders) + briefing.TICK_LINE * lines,
                             tick_lines=lines)


def sankey(matrix: pl.DataFrame, ctx: briefing.Context) -> go.Figure:
    """Flows between tiers: senders on the left, receivers on the right."""
    what = i18n.t("referrals.chart.sankey", ctx.lang)
    if matrix.height == 0:
        return briefing.empty(ctx, what)
    index = {t: i for i, t in enumerate(TIERS)}
    sent = dict(matrix.group_by("from_tier").agg(pl.col("referrals").sum()).iter_rows())
    received = dict(matrix.group_by("to_tier").agg(pl.col("referrals").sum()).iter_rows())
    unit = i18n.t("referrals.map.unit", ctx.lang)
    # each node says its tier and its number, so the picture reads without hovering
    names = [f"{i18n.value('tier', t, ctx.lang)} {fmt.num(sent.get(t), ctx.lang)}" if sent.get(t) else "" for t in TIERS] + \
            [f"{i18n.value('tier', t, ctx.lang)} {fmt.num(received.get(t), ctx.lang)}" if received.get(t) else "" for t in TIERS]
    colours = [briefing.TIER_COLOURS[t] for t in TIERS]
    link_colour = {"up": "rgba(0,114,178,0.35)", "down": "rgba(230,159,0,0.45)", "lateral": "rgba(127,140,141,0.35)"}
    def direction(a, b):
        return "up" if index[b] > index[a] else "down" if index[b] < index[a] else "lateral"
    values = matrix["referrals"].to_list()
    fig = go.Figure(go.Sankey(
        node={"label": names, "color": colours + colours, "pad": 18, "thickness": 16},
        link={"source": [index[t] for t in matrix["from_tier"]], "target": [len(TIERS) + index[t] for t in matrix["to_tier"]],
              "value": values,
              "customdata": [fmt.num(v, ctx.lang) for v in values],
              "hovertemplate": "%{source.label} → %{target.label}: %{customdata}" + unit + "<extra></extra>",
              "color": [link_colour[direction(a, b)] for a, b in zip(matrix["from_tier"], matrix["to_tier"])]},
        valueformat=",d", valuesuffix=unit, textfont={"size": 13}, domain={"x": [0, 1], "y": [0.04, 0.93]},
    ))
    fig.add_annotation(text=i18n.t("referrals.chart.sankey_sides", ctx.lang), xref="paper", yref="paper", x=0.5, y=1.0,
                       yanchor="top", showarrow=False, font={"size": 12, "color": briefing.NEUTRAL})
    return briefing.briefing(fig, ctx, what, height=500, axis_band=0)


def compliance_bars(by_group: pl.DataFrame, label_col: str, ctx: briefing.Context, top: int = 15) -> go.Figure:
    """Share of the judged referrals that went where the policy sends them, lowest first, stacked with
    the other verdicts (referrals that cannot be judged are left out and counted on the page)."""
    what = i18n.t("referrals.chart.compliance", ctx.lang)
    shown = by_group.filter(pl.col("judged") >= MIN_ASSESSED).sort("compliance_rate", label_col).head(top).reverse()
    if shown.height == 0:
        return briefing.empty(ctx, what)
    # each row names its denominator: 'name (n=12)', and only groups with MIN_ASSESSED referrals rank
    labels = shown[label_col].to_list()
    fig = go.Figure()
    # the verdicts in colour-blind-safe colours (not the risk labels' red and yellow)
    for column, key, colour in (("as_expected", "as_expected", briefing.BLUE),
                                ("other_consortium", "other_consortium", briefing.TEAL),
                                ("above", "above", briefing.SKY), ("below", "below", briefing.ORANGE),
                                ("should_stay_home", "should_stay_home", briefing.PURPLE)):
        shares = (shown[column] / shown["judged"]).to_list()
        counts = shown[column].to_list()
        fig.add_trace(go.Bar(y=labels, x=shares, orientation="h",
                             name=i18n.t(f"referrals.compliance.{key}", ctx.lang), marker_color=colour,
                             text=[fmt.pct(v, ctx.lang, 0) if v and v >= 0.08 else "" for v in shares],
                             textposition="inside", insidetextanchor="middle", textangle=0,
                             customdata=[f"{fmt.pct(v, ctx.lang)} ({fmt.num(c, ctx.lang)})" for v, c in zip(shares, counts)],
                             hovertemplate="%{y}<br>%{fullData.name}: %{customdata}<extra></extra>"))
    briefing.bar_ends(fig, labels, [1.0] * len(labels),
                      [f"n={fmt.num(n, ctx.lang)}" for n in shown["judged"].to_list()])
    fig.update_layout(barmode="stack")
    fig.update_xaxes(title=i18n.t("referrals.chart.share_axis", ctx.lang), **fmt.ticks(0, 1, ctx.lang, "pct", target=4))
    fig.update_xaxes(range=[0, 1.0])
    fig.update_yaxes(automargin=True)
    return briefing.briefing(fig, ctx, what, height=max(360, 160 + 28 * shown.height), right=90)


MIN_ASSESSED = 5  # fewer judged referrals than this and a rate says little: the group is listed, not ranked


def refusals(by_receiver: pl.DataFrame, ctx: briefing.Context, top: int = 15) -> go.Figure:
    """Receiving hospitals by refused referrals (must not be refused) and pending too long."""
    what = i18n.t("referrals.chart.refusals", ctx.lang)
    shown = by_receiver.filter((pl.col("refused") + pl.col("pending_too_long")) > 0).head(top).reverse()
    if shown.height == 0:
        return briefing.empty(ctx, what)
    # the denominator on each row: refused and pending of all referrals received
    labels = shown["to_name"].to_list()
    fig = go.Figure()
    for column, key, colour in (("refused", "refused", briefing.VERMILION), ("pending_too_long", "pending_too_long", briefing.ORANGE)):
        values = shown[column].to_list()
        fig.add_trace(go.Bar(y=labels, x=values, orientation="h",
                             name=i18n.t(f"referrals.col.{key}", ctx.lang), marker_color=colour,
                             text=[fmt.num(v, ctx.lang) if v else "" for v in values], textposition="inside",
                             insidetextanchor="middle", textangle=0))
    totals = (shown["refused"] + shown["pending_too_long"]).to_list()
    # the denominator at each bar's end: '2 / 40 (5.0%)' of all referrals received
    briefing.bar_ends(fig, labels, totals, [
        i18n.t("referrals.chart.received_n", ctx.lang, name=f"{fmt.num(tot, ctx.lang)}/{fmt.num(n, ctx.lang)}",
               n=fmt.pct(tot / n if n else None, ctx.lang))
        for tot, n in zip(totals, shown["referrals"].to_list())])
    fig.update_layout(barmode="stack")
    fig.update_xaxes(title=i18n.t("referrals.chart.count_axis", ctx.lang),
                     **fmt.ticks(0, max(totals) * 1.35, ctx.lang, "compact", integer=True))
    fig.update_yaxes(automargin=True)
    return briefing.briefing(fig, ctx, what, height=max(360, 160 + 28 * shown.height))


def flow_legend(lang: str) -> str:
    """The on-screen map's legend: line colours by direction, dot colours by tier."""
    directions = [(briefing.DIRECTION_COLOURS[d], i18n.value("direction", d, lang)) for d in ("up", "down", "lateral")]
    tiers = [(briefing.TIER_COLOURS[t], i18n.value("tier", t, lang)) for t in TIERS if t in briefing.TIER_COLOURS]
    return (maps.legend_html(directions, i18n.t("referrals.col.direction", lang))
            + maps.legend_html(tiers, i18n.t("referrals.col.tier", lang)))
