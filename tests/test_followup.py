"""Discharged-patient follow-up (DIS-2020 §二(二), (四)) on a hand-worked fixture: the query, the metrics,
the charts, the page (AppTest, zh and en) and the page in a real browser.

Facilities (tests/shell_fixture.py): P1, P3 community centres in 150102; P2 township hospital in 150121.
Weeks loaded: PREV = 2022-12-12 and W = 2022-12-19 (Sunday 12-25). Policy: observation 14 days, tests on
days 7 and 14 (day n = discharge + n), signing and file within 7 days of release, window = release ->
discharge + 3 months (that day out), 60 and over weekly, severe/critical twice a week, else once per
two weeks.

 rec fac discharged  d7 d14 released  age type  chronic signed/file   PREV W   | at W, by hand
 R01 P1  11-28       -  -   12-12     60  mild  no   12-19/12-19   1    1   | weekly (60 is "60 岁以上"); met 1/1; signed on day 7 exactly: on time
 R02 P1  11-28       -  -   12-12     59  mild  no   12-14/12-14   1    0   | every 2 weeks; span 12-12+12-19 = 1+0: met
 R03 P1  11-28       -  -   12-12     59  asym  no   12-20/12-14   0    0   | every 2 weeks; 0+0: short; signed 12-20 > 12-19: late
 R04 P1  11-28       -  -   12-12     40  severe no  blank/blank   2    1   | twice a week; 1 < 2: short; signing past 12-19 with no date
 R05 P1  11-28       -  -   12-12     70  crit  yes  12-13/12-13   .    2   | twice a week (wins over 60+ and chronic); met 2/2
 R06 P2  11-28       -  -   12-12     30  ord   no   12-13/12-13   1    blank | weekly; this week's count blank: cannot be judged
 R07 P2  11-28       -  -   12-12     65  mild  blank 12-13/12-13  1    .   | weekly (65 decides, chronic blank); not on W's list: not reported
 R08 P2  11-28       -  -   12-12     40  mild  blank 12-13/12-13  .    3   | category cannot be told (chronic blank under 60)
 R09 P1  11-28       -  -   12-12     70  blank no   12-13/12-13   .    5   | category cannot be told (type blank: could be severe)
 R10 P1  12-15       blank blank -    50  mild  no   -             .    0   | in observation; day-7 test (12-22) missing
 R11 P1  12-15       -  blank  -      50  mild  no   -             .    0   | in observation; day 14 (12-29) not due: pending
 R12 P3  12-01       -  pos 12-10     45  mild  no   blank/blank   .    0   | positive; released early (< 12-15); span 12-12+12-19, 12-12 unknown, 0 made: cannot be judged; signing past 12-17, no date
 R13 P3  11-20       -  -   blank     50  ord   no   -             .    1   | observation over 12-04 and no release date: cannot be judged
 R14 P3  12-05       -  -   12-21     50  ord   no   -             .    1   | released on a Wednesday: W is partial, owes nothing; signing due 12-28: not due
 R15 P1  09-26       -  -   10-10     62  mild  no   10-12/10-12   1    1   | window ends 12-26: W (to 12-25) is its last whole week; met
 R16 P1  09-21       -  -   10-05     62  mild  no   10-07/10-07   1    0   | window ends 12-21: W partial, owes nothing
 R17 P1  09-19       -  -   10-03     62  mild  no   10-05/10-05   1    .   | window ends 12-19: not under management in W
 R18 P2  11-21       -  -   12-05     30  mild  no   12-06/12-06   1    0   | every 2 weeks from 12-05: W opens a new span: not due
("-" = negative where a test, none where a date; "." = not listed that week.)

At W: 17 under management (R17 out). Met R01 R02 R05 R15 (4); short R03 R04 (2); cannot be judged:
blank count R06, R12; not reported R07; no category R08 R09; no release R13 (6); in observation R10 R11;
partial R14 R16; not due R18. Contacts owed over the judged: 1+1+2+1+1+2 = 8, made (up to owed)
1+1+2+1+0+1 = 6. Signing: on time R01 R02 R05 R06 R07 R08 R09 R15 R16 R18 (10), late R03 (1), no date
past the deadline R04 R12 (2), not due R10 R11 R14 (3), no release R13 (1): 10 / 11 on time.
"""
from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from dashboard import policy
from dashboard.ingest import templates
from dashboard.figures import followup as followup_figures
from dashboard.metrics import followup
from dashboard.store import queries
from tests.conftest import chinese_leaks, database, loaded_database, metrics, open_tab, page_opens_from_the_navigation, render
from tests.shell_fixture import FACILITY, PREV, WEEK, with_valid_checksums

HEADER = ("身份证号,姓名,联系电话,档案编号,管理机构编码,出院日期,第7天核酸结果,第14天核酸结果,解除集中医学观察日期,"
          "年龄,最重临床分型,患高血压、糖尿病等慢性基础疾病,家庭医生签约日期,建档日期,本周随访次数")
N, P = "阴性", "阳性"
# record, facility, discharged, day 7, day 14, released, age, type, chronic, signed, filed, contacts PREV, W
# (None: not listed that week; "" a blank cell)
PATIENTS = [
    ("R01", "P1", "2022-11-28", N, N, "2022-12-12", "60", "轻型", "否", "2022-12-19", "2022-12-19", "1", "1"),
    ("R02", "P1", "2022-11-28", N, N, "2022-12-12", "59", "轻型", "否", "2022-12-14", "2022-12-14", "1", "0"),
    ("R03", "P1", "2022-11-28", N, N, "2022-12-12", "59", "无症状", "否", "2022-12-20", "2022-12-14", "0", "0"),
    ("R04", "P1", "2022-11-28", N, N, "2022-12-12", "40", "重型", "否", "", "", "2", "1"),
    ("R05", "P1", "2022-11-28", N, N, "2022-12-12", "70", "危重型", "是", "2022-12-13", "2022-12-13", None, "2"),
    ("R06", "P2", "2022-11-28", N, N, "2022-12-12", "30", "普通型", "否", "2022-12-13", "2022-12-13", "1", ""),
    ("R07", "P2", "2022-11-28", N, N, "2022-12-12", "65", "轻型", "", "2022-12-13", "2022-12-13", "1", None),
    ("R08", "P2", "2022-11-28", N, N, "2022-12-12", "40", "轻型", "", "2022-12-13", "2022-12-13", None, "3"),
    ("R09", "P1", "2022-11-28", N, N, "2022-12-12", "70", "", "否", "2022-12-13", "2022-12-13", None, "5"),
    ("R10", "P1", "2022-12-15", "", "", "", "50", "轻型", "否", "", "", None, "0"),
    ("R11", "P1", "2022-12-15", N, "", "", "50", "轻型", "否", "", "", None, "0"),
    ("R12", "P3", "2022-12-01", N, P, "2022-12-10", "45", "轻型", "否", "", "", None, "0"),
    ("R13", "P3", "2022-11-20", N, N, "", "50", "普通型", "否", "", "", None, "1"),
    ("R14", "P3", "2022-12-05", N, N, "2022-12-21", "50", "普通型", "否", "", "", None, "1"),
    ("R15", "P1", "2022-09-26", N, N, "2022-10-10", "62", "轻型", "否", "2022-10-12", "2022-10-12", "1", "1"),
    ("R16", "P1", "2022-09-21", N, N, "2022-10-05", "62", "轻型", "否", "2022-10-07", "2022-10-07", "1", "0"),
    ("R17", "P1", "2022-09-19", N, N, "2022-10-03", "62", "轻型", "否", "2022-10-05", "2022-10-05", "1", None),
    ("R18", "P2", "2022-11-21", N, N, "2022-12-05", "30", "轻型", "否", "2022-12-06", "2022-12-06", "1", "0"),
]


def register(week_column: int) -> str:
    lines = [HEADER]
    for n, (record, *facts) in enumerate(PATIENTS, start=1):
        contacts = (facts[10], facts[11])[week_column]
        if contacts is None:
            continue
        lines.append(",".join([f"1501021980010{n:03d}1", f"患者{n}", f"1380000{n:04d}", record, *facts[:10], contacts]))
    return with_valid_checksums("\n".join(lines))


FILES = (("facility", FACILITY, WEEK), ("discharge", register(0), PREV), ("discharge", register(1), WEEK))
AREA = {"league_code": None, "county_code": None, "consortium": None}
CJK = re.compile(r"[\u3400-\u9fff]")


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    folder = tmp_path_factory.mktemp("followup")
    with loaded_database(folder, FILES) as con:
        yield con, folder


def rows(con, week=WEEK, **area):
    return queries.run("followup_patient_weeks", con=con, week=week, **(area or AREA), **followup.params())


def at_week(con) -> dict[str, dict]:
    return {r["record_no"]: r for r in followup.of_week(rows(con), WEEK).iter_rows(named=True)}


def test_no_personal_data_is_stored_in_clear(db):
    con = db[0]
    columns = [c[0] for c in con.execute("describe discharge").fetchall()]
    assert "id_number" not in columns and "name" not in columns and "phone" not in columns
    assert {"person_key", "phone_key", "id_masked"} <= set(columns)
    masked = con.execute("select id_masked from discharge where record_no = 'R01' limit 1").fetchone()[0]
    assert masked.startswith("150102********") and len(masked) == 18
    # (the 64-bit keys are numbers that could hold any digits: the clear columns are what must not)
    dump = " ".join(str(v) for row in con.execute("select * exclude (person_key, phone_key) from discharge").fetchall() for v in row)
    assert "1501021980010" not in dump and "患者" not in dump and "1380000" not in dump


def test_who_owes_the_weekly_list(db):
    """Community health centres and township hospitals that manage discharged patients (P1, P2, P3 have
    listed some); hospitals and village clinics do not keep the list."""
    duty = dict(db[0].execute("select facility_code, must_report from reporting_duty where dataset = 'discharge'").fetchall())
    assert duty == {"P1": True, "P2": True, "P3": True, "V1": False, "H1": False, "H2": False, "D1": False}


def test_categories_and_who_wins(db):
    """60 exactly is weekly, 59 every two weeks; severe/critical wins over 60+ and chronic disease; an
    input that could change the answer left blank gives no category (R08, R09), one that cannot does
    not matter (R07: 65 makes it weekly whatever the chronic disease)."""
    got = {k: r["category"] for k, r in at_week(db[0]).items()}
    assert got == {"R01": "weekly", "R02": "biweekly", "R03": "biweekly", "R04": "severe", "R05": "severe",
                   "R06": "weekly", "R07": "weekly", "R08": None, "R09": None, "R10": "biweekly", "R11": "biweekly",
                   "R12": "biweekly", "R13": "weekly", "R14": "weekly", "R15": "weekly", "R16": "weekly",
                   "R18": "biweekly"}


def test_the_age_cut_follows_the_policy_file(db, monkeypatch, tmp_path):
    """A commission reading '60 岁以上' as over 60 (61 and up) moves R01 (60, mild, no chronic disease)
    to once every two weeks."""
    override = tmp_path / "override.toml"
    override.write_text("[discharge.older_from_age]\nvalue = 61\n", encoding="utf-8")
    monkeypatch.setenv("HC_POLICY_OVERRIDES", str(override))
    policy.reload()
    try:
        assert at_week(db[0])["R01"]["category"] == "biweekly"
    finally:
        monkeypatch.delenv("HC_POLICY_OVERRIDES")
        policy.reload()
    assert at_week(db[0])["R01"]["category"] == "weekly"


def test_follow_up_status_in_the_week(db):
    got = {k: (r["week_status"], r["owed"], r["span_made"]) for k, r in at_week(db[0]).items()}
    assert got == {
        "R01": ("met", 1, 1), "R02": ("met", 1, 1), "R03": ("short", 1, 0), "R04": ("short", 2, 1),
        "R05": ("met", 2, 2), "R06": ("unknown", 1, None), "R07": ("not_reported", 1, None),
        "R08": ("no_category", None, 3), "R09": ("no_category", None, 5), "R10": ("observation", None, None),
        "R11": ("observation", None, None), "R12": ("unknown", 1, 0), "R13": ("no_release", None, None),
        "R14": ("partial", None, None), "R15": ("met", 1, 1), "R16": ("partial", None, None),
        "R18": ("not_due", None, 0)}


def test_the_window_opens_at_release_and_closes_three_months_after_discharge(db):
    """R15: discharged 09-26, the window closes 12-26, so 12-19..12-25 is whole; R16 (09-21 -> 12-21)
    is cut short in W; R17 (09-19 -> 12-19) has left management by W but was met in PREV (12-12..12-18,
    whole, 12-19 out). R14, released Wednesday 12-21, owes nothing in W."""
    all_rows = rows(db[0])
    ends = {r["record_no"]: r["window_end"] for r in all_rows.iter_rows(named=True)}
    assert (ends["R15"], ends["R16"], ends["R17"]) == (dt.date(2022, 12, 26), dt.date(2022, 12, 21), dt.date(2022, 12, 19))
    r17 = all_rows.filter(record_no="R17")
    assert r17.select("week", "week_status").rows() == [(PREV, "met")]
    assert at_week(db[0])["R14"]["first_whole_week"] == dt.date(2022, 12, 26)


def test_observation_tests_and_release(db):
    got = {k: (r["test_status"], r["released_early"]) for k, r in at_week(db[0]).items() if r["test_status"] != "negative"}
    assert got == {"R10": ("missing", None), "R11": ("pending", None), "R12": ("positive", True)}
    assert [k for k, r in at_week(db[0]).items() if r["released_early"]] == ["R12"]


def test_signing_within_the_week(db):
    got = {k: r["signing_status"] for k, r in at_week(db[0]).items()}
    assert sorted(k for k, s in got.items() if s == "on_time") == ["R01", "R02", "R05", "R06", "R07", "R08", "R09", "R15", "R16", "R18"]
    assert {k: s for k, s in got.items() if s != "on_time"} == {
        "R03": "late", "R04": "blank", "R10": "not_due", "R11": "not_due", "R12": "blank", "R13": "no_release",
        "R14": "not_due"}


def test_two_week_spans_count_from_the_first_whole_week(db):
    """R18, released Monday 12-05: span 1 = 12-05 + 12-12, judged in PREV with 12-05 never loaded:
    the 1 contact of 12-12 is enough (met), whatever the unknown week held. W opens span 2: not due."""
    r18 = rows(db[0]).filter(record_no="R18").sort("week")
    assert r18.select("week", "week_no", "span_no", "week_status", "span_unknown").rows() == [
        (PREV, 1, 0, "met", 1), (WEEK, 2, 1, "not_due", 1)]  # W: the span's second week is still to come


def test_headline_by_hand(db):
    h = followup.headline(followup.of_week(rows(db[0]), WEEK))
    assert (h["patients"], h["facilities"], h["observation"]) == (17, 3, 2)
    assert (h["met"], h["short"], h["unknown"], h["not_reported"], h["no_category"], h["no_release"]) == (4, 2, 2, 1, 2, 1)
    assert (h["owed"], h["made"]) == (8, 6) and h["met_share"] == pytest.approx(4 / 6)
    assert (h["signing_on_time"], h["signing_late"], h["signing_blank"], h["signing_not_due"], h["signing_no_release"]) == (10, 1, 2, 3, 1)
    assert h["signing_share"] == pytest.approx(10 / 11)
    assert (h["test_positive"], h["test_missing"], h["released_early"]) == (1, 1, 1)


def test_compliance_by_category(db):
    """severe R04 R05: owed 2+2, made 1+2; weekly judged R01 R15 (R06 R07 R13 cannot be judged; R14 R16
    partial); every two weeks judged R02 R03 (R12 cannot be judged)."""
    got = followup.compliance(followup.of_week(rows(db[0]), WEEK))
    assert got.rows() == [("severe", 2, 2, 1, 1, 0, 4, 3), ("weekly", 7, 2, 2, 0, 3, 2, 2),
                          ("biweekly", 6, 2, 1, 1, 1, 2, 1)]
    assert got.columns == ["category", "patients", "judged", "met", "short", "cannot_judge", "owed", "made"]


def test_trend_per_week(db):
    """PREV: severe R04 2/2; weekly R01 R06 R07 R15 R16 R17 6/6; every two weeks R18 1/1 (R02 R03 not due)."""
    got = followup.trend(rows(db[0])).select("week", "category", "owed", "made", "met", "short").rows()
    assert got == [(PREV, "severe", 2, 2, 1, 0), (PREV, "weekly", 6, 6, 6, 0), (PREV, "biweekly", 1, 1, 1, 0),
                   (WEEK, "severe", 4, 3, 1, 1), (WEEK, "weekly", 2, 2, 2, 0), (WEEK, "biweekly", 2, 1, 1, 1)]


def test_areas_facilities_and_lists(db):
    week_rows = followup.of_week(rows(db[0]), WEEK)
    areas = {r["code"]: r for r in followup.by_area(week_rows, "county").iter_rows(named=True)}
    assert (areas["150102"]["patients"], areas["150102"]["facilities"], areas["150102"]["problems"]) == (13, 2, 6)
    assert (areas["150102"]["short"], areas["150102"]["signing_overdue"], areas["150102"]["positive"],
            areas["150102"]["missing_test"], areas["150102"]["cannot_judge"]) == (2, 2, 1, 1, 3)
    assert (areas["150121"]["patients"], areas["150121"]["problems"], areas["150121"]["cannot_judge"]) == (4, 0, 3)
    actions = followup.action_list(week_rows, "en")
    assert actions.columns == ["Facility", "Record number", "ID number (masked)", "Category", "Contacts owed",
                               "Contacts made", "Signing deadline", "Reason"]
    assert actions.select("Record number", "Reason").rows() == [
        ("R03", "Follow-up short"), ("R04", "Follow-up short; Signing/file past due, no date"),
        ("R12", "Signing/file past due, no date")]
    assert all(m.startswith("150102********") for m in actions["ID number (masked)"].to_list())
    tests = followup.tests_list(week_rows, "zh")
    assert tests["档案编号"].to_list() == ["R12", "R10"]
    assert tests["检测情况"].to_list() == ["阳性（提前解除观察）", "缺检测结果"]
    facilities = followup.by_facility(week_rows, "en")
    assert facilities.select("Patients", "Not on this week's list", "Follow-up short", "Cannot be judged").rows() == [
        (10, 0, 2, 1), (3, 0, 0, 2), (4, 1, 0, 3)]  # P1, P3, P2 (R07 left off P2's list)
    county = rows(db[0], league_code="150100", county_code="150121", consortium=None)
    assert sorted(followup.of_week(county, WEEK)["record_no"].to_list()) == ["R06", "R07", "R08", "R18"]


def test_charts_say_where_when_and_from_what(db):
    week_rows = followup.of_week(rows(db[0]), WEEK)
    from dashboard.figures import briefing

    ctx = briefing.Context("呼和浩特市", "2022年第51周", ("discharge",), "zh")
    problems = followup_figures.problems(followup.by_area(week_rows, "county"), ctx)
    assert problems.layout.title.text.startswith("呼和浩特市 出院患者管理问题分布")
    assert problems.layout.annotations[-1].text.startswith("数据来源：出院患者随访台账")
    assert [d.name for d in problems.data] == ["随访不足", "签约建档逾期未填", "核酸阳性", "缺核酸结果"]
    assert list(problems.data[0].y) == [2, 0]  # 150102 first: most problems
    en = briefing.Context("Hohhot", "2022-W51", ("discharge",), "en")
    compliance = followup_figures.compliance(followup.compliance(week_rows), en)
    assert [d.name for d in compliance.data] == ["Contacts owed", "Contacts made"]
    assert list(compliance.data[0].y) == [4, 2, 2] and list(compliance.data[1].y) == [3, 2, 1]
    assert compliance.data[0].x[0] == "2 a week<br>recovered from severe or critical"
    trend = followup_figures.trend(followup.trend(rows(db[0])), en)
    assert [d.name.split(": ")[0] for d in trend.data] == ["2 a week", "1 a week", "1 every 2 weeks"]
    assert list(trend.data[0].y) == [1.0, 0.5] and list(trend.data[2].y) == [1.0, 0.5]


def test_downloads_speak_the_language(db):
    """The tables behind the charts download with Chinese column names and category names."""
    from dashboard.exports import downloads

    week_rows = followup.of_week(rows(db[0]), WEEK)
    for table in (followup.by_area(week_rows, "county"), followup.compliance(week_rows), followup.trend(rows(db[0]))):
        shown = downloads.localise(table, "zh")
        assert all(CJK.search(c) for c in shown.columns), shown.columns
    categories = downloads.localise(followup.compliance(week_rows), "zh")["随访类别"].to_list()
    assert categories == ["每周2次：重症、危重症治愈", "每周1次：普通型、慢性病或60岁以上", "每2周1次：无（轻）症状、无慢性病、60岁以下"]


def test_template_loads(tmp_path):
    """The downloadable template's example row loads after the facility template's."""
    files = (("facility", templates.csv("facility").decode("utf-8-sig"), WEEK),
             ("discharge", templates.csv("discharge").decode("utf-8-sig"), WEEK))
    with loaded_database(tmp_path, files) as con:
        assert con.execute("select record_no, clinical_type, contacts_week from discharge").fetchall() == [
            ("15010200001", "mild", 1)]


def test_demo_has_the_flaws_the_page_must_find(tmp_path):
    """The demo's discharge lists load cleanly and carry every problem the page looks for, in the
    latest week: follow-ups short, signing past due with no date, positive and missing tests, early
    releases, and patients whose follow-up cannot be judged."""
    from dashboard import demo

    last = demo.DEMO_WEEKS[-1]
    files = [("facility", demo.generate(last, ("facility",))["facility"].decode("utf-8-sig"), last)]
    files += [("discharge", demo.generate(w, ("discharge",))["discharge"].decode("utf-8-sig"), w) for w in demo.DEMO_WEEKS]
    with loaded_database(tmp_path, files) as con:
        h = followup.headline(followup.of_week(rows(con, week=last), last))
    assert 500 < h["patients"] < 2000
    assert min(h["short"], h["signing_blank"], h["signing_late"], h["test_positive"], h["test_missing"], h["released_early"]) > 0
    assert min(h["unknown"], h["no_category"], h["not_reported"]) > 0
    assert 0.6 < h["met_share"] < 0.95


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_page_renders(app_env, lang):
    at = render("pages/followup.py", lang)
    zh = lang == "zh"
    assert at.title[0].value == ("出院患者健康管理与随访" if zh else "Discharged patients: observation, signing, follow-up")
    m = metrics(at)
    assert m["在管出院患者" if zh else "Patients under management"] == "17"
    assert m["本周随访不足" if zh else "Follow-up short this week"] == "2"
    assert m["一周内签约建档" if zh else "Signed and filed within the week"] == "90.9%"
    assert m["本周随访达标率" if zh else "Follow-up met this week"] == "66.7%"  # 4 of the 6 judged
    assert m["观察期核酸阳性" if zh else "Observation test positive"] == "1"
    assert m["缺核酸检测结果" if zh else "Observation test missing"] == "1"
    assert m["签约建档逾期未填" if zh else "Signing past due, no date"] == "2"
    # the page opens on the overview's verdict: the worst place is the facility with the most patients short
    worst = [b.label for b in at.button if (b.key or "").startswith("worst_followup_")]
    assert worst == (["东街社区卫生服务中心（2人）"] if zh else ["东街社区卫生服务中心 (2 people)"])
    assert m["本周随访次数（应/实）" if zh else "Contacts this week (owed/made)"] == "8 / 6"
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    title = spec["layout"]["title"]
    full = title["text"] + " " + title.get("subtitle", {}).get("text", "")
    assert ("2022年第51周" if zh else "2022-W51") in full
    assert at.dataframe[0].value.shape[0] == 3  # the patients to act on: R03, R04, R12
    shown = " ".join(str(x) for x in at.dataframe[0].value.to_numpy().ravel())
    assert "1501021980010" not in shown and "None" not in shown and "nan" not in shown
    # below the first screen, one tab at a time: the chart by category and its rules
    assert len(at.get("plotly_chart")) == 1 and not [c for c in at.caption if "60" in c.value]
    open_tab(at, "followup", "compliance")
    rules = [c.value for c in at.caption if "60" in c.value]
    assert rules and ("含60岁" if zh else "includes 60") in rules[0]
    assert len(at.get("plotly_chart")) == 2 and not at.dataframe  # the problems chart, the one by category
    open_tab(at, "followup", "trend")
    (_, weeks_chart) = at.get("plotly_chart")
    assert json.loads(weeks_chart.proto.spec)["layout"]["title"]["text"] == (
        "内蒙古自治区 随访达标患者比例逐周变化，2022年第51周（12月19日—25日）" if zh
        else "Patients whose follow-up was met, week by week, Inner Mongolia, 2022-W51 (19-25 Dec)")
    if not zh:
        assert not chinese_leaks(at)


def test_page_says_when_the_week_has_no_register(tmp_path):
    with loaded_database(tmp_path, (("facility", FACILITY, WEEK),)):
        pass
    with database(tmp_path):
        at = render("pages/followup.py", "en")
    assert any("No discharged-patient register" in i.value for i in at.info)
    # the overview's figures, unknown: '—', never 0
    assert [m.value for m in at.metric] == ["—"] * 5


@pytest.mark.browser
def test_page_in_the_browser(tmp_path):
    page_opens_from_the_navigation(tmp_path, FILES, "followup", "出院患者健康管理与随访",
                                   "Discharged patients: observation, signing, follow-up", charts=1)
