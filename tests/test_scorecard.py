"""The consortium scorecard on a hand-worked fixture (tests/scorecard_fixture.py): the members query,
every indicator, the weighting, blanks, the ranking, the template, the chart, the page (AppTest, zh and
en), the page in a real browser, and the demo's deliberate flaws.

Who owes what (week 2022-12-19):
  A 新城区城市医疗集团: P1, P3 (community centres: everything), H1 (lead: visits, first visits, survey),
    D1 (designated: visits, first visits, sharing, survey); T1 partner owes nothing.
  B 土默特左旗县域医共体: P2 (township: everything), H2 (lead: sends nothing); V1 village clinic owes
    nothing (its report is ignored: its township hospital reports for it).
  C 托克托县县域医共体: P4 (township: everything), H4 (lead).

Referrals (lower end's consortium; R7 P1->P3 is lateral, left out):
  A: up R1 P1->H1, R2 P3->D1 (from primary), R4 H1->T1 (from a hospital); down R3 H1->P1 -> up 3, down 1, up_primary 2
  B: up R5, down R6 -> 1, 1, 1.   C: up R8, R10, down R9 -> 2, 1, 2.

Points available: sharing 20; first visit 15, two-way 15 (30 / 2); capability 12.5, GP 12.5 (25 / 2); satisfaction 25.

A by hand:
  sharing: P1 joint 1, equipment 2, experts 0, remote 3 -> 3 kinds; P3 none -> 0; D1 all four -> 4:
           7 / (4 x 3) = 58.33%; 0.5833 / 0.9 = 0.6481 x 20 = 12.963
  first visit: primary 8 + 5 = 13 / all 8 + 5 + 6 + 1 = 20 = 65% -> at target: 15
  two-way: (3 + 1) / (10 + 6 + 20 + 4 = 40) = 10% -> 10/20 = 0.5; upward 2 / 4 = 50% -> 50/60 = 0.833;
           the weaker 0.5 x 15 = 7.5
  capability: (30 + 15) / (20 + 10) - 1 = 50% -> 12.5;  GP: (4 + 1) / (10 + 5) = 33.3% -> 12.5 (capped)
  satisfaction: (45 + 24 + 95 + 16) / (50 + 30 + 100 + 20) = 180 / 200 = 90% -> 25
  total 12.963 + 15 + 7.5 + 12.5 + 12.5 + 25 = 85.463, complete, rank 1
C by hand:
  sharing 4 / 4 = 100% -> 20; first visit 30 / 50 = 60% -> 60/65 x 15 = 13.846;
  two-way 3 / 100 = 3% -> 0.15, upward 2/3 -> 1: weaker 0.15 x 15 = 2.25;
  capability 12/10 - 1 = 20% -> 0.4 x 12.5 = 5; GP 2/8 = 25% -> 25/30 x 12.5 = 10.417;
  satisfaction 40 / 50 = 80% -> 80/90 x 25 = 22.222; total 73.735, rank 2
B by hand: H2 sent nothing -> first visit, two-way, satisfaction "not reported" (P2's numbers alone are
  never used). Sharing 0/4 = 0 -> 0 points; capability 10/10 - 1 = 0 -> 0; GP 0/6 = 0 -> 0. Covers 3 of 6,
  0 of the 45 points those carry, not ranked.
"""
from __future__ import annotations

import json

import polars as pl
import pytest

from dashboard import i18n, policy
from dashboard.figures import briefing
from dashboard.figures import scorecard as figures
from dashboard.metrics import scorecard
from dashboard.store import queries
from tests.conftest import CJK, chinese_leaks, database, loaded_database, metrics, open_tab, page_opens_from_the_navigation, render
from tests.scorecard_fixture import FILES, VISITS, VISITS_HEADER, WEEK

A, B, C = "新城区城市医疗集团", "土默特左旗县域医共体", "托克托县县域医共体"
AREA = {"league_code": None, "county_code": None, "consortium": None}


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    folder = tmp_path_factory.mktemp("scorecard")
    with loaded_database(folder, FILES) as con:
        yield con, folder


def members(con, **area):
    return queries.run("scorecard_members", con=con, week=WEEK, **(area or AREA))


def score(con, **area):
    m = members(con, **area)
    scored = scorecard.scored_indicators(lambda name, **p: queries.run(name, con=con, **p), m, WEEK)
    return m, scored, scorecard.totals(scored, m)


def cell(scored: pl.DataFrame, consortium: str, indicator: str) -> dict:
    return scored.filter((pl.col("consortium") == consortium) & (pl.col("indicator") == indicator)).row(0, named=True)


# --- the query ----------------------------------------------------------------------------------------
def test_members_query_says_who_owes_what(db):
    m = members(db[0])
    got = {r["facility_code"]: (r["consortium"], r["must_report"], r["owes_primary"], r["owes_sharing"], r["reported"])
           for r in m.iter_rows(named=True)}
    assert got == {
        "P1": (A, True, True, True, True), "P3": (A, True, True, True, True), "H1": (A, True, False, False, True),
        "D1": (A, True, False, True, True), "T1": (A, False, False, False, False),
        "P2": (B, True, True, True, True), "V1": (B, False, False, False, True), "H2": (B, True, False, False, False),
        "P4": (C, True, True, True, True), "H4": (C, True, False, False, True),
    }
    h1 = m.filter(facility_code="H1").row(0, named=True)
    assert (h1["outpatient_visits"], h1["doctors"], h1["joint_sessions"]) == (20, None, None)  # blank stays unknown


def test_the_area_picks_consortia_and_scores_them_whole(db):
    """County 150102 holds A only; all of A's members count. Consortium C alone: C's two members."""
    assert sorted(members(db[0], league_code="150100", county_code="150102", consortium=None)["facility_code"]) == [
        "D1", "H1", "P1", "P3", "T1"]
    assert sorted(members(db[0], league_code=None, county_code=None, consortium=C)["facility_code"]) == ["H4", "P4"]


def test_referrals_belong_to_their_lower_end(db):
    """queries/scorecard_referrals.sql: (consortium, up, down, up_primary) from the fixture's log."""
    refs = queries.run("scorecard_referrals", con=db[0], week=WEEK)
    assert refs.rows() == sorted([(A, 3, 1, 2), (B, 1, 1, 1), (C, 2, 1, 2)])  # ordered by consortium


# --- every indicator and the weighting ------------------------------------------------------------------
def test_weights_follow_table_1_and_add_up():
    got = {ind.key: scorecard.points_available(ind.key) for ind in scorecard.INDICATORS}
    assert got == {"resource_sharing": 20, "first_visit": 15, "two_way_referral": 15, "capability_gain": 12.5,
                   "gp_share": 12.5, "satisfaction": 25}
    assert sum(got.values()) == pytest.approx(policy.value("scorecard.points_total"))


def test_partial_attainment_is_proportional_and_capped():
    """0.45 of 0.9 = half; above the target = full; a fall in capability (negative) = nothing."""
    assert scorecard.attainment(0.45, 0.9) == pytest.approx(0.5)
    assert scorecard.attainment(0.99, 0.9) == 1.0
    assert scorecard.attainment(-0.1, 0.5) == 0.0


@pytest.mark.parametrize("indicator, numerator, denominator, value, points", [
    ("resource_sharing", 7, 12, 7 / 12, 7 / 12 / 0.9 * 20),
    ("first_visit", 13, 20, 0.65, 15.0),
    ("two_way_referral", 4, 40, 0.10, 7.5),
    ("capability_gain", 45, 30, 0.5, 12.5),
    ("gp_share", 5, 15, 1 / 3, 12.5),
    ("satisfaction", 180, 200, 0.9, 25.0),
])
def test_each_indicator_of_a_by_hand(db, indicator, numerator, denominator, value, points):
    row = cell(score(db[0])[1], A, indicator)
    assert row["status"] == "scored" and row["missing"] == []
    assert (row["numerator"], row["denominator"]) == (numerator, denominator)
    assert row["value"] == pytest.approx(value) and row["points"] == pytest.approx(points)


def test_two_way_referral_scores_the_weaker_condition(db):
    scored = score(db[0])[1]
    a = cell(scored, A, "two_way_referral")  # rate 0.5 of target, upward 50/60: the rate is weaker
    assert (a["up"], a["down"], a["up_primary"]) == (3, 1, 2) and a["upward_share"] == pytest.approx(0.5)
    assert a["attainment"] == pytest.approx(0.5)
    c = cell(scored, C, "two_way_referral")  # 3% of 20% = 0.15; upward 2/3 above 60%
    assert c["value"] == pytest.approx(0.03) and c["attainment"] == pytest.approx(0.15) and c["points"] == pytest.approx(2.25)


def test_c_by_hand(db):
    scored = score(db[0])[1]
    got = {r["indicator"]: r["points"] for r in scored.filter(pl.col("consortium") == C).iter_rows(named=True)}
    assert got == pytest.approx({"resource_sharing": 20, "first_visit": 0.6 / 0.65 * 15, "two_way_referral": 2.25,
                                 "capability_gain": 5.0, "gp_share": 0.25 / 0.3 * 12.5, "satisfaction": 0.8 / 0.9 * 25})


# --- blanks are not a partial sum -----------------------------------------------------------------------
def test_a_member_not_reporting_makes_its_indicators_not_reported(db):
    """B: H2 sent nothing. The indicators it owes have no value and no points, and name it; those only
    P2 owes are scored (0 here, and a 0 is a number, not a blank)."""
    scored = score(db[0])[1]
    for indicator in ("first_visit", "two_way_referral", "satisfaction"):
        row = cell(scored, B, indicator)
        assert (row["status"], row["value"], row["points"], row["numerator"]) == ("not_reported", None, None, None)
        assert row["missing"] == ["土默特左旗医院"]
    for indicator in ("resource_sharing", "capability_gain", "gp_share"):
        row = cell(scored, B, indicator)
        assert (row["status"], row["value"], row["points"]) == ("scored", 0.0, 0.0)


def test_only_complete_totals_are_ranked(db):
    tot = score(db[0])[2]
    got = {r["consortium"]: (r["rank"], r["covered"], r["complete"], round(r["points"], 3), r["points_covered"])
           for r in tot.iter_rows(named=True)}
    assert got == {A: (1, 6, True, 85.463, 100.0), C: (2, 6, True, 73.735, 100.0), B: (None, 3, False, 0.0, 45.0)}
    assert tot["consortium"].to_list() == [C, A, B]  # worst ranked first, the unranked after
    a = tot.filter(consortium=A).row(0, named=True)
    assert list(a["behind"]) == ["two_way_referral", "resource_sharing"]  # 7.5 points lost, then 7.04
    assert list(tot.filter(consortium=B).row(0, named=True)["not_reported"]) == ["first_visit", "two_way_referral", "satisfaction"]
    h = scorecard.headline(tot)
    assert (h["consortia"], h["ranked"], h["unranked"], h["worst"], h["worst_behind"]) == (3, 2, 1, C, "two_way_referral")
    assert (h["members_silent"], h["members_owed"]) == (1, 8)


def test_a_member_of_unknown_duty_makes_its_consortium_unjudgeable(db):
    """P4 (C's community health centre) with a blank type in the register: whether it owes the report
    cannot be told (must_report null). Counting it in or out could change each of C's six indicators,
    so none is scored (cannot be judged, naming it) and C is not ranked; A is still ranked first and
    alone. The headline counts the member apart: neither owed (8 - 1 = 7) nor silent."""
    m = members(db[0]).with_columns(
        *(pl.when(pl.col("facility_code") == "P4").then(None).otherwise(pl.col(c)).alias(c)
          for c in ("must_report", "owes_primary", "owes_sharing")))
    scored = scorecard.scored_indicators(lambda name, **p: queries.run(name, con=db[0], **p), m, WEEK)
    p4 = m.filter(facility_code="P4")["facility_name"][0]
    for ind in scorecard.INDICATORS:
        row = cell(scored, C, ind.key)
        assert (row["status"], row["value"], row["points"], list(row["duty_unknown"])) == ("cannot_judge", None, None, [p4])
        assert p4 in scorecard.arithmetic(row, "en") and "cannot tell" in scorecard.arithmetic(row, "en")
    assert cell(scored, A, "first_visit")["status"] == "scored" and list(cell(scored, A, "first_visit")["duty_unknown"]) == []
    tot = scorecard.totals(scored, m)
    assert tot.filter(consortium=C).row(0, named=True)["rank"] is None
    h = scorecard.headline(tot)
    assert (h["ranked"], h["unranked"], h["worst"]) == (1, 2, A)
    assert (h["members_silent"], h["members_owed"], h["members_duty_unknown"]) == (1, 7, 1)


def test_blank_cell_and_zero_denominator(tmp_path):
    """P1 leaves its doctors blank: A's GP share is not reported (P3's 1/5 alone is never shown).
    C surveyed nobody (0 and 0): its satisfaction cannot be judged. Neither A nor C is ranked then."""
    visits = (VISITS.replace("P1,10,8,10,4,", "P1,10,8,,4,")
              .replace("P4,50,30,8,2,12,10,1,1,1,1,40,30", "P4,50,30,8,2,12,10,1,1,1,1,0,0")
              .replace("H4,50,20,,,,,,,,,10,10", "H4,50,20,,,,,,,,,0,0"))
    with loaded_database(tmp_path, (FILES[0], ("visits", visits, WEEK), FILES[2])) as con:
        _, scored, tot = score(con)
    gp = cell(scored, A, "gp_share")
    assert (gp["status"], gp["value"], gp["missing"]) == ("not_reported", None, ["东街社区卫生服务中心: doctors"])
    assert scorecard.arithmetic(gp, "zh") == "未报送，不计算：东街社区卫生服务中心（空白：执业（助理）医师数）"
    sat = cell(scored, C, "satisfaction")
    assert (sat["status"], sat["denominator"], sat["points"]) == ("cannot_judge", 0.0, None)
    assert scorecard.arithmetic(sat, "en") == "Cannot be judged: the denominator is 0"
    assert tot.filter("complete").height == 0 and tot["rank"].null_count() == 3


def test_an_override_moves_the_target_and_the_points(tmp_path, db, monkeypatch):
    """GP share target 40% (a commission's own): A's 33.3% earns 33.3/40 x 12.5 = 10.417."""
    override = tmp_path / "override.toml"
    override.write_text("[scorecard.gp_share_min]\nvalue = 0.4\n", encoding="utf-8")
    monkeypatch.setenv("HC_POLICY_OVERRIDES", str(override))
    policy.reload()
    try:
        assert cell(score(db[0])[1], A, "gp_share")["points"] == pytest.approx(1 / 3 / 0.4 * 12.5)
        assert "≥40%" in i18n.t("scorecard.intro", "zh")
    finally:
        monkeypatch.delenv("HC_POLICY_OVERRIDES")
        policy.reload()


# --- what the reader sees -------------------------------------------------------------------------------
def test_arithmetic_is_shown(db):
    scored = score(db[0])[1]
    assert scorecard.arithmetic(cell(scored, A, "first_visit"), "zh") == \
        "基层首诊 13 ÷ 全部首诊 20 = 65.0%；65.0% ÷ 65%（封顶 1）× 15 = 15.0 分"
    assert scorecard.arithmetic(cell(scored, A, "two_way_referral"), "en") == (
        "(upward 3 + downward 1) ÷ outpatient visits 40 = 10.0%; upward from primary care 2 ÷ 4 = 50.0%; "
        "the weaker: min(10.0% ÷ 20%, 50.0% ÷ 60%, 1) × 15 = 7.5 pts")
    assert scorecard.arithmetic(cell(scored, A, "resource_sharing"), "zh") == \
        "获得共享 7 ÷（4 类 × 3 家成员）= 58.3%；58.3% ÷ 90%（封顶 1）× 20 = 13.0 分"
    assert scorecard.arithmetic(cell(scored, B, "satisfaction"), "en") == "Not reported, not worked out: 土默特左旗医院 (no report)"


def test_english_arithmetic_counts_in_the_singular_and_plural(db):
    """'1 member', '3 members'; '1 kind of condition': never '1 members'. A consortium with one member
    other than its lead: sharing 2 ÷ (4 kinds × 1 member) = 50.0%, 50.0% ÷ 90% × 20 = 11.1 pts."""
    scored = score(db[0])[1]
    assert "(4 kinds × 3 members)" in scorecard.arithmetic(cell(scored, A, "resource_sharing"), "en")
    one = {"indicator": "resource_sharing", "status": "scored", "numerator": 2.0, "denominator": 4.0, "value": 0.5,
           "points": 0.5 / 0.9 * 20, "points_available": 20.0, "target": 0.9}
    assert scorecard.arithmetic(one, "en") == \
        "shared 2 ÷ (4 kinds × 1 member) = 50.0%; 50.0% ÷ 90% (capped at 1) × 20 = 11.1 pts"
    assert scorecard.arithmetic(one, "zh") == "获得共享 2 ÷（4 类 × 1 家成员）= 50.0%；50.0% ÷ 90%（封顶 1）× 20 = 11.1 分"
    gain = {"indicator": "capability_gain", "status": "scored", "numerator": 2.0, "denominator": 1.0, "value": 1.0,
            "points": 12.5, "points_available": 12.5, "target": 0.5}
    assert scorecard.arithmetic(gain, "en").startswith("2 kinds of condition treated now ÷ 1 kind of condition at baseline − 1 = 100.0%")
    assert scorecard.arithmetic(gain, "zh").startswith("现可诊治 2 种 ÷ 基线 1 种 − 1 = 100.0%")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_tables_are_text_with_no_blank_shown_as_none(db, lang):
    m, scored, tot = score(db[0])
    ranking = scorecard.table(scored, tot, lang)
    detail = scorecard.detail(scored, B, lang)
    for frame in (ranking, detail, scorecard.silent_members(m, lang), scorecard.member_inputs(m, A, lang)):
        text = " ".join(str(v) for row in frame.rows() for v in row)
        assert "None" not in text and "nan" not in text and "NaT" not in text
    zh = lang == "zh"
    assert ranking.row(2)[:4] == ("未排名" if zh else "Not ranked", B, "—",
                                   "0.0（仅覆盖 3/6 项，满分 45）" if zh else "0.0 (covers 3/6 indicators, out of 45)")
    assert ranking.row(1)[:4] == ("1", A, "—", "85.5")
    # C's points lost: two-way 12.75, capability 7.5, satisfaction 2.78, GP 2.08, first visit 1.15
    assert ranking.row(0)[4] == ("双向转诊率 3.0%、基层诊疗能力提高率 20.0%、患者满意度 80.0%、全科医生占比 25.0%、基层首诊率 60.0%"
                                 if zh else "Two-way referrals 3.0%, Primary capability gain 20.0%, Patient satisfaction 80.0%, "
                                 "GP share 25.0%, Primary first visits 60.0%")
    assert detail.shape == (6, 7)
    assert scorecard.silent_members(m, lang).rows()[0][1:3] == ("H2", "土默特左旗医院")


def test_the_summary_names_who_is_behind_and_on_what(db):
    tot = score(db[0])[2]
    assert scorecard.behind_summary(tot, "en") == [
        f"**#2 {C}** (73.7 pts): Two-way referrals 3.0%, Primary capability gain 20.0%, Patient satisfaction 80.0%, "
        "GP share 25.0%, Primary first visits 60.0%",
        f"**#1 {A}** (85.5 pts): Two-way referrals 10.0%, Resource sharing 58.3%",
        f"**Not ranked: 1** (an indicator not reported or not judgeable): {B}"]


def test_member_inputs_show_what_each_score_comes_from(db):
    """B's members: H2 owes visits, first visits and the survey and sent nothing; P2 owes everything;
    V1 owes nothing and its numbers are shown as not counted."""
    rows = {r[0]: r for r in scorecard.member_inputs(members(db[0]), B, "zh").rows()}
    assert rows["H2"][3:] == ("应报", "未报送", "未报送", "—", "—", "—", "—", "—", "—", "—", "—", "未报送", "未报送")
    assert rows["P2"][4:] == ("30", "25", "6", "0", "10", "10", "0", "0", "0", "0", "20", "20")
    assert rows["V1"][3:6] == ("不需报送", "5（不计入）", "5（不计入）")


def test_chart_is_briefing_ready(db):
    m, scored, tot = score(db[0])
    ctx = briefing.Context("呼和浩特市", "2022年第51周", ("visits", "transfer", "facility"), "zh")
    fig = figures.points_figure(scorecard.dimension_points(scored, tot), tot, ctx)
    assert fig.layout.title.text == "呼和浩特市 医联体绩效得分，2022年第51周"
    assert fig.layout.annotations[-1].text.startswith("数据来源：门诊与医联体运行周报、转诊记录、机构名录")
    assert [d.name for d in fig.data] == ["资源共享", "分级诊疗", "基层能力提升", "患者满意度"]
    assert list(fig.data[0].y) == ["第2名 托克托县县域医共体", "第1名 新城区城市医疗集团", "未排名 土默特左旗县域医共体"]
    assert list(fig.data[1].x) == pytest.approx([0.6 / 0.65 * 15 + 2.25, 22.5, None])  # B's tiered care: not drawn as 0
    assert fig.layout.barmode == "stack" and fig.layout.yaxis.autorange == "reversed"
    bands = briefing.bands(fig)
    assert bands["title"][1] <= bands["legend"][0] and bands["legend"][1] < bands["plot"][0] < bands["plot"][1] <= bands["axis"][0]
    assert bands["axis"][1] <= bands["source"][0]
    ends = [a.text for a in fig.layout.annotations if a.name != "source"]
    assert ends == ["73.7", "85.5", "0.0（仅覆盖 3/6 项，满分 45）"]


def test_template_loads_and_is_scored(tmp_path):
    """The downloadable template's example row (a community health centre of 新城区城市医疗集团, whose lead
    hospital is the facility template's second row) loads through the pipeline and reaches the query."""
    from dashboard.ingest import loading, templates

    with loaded_database(tmp_path, ()) as con:
        for name, fmt in (("facility", "csv"), ("visits", "xlsx")):
            data = (templates.csv if fmt == "csv" else templates.xlsx)(name)
            result = loading.load_bytes(data, f"{name}_template.{fmt}", dataset=name, week=WEEK, con=con)
            assert result.outcome == "accepted" and result.warning_count == 0, [f.message_en for f in result.errors]
        m = members(con)
    row = m.filter(facility_code="P150102001").row(0, named=True)
    assert (row["reported"], row["outpatient_visits"], row["first_visits"], row["general_practitioners"],
            row["survey_satisfied"]) == (True, 3200, 2100, 6, 55)
    assert m.filter(facility_code="H150102001")["reported"].to_list() == [False]


# --- the page -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_page_renders(app_env, lang):
    at = render("pages/scorecard.py", lang)
    zh = lang == "zh"
    assert at.title[0].value == ("医联体绩效考核排名" if zh else "Consortium scorecard")
    m = metrics(at)
    assert m["参加排名的医联体" if zh else "Consortia ranked"] == "2/3"
    assert m[f"排名最后：{C}" if zh else f"Ranked last: {C}"] == ("73.7 分" if zh else "73.7 pts")
    assert m["未报送周报的成员" if zh else "Members without a report"] == "1/8"
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert spec["data"][0]["y"][0] == ("第2名 " if zh else "#2 ") + C
    (ranking,) = (x.value for x in at.dataframe)  # the first screen: the chart and the ranking (tabs build one at a time)
    assert ranking.shape[0] == 3
    open_tab(at, "scorecard", "detail")
    detail, inputs = (x.value for x in at.dataframe)
    assert detail.shape[0] == 6 and inputs.shape[0] == 2
    at.selectbox(key=f"scorecard_consortium_{lang}").select(B).run()
    assert at.dataframe[0].value.iloc[1, 3] == ("未报送" if zh else "Not reported")
    open_tab(at, "scorecard", "missing")
    (silent,) = (x.value for x in at.dataframe)
    assert silent.shape[0] == 1
    open_tab(at, "scorecard", "detail")  # the consortium picked is kept while its tab is closed
    assert at.selectbox(key=f"scorecard_consortium_{lang}").value == B
    if not zh:  # consortium names are data and stay as they are
        leaks = [x for x in chinese_leaks(at) if CJK.search(x.replace(A, "").replace(B, "").replace(C, ""))]
        assert not leaks, leaks


def test_page_without_a_report_says_so(tmp_path):
    with loaded_database(tmp_path, (FILES[0], FILES[2])):
        pass
    with database(tmp_path):
        at = render("pages/scorecard.py", "en")
    assert "No visits and consortium operation report" in at.info[0].value
    # the overview's figures, unknown: '—', never 0
    assert [m.value for m in at.metric] == ["—"] * 4


@pytest.mark.browser
def test_page_in_the_browser(tmp_path):
    page_opens_from_the_navigation(tmp_path, FILES, "scorecard", "医联体绩效考核排名", "Consortium scorecard", charts=1)


# --- the demo -------------------------------------------------------------------------------------------
def test_demo_flaws_show_as_not_reported(tmp_path):
    """On the demo (no register needed): 土默特左旗's lead hospital never reports, so that consortium is
    never ranked and names it; in the latest week 新城区's GP share is not reported (a blank)."""
    from dashboard import demo
    from tests.conftest import demo_database

    with demo_database(tmp_path, "0.01", register=False) as (con, _):
        for week in (demo.DEMO_WEEKS[0], demo.DEMO_WEEKS[-1]):
            m = queries.run("scorecard_members", con=con, week=week, **AREA)
            scored = scorecard.scored_indicators(lambda name, **p: queries.run(name, con=con, **p), m, week)
            tot = scorecard.totals(scored, m)
            assert tot.height == m["consortium"].n_unique() == 103
            b = tot.filter(consortium=B).row(0, named=True)
            assert b["rank"] is None and list(b["not_reported"]) == ["first_visit", "two_way_referral", "satisfaction"]
            assert cell(scored, B, "first_visit")["missing"] == ["土默特左旗人民医院"]
            assert tot.filter("complete").height >= 80  # most consortia are ranked
            gp = cell(scored, A, "gp_share")["status"]
            assert gp == ("not_reported" if week == demo.DEMO_WEEKS[-1] else "scored")
