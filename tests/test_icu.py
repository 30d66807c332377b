"""ICU staffing page: the per-hospital query on a hand-worked fixture, the roll-ups, the figures and
the page in both languages.

Fixture, week 2022-12-19 (policy defaults: 1 doctor and 2.5-3 nurses per bed, strict end 3; reserve
20-30%, strict end 30%):

  The reserve is a share of the total front line the beds require (doctors + nurses), met by the
  reserve as a whole (the text sets no doctor/nurse split).
  H1 lead, county 150102: 10 beds (+5 convertible), 8 occupied, 8 doctors, 25 nurses, reserve 2 + 6 = 8
     needs 10 doctors, 30 nurses (25-30): front line 40; reserve 20-30% of 40 = 8 to 12
     gaps: doctors 2, nurses 5, reserve 12 - 8 = 4; occupancy 0.8
     nurses 25 = the low end: meets the minimum; reserve 8 = the low end: meets the minimum;
     doctors 8 < 10: the hospital is short
     opening 5 convertible beds: 15 doctors, 45 nurses -> gaps 7 and 20 -> 5 and 15 more than today
  H2 sub-designated, county 150121: 3 beds, 3 occupied, 3 doctors, 7 nurses, reserve 0 + 2 = 2
     needs 3 doctors, ceil(2.5*3)=8 to 9 nurses: front line 3 + 9 = 12; reserve ceil(2.4)=3 to ceil(3.6)=4
     gaps: doctors 0, nurses 2, reserve 4 - 2 = 2; occupancy 1.0; nurses 7 < 8 and reserve 2 < 3: short
  D1 designated, county 150102: 0 beds (+2 convertible): no requirement, no occupancy (no division
     by zero), status no_beds; opening 2 beds needs 2 doctors and 6 nurses
  T1 partner, county 150121: no report -> missing (nulls, never zeros)
  P1 primary: not expected to report
Totals: 4 hospitals, 3 reported, 13 beds, 11 occupied; gaps 2 doctors, 7 nurses, reserve 4 + 2 = 6;
convertible 7 beds -> 7 more doctors, 21 more nurses.
Previous week 2022-12-12: only H1 reported (10 beds, 5 occupied, 10 doctors, 30 nurses): no gap.
"""
from __future__ import annotations

import datetime as dt
import json

import polars as pl
import pytest

from dashboard.metrics import icu

from dashboard.store import queries
from dashboard.figures import briefing
from tests import apptest
from tests.apptest import CJK
from dashboard.figures import icu as figures

WEEK = dt.date(2022, 12, 19)
PREV = dt.date(2022, 12, 12)
FACILITY = """机构编码,机构名称,层级,基层机构类型,医院等级,盟市代码,旗县代码,医联体名称,纬度,经度,服务人口,设发热门诊（诊室）,入网120救护车数
P1,东街社区卫生服务中心,基层,社区卫生服务中心,,150100,150102,新城区城市医疗集团,40.8600,111.6800,10000,是,1
H1,新城区医院,牵头医院,,三级,150100,150102,新城区城市医疗集团,40.8500,111.6700,,是,2
D1,呼和浩特市定点医院,定点医院,,三级,150100,150102,新城区城市医疗集团,40.8400,111.6600,,是,3
H2,土默特左旗蒙中医院,亚定点医院,,二级,150100,150121,土默特左旗县域医共体,40.7203,111.1503,,是,2
T1,内蒙古自治区人民医院,外部协作三级医院,,三级,150100,150121,土默特左旗县域医共体,40.7300,111.1600,,是,4
"""
ICU = """机构编码,ICU床位数,可转换ICU床位数,ICU在床人数,ICU医师数,ICU护士数,后备医师数,后备护士数
H1,10,5,8,8,25,2,6
H2,3,0,3,3,7,0,2
D1,0,2,0,0,0,0,0
"""
ICU_PREV = """机构编码,ICU床位数,可转换ICU床位数,ICU在床人数,ICU医师数,ICU护士数,后备医师数,后备护士数
H1,10,5,5,10,30,3,9
"""


FILES = (("facility", FACILITY, WEEK), ("icu", ICU_PREV, PREV), ("icu", ICU, WEEK))


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    folder = tmp_path_factory.mktemp("icu")
    with apptest.loaded_database(folder, FILES) as con:
        yield con, folder


AREA = {"league_code": None, "county_code": None, "consortium": None}


def hospitals(con, week=WEEK, **ends) -> pl.DataFrame:
    return queries.run("icu_staffing_by_hospital", con=con, week=week, **AREA, **icu.params(**ends))


def by_code(frame: pl.DataFrame) -> dict[str, dict]:
    return {r["facility_code"]: r for r in frame.iter_rows(named=True)}


def test_requirements_and_gaps_at_the_strict_end(db):
    con, _ = db
    rows = by_code(hospitals(con))
    assert set(rows) == {"H1", "H2", "D1", "T1"}  # every hospital, not the primary facility
    h1, h2 = rows["H1"], rows["H2"]
    assert (h1["doctors_required"], h1["nurses_required"], h1["nurses_required_low"], h1["nurses_required_high"]) == (10, 30, 25, 30)
    assert (h1["front_line_required"], h1["reserve_required_low"], h1["reserve_required_high"], h1["reserve_staff"]) == (40, 8, 12, 8)
    assert (h1["doctor_gap"], h1["nurse_gap"], h1["reserve_gap"]) == (2, 5, 4)
    assert (h1["nurse_status"], h1["reserve_status"]) == ("meets_minimum", "meets_minimum")  # the low end is within the range
    assert h1["occupancy"] == pytest.approx(0.8) and h1["status"] == "short"  # doctors 8 < 10
    # fractional nurse requirement: 2.5 x 3 beds = 7.5 -> 8 people
    assert (h2["nurses_required_low"], h2["nurses_required_high"]) == (8, 9)
    assert (h2["front_line_required"], h2["reserve_required_low"], h2["reserve_required_high"]) == (12, 3, 4)
    assert (h2["doctor_gap"], h2["nurse_gap"], h2["reserve_gap"]) == (0, 2, 2)
    assert (h2["nurse_status"], h2["reserve_status"], h2["status"]) == ("short", "short", "short")


def test_zero_beds_and_missing_reports(db):
    con, _ = db
    rows = by_code(hospitals(con))
    d1, t1 = rows["D1"], rows["T1"]
    assert d1["status"] == "no_beds" and d1["occupancy"] is None
    assert (d1["doctors_required"], d1["nurses_required"], d1["doctor_gap"], d1["nurse_gap"]) == (0, 0, 0, 0)
    assert t1["status"] == "missing" and t1["reported"] is False
    for column in ("icu_beds", "doctors_required", "doctor_gap", "nurse_gap", "occupancy"):
        assert t1[column] is None, column  # missing, never zero


def test_the_low_end_of_each_range(db):
    con, _ = db
    rows = by_code(hospitals(con, nurses_end="low", reserve_end="low"))
    # H1: 25 nurses needed, has 25; front line 10 + 25 = 35, reserve 20% = 7, has 8: no gaps
    assert (rows["H1"]["nurse_gap"], rows["H1"]["reserve_required"], rows["H1"]["reserve_gap"]) == (0, 7, 0)
    # H2: 8 nurses needed, has 7; front line 3 + 8 = 11, reserve ceil(2.2) = 3, has 2
    assert (rows["H2"]["nurse_gap"], rows["H2"]["reserve_required"], rows["H2"]["reserve_gap"]) == (1, 3, 1)


def test_opening_convertible_beds(db):
    con, _ = db
    rows = by_code(hospitals(con))
    assert (rows["H1"]["extra_doctors_if_converted"], rows["H1"]["extra_nurses_if_converted"]) == (5, 15)
    assert (rows["H2"]["extra_doctors_if_converted"], rows["H2"]["extra_nurses_if_converted"]) == (0, 0)
    assert (rows["D1"]["extra_doctors_if_converted"], rows["D1"]["extra_nurses_if_converted"]) == (2, 6)


def test_opening_half_the_convertible_beds(db):
    con, _ = db
    rows = by_code(queries.run("icu_staffing_by_hospital", con=con, week=WEEK, **AREA, **icu.params(open_share=0.5)))
    # H1: ceil(0.5 x 5) = ceil(2.5) = 3 beds opened -> 13 beds: 13 doctors, 39 nurses; has 8 and 25 -> gaps 5 and 14,
    #     i.e. 3 and 9 more than today's 2 and 5
    assert (rows["H1"]["opened_beds"], rows["H1"]["extra_doctors_if_converted"], rows["H1"]["extra_nurses_if_converted"]) == (3, 3, 9)
    # D1: ceil(0.5 x 2) = 1 bed -> 1 doctor, 3 nurses, has none
    assert (rows["D1"]["opened_beds"], rows["D1"]["extra_doctors_if_converted"], rows["D1"]["extra_nurses_if_converted"]) == (1, 1, 3)
    assert rows["T1"]["opened_beds"] is None  # not reported: unknown
    frame = queries.run("icu_staffing_by_hospital", con=con, week=WEEK, **AREA, **icu.params(open_share=0.5))
    assert icu.whatif_level(None) == "league" and icu.whatif_level("150100") == "county"
    fig = figures.whatif(icu.rollup(frame, "county"), briefing.Context("呼和浩特市", "2022年第51周", ("icu",), "zh"))
    assert "呼和浩特市" in fig.layout.title.text and "2022年第51周" in fig.layout.title.text
    doctors, nurses = fig.data
    # 150102: H1 3 + D1 1 doctors, 9 + 3 nurses; 150121 opens nothing (H2 has no convertible beds) and is left out
    assert (list(doctors.y), list(doctors.x), list(nurses.x)) == (["新城区"], [4], [12])
    assert fig.layout.xaxis.title.text == "人数（人）"


def test_totals_and_rollups(db):
    con, _ = db
    frame = hospitals(con)
    total = icu.totals(frame)
    assert (total["hospitals"], total["reported"], total["icu_beds"], total["occupied"]) == (4, 3, 13, 11)
    assert total["occupancy"] == pytest.approx(11 / 13)
    assert (total["doctor_gap"], total["nurse_gap"]) == (2, 7)
    assert total["reserve_gap"] == 6
    assert (total["short"], total["no_beds"], total["missing"], total["fully_meets"]) == (2, 1, 1, 0)
    assert (total["convertible_beds"], total["extra_doctors_if_converted"], total["extra_nurses_if_converted"]) == (7, 7, 21)
    counties = {r["code"]: r for r in icu.rollup(frame, "county").iter_rows(named=True)}
    assert (counties["150102"]["hospitals"], counties["150102"]["missing"], counties["150102"]["nurse_gap"]) == (2, 0, 5)
    assert (counties["150121"]["hospitals"], counties["150121"]["missing"], counties["150121"]["nurse_gap"]) == (2, 1, 2)
    assert icu.rollup(frame, "county")["code"].to_list() == ["150102", "150121"]  # ranked by gap
    leagues = icu.rollup(frame, "league")
    assert leagues.select("name", "name_en", "hospitals", "front_line_gap").row(0) == ("呼和浩特市", "Hohhot", 4, 9)
    consortia = icu.rollup(frame, "consortium")
    assert set(consortia["name"]) == {"新城区城市医疗集团", "土默特左旗县域医共体"}


def test_area_filter_and_all_weeks(db):
    con, _ = db
    one = queries.run("icu_staffing_by_hospital", con=con, week=WEEK, league_code=None, county_code="150121",
                      consortium=None, **icu.params())
    assert sorted(one["facility_code"]) == ["H2", "T1"]
    history = hospitals(con, week=None)
    per_week = icu.trend(history)
    assert per_week["week"].to_list() == [PREV, WEEK]
    assert per_week["reported"].to_list() == [1, 3]
    assert per_week["occupancy"].to_list() == pytest.approx([0.5, 11 / 13])
    assert per_week["nurse_gap"].to_list() == [0, 7]


def test_figures(db):
    con, _ = db
    frame = hospitals(con)
    ctx = briefing.Context("呼和浩特市", "2022年第51周", ("icu",), "zh")
    ranking = figures.gap_ranking(frame, ctx)
    assert "呼和浩特市" in ranking.layout.title.text and "2022年第51周" in ranking.layout.title.text
    assert list(ranking.data[0].y) == ["土默特左旗蒙中医院", "新城区医院"]  # largest gap drawn last (on top)
    assert list(ranking.data[0].x) == [0, 2] and list(ranking.data[1].x) == [2, 5]
    trend = figures.trend(icu.trend(hospitals(con, week=None)), briefing.Context("Hohhot", "2022-W51", ("icu",), "en"))
    assert trend.layout.title.text.startswith("ICU occupancy and staff gaps, Hohhot")
    occupancy, doctors, nurses, reserve = trend.data
    assert list(occupancy.y) == pytest.approx([0.5, 11 / 13])
    # week 50: H1 alone, fully staffed; week 51: the totals above (reserve 1 + 3 at H1, 1 + 1 at H2)
    assert (list(doctors.y), list(nurses.y), list(reserve.y)) == ([0, 2], [0, 7], [0, 6])
    assert trend.layout.yaxis.title.text == "Occupancy" and trend.layout.yaxis2.title.text == "Gap (people)"
    gap_map = figures.gap_map(icu.rollup(frame, "county"), ctx, league_code="150100")
    assert "ICU一线医护缺口" in gap_map.layout.title.text


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_page_renders(app_env, lang):
    at = apptest.render("pages/icu.py", lang)
    assert at.title[0].value == ("重症医护配备" if lang == "zh" else "ICU staffing")
    metrics = apptest.metrics(at)
    reported, gap = ("已报送医院", "一线护士缺口") if lang == "zh" else ("Hospitals reporting", "Front-line nurse gap")
    assert metrics[reported] == "3/4" and metrics[gap] == "7"
    if lang == "en":
        assert not apptest.chinese_leaks(at)


def test_page_switches_to_the_low_end_and_keeps_it_in_english(app_env):
    at = apptest.render("pages/icu.py")
    at.radio(key="icu_nurses_end_zh").set_value("low").run()
    assert apptest.metrics(at)["一线护士缺口"] == "1"  # H1 0 + H2 1 at 2.5 nurses a bed
    at.session_state["lang"] = "en"
    at.run()
    assert not at.exception
    assert at.radio(key="icu_nurses_end_en").value == "low"
    assert apptest.metrics(at)["Front-line nurse gap"] == "1"


def test_page_what_if_slider(app_env):
    at = apptest.render("pages/icu.py")
    assert "需增医师" not in apptest.metrics(at)  # only the open tab is built: the what-if waits for its tab
    apptest.open_tab(at, "icu", "whatif")
    assert apptest.metrics(at)["需增医师"] == "7"  # all 7 convertible beds: H1 5, D1 2 (see the module docstring)
    at.slider(key="icu_open_share").set_value(50).run()
    metrics = apptest.metrics(at)
    # half: H1 opens 3, D1 1 (test_opening_half_the_convertible_beds); nurses at 3 a bed
    assert (metrics["启用床位"], metrics["需增医师"], metrics["需增护士"]) == ("4", "4", "12")
    apptest.open_tab(at, "icu", "trend")  # the slider keeps its place while its tab is closed
    apptest.open_tab(at, "icu", "whatif")
    assert at.slider(key="icu_open_share").value == 50 and apptest.metrics(at)["启用床位"] == "4"


def test_page_shows_the_map_and_the_hospital_drill_down(app_env):
    at = apptest.render("pages/icu.py", "en")
    assert not at.get("deck_gl_json_chart")  # the first tab is the hospitals' ranking: the map waits for its tab
    titles = [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]
    # the drill-down starts on the hospital with the largest gap, H1 新城区医院 (2 + 5 people)
    assert any(x.startswith("ICU front-line staff at 新城区医院") for x in titles), titles
    at.selectbox(key="icu_hospital_en").set_value("H2").run()
    titles = [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]
    assert any(x.startswith("ICU front-line staff at 土默特左旗蒙中医院") for x in titles), titles

    apptest.open_tab(at, "icu", "map")
    decks = at.get("deck_gl_json_chart")
    assert len(decks) == 1
    spec = json.loads(decks[0].proto.json)
    # map_provider=None: no provider, and pydeck's placeholder style, which Streamlit drops (no tiles)
    assert spec.get("mapProvider") is None and spec.get("mapStyle") in (None, "__MAP_STYLE__")
    assert "\n" not in decks[0].proto.json  # compact JSON (pydeck indents: about 5x the size)
    # back on the hospitals' tab, the drill-down is still on H2
    apptest.open_tab(at, "icu", "hospitals")
    titles = [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]
    assert any(x.startswith("ICU front-line staff at 土默特左旗蒙中医院") for x in titles), titles



def test_page_roll_up_choice_changes_the_map(app_env):
    """'Roll up by' drives the map too: banners/counties by default, leagues once chosen (before,
    the map stayed on banners/counties whatever the choice)."""
    def map_levels(at):
        features = json.loads(at.get("deck_gl_json_chart")[0].proto.json)["layers"][0]["data"]["features"]
        return {f["properties"]["level"] for f in features}

    at = apptest.open_tab(apptest.render("pages/icu.py", "en"), "icu", "map")
    assert map_levels(at) == {"county"}
    at.radio(key="icu_level_en").set_value("league").run()
    assert not at.exception
    assert map_levels(at) == {"league"}
    at.radio(key="icu_level_en").set_value("consortium").run()
    assert map_levels(at) == {"county"}  # consortia have no boundaries


# A second fixture for the blanks, week 2022-12-26:
#   A sub-designated, county 150102: 4 beds, convertible, occupied and reserve left blank; 4 doctors, 10 nurses
#     needs 4 doctors, 10-12 nurses -> gaps 0 and 2 (strict end); nurses 10 meet the minimum; reserve needs
#     ceil(0.3*16)=ceil(4.8)=5, but the reserve was not reported: reserve gap null, not 5 and not 0, and
#     the hospital cannot be judged (not met, not short); convertible beds unknown: what-if null; occupancy null
#   B designated, county 150121: no report -> the county roll-up has no figures (null), 1 of 1 missing
#   C designated, 150102: 2 beds, 2 doctors, 6 nurses (the high end), reserve 1 + 2 = 3; front line 2 + 6 = 8,
#     reserve ceil(1.6)=2 to ceil(2.4)=3 -> fully meets
#   E sub-designated, 150102: 2 beds, 2 doctors, 5 nurses (the low end), reserve 1 doctor, nurses blank:
#     the reserve as a whole is unknown -> cannot be judged (the text sets no doctor/nurse split)
#   G sub-designated of blank grade, no report -> 'duty_unknown' (not counted as missing)
#   K hospital of grade I, no report -> not listed (the policy asks grade II and above for ICU beds)
BLANK_WEEK = dt.date(2022, 12, 26)
BLANK_FACILITY = """机构编码,机构名称,层级,基层机构类型,医院等级,盟市代码,旗县代码,医联体名称,纬度,经度,服务人口,设发热门诊（诊室）,入网120救护车数
A,新城区二院,亚定点医院,,二级,150100,150102,新城区城市医疗集团,40.8500,111.6700,,是,2
B,土左旗定点医院,定点医院,,二级,150100,150121,土默特左旗县域医共体,40.7203,111.1503,,是,2
C,新城区定点医院,定点医院,,三级,150100,150102,新城区城市医疗集团,40.8510,111.6710,,是,2
E,新城区三院,亚定点医院,,二级,150100,150102,新城区城市医疗集团,40.8520,111.6720,,是,2
G,新城区四院,亚定点医院,,,150100,150102,新城区城市医疗集团,40.8530,111.6730,,是,2
K,新城区五院,亚定点医院,,一级,150100,150102,新城区城市医疗集团,40.8540,111.6740,,是,2
"""
BLANK_ICU = """机构编码,ICU床位数,可转换ICU床位数,ICU在床人数,ICU医师数,ICU护士数,后备医师数,后备护士数
A,4,,,4,10,,
C,2,0,1,2,6,1,2
E,2,0,1,2,5,1,
"""


@pytest.fixture(scope="module")
def blank_db(tmp_path_factory):
    folder = tmp_path_factory.mktemp("icu_blank")
    files = (("facility", BLANK_FACILITY, BLANK_WEEK), ("icu", BLANK_ICU, BLANK_WEEK))
    with apptest.loaded_database(folder, files) as con:
        yield con


def test_blank_optional_columns_stay_missing(blank_db):
    rows = by_code(hospitals(blank_db, week=BLANK_WEEK))
    a = rows["A"]
    assert (a["doctors_required"], a["nurses_required"], a["doctor_gap"], a["nurse_gap"]) == (4, 12, 0, 2)
    assert (a["front_line_required"], a["reserve_required"]) == (16, 5)
    assert a["reserve_gap"] is None and a["reserve_staff"] is None  # not reported: unknown, not 0
    assert a["extra_doctors_if_converted"] is None and a["occupancy"] is None
    assert (a["nurse_status"], a["reserve_status"], a["status"]) == ("meets_minimum", "cannot_judge", "cannot_judge")


def test_ranges_and_who_owes_the_report(blank_db):
    rows = by_code(hospitals(blank_db, week=BLANK_WEEK))
    assert set(rows) == {"A", "B", "C", "E", "G"}  # K (grade I) owes no ICU report and sent none
    c, e = rows["C"], rows["E"]
    assert (c["reserve_required_low"], c["reserve_required_high"], c["reserve_staff"]) == (2, 3, 3)
    assert (c["nurse_status"], c["reserve_status"], c["status"]) == ("fully_meets", "fully_meets", "fully_meets")
    assert (e["nurse_status"], e["reserve_staff"], e["reserve_status"], e["status"]) == ("meets_minimum", None, "cannot_judge", "cannot_judge")
    assert (rows["G"]["status"], rows["B"]["status"]) == ("duty_unknown", "missing")
    total = icu.totals(hospitals(blank_db, week=BLANK_WEEK))
    assert (total["missing"], total["duty_unknown"], total["cannot_judge"], total["fully_meets"]) == (1, 1, 2, 1)


def test_a_county_with_no_report_rolls_up_to_missing(blank_db):
    frame = hospitals(blank_db, week=BLANK_WEEK)
    counties = {r["code"]: r for r in icu.rollup(frame, "county").iter_rows(named=True)}
    b = counties["150121"]
    assert (b["hospitals"], b["reported"], b["missing"]) == (1, 0, 1)
    for column in ("icu_beds", "front_line_gap", "doctor_gap", "reserve_gap", "occupancy"):
        assert b[column] is None, column  # polars would sum nothing to 0
    total = icu.totals(frame)
    # front line: A 2 nurses + E 1 nurse (strict end); reserve: only C's is known (0); A and E are counted apart
    assert (total["front_line_gap"], total["reserve_gap"], total["cannot_judge"]) == (3, 0, 2)


def test_pydeck_map_draws_boundaries_and_hospitals_without_tiles(db):
    con, _ = db
    frame = hospitals(con)
    deck = figures.gap_deck(icu.rollup(frame, "county"), frame, "en", league_code="150100")
    spec = json.loads(deck.to_json())
    assert deck.map_provider is None and "mapProvider" not in spec  # no basemap tiles
    base, dots, names = spec["layers"]  # names: the place names on the map
    assert base["@@type"] == "GeoJsonLayer" and dots["@@type"] == "ScatterplotLayer"
    counties = {f["properties"]["adcode"]: f["properties"] for f in base["data"]["features"]}
    assert {c[:4] for c in counties} == {"1501"}  # the league only
    # the county's name comes from the census when the register has none; gap 2 doctors + 5 nurses
    # over 10 + 0 beds: 7 / 10 = 0.70 per bed
    assert counties["150102"]["tip"] == ("<b>新城区</b><br>Gap per ICU bed (people): 0.70<br>Gap (people): 7 people"
                                         "<br>Hospitals reporting: 2 / 2")
    assert counties["150121"]["tip"].endswith("Hospitals reporting: 1 / 2")
    assert counties["150102"]["colour"] == [102, 37, 6, 215]  # the largest gap per bed in view: the darkest of YlOrBr
    assert counties["150103"]["colour"] == [248, 249, 249, 255]  # no hospital expected: blank
    tips = {d["tip"].split("</b>")[0][3:]: d for d in dots["data"]}
    assert set(tips) == {"新城区医院", "呼和浩特市定点医院", "土默特左旗蒙中医院", "内蒙古自治区人民医院"}
    assert "Not reported" in tips["内蒙古自治区人民医院"]["tip"] and not CJK.search(tips["新城区医院"]["tip"].split("</b>")[1])
    assert dots["data"][-1]["tip"].startswith("<b>新城区医院")  # the largest gap drawn last, on top
    assert 40.7 < spec["initialViewState"]["latitude"] < 40.9
    assert dots["radiusUnits"] == "pixels"  # a plain string, not an "@@=" expression
    assert dots["data"][-1]["radius"] == pytest.approx(8) and tips["内蒙古自治区人民医院"]["radius"] == pytest.approx(2)
    # dots sized by their own gap per bed: 2 / 3 beds against the largest, 7 / 10: 2 + 6 * sqrt(0.6667 / 0.7)
    assert tips["土默特左旗蒙中医院"]["radius"] == pytest.approx(2 + 6 * ((2 / 3) / 0.7) ** 0.5)


def test_map_follows_the_roll_up_level(db):
    """Rolled up by league, the map draws leagues: Hohhot (150100) holds every hospital of the fixture,
    its gap 7 + 2 = 9 people over 10 + 0 + 3 beds (the missing hospital's beds are unknown): 9 / 13 = 0.69
    per bed."""
    con, _ = db
    frame = hospitals(con)
    leagues = icu.rollup(frame, "league")
    assert leagues.filter(pl.col("code") == "150100")["gap_per_bed"].item() == pytest.approx(9 / 13)
    deck = figures.gap_deck(leagues, frame, "en", level="league")
    features = json.loads(deck.to_json())["layers"][0]["data"]["features"]
    assert {f["properties"]["level"] for f in features} == {"league"} and len(features) > 1
    tip = next(f["properties"]["tip"] for f in features if f["properties"]["adcode"] == "150100")
    assert "Gap per ICU bed (people): 0.69" in tip
    one = figures.gap_deck(leagues, frame, "en", league_code="150100", level="league")
    assert [f["properties"]["adcode"] for f in json.loads(one.to_json())["layers"][0]["data"]["features"]] == ["150100"]
    assert icu.map_level("consortium") == "county" and icu.map_level("league") == "league"


def test_area_gaps_chart(db, blank_db):
    con, _ = db
    ctx = briefing.Context("Hohhot", "2022-W51", ("icu",), "en")
    fig = figures.area_gaps(icu.rollup(hospitals(con), "county"), ctx)
    assert fig.layout.title.text == "ICU front-line gaps by area, Hohhot, 2022-W51"
    doctors, nurses = fig.data
    # 150102 新城区: H1 2 + 5 = 7 (drawn last, on top); 150121 土默特左旗: H2 0 + 2
    assert (list(doctors.y), list(doctors.x), list(nurses.x)) == (["土默特左旗", "新城区"], [0, 2], [2, 5])
    # a county where no hospital reported has no known gap: left out, not drawn as 0
    blank = figures.area_gaps(icu.rollup(hospitals(blank_db, week=BLANK_WEEK), "county"), ctx)
    assert list(blank.data[0].y) == ["新城区"]


def test_hospital_trend_shows_reported_against_required(db):
    con, _ = db
    one = icu.hospital_history(hospitals(con, week=None), "H1", until=WEEK)
    fig = figures.hospital_trend(one, briefing.Context("呼和浩特市", "2022年第51周", ("icu",), "zh"), "新城区医院")
    assert "新城区医院" in fig.layout.title.text and "2022年第51周" in fig.layout.title.text
    doctors, doctors_needed, nurses, nurses_needed = fig.data
    assert list(doctors.y) == [10, 8] and list(doctors_needed.y) == [10, 10]  # weeks 50 and 51
    assert list(nurses.y) == [30, 25] and list(nurses_needed.y) == [30, 30]
    assert fig.layout.yaxis.title.text == "人数（人）"
    assert icu.hospital_history(hospitals(con, week=None), "H1", until=PREV).height == 1


def _two_hospitals() -> pl.DataFrame:
    """H1: 10 beds, 8 occupied, 8 of 10 doctors, 25 of 30 nurses (25-30), reserve 8 of 12: gaps 2, 5, 4;
    H2 did not report (every figure blank)."""
    return pl.DataFrame({
        "facility_code": ["H1", "H2"], "facility_name": ["甲院", "乙院"], "tier": ["lead", "designated"],
        "county_code": ["150102", "150121"], "county_name": ["新城区", "土默特左旗"],
        "league_code": ["150100", "150100"], "league_name": ["呼和浩特市", "呼和浩特市"],
        "league_name_en": ["Hohhot", "Hohhot"], "consortium": ["甲集团", "乙医共体"],
        "status": ["short", "missing"], "reported": [True, False],
        **{c: [v, None] for c, v in {
            "icu_beds": 10, "convertible_beds": 5, "occupied": 8, "occupancy": 0.8, "icu_doctors": 8, "doctors_required": 10,
            "icu_nurses": 25, "nurses_required": 30, "nurses_required_low": 25, "nurses_required_high": 30,
            "reserve_staff": 8, "reserve_required": 12, "doctor_gap": 2, "reserve_doctors": 2, "reserve_nurses": 6,
            "front_line_required": 40, "reserve_required_low": 8, "reserve_required_high": 12,
            "extra_doctors_if_converted": 5, "extra_nurses_if_converted": 15, "opened_beds": 5, "nurse_gap": 5, "reserve_gap": 4,
            "front_line_gap": 7}.items()},
    })


def test_hospital_table_as_placed():
    """Largest gap first, the silent hospital last with '—' (never None); occupancy 8 / 10 = 80.0%."""
    table = icu.hospital_table(_two_hospitals(), "zh")
    rows = table.rows(named=True)
    assert [r["医院"] for r in rows] == ["甲院", "乙院"]
    assert (rows[0]["使用率"], rows[0]["医师（现有/应配）"], rows[0]["护士应配（每床2.5-3名）"]) == ("80.0%", "8 / 10", "25-30")
    assert rows[1]["使用率"] == "—" and rows[1]["状态"] == "未报送"
    assert not any(v in (None, "None", "nan") for r in rows for v in r.values())
    assert icu.hospital_choices(_two_hospitals()) == {"H1": "甲院", "H2": "乙院"}


def test_rollup_table_and_gap_per_bed():
    """By county: 新城区 gap 2 + 5 = 7 over 10 beds = 0.70 per bed; 土默特左旗 has no report: '—'."""
    rolled = icu.rollup(_two_hospitals(), "county")
    assert dict(zip(rolled["code"], rolled["gap_per_bed"])) == {"150102": 0.7, "150121": None}
    table = icu.rollup_table(rolled, "county", "en").rows(named=True)
    assert [r["Banner/county"] for r in table] == ["新城区", "土默特左旗"]
    assert (table[0]["Gap per ICU bed (people)"], table[0]["Occupancy"]) == ("0.70", "80.0%")
    assert table[1]["Gap per ICU bed (people)"] == "—"
    leagues = icu.rollup(_two_hospitals(), "league")
    assert icu.rollup_table(leagues, "league", "en").rows() [0][0] == "Hohhot"  # English names in English
    assert icu.convertible_table(_two_hospitals(), "zh").height == 1  # only H1 has convertible beds
