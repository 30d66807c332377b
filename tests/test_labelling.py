"""Risk-labelling page: the per-facility, per-county and correction-list queries on a hand-worked
fixture, the roll-ups, the figures and the page in both languages. (The Annex 1 rule itself and the
Python/SQL agreement are tested in tests/test_rules.py.)

Fixture, week 2022-12-19; contacts: yellow at least 2 a week, red at least 3.
  P1 community health centre (新城区 150102):
    R1 70 none full        recorded green  rule green   signed  1 contact
    R2 85 stable full      recorded yellow rule yellow  signed  2 contacts  (yellow contacted enough, managed)
    R3 70 unstable none    not labelled    rule red     unsigned 3 contacts (red contacted, not managed: unsigned)
    R4 62 stable partial   recorded yellow rule yellow  signed  0 contacts  (under 65)
    R5 90 unstable full    recorded yellow rule red     signed  3 contacts  (under-labelled; managed)
    R6 75 stable full      recorded red    rule green   unsigned 0          (over-labelled)
    -> 6 people, 5 aged 65+, 5 labelled, recorded 1 green 3 yellow 1 red, 1 under, 1 over, 4 signed,
       rule yellow 2 (1 contacted enough), rule red 2 (2 contacted enough), 2 under case management
  P2 township hospital (土默特左旗 150121):
    R7 82 none full        recorded green  rule yellow  signed  1 contact   (under-labelled)
    R8 66 none none        recorded green  rule green   signed  0
    -> 2 people, both 65+, labelled, 1 under, 2 signed, rule yellow 1 (not contacted enough), 0 managed
  P3 community health centre (150102): no register -> missing (nulls, not zeros)
Totals: 3 facilities, 2 reporting, 8 people, 7 labelled (87.5%), 3 mislabelled, 6 signed (75%),
yellow contacts 1 of 3, red 2 of 2, case management 2 of 5 (40%).
Found: 新城区 5 people 65+ against its census 65+; 土默特左旗 2.
Previous week 2022-12-12: P1 only, R1 and R2, both labelled as the rule says.
"""
from __future__ import annotations

import datetime as dt
import json
import re

import polars as pl
import pytest

from dashboard.metrics import geography, labelling

from dashboard.store import queries
from dashboard.figures import briefing
from tests import apptest
from dashboard.figures import labelling as figures
from tests.shell_fixture import with_valid_checksums

WEEK = dt.date(2022, 12, 19)
PREV = dt.date(2022, 12, 12)
FACILITY = """机构编码,机构名称,层级,基层机构类型,医院等级,盟市代码,旗县代码,医联体名称,纬度,经度,服务人口,设发热门诊（诊室）,入网120救护车数
P1,东街社区卫生服务中心,基层,社区卫生服务中心,,150100,150102,新城区城市医疗集团,40.8600,111.6800,10000,是,1
P3,西街社区卫生服务中心,基层,社区卫生服务中心,,150100,150102,新城区城市医疗集团,40.8700,111.6900,5000,是,1
P2,察素齐镇卫生院,基层,乡镇卫生院,,150100,150121,土默特左旗县域医共体,40.7200,111.1500,20000,是,0
H1,新城区医院,牵头医院,,二级,150100,150102,新城区城市医疗集团,40.8500,111.6700,,是,2
"""
HEADER = "身份证号,姓名,联系电话,档案编号,管理机构编码,年龄,基础疾病状态,疫苗接种,风险标识,家庭医生签约,本周联系次数,养老机构居住\n"
REGISTER = HEADER + """150102195201010011,甲,13800000001,R1,P1,70,无基础疾病,全程接种,绿色,是,1,否
150102193701010021,乙,13800000002,R2,P1,85,基础疾病稳定,全程接种,黄色,是,2,否
150102195201020031,丙,13800000003,R3,P1,70,基础疾病不稳定,未接种,,否,3,是
150102196001010041,丁,13800000004,R4,P1,62,基础疾病稳定,未全程接种,黄色,是,0,否
150102193201010051,戊,13800000005,R5,P1,90,基础疾病不稳定,全程接种,黄色,是,3,否
150102194701010061,己,13800000006,R6,P1,75,基础疾病稳定,全程接种,红色,否,0,否
150121194001010071,庚,13800000007,R7,P2,82,无基础疾病,全程接种,绿色,是,1,否
150121195601010081,辛,13800000008,R8,P2,66,无基础疾病,未接种,绿色,是,0,否
"""
REGISTER_PREV = HEADER + """150102195201010011,甲,13800000001,R1,P1,70,无基础疾病,全程接种,绿色,是,1,否
150102193701010021,乙,13800000002,R2,P1,85,基础疾病稳定,全程接种,黄色,是,2,否
"""
AREA = {"league_code": None, "county_code": None, "consortium": None}


FILES = (("facility", FACILITY, WEEK), ("register", with_valid_checksums(REGISTER_PREV), PREV),
                                ("register", with_valid_checksums(REGISTER), WEEK))


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    folder = tmp_path_factory.mktemp("labelling")
    with apptest.loaded_database(folder, FILES) as con:
        yield con, folder


def facilities(con, week=WEEK) -> pl.DataFrame:
    return labelling.with_rates(queries.run("labelling_by_facility", con=con, week=week, **AREA, **labelling.params()))


def by_code(frame: pl.DataFrame) -> dict[str, dict]:
    return {r["facility_code"]: r for r in frame.iter_rows(named=True)}


def test_counts_per_facility(db):
    con, _ = db
    rows = by_code(facilities(con))
    assert set(rows) == {"P1", "P2", "P3"}  # the hospital keeps no register
    p1, p2 = rows["P1"], rows["P2"]
    assert [p1[c] for c in ("persons", "persons_65", "labelled", "green", "yellow", "red")] == [6, 5, 5, 1, 3, 1]
    assert [p1[c] for c in ("under_labelled", "over_labelled", "signed")] == [1, 1, 4]
    assert [p1[c] for c in ("rule_yellow", "yellow_contacted", "rule_red", "red_contacted", "managed")] == [2, 1, 2, 2, 2]
    assert [p2[c] for c in ("persons", "labelled", "green", "under_labelled", "over_labelled", "signed")] == [2, 2, 2, 1, 0, 2]
    assert [p2[c] for c in ("rule_yellow", "yellow_contacted", "rule_red", "red_contacted", "managed")] == [1, 0, 0, 0, 0]
    assert p2["red_contact_share"] is None  # nobody red: no share, not 0% and not 100%


def test_missing_register_is_missing(db):
    con, _ = db
    p3 = by_code(facilities(con))["P3"]
    assert p3["reported"] is False
    assert all(p3[c] is None for c in ("persons", "labelled", "signed", "managed", "labelled_share"))


def test_totals_and_rollups(db):
    con, _ = db
    total = labelling.totals(facilities(con))
    assert (total["facilities"], total["reported"], total["persons"], total["labelled"]) == (3, 2, 8, 7)
    assert total["labelled_share"] == pytest.approx(0.875)
    assert total["mislabelled"] == 3
    assert total["signed_share"] == pytest.approx(0.75)
    assert total["yellow_contact_share"] == pytest.approx(1 / 3) and total["red_contact_share"] == pytest.approx(1.0)
    assert total["managed_share"] == pytest.approx(0.4)
    # drill-down to P2: 2 people, both labelled, 2 green, rule yellow 1, nobody managed
    p2 = labelling.totals(facilities(con), "P2")
    assert (p2["facilities"], p2["persons"], p2["labelled"], p2["green"], p2["rule_yellow"], p2["managed"]) == (1, 2, 2, 2, 1, 0)
    assert p2["managed_share"] == 0.0
    counties = {r["code"]: r for r in labelling.rollup(facilities(con), "county").iter_rows(named=True)}
    assert (counties["150102"]["facilities"], counties["150102"]["reported"], counties["150102"]["persons"]) == (2, 1, 6)


def test_people_found_against_the_census(db):
    con, _ = db
    counties = queries.run("labelling_found_by_county", con=con, week=WEEK, **AREA)
    census = dict(zip(geography.census()["adcode"], geography.census()["pop65"]))
    got = {r["county_code"]: (r["found_65"], r["pop65"], r["found_share"]) for r in counties.iter_rows(named=True)}
    assert got["150102"][:2] == (5, census["150102"]) and got["150102"][2] == pytest.approx(5 / census["150102"])
    assert got["150121"][:2] == (2, census["150121"])
    prev = queries.run("labelling_found_by_county", con=con, week=PREV, **AREA)
    assert dict(zip(prev["county_code"], prev["found_65"])) == {"150102": 2, "150121": None}  # P2 sent nothing then


def test_correction_list_holds_no_names_and_the_right_people(db):
    con, _ = db
    fixes = queries.run("labelling_correction_list", con=con, week=WEEK, facility_code="P1")
    assert fixes["record_no"].to_list() == ["R3", "R5", "R6"]
    assert fixes["problem"].to_list() == ["unlabelled", "under", "over"]
    assert fixes["rule_label"].to_list() == ["red", "red", "green"]
    assert all(re.fullmatch(r"\d{6}\*{8}\d{3}[\dX]", x) for x in fixes["id_masked"])
    assert not {"name", "phone", "id_number"} & set(fixes.columns)


def test_trend(db):
    con, _ = db
    counties = queries.run("labelling_found_by_county", con=con, week=None, **AREA)
    per_week = labelling.trend(facilities(con, week=None), counties)
    assert per_week["week"].to_list() == [PREV, WEEK]
    assert per_week["labelled_share"].to_list() == pytest.approx([1.0, 0.875])
    assert per_week["found_65"].to_list() == [2, 7]
    # signed: 2/2 then 6/8; case-managed: 1/1 (R2) then 2/5
    assert per_week["signed_share"].to_list() == pytest.approx([1.0, 0.75])
    assert per_week["managed_share"].to_list() == pytest.approx([1.0, 0.4])
    fig = figures.trend(per_week, briefing.Context("内蒙古自治区", "2022年第51周", ("register",), "zh"), 0.95)
    assert "内蒙古自治区" in fig.layout.title.text and "2022年第51周" in fig.layout.title.text
    assert [trace.name for trace in fig.data] == ["65岁及以上摸底", "已标识", "家庭医生签约", "红黄专案管理", "目标 95%"]
    assert list(fig.data[1].y) == pytest.approx([1.0, 0.875]) and fig.layout.shapes[0].y0 == 0.95


def test_figures(db):
    con, _ = db
    ctx = briefing.Context("呼和浩特市", "2022年第51周", ("register",), "zh")
    total = labelling.totals(facilities(con))
    funnel = figures.funnel(total, ctx)
    assert "呼和浩特市" in funnel.layout.title.text and "2022年第51周" in funnel.layout.title.text
    assert list(funnel.data[0].x) == [8, 7, 5, 2]
    audit = figures.audit(facilities(con), ctx)
    assert list(audit.data[0].y) == ["察素齐镇卫生院", "东街社区卫生服务中心"]  # P1 has more (2) and is drawn on top
    assert list(audit.data[0].x) == [1, 1] and list(audit.data[1].x) == [0, 1]
    en = figures.rates(labelling.rollup(facilities(con), "county"), briefing.Context("Hohhot", "2022-W51", ("register",), "en"), 2, 3, 0.9)
    assert en.layout.title.text.startswith("Family-doctor signing and contact frequency, Hohhot")
    assert [trace.name for trace in en.data] == ["Family-doctor signed", "Yellow contacted ≥2/week", "Red contacted ≥3/week",
                                            "Target 90%"]
    # 150102: P1 signed 4/6, yellow 1/2, red 2/2; 150121: P2 signed 2/2, yellow 0/1, red: nobody (no bar, not 0)
    assert list(en.data[0].y) == pytest.approx([4 / 6, 1.0]) and list(en.data[2].y)[1] is None
    assert en.layout.shapes[0].y0 == 0.9  # the target line is the policy number passed in, not a literal 100%


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_page_renders(app_env, lang):
    at = apptest.render("pages/labelling.py", lang)
    assert at.title[0].value == ("红黄绿标识" if lang == "zh" else "Risk labelling")
    metrics = apptest.metrics(at)
    assert metrics["已标识" if lang == "zh" else "Labelled"] == "87.5%"
    assert metrics["红黄专案管理率" if lang == "zh" else "Yellow/red under case management"] == "40.0%"
    titles = [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]
    assert any(("65岁及以上老年人摸底" if lang == "zh" else "People aged 65+ found") in x for x in titles)
    assert not at.get("deck_gl_json_chart")  # only the open tab is built: the map waits for its tab
    if lang == "en":
        assert not apptest.chinese_leaks(at)
    apptest.open_tab(at, "labelling", "map")
    assert at.get("deck_gl_json_chart"), "the pydeck map is shown"
    if lang == "en":
        assert not apptest.chinese_leaks(at)


def test_contact_level_is_one_below_the_selection():
    assert labelling.contact_level(None, None, None) == "league"
    assert labelling.contact_level("150100", None, None) == "county"
    assert labelling.contact_level("150100", "150102", None) == "facility"
    assert labelling.contact_level(None, None, "新城区城市医疗集团") == "facility"


def test_areas_for_the_map(db):
    con, _ = db
    census = dict(zip(geography.census()["adcode"], geography.census()["pop65"]))
    counties = queries.run("labelling_found_by_county", con=con, week=WEEK, **AREA)
    by_county = {r["code"]: r for r in labelling.areas(facilities(con), counties, "county").iter_rows(named=True)}
    # 150102: P1 6 people, 5 labelled (5/6), 4 signed (4/6), managed 2 of rule yellow+red 4; P3 silent -> 1 of 2 reported
    one = by_county["150102"]
    assert (one["name"], one["found_65"], one["pop65"], one["facilities"], one["reported"]) == ("新城区", 5, census["150102"], 2, 1)
    assert (one["labelled_share"], one["signed_share"], one["managed_share"]) == pytest.approx((5 / 6, 4 / 6, 0.5))
    # 150121: P2 2 people, both labelled and signed; rule yellow 1, not contacted enough -> 0 managed of 1
    two = by_county["150121"]
    assert (two["found_65"], two["labelled_share"], two["signed_share"], two["managed_share"]) == (2, 1.0, 1.0, 0.0)
    # the league: 7 found against the two counties' census 65+; 7 labelled of 8; managed 2 of 5
    league = labelling.areas(facilities(con), counties, "league").row(0, named=True)
    assert (league["code"], league["name"], league["found_65"]) == ("150100", "呼和浩特市", 7)
    assert league["pop65"] == census["150102"] + census["150121"]
    assert (league["labelled_share"], league["managed_share"]) == pytest.approx((7 / 8, 0.4))


def test_an_area_that_did_not_report_is_blank_not_zero(db):
    con, _ = db
    # 2022-12-12: P2 (the only facility of 150121) sent nothing: every share is null, never 0 or NaN
    counties = queries.run("labelling_found_by_county", con=con, week=PREV, **AREA)
    silent = {r["code"]: r for r in labelling.areas(facilities(con, PREV), counties, "county").iter_rows(named=True)}["150121"]
    assert silent["reported"] == 0
    assert all(silent[c] is None for c in ("found_65", "found_share", "labelled_share", "signed_share", "managed_share"))
    league = labelling.found_by_league(counties.with_columns(pl.lit(None, pl.Int64).alias("found_65"))).row(0, named=True)
    assert (league["found_65"], league["found_share"]) == (None, None)  # a league where nobody reported
    # 150102 that week: R1 green and R2 yellow contacted twice and signed -> managed 1 of 1
    assert labelling.totals(facilities(con, PREV))["managed_share"] == 1.0


def test_found_and_map_figures(db):
    con, _ = db
    census = dict(zip(geography.census()["adcode"], geography.census()["pop65"]))
    ctx = briefing.Context("呼和浩特市", "2022年第51周", ("register",), "zh")
    fig = figures.found(7, census["150102"] + census["150121"], ctx)
    assert "呼和浩特市" in fig.layout.title.text and "2022年第51周" in fig.layout.title.text
    assert list(fig.data[0].x) == [census["150102"] + census["150121"], 7]
    counties = queries.run("labelling_found_by_county", con=con, week=WEEK, **AREA)
    shown = labelling.areas(facilities(con), counties, "county")
    en = briefing.Context("Hohhot", "2022-W51", ("register",), "en")
    plot = figures.coverage_map(shown, en, "labelled_share", "county", league_code="150100")
    assert plot.layout.title.text.startswith("Labelled by area, Hohhot, 2022-W51")
    assert not [t for t in plot.data if getattr(t, "type", "") in ("choropleth", "choroplethmapbox", "scattergeo")]
    deck = figures.coverage_deck(shown, "labelled_share", "county", "en", league_code="150100")
    assert deck.map_provider is None
    features = {f["properties"]["adcode"]: f["properties"] for f in deck.layers[0].data["features"]}
    assert set(features) == {f["properties"]["adcode"] for f in geography.boundaries("county")["features"]
                             if f["properties"]["league_code"] == "150100"}
    assert "Labelled: 83.3%" in features["150102"]["tip"] and "Facilities reporting: 1 / 2" in features["150102"]["tip"]
    assert "Labelled: 100.0%" in features["150121"]["tip"]
    # 100% labelled is the green end of the scale; a county with no facility is left blank
    assert features["150121"]["colour"][:3] == [int(x) for x in figures._colours([1.0])[0][:3]]
    blank = next(p for code, p in features.items() if code not in ("150102", "150121"))
    assert blank["colour"] == [248, 249, 249, 255]
    assert not apptest.CJK.search(features["150102"]["tip"].replace("新城区", ""))


def _plot_titles(at) -> list[str]:
    return [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]


def test_map_choices_survive_a_language_switch(app_env):
    at = apptest.open_tab(apptest.render("pages/labelling.py", "zh"), "labelling", "map")
    at.radio(key="lab_map_level_zh").set_value("county")
    at.radio(key="lab_map_metric_zh").set_value("signed_share")
    at.run()
    assert not at.exception
    assert at.get("deck_gl_json_chart") and not _plot_titles(at)  # the interactive map, no copy beside it
    at.radio(key="labelling_map_view_zh").set_value("briefing")
    at.run()
    assert not at.get("deck_gl_json_chart")
    assert any("各地家庭医生签约率" in x for x in _plot_titles(at))
    at.session_state["lang"] = "en"  # what the sidebar's language radio does
    at.run()
    assert not at.exception
    assert (at.radio(key="lab_map_level_en").value, at.radio(key="lab_map_metric_en").value,
            at.radio(key="labelling_map_view_en").value) == ("county", "signed_share", "briefing")
    assert any(x.startswith("Family-doctor signed by area") for x in _plot_titles(at))  # the map tab stayed open
    # drill to one facility: its funnel, titled with its name
    at.session_state["lang"] = "en"  # AppTest does not keep the router's sidebar radio between runs
    apptest.open_tab(at, "labelling", "funnel")
    at.session_state["lang"] = "en"
    at.selectbox(key="lab_drill_en").set_value("P2").run()
    assert not at.exception
    funnel = next(json.loads(c.proto.spec) for c in at.get("plotly_chart")
                  if json.loads(c.proto.spec)["layout"]["title"]["text"].startswith("Key-population coverage"))
    assert "察素齐镇卫生院" in funnel["layout"]["title"]["text"] and funnel["data"][0]["x"] == [2, 2, 1, 0]
    assert not apptest.chinese_leaks(at)
    at.session_state["lang"] = "en"
    apptest.open_tab(at, "labelling", "map")  # the map's choices are kept while its tab is closed
    assert any(x.startswith("Family-doctor signed by area") for x in _plot_titles(at))


def _three_facilities() -> pl.DataFrame:
    """F1 reported 10 people, 8 labelled (1 under, 1 over), 5 signed; F2 reported 4, all labelled and
    right, 4 signed; F3 did not report (zeros from the query, shares blank)."""
    base = {c: [0, 0, 0] for c in labelling.COUNTS}
    base.update(persons=[10, 4, 0], labelled=[8, 4, 0], under_labelled=[1, 0, 0], over_labelled=[1, 0, 0],
                signed=[5, 4, 0], rule_yellow=[2, 0, 0], yellow_contacted=[1, 0, 0])
    return labelling.with_rates(pl.DataFrame({
        "facility_code": ["F1", "F2", "F3"], "facility_name": ["甲", "乙", "丙"], "county_name": ["A", "A", "B"],
        "reported": [True, True, False], **base}))


def test_page_tables_as_placed():
    """Labelled 8 / 10 = 80.0% (F1) and 4 / 4 = 100.0% (F2); F3 has no share: '—', listed first (the
    least labelled first, unknown on top). Mislabelled: F1 only (1 + 1 wrong, 10 - 8 = 2 unlabelled)."""
    f = _three_facilities()
    table = labelling.coverage_table(f, "zh")
    assert table.select("机构", "标识率", "签约率").rows() == [("丙", "—", "—"), ("甲", "80.0%", "50.0%"), ("乙", "100.0%", "100.0%")]
    wrong = labelling.mislabelling(f)
    assert wrong["facility_code"].to_list() == ["F1"]
    assert labelling.mislabelling_table(wrong, "en").rows() == [("甲", "A", "1", "1", "2")]
    assert labelling.reporting_facilities(f) == {"F1": "甲", "F2": "乙"}
    contacts = labelling.contacts_table(f, "en")
    # yellow contacts 1 of 2 = 50.0% at F1; none due elsewhere: '—'; F3 'Not reported'
    assert contacts.select("Facility", "Reported", "Yellow contacts met").rows() == [
        ("甲", "Reported", "50.0%"), ("乙", "Reported", "—"), ("丙", "Not reported", "—")]
