"""Stock page: the per-facility query on a hand-worked fixture, the sliders' recomputation, the
roll-ups, the figures and the page in both languages.

Fixture, week 2022-12-19; policy defaults: 15-20% of the population served (strict end 20%), 14 days
of cover, 20 oximeters, 1 ambulance. Targets are ceil(population x share) doses.

  P1 chc, pop 10,000 (county 150102): targets 1,500 (15%) and 2,000 (20%)
     antigen 1,400, used 700 -> below the low end, shortfall 600; cover 1,400/(700/7) = 14.0 days: ok (boundary)
     antipyretic 2,000, used 0 -> met; no use this week, no days computed
     cough 1,600, used 200 -> between, shortfall 400; 56 days
     tcm 1,800, used 300 -> between, shortfall 200; 42 days
     25 oximeters, 1 ambulance: both minimums met
  P2 township, pop 20,000 (150121): targets 3,000 and 4,000
     antigen 3,000 (not below 3,000: between), used 2,100 -> 10 days: short; shortfall 1,000
     antipyretic 4,000 met (used 700: 40 days); cough 2,999 below, used 0: no use; tcm 5,000 met, used 5,000: 7 days, not under 14: short
     10 oximeters, 0 ambulances: both minimums missed
  P4 township, pop 3,333 (150121): targets ceil(499.95) = 500 and ceil(666.6) = 667
     antigen 500 -> between, shortfall 167; antigen, antipyretic used 70: 70 days (others 700: met);
     cough used 351: 700 x 7 / 351 = 13.96 days, shown rounded down as 13.9, short; tcm's use left
     blank: cover unknown ('use_missing'), neither 'no use' nor 'ok'
     20 oximeters (boundary: met), 1 ambulance
  P3 chc, pop 5,000 (150102): no report -> missing (null stock, never zero); ambulances blank in the
     register -> ambulance status missing, not 'below the minimum' 
  V1 village clinic and H1 hospital: not expected to report.
Antigen totals at 20%: 4 facilities, 1 missing; target 2,000+4,000+667 = 6,667 over those reporting;
on hand 4,900; shortfall 1,767; 1 below the low end, 2 between; 1 under 14 days (P2).
Slider at 15%: antigen shortfall 100 (P1 only). Cover slider at 7 days: P2's 10 days is enough.
"""
from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from dashboard.store import queries

from dashboard.metrics import stock
from dashboard.figures import briefing
from tests import apptest
from dashboard.figures import stock as figures

WEEK = dt.date(2022, 12, 19)
PREV = dt.date(2022, 12, 12)
FACILITY = """机构编码,机构名称,层级,基层机构类型,医院等级,盟市代码,旗县代码,医联体名称,纬度,经度,服务人口,设发热门诊（诊室）,入网120救护车数,盟市,旗县（市、区）
P1,东街社区卫生服务中心,基层,社区卫生服务中心,,150100,150102,新城区城市医疗集团,40.8600,111.6800,10000,是,1,呼和浩特市,新城区
P3,西街社区卫生服务中心,基层,社区卫生服务中心,,150100,150102,新城区城市医疗集团,40.8700,111.6900,5000,是,,呼和浩特市,新城区
P2,察素齐镇卫生院,基层,乡镇卫生院,,150100,150121,土默特左旗县域医共体,40.7200,111.1500,20000,是,0,呼和浩特市,土默特左旗
P4,毕克齐镇卫生院,基层,乡镇卫生院,,150100,150121,土默特左旗县域医共体,40.7100,111.2500,3333,是,1,呼和浩特市,土默特左旗
V1,某村卫生室,基层,村卫生室,,150100,150121,土默特左旗县域医共体,40.7000,111.1000,,否,0,呼和浩特市,土默特左旗
H1,新城区医院,牵头医院,,二级,150100,150102,新城区城市医疗集团,40.8500,111.6700,,是,2,呼和浩特市,新城区
"""
HEADER = "机构编码,抗原检测试剂库存（人份）,抗原检测试剂本周用量（人份）,退热药库存（人份）,退热药本周用量（人份）,止咳药库存（人份）,止咳药本周用量（人份）,中药库存（人份）,中药本周用量（人份）,指夹式脉搏血氧仪（个）\n"
STOCK = HEADER + """P1,1400,700,2000,0,1600,200,1800,300,25
P2,3000,2100,4000,700,2999,0,5000,5000,10
P4,500,70,700,70,700,351,700,,20
"""
STOCK_PREV = HEADER + """P1,2000,100,2000,100,2000,100,2000,100,25
"""
AREA = {"league_code": None, "county_code": None, "consortium": None}


FILES = (("facility", FACILITY, WEEK), ("stock", STOCK_PREV, PREV), ("stock", STOCK, WEEK))


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    folder = tmp_path_factory.mktemp("stock")
    with apptest.loaded_database(folder, FILES) as con:
        yield con, folder


def rows(con, week=WEEK, **sliders) -> pl.DataFrame:
    return queries.run("stock_by_facility", con=con, week=week, **AREA, **stock.params(**sliders))


def cell(frame: pl.DataFrame, code: str, item: str) -> dict:
    return frame.filter((pl.col("facility_code") == code) & (pl.col("item") == item)).row(0, named=True)


def test_targets_at_15_and_20_percent(db):
    con, _ = db
    frame = rows(con)
    assert sorted(frame["facility_code"].unique()) == ["P1", "P2", "P3", "P4"]  # no village clinic, no hospital
    assert frame.height == 4 * 4
    p1, p4 = cell(frame, "P1", "antigen"), cell(frame, "P4", "antigen")
    assert (p1["target_low"], p1["target_high"], p1["target"]) == (1500, 2000, 2000)
    assert (p4["target_low"], p4["target_high"]) == (500, 667)  # 499.95 and 666.6 rounded up to whole doses
    assert (p1["status"], p1["shortfall"]) == ("below_low", 600)
    assert (p4["status"], p4["shortfall"]) == ("between", 167)
    assert cell(frame, "P2", "antigen")["status"] == "between"  # exactly at the low end is not below it
    assert cell(frame, "P2", "cough")["status"] == "below_low"
    assert cell(frame, "P1", "antipyretic")["status"] == "met"


def test_days_of_cover_and_no_use(db):
    con, _ = db
    frame = rows(con)
    p1 = cell(frame, "P1", "antigen")
    assert p1["cover_days"] == pytest.approx(14.0) and p1["cover_status"] == "ok"  # 14 is not under 14
    assert (cell(frame, "P2", "antigen")["cover_days"], cell(frame, "P2", "antigen")["cover_status"]) == (pytest.approx(10.0), "short")
    no_use = cell(frame, "P1", "antipyretic")
    assert no_use["cover_days"] is None and no_use["cover_status"] == "no_use"  # no division by zero
    assert cell(frame, "P2", "tcm")["cover_days"] == pytest.approx(7.0)
    # 13.96 days: rounded down, so the table never shows 14.0 next to 'short'
    assert (cell(frame, "P4", "cough")["cover_days"], cell(frame, "P4", "cough")["cover_status"]) == (pytest.approx(13.9), "short")
    blank = cell(frame, "P4", "tcm")  # reported, use left blank: cover unknown, not 'no use', not 'ok'
    assert (blank["cover_days"], blank["cover_status"], blank["status"]) == (None, "use_missing", "met")


def test_missing_report_is_missing_not_zero(db):
    con, _ = db
    p3 = cell(rows(con), "P3", "antigen")
    assert (p3["reported"], p3["status"], p3["cover_status"]) == (False, "missing", "missing")
    assert p3["on_hand"] is None and p3["shortfall"] is None and p3["share_of_target"] is None


def test_sliders_recompute(db):
    con, _ = db
    at_15 = stock.totals(rows(con, share=0.15)).filter(pl.col("item") == "antigen").row(0, named=True)
    assert at_15["shortfall"] == 100
    assert cell(rows(con, share=0.15), "P1", "antigen")["target"] == 1500
    seven = rows(con, cover_days=7)
    assert cell(seven, "P2", "antigen")["cover_status"] == "ok"
    assert cell(seven, "P2", "tcm")["cover_status"] == "ok"  # 7 days is not under 7
    # the status ladder stays on the policy's 15-20% whatever the slider says
    assert cell(rows(con, share=0.40), "P1", "antipyretic")["status"] == "met"
    assert cell(rows(con, share=0.40), "P1", "antipyretic")["shortfall"] == 2000


def test_totals_rollups_and_trend(db):
    con, _ = db
    antigen = stock.totals(rows(con)).filter(pl.col("item") == "antigen").row(0, named=True)
    assert (antigen["facilities"], antigen["missing"], antigen["target"], antigen["on_hand"]) == (4, 1, 6667, 4900)
    assert (antigen["shortfall"], antigen["below_low"], antigen["between"], antigen["cover_short"]) == (1767, 1, 2, 1)
    assert antigen["share_of_target"] == pytest.approx(4900 / 6667)  # every facility below target: (6,667 - 1,767) / 6,667
    # antipyretic: P1 2,000 of 2,000, P2 4,000 of 4,000, P4 700 of 667: 6,700 on hand, but P4's surplus
    # covers nobody else's need: the share is 1.0 (not 6,700 / 6,667), agreeing with a shortfall of 0
    antipyretic = stock.totals(rows(con)).filter(pl.col("item") == "antipyretic").row(0, named=True)
    assert (antipyretic["on_hand"], antipyretic["shortfall"], antipyretic["share_of_target"]) == (6700, 0, 1.0)
    counties = {r["code"]: r for r in stock.rollup(rows(con), "county").filter(pl.col("item") == "antigen").iter_rows(named=True)}
    assert (counties["150102"]["facilities"], counties["150102"]["missing"], counties["150102"]["on_hand"]) == (2, 1, 1400)
    assert counties["150121"]["shortfall"] == 1167
    per_week = stock.trend(rows(con, week=None)).filter(pl.col("item") == "antigen")
    assert per_week["week"].to_list() == [PREV, WEEK]
    assert per_week["share_of_target"].to_list() == pytest.approx([1.0, 4900 / 6667])  # P1 alone had 2,000 of 2,000


def test_equipment_minimums(db):
    con, _ = db
    eq = queries.run("stock_equipment", con=con, week=WEEK, **AREA, **stock.params())
    got = {r["facility_code"]: (r["oximeters_ok"], r["ambulances_ok"]) for r in eq.iter_rows(named=True)}
    assert got == {"P1": (True, True), "P2": (False, False), "P3": (None, None), "P4": (True, True)}
    statuses = {r["facility_code"]: (r["oximeter_status"], r["ambulance_status"]) for r in eq.iter_rows(named=True)}
    assert statuses == {"P1": ("ok", "ok"), "P2": ("short", "short"), "P3": ("missing", "missing"), "P4": ("ok", "ok")}
    assert eq["facility_code"][0] == "P2"  # facilities missing a minimum first
    assert stock.equipment_totals(eq) == {"oximeter_short": 1, "oximeter_missing": 1, "oximeter_ok": 2,
                                          "ambulance_short": 1, "ambulance_missing": 1, "ambulance_ok": 2}


def test_figures(db):
    con, _ = db
    ctx = briefing.Context("呼和浩特市", "2022年第51周", ("stock", "facility"), "zh")
    fig = figures.ranking(rows(con), "antigen", ctx)
    assert "呼和浩特市" in fig.layout.title.text and "抗原检测试剂" in fig.layout.title.text
    # shares 0.70 (P1), 0.7496 (P4: 500/667), 0.75 (P2); the lowest is drawn last, on top
    assert list(fig.data[0].y) == ["察素齐镇卫生院", "毕克齐镇卫生院", "东街社区卫生服务中心"]
    assert list(fig.data[0].x) == pytest.approx([0.75, 500 / 667, 0.7])
    # colour by status against 15-20%: P2 and P4 between (amber), P1 below 15% (red)
    assert list(fig.data[0].marker.color) == [briefing.WARN, briefing.WARN, briefing.BAD]
    en = figures.trend(stock.trend(rows(con, week=None)), briefing.Context("Hohhot", "2022-W51", ("stock",), "en"))
    assert en.layout.title.text.startswith("Stock as a share of target, by item, Hohhot")
    assert [trace.name for trace in en.data] == ["Antigen kits", "Antipyretics", "Cough medicines", "TCM", "Target"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_page_renders(app_env, lang):
    at = apptest.render("pages/stock.py", lang)
    assert at.title[0].value == ("药品与抗原储备" if lang == "zh" else "Drug and antigen-kit stock")
    metrics = apptest.metrics(at)
    assert metrics["抗原检测试剂缺口（人份）" if lang == "zh" else "Antigen kits shortfall (doses)"] == "1,767"
    assert metrics["已报送机构" if lang == "zh" else "Facilities reporting"] == "3/4"
    # the shortfall list: the 12 facility-items worked out in test_needs_action_list
    assert at.dataframe[0].value.shape[0] == 12
    assert not at.get("deck_gl_json_chart")  # only the open tab is built: the map waits for its tab
    if lang == "en":
        assert not apptest.chinese_leaks(at)
    # equipment tab: P2 has 10 oximeters and 0 ambulances; P3's oximeters are unknown (not reported)
    metrics = apptest.metrics(apptest.open_tab(at, "stock", "equipment"))
    assert metrics["血氧仪不足20个" if lang == "zh" else "Fewer than 20 oximeters"] == "1"
    assert metrics["血氧仪数量未报送" if lang == "zh" else "Oximeters not reported"] == "1"
    assert metrics["入网120救护车少于1辆" if lang == "zh" else "Fewer than 1 networked 120 ambulances"] == "1"
    if lang == "en":
        assert not apptest.chinese_leaks(at)
    apptest.open_tab(at, "stock", "map")
    decks = at.get("deck_gl_json_chart")
    assert len(decks) == 1 and "\n" not in decks[0].proto.json  # compact JSON (pydeck indents: about 5x the size)


def test_page_slider_recomputes(app_env):
    at = apptest.render("pages/stock.py")
    at.slider(key="stock_share").set_value(15).run()
    assert apptest.metrics(at)["抗原检测试剂缺口（人份）"] == "100"
    at.slider(key="stock_cover").set_value(7).run()
    assert apptest.metrics(at)["可用不足7天"] == "0"  # P2's 10 days are enough at 7


def test_needs_action_list(db):
    con, _ = db
    listed = stock.needs_action(rows(con))
    # short of the 20% target, under 14 days, or not reported; furthest below target first:
    # P1 antigen 1,400/2,000 = 0.70; P4 antigen 500/667 = 0.74963; P2 cough 2,999/4,000 = 0.74975;
    # P2 antigen 3,000/4,000 = 0.75 (also 10 days); P1 cough 0.80; P1 tcm 0.90;
    # P4 cough 700/667 = 1.0495 met but 13.9 days; P2 tcm 5,000/4,000 met but 7 days: short cover;
    # P3's four items last, not reported
    got = list(zip(listed["facility_code"], listed["item"]))
    assert got == [("P1", "antigen"), ("P4", "antigen"), ("P2", "cough"), ("P2", "antigen"), ("P1", "cough"),
                   ("P1", "tcm"), ("P4", "cough"), ("P2", "tcm"), ("P3", "antigen"), ("P3", "antipyretic"), ("P3", "cough"), ("P3", "tcm")]
    assert stock.needs_action(rows(con), only_action=False).height == 16


def test_trend_stops_at_the_chosen_week(db):
    con, _ = db
    assert stock.trend(rows(con, week=None), until=PREV)["week"].unique().to_list() == [PREV]


def test_shortfall_map_offline_and_translated(db):
    con, _ = db
    deck = figures.shortfall_map(rows(con), "antigen", "en", league_code="150100")
    spec = deck.to_json()
    assert '"mapProvider": null' in spec or deck.map_provider is None  # no basemap tiles
    base, dots, names = deck.layers  # names: the place names on the map
    assert base.type == "GeoJsonLayer" and {f["properties"]["league_code"] for f in base.data["features"]} == {"150100"}
    points = {p["tip"].split("</b>")[0][3:]: p for p in dots.data}
    assert len(points) == 4  # P3 shows too, as not reported
    p1 = points["东街社区卫生服务中心"]["tip"]
    assert "Below 15%" in p1 and "1400 / 2000 doses" in p1 and "Shortfall: 600 doses" in p1 and "Days of cover: 14.0" in p1
    assert "Not reported" in points["西街社区卫生服务中心"]["tip"]
    antipyretic = {p["tip"].split("</b>")[0][3:]: p["tip"] for p in figures.shortfall_map(rows(con), "antipyretic", "en").layers[1].data}
    assert antipyretic["东街社区卫生服务中心"].endswith("Days of cover: No use this week")  # P1 used none: no division by zero
    # the largest shortfall (P2, 1,000) has the largest dot and is drawn last
    assert dots.data[-1]["tip"].startswith("<b>察素齐镇卫生院") and dots.data[-1]["radius"] == max(p["radius"] for p in dots.data)
    # tooltips carry no Chinese besides the facility names
    assert not any(apptest.CJK.search(p["tip"].split("</b>")[1]) for p in dots.data)
    view = deck.initial_view_state
    assert 111.15 <= view.longitude <= 111.69 and 40.71 <= view.latitude <= 40.87


def test_share_map_is_offline_choropleth(db):
    con, _ = db
    ctx = briefing.Context("呼和浩特市", "2022年第51周", ("stock", "facility"), "zh")
    fig = figures.share_map(stock.rollup(rows(con), "county"), "antigen", ctx, league_code="150100")
    assert "呼和浩特市" in fig.layout.title.text and "2022年第51周" in fig.layout.title.text
    assert not any(trace.type in ("choropleth", "choroplethmapbox", "choroplethmap") for trace in fig.data)


def test_facility_drill_down(db):
    con, _ = db
    frame = rows(con)
    # worst share of target per facility: P1 0.70 (antigen), P2 0.74975 (cough), P4 0.7496 (antigen), P3 none
    assert list(stock.facility_choices(frame)) == ["P1", "P4", "P2", "P3"]
    assert stock.facility_choices(frame)["P1"] == "东街社区卫生服务中心 · 新城区"
    assert stock.facility_detail(frame, "P2")["item"].to_list() == ["antigen", "antipyretic", "cough", "tcm"]


def test_page_language_switch_keeps_choices(app_env):
    at = apptest.render("pages/stock.py")
    at.selectbox(key="stock_item_zh").set_value("cough").run()
    assert apptest.metrics(at)["止咳药缺口（人份）"] == "1,401"  # P2 4,000 - 2,999 = 1,001; P1 2,000 - 1,600 = 400; P4 700 >= 667: 0; P3 not reported: not counted
    at.session_state["lang"] = "en"
    at.run()
    assert not at.exception
    box = at.selectbox(key="stock_item_en")
    assert box.value == "cough" and box.options == ["Antigen kits", "Antipyretics", "Cough medicines", "TCM"]
    assert apptest.metrics(at)["Cough medicines shortfall (doses)"] == "1,401"
    assert not apptest.chinese_leaks(at)


def test_rollup_names_in_english(db):
    con, _ = db
    leagues = stock.areas_table(rows(con), "league", "antigen", 0.15, 7, "en")
    assert leagues["Area"].to_list() == ["Hohhot"]
    consortia = stock.areas_table(rows(con), "consortium", "antigen", 0.15, 7, "en")
    assert sorted(consortia["Area"]) == ["土默特左旗县域医共体", "新城区城市医疗集团"]  # data names stay



def test_page_tables_as_placed():
    """One facility, antigen: target 1,000 (10% of 10,000 at the chosen share), 600 on hand -> shortfall 400,
    share of target 600 / 1,000 = 60.0%, 2.55 days of cover -> '2.6' (one decimal); cough: not reported,
    every figure '—'."""
    rows = pl.DataFrame({
        "facility_code": ["F1", "F1"], "facility_name": ["甲", "甲"], "county_name": ["A", "A"], "consortium": ["C", "C"],
        "county_code": ["150102", "150102"], "league_code": ["150100", "150100"], "league_name": ["呼和浩特市"] * 2,
        "item": ["antigen", "cough"], "item_order": [0, 2], "reported": [True, False], "service_population": [10_000, 10_000],
        "target_low": [1500, None], "target_high": [2000, None], "target": [1000, None], "on_hand": [600, None],
        "used": [235, None], "shortfall": [400, None], "share_of_target": [0.6, None], "cover_days": [2.55, None],
        "cover_status": ["short", "missing"], "status": ["below_low", "missing"]})
    table = stock.action_table(rows, True, 0.1, "zh")
    assert table.select("品类", "服务人口", "目标（所选10%）", "缺口", "库存占目标", "可用天数").rows() == [
        ("抗原检测试剂", "10,000", "1,000", "400", "60.0%", "2.6"), ("止咳药", "10,000", "—", "—", "—", "—")]
    raw = stock.action_table(rows, True, 0.1, "zh", shown=False)
    assert raw["库存占目标"].to_list() == [0.6, None]  # the download keeps numbers
    areas = stock.areas_table(rows, "county", "antigen", 0.1, 14, "en")
    assert areas.select("Area", "Facilities", "Share of target").rows() == [("A", "1", "60.0%")]
    assert stock.detail_table(rows, "F1", 0.1, "en")["Days of cover"].to_list() == ["2.6", "—"]
