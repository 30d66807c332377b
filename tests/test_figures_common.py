"""The shared figure builders: briefing style and the offline choropleth."""
from __future__ import annotations

import json
import math

import plotly.graph_objects as go
import pytest
import polars as pl

from dashboard.figures import briefing, maps
from dashboard.metrics import geography

CTX_ZH = briefing.Context("内蒙古自治区", "2022年第51周（12月19日—25日）", ("register", "stock"), "zh")
CTX_EN = briefing.Context("Inner Mongolia", "2022-W51 (19-25 Dec)", ("register",), "en")


def test_briefing_title_and_source_line():
    fig = briefing.briefing(go.Figure(go.Bar(x=["a"], y=[1])), CTX_ZH, "覆盖率")
    assert fig.layout.title.text == "内蒙古自治区 覆盖率，2022年第51周（12月19日—25日）"
    source = fig.layout.annotations[-1].text
    assert source == "数据来源：重点人群台账、药品与检测试剂储备周报；数据周：2022年第51周（12月19日—25日）"
    english = briefing.briefing(go.Figure(), CTX_EN, "Coverage")
    assert english.layout.title.text == "Coverage, Inner Mongolia, 2022-W51 (19-25 Dec)"
    assert english.layout.annotations[-1].text == "Source: Key-population register; week: 2022-W51 (19-25 Dec)"


def test_export_config_names_the_file():
    config = briefing.plotly_config(CTX_EN, "Coverage")
    assert config["toImageButtonOptions"]["format"] == "png"
    assert config["toImageButtonOptions"]["filename"].startswith("Inner_Mongolia_Coverage_2022")


def test_a_target_is_a_dashed_line_named_in_the_legend_not_a_text_on_the_plot():
    """Bars taller than the target would run under a text written beside the line: the target is
    named in the legend instead, with the line's own dash, and hovering it shows nothing."""
    fig = go.Figure([go.Bar(x=["甲", "乙"], y=[0.9, 0.5], name="在岗率")])
    briefing.target_line(fig, 0.8, "最低 80%")
    briefing.briefing(fig, CTX_ZH, "在岗率")
    assert [(s.type, s.y0, s.y1, s.line.dash) for s in fig.layout.shapes] == [("line", 0.8, 0.8, "dash")]
    assert briefing.legend_entries(fig) == ["在岗率", "最低 80%"] and fig.layout.showlegend
    assert fig.data[-1].line.dash == "dash" and fig.data[-1].hoverinfo == "skip"
    assert [a.text for a in fig.layout.annotations if a.name != "source"] == []


def test_category_labels_turn_only_when_they_do_not_fit_and_the_axis_band_grows_with_them():
    """Six leagues' Chinese names (up to 5 characters, 65 px) fit level in their 125 px slots at the
    narrowest width; twelve leagues' English names (Xilingol League) do not, and turn -30 degrees with
    the lines they take reserved, so they never run into the axis title or the source (plotly would
    turn them itself, into both)."""
    zh = ["呼和浩特市", "包头市", "乌海市", "赤峰市", "通辽市", "鄂尔多斯市"]
    en = [maps.place_name(c["adcode"], c["name_zh"], "en") for c in geography.census().filter(pl.col("level") == "league").to_dicts()]
    level, turned = go.Figure(), go.Figure()
    assert briefing.category_ticks(level, zh) == 1 and level.layout.xaxis.tickangle == 0
    lines = briefing.category_ticks(turned, en)
    assert turned.layout.xaxis.tickangle == -30 and lines == 1 + math.ceil(briefing.text_width("Xilingol League", 13) / 2 / 17)
    from dashboard.figures import followup as followup_figures
    from dashboard.metrics import followup
    by = pl.DataFrame({"code": [str(i) for i in range(12)], "name": en,
                       **{k: [1] * 12 for k in followup.PROBLEMS}})
    fig = followup_figures.problems(by, CTX_EN)
    bands = briefing.bands(fig)
    assert fig.layout.xaxis.tickangle == -30 and bands["axis"][1] - bands["axis"][0] >= 17 * lines
    assert fig.layout.height == 480 + 17 * (lines - 1)


def test_choropleth_draws_every_county_offline():
    values = pl.DataFrame({"adcode": ["150102", "150121"], "value": [0.5, 0.9]})
    fig = maps.choropleth(values, CTX_ZH, "覆盖率", value_label="覆盖率")
    spec = json.loads(fig.to_json())
    # no geo traces: those fetch a topojson from the internet
    assert {trace["type"] for trace in spec["data"]} == {"scatter"}
    assert "geo" not in spec["layout"]
    texts = [t.get("text", "") for t in spec["data"] if isinstance(t.get("text"), str)]
    assert any(text.startswith("新城区<br>覆盖率: 50.0%") for text in texts)
    assert any("无数据" in text for text in texts)  # the other 101 counties have no value
    filled = {t["fillcolor"] for t in spec["data"] if t.get("fill") == "toself"}
    assert maps.NO_DATA in filled and len(filled) >= 3


def test_choropleth_limited_to_one_league():
    fig = maps.choropleth(pl.DataFrame({"adcode": ["150102"], "value": [1.0]}), CTX_EN, "Coverage",
                          value_label="Coverage", league_code="150100")
    names = {t.text.split("<br>")[0] for t in fig.data if isinstance(t.text, str)}
    assert "新城区" in names and len(names) == 9  # Hohhot's 9 county-level divisions


def _name_boxes(fig: go.Figure):
    """The place names a choropleth writes, as boxes in pixels of its plot at its narrowest (centre
    x, centre y, half width, half height; y up), read back from the figure: its ranges, its plot band
    and the names trace. Also the frame and the colour bar's corner."""
    (names,) = [t for t in fig.data if t.name == "names"]
    x_range, y_range, ratio = fig.layout.xaxis.range, fig.layout.yaxis.range, fig.layout.yaxis.scaleratio
    top, bottom = fig.layout.meta["bands"]["plot"]
    plot = (briefing.MIN_WIDTH - 20, bottom - top)
    scale = min(plot[0] / (x_range[1] - x_range[0]), plot[1] / ((y_range[1] - y_range[0]) * ratio))
    size = names.textfont.size
    boxes = [(x * scale, y * scale * ratio, briefing.text_width(text, size) / 2 + 1, 7.5)
             for x, y, text in zip(names.x, names.y, names.text)]
    frame = ((x_range[0] + x_range[1]) / 2 * scale, (y_range[0] + y_range[1]) / 2 * scale * ratio, plot[0] / 2, plot[1] / 2)
    bar = (frame[0] - frame[2] + 30, frame[1] - frame[3] + plot[1] * 0.27, 30, plot[1] * 0.25)  # bar and ticks
    return list(names.text), boxes, frame, bar


def _apart(p, q) -> bool:
    return abs(p[0] - q[0]) >= p[2] + q[2] or abs(p[1] - q[1]) >= p[3] + q[3]


@pytest.mark.parametrize("ctx", [CTX_ZH, CTX_EN], ids=["zh", "en"])
def test_choropleth_names_cover_neither_each_other_nor_the_legend(ctx):
    """On the whole region (leagues named: 包头 and 乌兰察布, 乌海 and 鄂尔多斯 sit close) and on each
    league's map (its counties named: 呼和浩特's districts are small), in both languages: no two names
    cover each other or the colour bar, none leaves the frame, and a name moved off its place is tied
    back by a leader line. The largest place keeps its name on its centroid."""
    leagues = [None] + sorted({f["properties"]["league_code"] for f in geography.boundaries("county")["features"]})
    moved = 0
    for league in leagues:
        fig = maps.choropleth(pl.DataFrame({"adcode": ["150102"], "value": [0.5]}), ctx, "覆盖率", value_label="覆盖率",
                              league_code=league)
        texts, boxes, frame, bar = _name_boxes(fig)
        assert len(texts) == (12 if league is None else len({f["properties"]["adcode"] for f in geography.boundaries("county")["features"]
                                                               if f["properties"]["league_code"] == league}))
        assert all(_apart(p, q) for i, p in enumerate(boxes) for q in boxes[i + 1:]), (league, texts)
        assert all(_apart(b, bar) for b in boxes), (league, texts)
        assert all(abs(b[0] - frame[0]) <= frame[2] - b[2] + 0.5 and abs(b[1] - frame[1]) <= frame[3] - b[3] + 0.5 for b in boxes)
        leaders = [t for t in fig.data if t.name == "leaders"]
        level = "league" if league is None else "county"
        named = geography.boundaries(level)["features"]
        if league:
            named = [f for f in named if f["properties"]["league_code"] == league]
        points = {maps.place_name(f["properties"]["adcode"], f["properties"]["name_zh"], ctx.lang):
                  maps.label_point(level, f["properties"]["adcode"]) for f in named}
        (names,) = [t for t in fig.data if t.name == "names"]
        scale = (frame[2] * 2) / max(fig.layout.xaxis.range[1] - fig.layout.xaxis.range[0], 1e-9)
        scale = min(scale, frame[3] * 2 / ((fig.layout.yaxis.range[1] - fig.layout.yaxis.range[0]) * fig.layout.yaxis.scaleratio))
        starts = set(zip(leaders[0].x[::3], leaders[0].y[::3])) if leaders else set()
        for x, y, text in zip(names.x, names.y, names.text):
            off = ((x - points[text][0]) * scale, (y - points[text][1]) * scale * fig.layout.yaxis.scaleratio)
            if max(abs(off[0]), abs(off[1])) > 10.5:  # further than a nudge: a leader from the place
                assert points[text] in starts, (league, text, off)
        moved += sum(1 for x, y, text in zip(names.x, names.y, names.text) if (x, y) != points[text])
        largest = max(named, key=lambda f: maps._largest_ring(level, f["properties"]["adcode"])[0])
        text = maps.place_name(largest["properties"]["adcode"], largest["properties"]["name_zh"], ctx.lang)
        assert (names.x[names.text.index(text)], names.y[names.text.index(text)]) == pytest.approx(points[text])
    assert moved  # some names had to move (else this test shows nothing)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_on_screen_map_names_cover_no_other_at_the_first_view(lang):
    """The on-screen (pydeck) maps' names at their first view, the map at its narrowest: no two cover
    each other or leave the map, read back from the layer (position, pixel offset, text) through Web
    Mercator at the view's zoom. On the whole region all twelve leagues are named (乌海 beside 鄂尔多斯,
    包头 beside 乌兰察布: nudged); a name with no room on a league's map is left off, never drawn over
    another."""
    leagues = [None] + sorted({f["properties"]["league_code"] for f in geography.boundaries("county")["features"]})
    for league in leagues:
        features = [f for f in geography.boundaries("county")["features"] if league in (None, f["properties"]["league_code"])]
        points = [p for f in features for ring in maps._rings(f["geometry"]) for p in ring]
        view = maps.fit_view([p[0] for p in points], [p[1] for p in points], max_zoom=10, min_zoom=2.4)
        layer = maps.deck_names(league, lang, view)
        pixels = 512 * 2 ** view.zoom / 360
        size = 13 if league is None else 12
        boxes = [((row["lon"] - view.longitude) * pixels + row["offset"][0],
                  (maps._mercator(row["lat"]) - maps._mercator(view.latitude)) * pixels - row["offset"][1],
                  briefing.text_width(row["name"], size) / 2 + 1, 7.5) for row in layer.data]
        assert all(_apart(p, q) for i, p in enumerate(boxes) for q in boxes[i + 1:]), (league, [r["name"] for r in layer.data])
        width, height = maps.DECK_SIZE
        assert all(abs(b[0]) <= width / 2 - b[2] and abs(b[1]) <= height / 2 - b[3] for b in boxes)
        if league is None:
            assert len(layer.data) == 12
