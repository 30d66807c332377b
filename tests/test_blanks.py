"""A blank is unknown, never a number: one fixture whose optional cells are left blank, run through
every metric query that reads them. (The ICU, stock and referral blanks are also walked in their own
test files: tests/test_icu.py blank_db, tests/test_stock.py P3/P4, tests/test_referrals.py RULE_*.)

Week 2022-12-19, contacts: yellow at least 2 a week, red at least 3.
  P1 community health centre (新城区 150102):
    B1 85 stable full      recorded yellow  rule yellow  signed   contacts BLANK  -> contacts unknown, not 7
    B2 70 unstable none    recorded red     rule red     signed   contacts 3      -> managed
    B3 age BLANK stable full recorded green             signed   contacts 1      -> the loader reads the age from
       the ID number (born 1952: 70), so the rule labels B3 green. The rule can only fail to label a
       person whose age cannot be known at all; such a row (B6, recorded green) is written straight into
       the register aggregate to walk that path
    B4 70 stable partial   recorded yellow  rule yellow  signing BLANK contacts 2 -> signing unknown, managed unknown
    B5 90 unstable full    (no label)       rule red     unsigned contacts 0      -> known not managed (unsigned)
  P2 township hospital (土默特左旗 150121): sent no register -> its county's people found are unknown
  H9 sub-designated hospital of blank grade, no ICU report -> 'duty_unknown', not missing, not 0
Hand-worked: 6 people (B1-B6), labelled 5; rule green B3, yellow B1 B4, red B2 B5, unknown 1 (B6);
  signed known 5 (B1 B2 B3 B6 yes, B5 no; B4 blank): signed 4, signed share 4/5, signing unknown 1;
  yellow contacts: B1 blank (unknown), B4 2 >= 2 -> 1 contacted of 1 known; red: B2 3 >= 3, B5 0 -> 1 of 2;
  managed: B2 yes; B1 unknown (contacts blank), B4 unknown (signing blank), B5 no -> managed 1 of the
  2 whose answer is known (share 1/2), managed unknown 2.
"""
from __future__ import annotations

import datetime as dt

import pytest

from dashboard.metrics import labelling

from dashboard.store import queries
from tests import apptest
from tests.shell_fixture import with_valid_checksums

WEEK = dt.date(2022, 12, 19)
AREA = {"league_code": None, "county_code": None, "consortium": None}
FACILITY = """机构编码,机构名称,层级,基层机构类型,医院等级,盟市代码,旗县代码,医联体名称,纬度,经度,服务人口
P1,东街社区卫生服务中心,基层,社区卫生服务中心,,150100,150102,新城区城市医疗集团,40.8600,111.6800,10000
P2,察素齐镇卫生院,基层,乡镇卫生院,,150100,150121,土默特左旗县域医共体,40.7200,111.1500,20000
H9,新城区二院,亚定点医院,,,150100,150102,新城区城市医疗集团,40.8500,111.6700,
"""
REGISTER = """身份证号,档案编号,管理机构编码,年龄,基础疾病状态,疫苗接种,风险标识,家庭医生签约,本周联系次数
150102193701010011,B1,P1,85,基础疾病稳定,全程接种,黄色,是,
150102195201020021,B2,P1,70,基础疾病不稳定,未接种,红色,是,3
150102195201030031,B3,P1,,基础疾病稳定,全程接种,绿色,是,1
150102195201040041,B4,P1,70,基础疾病稳定,未全程接种,黄色,,2
150102193201050051,B5,P1,90,基础疾病不稳定,全程接种,,否,0
"""


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    folder = tmp_path_factory.mktemp("blanks")
    files = (("facility", FACILITY, WEEK), ("register", with_valid_checksums(REGISTER), WEEK))
    with apptest.loaded_database(folder, files) as connection:
        # B6: a person the rule cannot label (age unknowable), recorded green, signed, 1 contact
        connection.execute("""insert into agg_register values ($w, 'P1', null, 'green', null, true, false, 1, 1)""",
                           {"w": WEEK})
        yield connection


def test_a_blank_contact_count_is_not_seven(con):
    # DuckDB's least(null, 7) is 7: the register aggregate must keep the blank as null
    stored = con.execute("select contacts_week, sum(persons) from agg_register group by all order by 1 nulls first").fetchall()
    assert stored == [(None, 1), (0, 1), (1, 2), (2, 1), (3, 1)]  # (1: B3 and the hand-written B6)


def test_labelling_blanks_are_counted_apart(con):
    rows = labelling.with_rates(queries.run("labelling_by_facility", con=con, week=WEEK, **AREA, **labelling.params()))
    p1 = {r["facility_code"]: r for r in rows.iter_rows(named=True)}["P1"]
    assert (p1["persons"], p1["labelled"], p1["rule_yellow"], p1["rule_red"], p1["rule_unknown"]) == (6, 5, 2, 2, 1)
    assert (p1["signed"], p1["signed_unknown"], p1["signed_share"]) == (4, 1, pytest.approx(4 / 5))
    assert (p1["yellow_contacted"], p1["yellow_contacts_unknown"], p1["yellow_contact_share"]) == (1, 1, 1.0)
    assert (p1["red_contacted"], p1["red_contacts_unknown"], p1["red_contact_share"]) == (1, 0, 0.5)
    assert (p1["managed"], p1["managed_unknown"], p1["managed_share"]) == (1, 2, 0.5)
    # B6 carries a label the rule cannot check: neither under- nor over-labelled, counted apart
    assert (p1["under_labelled"], p1["over_labelled"], p1["audit_unknown"]) == (0, 0, 1)
    p2 = {r["facility_code"]: r for r in rows.iter_rows(named=True)}["P2"]
    assert p2["reported"] is False and p2["persons"] is None and p2["signed_share"] is None  # unknown, not 0


def test_correction_list_asks_to_complete_unjudgeable_records(con):
    fixes = queries.run("labelling_correction_list", con=con, week=WEEK, facility_code="P1")
    assert dict(zip(fixes["record_no"], fixes["problem"])) == {"B5": "unlabelled"}
    # a person row the rule cannot label (written by hand: the loader always finds an age in the ID)
    con.execute("""insert into register (week, load_id, person_key, record_no, facility_code, age, disease_state,
                   vaccination, recorded_label, rule_label) values ($w, 0, 1, 'B6', 'P1', null, 'stable', 'full', 'green', null)""",
                {"w": WEEK})
    fixes = queries.run("labelling_correction_list", con=con, week=WEEK, facility_code="P1")
    assert dict(zip(fixes["record_no"], fixes["problem"])) == {"B6": "rule_unknown", "B5": "unlabelled"}


def test_a_county_that_sent_nothing_is_unknown(con):
    counties = {r["county_code"]: r for r in queries.run("labelling_found_by_county", con=con, week=WEEK, **AREA).iter_rows(named=True)}
    assert counties["150121"]["found_65"] is None and counties["150121"]["found_share"] is None
    # B1 85, B2 70, B3 70 (from the ID), B4 70, B5 90 are 65+; B6's age is unknown: not counted as 65+
    assert counties["150102"]["found_65"] == 5
    frame = queries.run("labelling_found_by_county", con=con, week=WEEK, **AREA)
    assert labelling.found(frame)[0] == 5 and labelling.counties_not_reporting(frame) == 1


def test_a_hospital_of_blank_grade_is_not_counted_missing(con):
    gaps = queries.run("reporting_gaps", con=con, week=WEEK, **AREA)
    rows = {(r["dataset"], r["facility_code"]): r["must_report"] for r in gaps.iter_rows(named=True)
            if r["dataset"] in ("icu", "stock", "register")}  # datasets added later have their own tests
    assert rows == {("icu", "H9"): None, ("stock", "P1"): True, ("stock", "P2"): True, ("register", "P2"): True}
