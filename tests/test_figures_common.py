"""The shared figure builders: briefing style and the offline choropleth."""
from __future__ import annotations

import json

import plotly.graph_objects as go
import polars as pl

from dashboard.figures import briefing, maps

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
