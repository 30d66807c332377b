"""Referral-flows page: the classified-referral query on a hand-worked fixture (every severity x
main-problem case of NMG-2022 §二(五), direction from tiers, 24-hour reception at the boundary,
pending too long), the flow aggregation, the figures and the page in both languages. A second
fixture (RULE_*) walks the destination rule's edges: own consortium, case 1, the blanks.

Network (week 2022-12-19): consortium A (新城区 150102): P1 primary, S1 sub-designated, H1 lead
(tertiary); its designated D1 and partner T1 sit in 回民区 150103 and also serve consortium B.
Consortium B (土默特左旗 150121): P2 primary, S2 sub-designated, H2 lead (secondary, so B's severe
underlying-disease cases go to the partner).
In the main fixture every column a case needs is filled: the mild and asymptomatic cases (T01, T09)
are elderly (85) with a serious but stable underlying disease (case 2); nobody else needs haemodialysis
but T08, whose haemodialysis column is blank and whose main problem says 血液透析.

 id   from to  severity     main        expected (why)               reached  outcome      status
 T01  P1  S1  mild         covid       sub-designated (case 2)     sub       as expected  accepted in exactly 24 h (in time)
 T02  P1  D1  ordinary     covid       sub-designated              designated above        refused
 T03  P1  D1  severe       covid       designated (case 3)         designated as expected  accepted in 24 h 01 min (late)
 T04  P1  S1  critical     covid       designated                  sub       below        refused
 T05  P1  H1  severe       underlying  lead (A's lead tertiary)    lead      as expected  accepted in 2 h
 T06  P2  T1  severe       underlying  partner (B's lead not)      partner   as expected  pending 14 h to week end
 T07  P2  H2  critical     underlying  partner                     lead      below        pending 25 h: too long
 T08  P1  D1  mild         dialysis    designated (case 3)         designated as expected  accepted in 12 h
 T09  P1  H1  asymptomatic underlying  sub-designated              lead      above        accepted in 25 h (late)
 T10  D1  P1  ordinary     covid       - (downward, recorded 下转)  -         not assessed accepted
 T11  P1  P2  mild         covid       - (lateral, recorded 平转)   -         not assessed accepted
 T12  S1  H1  severe       underlying  - (sender not primary)      -         not assessed accepted up in 12 h (in time)
 T13  P2  S2  ordinary     covid       sub-designated              sub       as expected  accepted; recorded 下转 though
                                                                                           the tiers say up (1 disagreement)
Directions used (recorded where given): up 10 (T01-T09, T12), down 2 (T10, T13), lateral 1.
Upward share from primary care = 9 / (10 + 2) = 0.75. Assessed 10: 6 as expected, 2 above, 2 below: 0.6.
By sender: P1 4 of 7, P2 2 of 3. Upward accepted 6 (T01 T03 T05 T08 T09 T12), in time 4: 2/3.
Refused 2; pending too long 1.
"""
from __future__ import annotations

import datetime as dt
import math

import polars as pl
import pytest

from dashboard.store import queries

from dashboard import i18n
from dashboard.metrics import referrals
from dashboard.figures import briefing
from tests import apptest
from tests import referral_reference as reference
from dashboard.figures import referrals as figures

WEEK = dt.date(2022, 12, 19)
FACILITY = """机构编码,机构名称,层级,基层机构类型,医院等级,盟市代码,旗县代码,医联体名称,纬度,经度,服务人口,设发热门诊（诊室）,入网120救护车数,另服务的医联体
P1,东街社区卫生服务中心,基层,社区卫生服务中心,,150100,150102,新城区城市医疗集团,40.8600,111.6800,10000,是,1,
S1,新城区亚定点医院,亚定点医院,,二级,150100,150102,新城区城市医疗集团,40.8650,111.6850,,是,1,
H1,新城区医院,牵头医院,,三级,150100,150102,新城区城市医疗集团,40.8500,111.6700,,是,2,
D1,呼和浩特市定点医院,定点医院,,三级,150100,150103,新城区城市医疗集团,40.8000,111.6500,,是,3,土默特左旗县域医共体
T1,内蒙古自治区人民医院,外部协作三级医院,,三级,150100,150103,新城区城市医疗集团,40.8100,111.6600,,是,4,土默特左旗县域医共体
P2,察素齐镇卫生院,基层,乡镇卫生院,,150100,150121,土默特左旗县域医共体,40.7200,111.1500,20000,是,0,
S2,土默特左旗蒙中医院,亚定点医院,,二级,150100,150121,土默特左旗县域医共体,40.7250,111.1550,,是,1,
H2,土默特左旗医院,牵头医院,,二级,150100,150121,土默特左旗县域医共体,40.7203,111.1503,,是,2,
"""
TRANSFER = """转诊单号,申请时间,转出机构编码,转入机构编码,转诊方向,病情分型,主要问题,接收状态,接收时间,患者年龄,基础疾病情况,需血液透析,超出基层及亚定点救治能力,牵头医院能力不足
T01,2022-12-19 08:00,P1,S1,,轻型,新冠,已接收,2022-12-20 08:00,85,严重基础疾病稳定,否,否,
T02,2022-12-19 08:30,P1,D1,,普通型,新冠,拒收,,70,,否,否,
T03,2022-12-19 09:00,P1,D1,,重型,新冠,已接收,2022-12-20 09:01,70,,否,,
T04,2022-12-19 10:00,P1,S1,,危重型,新冠,拒收,,70,,否,,
T05,2022-12-20 10:00,P1,H1,,重型,基础疾病,已接收,2022-12-20 12:00,70,,否,,否
T06,2022-12-25 10:00,P2,T1,,重型,基础疾病,待接收,,70,,否,,
T07,2022-12-24 23:00,P2,H2,,危重型,基础疾病,待接收,,70,,否,,
T08,2022-12-21 08:00,P1,D1,,轻型,血液透析,已接收,2022-12-21 20:00,70,,,,
T09,2022-12-21 09:00,P1,H1,,无症状,基础疾病,已接收,2022-12-22 10:00,85,严重基础疾病稳定,否,否,
T10,2022-12-22 08:00,D1,P1,下转,普通型,新冠,已接收,2022-12-22 09:00,,,,,
T11,2022-12-22 10:00,P1,P2,平转,轻型,新冠,已接收,2022-12-22 11:00,,,,,
T12,2022-12-23 08:00,S1,H1,,重型,基础疾病,已接收,2022-12-23 20:00,,,,,
T13,2022-12-23 09:00,P2,S2,下转,普通型,新冠,已接收,2022-12-23 10:00,70,,否,否,
"""
AREA = {"league_code": None, "county_code": None, "consortium": None}


FILES = (("facility", FACILITY, WEEK), ("transfer", TRANSFER, WEEK))


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    folder = tmp_path_factory.mktemp("referrals")
    with apptest.loaded_database(folder, FILES) as con:
        yield con, folder


def classified(con, **area) -> pl.DataFrame:
    return queries.run("referral_classified", con=con, week_from=WEEK, week_to=WEEK, **(AREA | area), **referrals.params())


def runner(con):
    """The views' queries (queries/referral_*.sql over agg_transfer) run on this database."""
    return lambda name, **p: queries.run(name, con=con, **p)


SEL = referrals.selection(AREA, WEEK, WEEK)


def by_id(frame: pl.DataFrame) -> dict[str, dict]:
    return {r["referral_id"]: r for r in frame.iter_rows(named=True)}


def test_expected_tier_for_every_case(db):
    con, _ = db
    rows = by_id(classified(con))
    expected = {"T01": "sub_designated", "T02": "sub_designated", "T03": "designated", "T04": "designated",
                "T05": "lead", "T06": "partner", "T07": "partner", "T08": "designated", "T09": "sub_designated",
                "T10": None, "T11": None, "T12": None, "T13": "sub_designated"}
    assert {k: r["expected_tier"] for k, r in rows.items()} == expected
    outcome = {"T01": "as_expected", "T02": "above", "T03": "as_expected", "T04": "below", "T05": "as_expected",
               "T06": "as_expected", "T07": "below", "T08": "as_expected", "T09": "above", "T10": "not_assessed",
               "T11": "not_assessed", "T12": "not_assessed", "T13": "as_expected"}
    assert {k: r["compliance"] for k, r in rows.items()} == outcome


def test_direction_from_tiers_and_records(db):
    con, _ = db
    rows = by_id(classified(con))
    assert rows["T01"]["direction_derived"] == "up" and rows["T10"]["direction_derived"] == "down"
    assert rows["T11"]["direction_derived"] == "lateral" and rows["T12"]["direction_derived"] == "up"
    assert rows["T13"]["direction_derived"] == "up" and rows["T13"]["direction"] == "down"  # the record wins
    assert [k for k, r in rows.items() if r["direction_disagrees"]] == ["T13"]


def test_reception_within_24_hours_at_the_boundary(db):
    con, _ = db
    rows = by_id(classified(con))
    assert rows["T01"]["hours_to_receive"] == pytest.approx(24.0) and rows["T01"]["received_in_time"] is True
    assert rows["T03"]["received_in_time"] is False  # 24 h 01 min
    assert rows["T09"]["received_in_time"] is False and rows["T12"]["received_in_time"] is True
    assert rows["T10"]["received_in_time"] is None  # downward: no reception window
    assert rows["T06"]["pending_hours"] == pytest.approx(14.0) and rows["T06"]["pending_too_long"] is False
    assert rows["T07"]["pending_hours"] == pytest.approx(25.0) and rows["T07"]["pending_too_long"] is True


def test_indicators_and_compliance_rates(db):
    """'referral_indicators', 'referral_compliance' and 'referral_reception' on the hand-worked log."""
    con, _ = db
    run = runner(con)
    ind = referrals.indicators(run, SEL)
    assert (ind["referrals"], ind["up"], ind["down"], ind["lateral"]) == (13, 10, 2, 1)
    assert ind["upward_share"] == pytest.approx(0.75)
    assert ind["compliance_rate"] == pytest.approx(0.6)
    assert ind["in_time_share"] == pytest.approx(4 / 6)
    assert (ind["refused"], ind["pending_too_long"], ind["direction_disagrees"]) == (2, 1, 1)
    assert "first_visit_rate" not in ind and "two_way_rate" not in ind  # one definition: dashboard/metrics/scorecard.py
    senders = {r["from_code"]: (r["assessed"], r["as_expected"], r["above"], r["below"])
               for r in referrals.compliance(run, SEL, "from_code").iter_rows(named=True)}
    assert senders == {"P1": (7, 4, 2, 1), "P2": (3, 2, 0, 1)}
    # lowest rate first: P1 4/7 before P2 2/3; the sender's place comes along (the overview links it)
    ranked = referrals.compliance(run, SEL, "from_code")
    assert ranked.select("from_code", "from_county", "compliance_rate").rows() == [("P1", "150102", 4 / 7), ("P2", "150121", 2 / 3)]
    by_consortium = referrals.compliance(run, SEL, "from_consortium")
    assert by_consortium.columns[0] == "from_consortium" and "from_name" not in by_consortium.columns
    received = {r["to_code"]: (r["refused"], r["pending_too_long"]) for r in referrals.reception(run, SEL).iter_rows(named=True)}
    assert received["D1"] == (1, 0) and received["S1"] == (1, 0) and received["H2"] == (0, 1)
    # D1 received T02 (refused), T03 (24 h 01 min: late), T08 (12 h): 3, 1 refused, in time 1 of 2 accepted upward
    d1 = referrals.reception(run, SEL).filter(pl.col("to_code") == "D1").row(0, named=True)
    assert (d1["referrals"], d1["refused"], d1["upward_accepted"], d1["in_time_share"]) == (3, 1, 2, 0.5)
    assert d1["refused_share"] == pytest.approx(1 / 3)


def test_a_week_without_a_transfer_log_is_not_reported_never_zero(db):
    """The fixture loads the transfer log for WEEK only. dataset_weeks lists WEEK for 'transfer'; the
    week before has no log, so its headline figures are unknown (None, shown as 未报送/—), not 0
    referrals (which would also make the next week's change read '+13'). A loaded week with no
    referral in the area stays a true 0."""
    from dashboard.metrics import headlines

    con, _ = db
    run = lambda name, **p: queries.run(name, con=con, **p)
    assert run("dataset_weeks", dataset="transfer")["week"].to_list() == [WEEK]
    assert run("dataset_weeks", dataset="icu").height == 0
    before = WEEK - dt.timedelta(days=7)
    assert referrals.logged(run, WEEK, WEEK) and referrals.logged(run, before, WEEK)
    assert not referrals.logged(run, before, before)
    empty = headlines.referrals_headline(run, before, AREA)
    assert all(figure.value is None for figure in empty.figures)
    assert headlines.referrals_headline(run, WEEK, AREA).figures[0].value == 13
    elsewhere = headlines.referrals_headline(run, WEEK, AREA | {"league_code": "150200"})
    assert elsewhere.figures[0].value == 0  # logged, and no referral there: a real 0


def test_tier_matrix_and_flows(db):
    """'referral_tier_matrix' and 'referral_flows' on the hand-worked log."""
    con, _ = db
    run = runner(con)
    matrix = {(a, b): n for a, b, n in referrals.tier_matrix(run, SEL).iter_rows()}
    assert matrix == {("primary", "sub_designated"): 3, ("primary", "designated"): 3, ("primary", "lead"): 3,
                      ("primary", "partner"): 1, ("designated", "primary"): 1, ("primary", "primary"): 1,
                      ("sub_designated", "lead"): 1}
    facility_flows = referrals.flows(run, SEL, "facility", 10)
    assert facility_flows.row(0, named=True)["from"] == "P1" and facility_flows.row(0, named=True)["to"] == "D1"
    assert facility_flows.row(0, named=True)["referrals"] == 3 and facility_flows.height == 9  # 9 pairs
    assert referrals.pair_count(facility_flows) == 9
    county = referrals.flows(run, SEL, "county", 10)
    got = {(r["from"], r["to"]): (r["referrals"], r["direction"]) for r in county.iter_rows(named=True)}
    assert got == {("150102", "150103"): (3, "up"), ("150121", "150103"): (1, "up"),
                   ("150103", "150102"): (1, "down"), ("150102", "150121"): (1, "lateral")}
    # county positions are the mean of their facilities: 150103 holds D1 (40.80, 111.65) and T1 (40.81, 111.66)
    place = county.filter(pl.col("to") == "150103").row(0, named=True)
    assert place["to_lat"] == pytest.approx(40.805) and place["to_lon"] == pytest.approx(111.655)


def test_flows_keep_the_largest_and_the_matrix_cells(db):
    """Only the largest pairs come back, with the count of all of them: 9 facility pairs, the top 2 asked
    with a matrix of the first 2 flows (P1->D1 3, P1->H1 2): rows 1-2, and the cells between their ends
    P1 and D1/H1 are the same two pairs, so 2 rows; pair_count still says 9."""
    con, _ = db
    pairs = queries.run("referral_flows", con=con, **SEL, level="facility", top=2, matrix_flows=2)
    assert pairs.select("from", "to", "referrals").rows() == [("P1", "D1", 3), ("P1", "H1", 2)]
    assert referrals.pair_count(pairs) == 9
    # with a matrix of the first 3 flows (the third: P1->S1 2), rows 1-3 and no cell outside them
    pairs = queries.run("referral_flows", con=con, **SEL, level="facility", top=1, matrix_flows=3)
    assert pairs.select("from", "to").rows() == [("P1", "D1"), ("P1", "H1"), ("P1", "S1")]


def test_area_filter_keeps_referrals_with_either_end_inside(db):
    con, _ = db
    inside = classified(con, county_code="150103")  # D1 and T1
    assert sorted(inside["referral_id"]) == ["T02", "T03", "T06", "T08", "T10"]


def test_filters_narrow(db):
    """The page's filters are parameters of every view: primary -> designated is T02 T03 T08 (3);
    critical and refused is T04 alone; an empty list is every severity or status."""
    con, _ = db
    run = runner(con)
    pair = referrals.selection(AREA, WEEK, WEEK, ("primary", "designated"))
    assert referrals.indicators(run, pair)["referrals"] == 3
    assert referrals.tier_matrix(run, pair).rows() == [("primary", "designated", 3)]
    t04 = referrals.selection(AREA, WEEK, WEEK, None, ["critical"], ["refused"])
    assert referrals.indicators(run, t04)["referrals"] == 1
    assert referrals.reception(run, t04).select("to_code", "refused").rows() == [("S1", 1)]
    assert referrals.compliance_cases(run, t04).select("severity", "compliance", "referrals").rows() == [("critical", "below", 1)]
    # the filters' own choices read the selection without them
    assert referrals.unfiltered(t04) == SEL
    assert len(referrals.tier_pairs(referrals.tier_matrix(run, referrals.unfiltered(t04)))) == 1 + 7


def test_figures(db):
    con, _ = db
    run = runner(con)
    located = queries.run("facility_locations", con=con, **AREA)
    deck = figures.flow_map(referrals.flows(run, SEL, "facility", 150), located, "en")
    spec = deck.to_json()
    assert '"mapProvider": null' in spec or deck.map_provider is None  # no basemap tiles
    # the JSON sent to the browser is pydeck's own, without its indentation (the boundaries are the bulk)
    import json
    import pydeck as pdk

    indented = pdk.Deck.to_json(deck)
    assert json.loads(spec) == json.loads(indented) and len(spec) * 3 < len(indented) and "\n" not in spec
    kinds = [layer.type for layer in deck.layers]
    assert kinds == ["GeoJsonLayer", "ArcLayer", "ScatterplotLayer", "TextLayer"]  # TextLayer: place names
    arcs = deck.layers[1].data
    assert len(arcs) == 9 and "3 referrals" in arcs[-1]["tip"] and "Upward" in arcs[-1]["tip"]
    ctx = briefing.Context("呼和浩特市", "2022年第51周", ("transfer", "facility"), "zh")
    sankey = figures.sankey(referrals.tier_matrix(run, SEL), ctx)
    assert "呼和浩特市" in sankey.layout.title.text
    assert sum(sankey.data[0].link.value) == 13
    bars = figures.compliance_bars(referrals.compliance(run, SEL, "from_code"), "from_code", ctx)
    assert list(bars.data[0].y) == ["P1"]  # P2 (3 assessed) is under the chart's minimum of 5
    assert list(bars.data[0].x) == pytest.approx([4 / 7]) and list(bars.data[3].x) == pytest.approx([1 / 7])  # below
    refused = figures.refusals(referrals.reception(run, SEL), ctx)
    assert sorted(refused.data[0].y) == sorted(["呼和浩特市定点医院", "新城区亚定点医院", "土默特左旗医院"])
    # the flow map's colour is the direction: its legend stays when every flow drawn is upward
    pairs = referrals.flows(run, SEL, "facility", 150)
    upward = figures.flow_figure(pairs.filter(pl.col("direction") == "up"), ctx, "转诊流向")
    assert briefing.legend_entries(upward) == ["上转"] and upward.layout.showlegend and upward.layout.meta["legend_rows"] == 1


def test_flow_numbers_keep_clear_of_each_other_and_of_names():
    """Two short flows into 新城区 (232 from A, 9 from B, a few km each) and one long flow C -> D of 77
    across the province (which sets the map's scale: about 100 px a degree at the narrowest). At their
    middles the 232 and the 9 would sit on each other and on 新城区's name: the 232 (largest first) is
    moved along or beside its line, the 9 likewise, clear of both; the long flow's 77 stays at its
    middle, unshifted."""
    import math

    rows = [("A", "R", 232, 111.72, 40.78, 111.70, 40.80), ("B", "R", 9, 111.68, 40.79, 111.70, 40.80),
            ("C", "D", 77, 115.0, 43.0, 118.0, 45.0)]
    names = {"A": "甲", "B": "乙", "C": "丙", "D": "丁", "R": "新城区"}
    pairs = pl.DataFrame([{"from": a, "to": b, "referrals": n, "direction": "up", "from_name": names[a], "to_name": names[b],
                           "from_lon": x0, "from_lat": y0, "to_lon": x1, "to_lat": y1} for a, b, n, x0, y0, x1, y1 in rows])
    ctx = briefing.Context("呼和浩特市", "2022年第51周", ("transfer", "facility"), "zh")
    fig = figures.flow_figure(pairs, ctx, "转诊流向")
    counts = {a.text: a for a in fig.layout.annotations if a.name == "count"}
    assert set(counts) == {"232", "9", "77"}
    x_range, y_range, ratio = fig.layout.xaxis.range, fig.layout.yaxis.range, fig.layout.yaxis.scaleratio
    scale = min(figures.LABEL_PLOT[0] / (x_range[1] - x_range[0]), figures.LABEL_PLOT[1] / ((y_range[1] - y_range[0]) * ratio))

    def box(a, text, above=0):  # centre and half sizes in pixels, y up
        return (a.x * scale + (a.xshift or 0), a.y * scale * ratio + (a.yshift or 0) + above, briefing.text_width(text, 11) / 2 + 2, 8)

    def apart(p, q):
        return abs(p[0] - q[0]) >= p[2] + q[2] or abs(p[1] - q[1]) >= p[3] + q[3]

    name = (111.70 * scale, 40.80 * scale * ratio + 14, briefing.text_width("新城区", 11) / 2, 8)
    b232, b9 = box(counts["232"], "232"), box(counts["9"], "9")
    assert apart(b232, b9) and apart(b232, name) and apart(b9, name)
    long = counts["77"]
    assert (long.x, long.y, long.xshift or 0, long.yshift or 0) == (116.5, 44.0, 0, 0)
    assert math.isclose(ratio, 1 / math.cos(math.radians(44)))
    assert len([t for t in fig.data if t.fill == "toself"]) == 1  # the boundaries are one trace


def _drawn_boxes(fig):
    """Every text the flow map writes on itself (receivers' names or letters, flows' numbers) and every
    marker, as boxes in pixels of the map at its narrowest (centre x, centre y, half width, half height;
    y up), read back from the figure alone: where plotly puts a shifted text, or a text at the end of
    a leader (its arrow tail offsets, y down)."""
    x_range, y_range, ratio = fig.layout.xaxis.range, fig.layout.yaxis.range, fig.layout.yaxis.scaleratio
    scale = min(figures.LABEL_PLOT[0] / (x_range[1] - x_range[0]), figures.LABEL_PLOT[1] / ((y_range[1] - y_range[0]) * ratio))
    texts = []
    for a in fig.layout.annotations:
        if a.name in ("place", "count"):
            x, y = a.x * scale, a.y * scale * ratio
            x, y = (x + a.ax, y - a.ay) if a.showarrow else (x + (a.xshift or 0), y + (a.yshift or 0))
            texts.append((a.name, a.text, (x, y, briefing.text_width(a.text, 11) / 2 + 2, 8)))
    markers = [(x * scale, y * scale * ratio, t.marker.size / 2, t.marker.size / 2)
               for t in fig.data if t.mode == "markers" for x, y in zip(t.x, t.y)]
    frame = ((x_range[0] + x_range[1]) / 2 * scale, (y_range[0] + y_range[1]) / 2 * scale * ratio,
             figures.LABEL_PLOT[0] / 2, figures.LABEL_PLOT[1] / 2)
    return texts, markers, frame


def _apart(p, q):
    return abs(p[0] - q[0]) >= p[2] + q[2] - 0.5 or abs(p[1] - q[1]) >= p[3] + q[3] - 0.5


def test_flow_map_names_receivers_a_few_hundred_metres_apart_without_overlap():
    """The demo's 新城区 at facility level: four hospitals a few hundred metres apart receive flows from
    eleven places around them, and one far flow sets the scale. Beside each marker there is room for
    one name at most: the others go further out with a leader line; every flow keeps its number. No
    two texts cover each other or a marker, and none leaves the frame (the map at its narrowest)."""
    hospitals = {"H1": ("内蒙古自治区人民医院", 111.700, 40.800), "H2": ("新城区医院", 111.703, 40.799),
                 "H3": ("呼和浩特市传染病医院", 111.698, 40.797), "H4": ("呼和浩特市第一医院", 111.701, 40.796)}
    senders = [(f"S{i}", f"卫生院{i}", 111.70 + 0.06 * math.cos(i), 40.80 + 0.05 * math.sin(i)) for i in range(11)]
    rows = [(s, h, 20 - i) for i, (s, *_) in enumerate(senders) for h in [f"H{i % 4 + 1}"]]
    rows += [("H3", "H1", 9), ("S0", "H2", 8), ("S99", "H4", 8)]
    where = {code: (name, lon, lat) for code, name, lon, lat in senders} | hospitals | {"S99": ("远方卫生院", 111.2, 40.5)}
    pairs = pl.DataFrame([{"from": a, "to": b, "referrals": n, "direction": "up", "from_name": where[a][0],
                           "to_name": where[b][0], "from_lon": where[a][1], "from_lat": where[a][2],
                           "to_lon": where[b][1], "to_lat": where[b][2]} for a, b, n in rows])
    ctx = briefing.Context("呼和浩特市 新城区", "2023年第1周", ("transfer", "facility"), "zh")
    fig = figures.flow_figure(pairs, ctx, "转诊流向")
    texts, markers, frame = _drawn_boxes(fig)
    assert sorted(t for kind, t, _ in texts if kind == "place") == sorted(n for n, *_ in hospitals.values())
    assert sorted(int(t) for kind, t, _ in texts if kind == "count") == sorted(n for *_, n in rows)
    boxes = [b for *_, b in texts]
    assert all(_apart(p, q) for i, p in enumerate(boxes) for q in boxes[i + 1:])
    assert all(_apart(b, m) for b in boxes for m in markers)
    assert all(abs(b[0] - frame[0]) <= frame[2] - b[2] and abs(b[1] - frame[1]) <= frame[3] - b[3] for b in boxes)
    assert any(a.showarrow and a.name == "place" for a in fig.layout.annotations)  # some names needed a leader
    assert not [a for a in fig.layout.annotations if a.name == "key"]


def test_flow_map_letters_receivers_it_cannot_name_and_names_them_under_the_map():
    """Twelve receivers on almost the same spot with long names: more than fit around it even with
    leader lines. Those left get a letter beside their marker and their name in a key under the map,
    which grows by the key's lines; every receiver is named once, on the map or in the key, and the
    texts on the map still cover nothing."""
    long_name = "内蒙古自治区某某市第{}人民医院"
    rows = [{"from": f"S{i}", "to": f"H{i}", "referrals": 30 - i, "direction": "up", "from_name": f"卫生院{i}",
             "to_name": long_name.format(i), "from_lon": 111.5 + 0.02 * i, "from_lat": 40.6,
             "to_lon": 111.70 + 0.0001 * i, "to_lat": 40.80} for i in range(12)]
    ctx = briefing.Context("呼和浩特市", "2023年第1周", ("transfer", "facility"), "zh")
    fig = figures.flow_figure(pl.DataFrame(rows), ctx, "转诊流向")
    texts, markers, _ = _drawn_boxes(fig)
    on_map = [t for kind, t, _ in texts if kind == "place"]
    letters = [t for t in on_map if len(t) == 1]
    (key,) = [a.text for a in fig.layout.annotations if a.name == "key"]
    assert letters == [chr(ord("A") + i) for i in range(len(letters))] and letters
    keyed = [entry.split(" ", 1) for line in key.split("<br>") for entry in line.split("   ")]
    assert [letter for letter, _ in keyed] == letters
    assert sorted([n for t in on_map if len(t) > 1 for n in [t]] + [n for _, n in keyed]) == sorted(r["to_name"] for r in rows)
    boxes = [b for *_, b in texts]
    assert all(_apart(p, q) for i, p in enumerate(boxes) for q in boxes[i + 1:])
    lines = key.count("<br>") + 1
    assert fig.layout.height == 620 + figures.KEY_LINE * lines and briefing.bands(fig)["axis"][1] - briefing.bands(fig)["axis"][0] == figures.KEY_LINE * lines


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_page_renders(app_env, lang):
    at = apptest.render("pages/referrals.py", lang)
    assert at.title[0].value == ("转诊流向" if lang == "zh" else "Referral flows")
    metrics = apptest.metrics(at)
    assert metrics["基层上转占比" if lang == "zh" else "Upward share from primary care"] == "75.0%"
    assert metrics["去向符合规定" if lang == "zh" else "Went where policy says"] == "60.0%"
    text = " ".join(e.value for e in at.markdown)
    # the first-visit and two-way referral rates are worked out on the scorecard page (one definition),
    # which the indicators name and link to; no longer "not computable"
    scorecard_page = "医联体考核" if lang == "zh" else "Consortium scorecard"
    assert text.count(scorecard_page) == 2, text
    assert ("无法计算" if lang == "zh" else "not computable") not in text
    if lang == "en":
        assert not apptest.chinese_leaks(at)



def test_page_choices_read_english_and_survive_reruns(app_env):
    """The tier-pair select and the 'Flows between' radio: Streamlit formats a widget's value again
    outside the script run (to store the choice by its label), where a lambda calling t() cannot know
    the language and answered in Chinese: the pair select read '全部' in English and the radio's
    choice, stored under a Chinese label, was lost on the next run. Labels are now formatted in the
    run."""
    at = apptest.render("pages/referrals.py", "en")
    pair = next(s for s in at.selectbox if s.label == "Tiers (from → to)")
    assert pair.options[0] == "All" and pair.format_func(pair.value) == "All"
    flows = next(r for r in at.radio if r.label == "Flows between")
    flows.set_value("facility").run()
    at.run()
    flows = next(r for r in at.radio if r.label == "Flows between")
    assert flows.value == "facility" and flows.format_func(flows.value) == "Facilities"
    pair = next(s for s in at.selectbox if s.label == "Tiers (from → to)")
    pair.set_value(("primary", "sub_designated")).run()
    at.run()
    pair = next(s for s in at.selectbox if s.label == "Tiers (from → to)")
    assert pair.value == ("primary", "sub_designated") and pair.format_func(pair.value) == "Primary care → Sub-designated hospital"
    at.session_state["lang"] = "zh"
    at.run()  # a language switch keeps both choices
    assert next(r for r in at.radio if r.label == "流向汇总到").value == "facility"
    assert next(s for s in at.selectbox if s.label == "层级（转出 → 转入）").value == ("primary", "sub_designated")

def test_map_tab_draws_one_map_at_a_time(app_env):
    """The interactive map and its briefing copy (title, legend, source, as the PNG is) are two views of
    the map tab, not two maps on one screen (drawn together they took 4-5 s in the browser). The PNG of
    the briefing copy downloads from either view; the view is kept across a language switch."""
    import json

    def flow_titles(at):
        return [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")
                if "Referral flows" in json.loads(c.proto.spec)["layout"]["title"]["text"]]

    def png_buttons(at):
        return [b for b in at.get("download_button") if "ref_flow_png_png" in b.proto.id]

    at = apptest.render("pages/referrals.py", "en")
    view = next(r for r in at.radio if r.label == "Map view")
    assert view.value == "interactive" and view.format_func("briefing") == "For the briefing"
    assert len(at.get("deck_gl_json_chart")) == 1 and flow_titles(at) == [] and len(png_buttons(at)) == 1
    view.set_value("briefing").run()
    at.run()
    assert len(at.get("deck_gl_json_chart")) == 0 and len(png_buttons(at)) == 1
    assert flow_titles(at) == ["Referral flows (top 15), Inner Mongolia, 2022-W51 (19-25 Dec)"]  # what, area, week
    at.session_state["lang"] = "zh"
    at.run()
    assert next(r for r in at.radio if r.label == "地图视图").value == "briefing" and len(at.get("deck_gl_json_chart")) == 0


# The destination rule's edges, on a network of three consortia (week 2022-12-19):
#   A 新城区城市医疗集团: RP1 primary, RS1 sub-designated, RH1 lead (tertiary), RD1 designated and RT1
#     partner (both also serve B, listed in 另服务的医联体)
#   B 土默特左旗县域医共体: RP2 primary, RS2 sub-designated, RH2 lead (secondary)
#   C 回民区城市医疗集团: RP3 primary, RH3 lead of blank grade
# Columns: age, underlying disease (none / serious stable / blank), haemodialysis, beyond capacity,
# lead cannot cope. Every referral is upward from primary care, accepted after 2 hours.
#  id   from to   severity  main      age dis.    dial beyond lead-  case / verdict (why)
#  R01  RP2  RS1  ordinary  新冠      70  -       否   否     -      2: right tier, A's hospital -> other_consortium
#  R02  RP2  RS2  ordinary  新冠      70  -       否   否     -      2: B's own -> as_expected
#  R03  RP2  RD1  severe    新冠      70  -       否   -      -      3: RD1 serves B too -> as_expected
#  R04  RP1  RS1  mild      新冠      70  none    否   否     -      1: home care, not referred -> should_stay_home
#  R05  RP1  RS1  mild      (blank)   70  stable  (b)  否     -      dialysis blank, main blank -> cannot_judge (haemodialysis)
#  R06  RP1  RS1  mild      新冠      70  stable  (b)  否     -      dialysis blank, main names covid -> not dialysis;
#                                                                    age 70 not elderly -> cannot_judge (text_silent)
#  R07  RP1  RH1  severe    (blank)   70  -       否   -      -      severe, main blank -> cannot_judge (main_problem)
#  R08  RP1  RS1  ordinary  新冠      70  -       否   (b)    -      beyond capacity blank -> cannot_judge (beyond_capacity)
#  R09  RP1  RS1  mild      新冠      (b) stable  否   否     -      elderly? age blank -> cannot_judge (patient_age)
#  R10  RP1  RS1  mild      新冠      79  stable  否   否     -      79 < 80, not elderly -> cannot_judge (text_silent)
#  R11  RP1  RS1  asympt.   新冠      80  stable  否   否     -      80 is elderly (>= 80): case 2 -> as_expected
#  R12  RP1  RS1  mild      新冠      85  (b)     否   否     -      disease blank -> cannot_judge (underlying_disease)
#  R13  RP1  RH1  mild      新冠      70  none    否   是     否     4 (beyond capacity), A's lead tertiary -> lead: as_expected
#  R14  RP1  RT1  severe    基础疾病  70  -       否   -      是     4, lead cannot cope -> partner: as_expected
#  R15  RP1  RT1  severe    基础疾病  70  -       否   -      (b)    4, sent to partner, lead's capacity blank -> cannot_judge (lead_insufficient)
#  R16  RP1  RH1  severe    基础疾病  70  -       否   -      (b)    4, sent to the tertiary lead -> as_expected
#  R17  RP3  RH3  critical  基础疾病  70  -       否   -      否     4, lead grade blank -> cannot_judge (lead_grade)
#  R18  RP1  RD1  ordinary  新冠      70  -       是   否     -      3 (haemodialysis column) -> as_expected
#  R19  RP2  RH2  severe    基础疾病  70  -       否   -      -      4, B's lead secondary -> partner; reached the lead: below
# Assessed 19: as expected 7 (R02 R03 R11 R13 R14 R16 R18), other consortium 1, home 1, below 1,
# cannot be judged 9 -> judged 10, rate 7/10.
RULE_FACILITY = """机构编码,机构名称,层级,基层机构类型,医院等级,盟市代码,旗县代码,医联体名称,纬度,经度,服务人口,另服务的医联体
RP1,东街社区卫生服务中心,基层,社区卫生服务中心,,150100,150102,新城区城市医疗集团,40.8600,111.6800,10000,
RS1,新城区亚定点医院,亚定点医院,,二级,150100,150102,新城区城市医疗集团,40.8650,111.6850,,
RH1,新城区医院,牵头医院,,三级,150100,150102,新城区城市医疗集团,40.8500,111.6700,,
RD1,呼和浩特市定点医院,定点医院,,三级,150100,150103,新城区城市医疗集团,40.8000,111.6500,,土默特左旗县域医共体
RT1,内蒙古自治区人民医院,外部协作三级医院,,三级,150100,150103,新城区城市医疗集团,40.8100,111.6600,,土默特左旗县域医共体；回民区城市医疗集团
RP2,察素齐镇卫生院,基层,乡镇卫生院,,150100,150121,土默特左旗县域医共体,40.7200,111.1500,20000,
RS2,土默特左旗蒙中医院,亚定点医院,,二级,150100,150121,土默特左旗县域医共体,40.7250,111.1550,,
RH2,土默特左旗医院,牵头医院,,二级,150100,150121,土默特左旗县域医共体,40.7203,111.1503,,
RP3,回民区社区卫生服务中心,基层,社区卫生服务中心,,150100,150103,回民区城市医疗集团,40.8010,111.6510,8000,
RH3,回民区医院,牵头医院,,,150100,150103,回民区城市医疗集团,40.8020,111.6520,,
"""
RULE_TRANSFER = """转诊单号,申请时间,转出机构编码,转入机构编码,病情分型,主要问题,接收状态,接收时间,患者年龄,基础疾病情况,需血液透析,超出基层及亚定点救治能力,牵头医院能力不足,高龄行动不便
R01,2022-12-20 08:00,RP2,RS1,普通型,新冠,已接收,2022-12-20 10:00,70,,否,否,,
R02,2022-12-20 08:01,RP2,RS2,普通型,新冠,已接收,2022-12-20 10:01,70,,否,否,,
R03,2022-12-20 08:02,RP2,RD1,重型,新冠,已接收,2022-12-20 10:02,70,,否,,,
R04,2022-12-20 08:03,RP1,RS1,轻型,新冠,已接收,2022-12-20 10:03,70,无严重基础疾病,否,否,,是
R05,2022-12-20 08:04,RP1,RS1,轻型,,已接收,2022-12-20 10:04,70,严重基础疾病稳定,,否,,
R06,2022-12-20 08:05,RP1,RS1,轻型,新冠,已接收,2022-12-20 10:05,70,严重基础疾病稳定,,否,,
R07,2022-12-20 08:06,RP1,RH1,重型,,已接收,2022-12-20 10:06,70,,否,,,
R08,2022-12-20 08:07,RP1,RS1,普通型,新冠,已接收,2022-12-20 10:07,70,,否,,,
R09,2022-12-20 08:08,RP1,RS1,轻型,新冠,已接收,2022-12-20 10:08,,严重基础疾病稳定,否,否,,
R10,2022-12-20 08:09,RP1,RS1,轻型,新冠,已接收,2022-12-20 10:09,79,严重基础疾病稳定,否,否,,
R11,2022-12-20 08:10,RP1,RS1,无症状,新冠,已接收,2022-12-20 10:10,80,严重基础疾病稳定,否,否,,
R12,2022-12-20 08:11,RP1,RS1,轻型,新冠,已接收,2022-12-20 10:11,85,,否,否,,
R13,2022-12-20 08:12,RP1,RH1,轻型,新冠,已接收,2022-12-20 10:12,70,无严重基础疾病,否,是,否,
R14,2022-12-20 08:13,RP1,RT1,重型,基础疾病,已接收,2022-12-20 10:13,70,,否,,是,
R15,2022-12-20 08:14,RP1,RT1,重型,基础疾病,已接收,2022-12-20 10:14,70,,否,,,
R16,2022-12-20 08:15,RP1,RH1,重型,基础疾病,已接收,2022-12-20 10:15,70,,否,,,
R17,2022-12-20 08:16,RP3,RH3,危重型,基础疾病,已接收,2022-12-20 10:16,70,,否,,否,
R18,2022-12-20 08:17,RP1,RD1,普通型,新冠,已接收,2022-12-20 10:17,70,,是,否,,
R19,2022-12-20 08:18,RP2,RH2,重型,基础疾病,已接收,2022-12-20 10:18,70,,否,,,
"""
RULE_VERDICTS = {
    "R01": ("2", "other_consortium", None), "R02": ("2", "as_expected", None), "R03": ("3", "as_expected", None),
    "R04": ("1", "should_stay_home", None), "R05": (None, "cannot_judge", "haemodialysis"),
    "R06": (None, "cannot_judge", "text_silent"), "R07": (None, "cannot_judge", "main_problem"),
    "R08": (None, "cannot_judge", "beyond_capacity"), "R09": (None, "cannot_judge", "patient_age"),
    "R10": (None, "cannot_judge", "text_silent"), "R11": ("2", "as_expected", None),
    "R12": (None, "cannot_judge", "underlying_disease"), "R13": ("4", "as_expected", None),
    "R14": ("4", "as_expected", None), "R15": ("4", "cannot_judge", "lead_insufficient"),
    "R16": ("4", "as_expected", None), "R17": ("4", "cannot_judge", "lead_grade"),
    "R18": ("3", "as_expected", None), "R19": ("4", "below", None),
}


@pytest.fixture(scope="module")
def rule_db(tmp_path_factory):
    folder = tmp_path_factory.mktemp("referral_rule")
    with apptest.loaded_database(folder, (("facility", RULE_FACILITY, WEEK), ("transfer", RULE_TRANSFER, WEEK))) as con:
        yield con


def test_destination_rule_edges(rule_db):
    rows = by_id(classified(rule_db))
    got = {k: (r["policy_case"], r["compliance"], r["unjudged_reason"]) for k, r in rows.items()}
    assert got == RULE_VERDICTS


def test_cannot_judge_is_counted_apart(rule_db):
    """'referral_cases' names the blank behind each unjudged referral."""
    run = runner(rule_db)
    ind = referrals.indicators(run, SEL)
    assert (ind["judged"], ind["cannot_judge"]) == (10, 9)
    assert ind["compliance_rate"] == pytest.approx(7 / 10)  # never 7 / 19: a blank is not a wrong referral
    by_sender = {r["from_code"]: r for r in referrals.compliance(run, SEL, "from_code").iter_rows(named=True)}
    assert (by_sender["RP3"]["assessed"], by_sender["RP3"]["judged"], by_sender["RP3"]["compliance_rate"]) == (1, 0, None)
    assert (by_sender["RP2"]["judged"], by_sender["RP2"]["as_expected"], by_sender["RP2"]["other_consortium"]) == (4, 2, 1)
    reasons = dict(referrals.unjudged(referrals.compliance_cases(run, SEL)).iter_rows())
    assert reasons == {"text_silent": 2, "haemodialysis": 1, "main_problem": 1, "beyond_capacity": 1,
                       "patient_age": 1, "underlying_disease": 1, "lead_insufficient": 1, "lead_grade": 1}


def _four_referrals() -> pl.DataFrame:
    """Two primary -> sub-designated (one refused), one sub-designated -> designated, one with no tier."""
    return pl.DataFrame({
        "from_tier": ["primary", "primary", "sub_designated", None], "to_tier": ["sub_designated", "sub_designated", "designated", "lead"],
        "to_code": ["S", "S", "D", "L"], "to_name": ["亚定点", "亚定点", "定点", "牵头"], "to_county_name": ["A", "A", "B", None],
        "status": ["accepted", "refused", "pending", "accepted"], "pending_too_long": [False, False, True, False],
        "received_in_time": [True, None, None, None], "compliance": ["as_expected", "cannot_judge", "not_assessed", "not_assessed"],
        "unjudged_reason": [None, "main_problem", None, None]})


def test_page_pieces_as_placed():
    """Tier pairs that occur (a blank tier leaves no pair), after 'all'; reception: S received 2, refused 1,
    accepted upward 1 in time -> 100.0%; D received 1 pending too long, no upward accepted -> '—'."""
    rows = _four_referrals()  # the views' rows as the reference computes them from one row per referral
    assert referrals.tier_pairs(reference.tier_matrix(rows)) == [None, ("primary", "sub_designated"), ("sub_designated", "designated")]
    table = referrals.reception_table(reference.reception(rows), "en")
    assert table.select("Facility", "Referrals", "Refused", "Pending too long", "Upward received in time").rows() == [
        ("亚定点", "2", "1", "0", "100.0%"), ("定点", "1", "0", "1", "—"), ("牵头", "1", "0", "0", "—")]
    assert table["Banner/county"].to_list()[-1] == "—"  # a blank, never None
    assert referrals.main_unjudged(reference.counted(rows), "zh") == f"{i18n.t('referrals.unjudged.main_problem', 'zh')} 1"


def test_od_matrix_places_tied_senders_and_receivers_by_name_on_every_run():
    """Places with the same number of referrals are ordered by name, whatever order the rows come in
    (group_by's order is arbitrary: the matrix in a briefing changed order between two runs)."""
    ctx = briefing.Context("测试区", "2023年第1周", ("transfer",), "zh")
    rows = [("乙院", "丙院", 3), ("甲院", "丙院", 3), ("丁院", "戊院", 3), ("甲院", "戊院", 5)]
    orders = set()
    for shift in range(len(rows)):
        turned = rows[shift:] + rows[:shift]
        pairs = pl.DataFrame({"from_name": [r[0] for r in turned], "to_name": [r[1] for r in turned],
                              "referrals": [r[2] for r in turned]})
        heatmap = figures.od_matrix(pairs, ctx, "就诊流向").data[0]
        orders.add((tuple(heatmap.y), tuple(heatmap.x)))
    # 甲院 sends 8; 丁院 and 乙院 send 3 each (丁 < 乙 by code point); 戊院 receives 8, 丙院 6
    assert orders == {(("甲院", "丁院", "乙院"), ("戊院", "丙院"))}
