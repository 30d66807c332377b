"""The referral aggregate `agg_transfer` (dashboard/store/transfer_aggregate.py) and the query that reads
it, `referral_counts`: counted by hand on a small log, kept in step with loads and policy changes, and
equal to `referral_classified` (the one definition of the rule) on the embedded demo.

Hand-worked log (week 2022-12-19, the network of tests/test_referrals.py: P1 primary, S1 its
sub-designated hospital, D1 the designated hospital of its consortium; reception window 24 h):

 id   from to  severity  main   status    received after   case  expected        verdict      in time
 A1   P1   S1  ordinary  covid  accepted  2 h               2     sub-designated  as expected  yes
 A2   P1   S1  ordinary  covid  accepted  3 h               2     sub-designated  as expected  yes
 A3   P1   S1  ordinary  covid  accepted  23 h              2     sub-designated  as expected  yes
 A4   P1   S1  ordinary  covid  refused   -                 2     sub-designated  as expected  (none)
 A5   P1   D1  severe    covid  accepted  30 h              3     designated      as expected  no

A1-A3 differ only in their times, which the aggregate does not keep: one row of 3. A4 is refused
(received_in_time blank), A5 goes elsewhere: 3 rows for 5 referrals.
"""
from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from dashboard import policy, store
from dashboard.ingest import loading
from dashboard.metrics import referrals
from dashboard.store import queries, transfer_aggregate
from tests.conftest import demo_database, loaded_database
from tests import referral_reference as reference
from tests.test_referrals import FACILITY

WEEK = dt.date(2022, 12, 19)
NEXT = dt.date(2022, 12, 26)
HEADER = "转诊单号,申请时间,转出机构编码,转入机构编码,转诊方向,病情分型,主要问题,接收状态,接收时间,患者年龄,基础疾病情况,需血液透析,超出基层及亚定点救治能力,牵头医院能力不足\n"
LOG = HEADER + """A1,2022-12-19 08:00,P1,S1,,普通型,新冠,已接收,2022-12-19 10:00,70,,否,否,
A2,2022-12-19 09:00,P1,S1,,普通型,新冠,已接收,2022-12-19 12:00,70,,否,否,
A3,2022-12-20 09:00,P1,S1,,普通型,新冠,已接收,2022-12-21 08:00,70,,否,否,
A4,2022-12-20 10:00,P1,S1,,普通型,新冠,拒收,,70,,否,否,
A5,2022-12-21 08:00,P1,D1,,重型,新冠,已接收,2022-12-22 14:00,70,,否,,
"""
NEXT_LOG = HEADER + "B1,2022-12-27 08:00,P1,S1,,普通型,新冠,已接收,2022-12-27 09:00,70,,否,否,\n"
AREA = {"league_code": None, "county_code": None, "consortium": None}
KEY = ["from_code", "to_code", "status", "severity", "received_in_time"]


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    folder = tmp_path_factory.mktemp("agg_transfer")
    with loaded_database(folder, (("facility", FACILITY, WEEK), ("transfer", LOG, WEEK), ("transfer", NEXT_LOG, NEXT))) as con:
        yield con, folder


def counts(con, week_from=WEEK, week_to=WEEK, **area) -> pl.DataFrame:
    return queries.run("referral_counts", con=con, week_from=week_from, week_to=week_to, **(AREA | area))


def runner(con):
    return lambda name, **p: queries.run(name, con=con, **p)


def test_referrals_counted_by_hand(db):
    con, _ = db
    rows = counts(con).sort(KEY, nulls_last=True)
    assert rows.select(*KEY, "compliance", "expected_tier", "policy_case", "referrals").rows() == [
        ("P1", "D1", "accepted", "severe", False, "as_expected", "designated", "3", 1),
        ("P1", "S1", "accepted", "ordinary", True, "as_expected", "sub_designated", "2", 3),   # A1-A3
        ("P1", "S1", "refused", "ordinary", None, "as_expected", "sub_designated", "2", 1),    # A4
    ]
    assert rows["referrals"].sum() == 5
    assert set(rows["direction"]) == {"up"} and set(rows["from_name"]) == {"东街社区卫生服务中心"}
    # the indicators of the counted rows: upward accepted 4 (A1 A2 A3 A5), in time 3; refused 1
    ind = referrals.indicators(runner(con), referrals.selection(AREA, WEEK, WEEK))
    assert (ind["referrals"], ind["refused"], ind["in_time_share"], ind["compliance_rate"]) == (5, 1, 0.75, 1.0)


def test_weeks_and_area_select_rows(db):
    con, _ = db
    assert counts(con, week_from=WEEK, week_to=NEXT)["referrals"].sum() == 6       # 5 + B1
    assert counts(con, week_from=NEXT, week_to=NEXT)["referrals"].sum() == 1
    # 土默特左旗 (150121) holds neither end of any referral
    assert counts(con, county_code="150121").height == 0
    # 回民区 (150103) holds D1: A5 only, a referral is in the area when either end is
    assert counts(con, county_code="150103")["referrals"].sum() == 1


def test_counted_rows_give_the_metrics_of_the_referrals(db):
    """Every view over the counted rows gives the reference's answer on one row per referral."""
    con, _ = db
    rows = queries.run("referral_classified", con=con, week_from=WEEK, week_to=NEXT, **AREA, **referrals.params())
    assert_same_metrics(rows, runner(con), referrals.selection(AREA, WEEK, NEXT),
                        queries.run("facility_locations", con=con, week=WEEK, **AREA))


def test_reloading_a_week_replaces_its_rows_only(tmp_path):
    with loaded_database(tmp_path, (("facility", FACILITY, WEEK), ("transfer", LOG, WEEK), ("transfer", NEXT_LOG, NEXT))) as con:
        result = loading.load_bytes("".join(LOG.splitlines(keepends=True)[:2]).encode(), "transfer.csv", dataset="transfer",
                                    week=WEEK, con=con)
        assert result.outcome == "accepted"
        # week 1 now holds A1 alone; week 2 keeps B1
        assert con.execute("select week, sum(referrals) from agg_transfer group by 1 order by 1").fetchall() == [(WEEK, 1), (NEXT, 1)]


def test_a_facility_load_reclassifies_every_week(tmp_path):
    """S1 turned into a designated hospital: A1-A4 now reach the tier above the sub-designated one
    the rule asks for (case 2), in both weeks' rows."""
    with loaded_database(tmp_path, (("facility", FACILITY, WEEK), ("transfer", LOG, WEEK), ("transfer", NEXT_LOG, NEXT))) as con:
        changed = FACILITY.replace("S1,新城区亚定点医院,亚定点医院", "S1,新城区亚定点医院,定点医院")
        assert loading.load_bytes(changed.encode(), "facility.csv", dataset="facility", week=WEEK, con=con).outcome == "accepted"
        assert con.execute("""select week, compliance, sum(referrals) from agg_transfer group by all order by all""").fetchall() == [
            (WEEK, "above", 4), (WEEK, "as_expected", 1), (NEXT, "above", 1)]


def test_a_policy_change_rebuilds_the_aggregate(tmp_path, monkeypatch):
    """A reception window of 2 h instead of 24: only A1 (received after exactly 2 h) is in time."""
    monkeypatch.delenv("HC_POLICY_OVERRIDES", raising=False)
    with loaded_database(tmp_path, (("facility", FACILITY, WEEK), ("transfer", LOG, WEEK))):
        pass
    override = tmp_path / "override.toml"
    override.write_text("[referral.upward_reception_hours]\nvalue = 2\n", encoding="utf-8")
    monkeypatch.setenv("HC_POLICY_OVERRIDES", str(override))
    monkeypatch.setenv("HC_DATA_DIR", str(tmp_path))
    policy.reload()
    try:
        con = store.connect(tmp_path / "db.duckdb")  # migrate sees the new policy and rebuilds
        assert con.execute("select received_in_time, sum(referrals) from agg_transfer group by 1 order by 1 nulls last").fetchall() == [
            (False, 3), (True, 1), (None, 1)]
        con.close()
    finally:
        monkeypatch.delenv("HC_POLICY_OVERRIDES")
        policy.reload()


def test_the_store_classifies_with_the_pages_policy():
    assert transfer_aggregate.classify_params() == referrals.params()


def test_aggregate_equals_the_rule_on_the_demo(tmp_path):
    """On the embedded demo (five weeks, 112,000 referrals): agg_transfer is referral_classified counted
    per its columns, row for row, and every metric agrees whichever the page reads."""
    with demo_database(tmp_path, "0.01", register=False) as (con, _):
        weeks = [r[0] for r in con.execute("select distinct week from transfer order by 1").fetchall()]
        cols = list(transfer_aggregate.COLUMNS)
        rows = queries.run("referral_classified", con=con, week_from=weeks[0], week_to=weeks[-1], **AREA, **referrals.params())
        assert rows.height == con.execute("select count(*) from transfer").fetchall()[0][0] > 100_000
        by_rule = rows.group_by(cols).agg(pl.len().alias("referrals")).sort(cols, nulls_last=True)
        stored = counts(con, week_from=weeks[0], week_to=weeks[-1]).sort(cols, nulls_last=True)
        assert_frame_equal(by_rule, stored.select(*cols, "referrals"), check_dtypes=False)
        # one league, the page's view of it
        league = con.execute("select league_code from facility_current where league_code is not null order by 1 limit 1").fetchall()[0][0]
        rows = queries.run("referral_classified", con=con, week_from=weeks[-1], week_to=weeks[-1],
                           **(AREA | {"league_code": league}), **referrals.params())
        agg = counts(con, week_from=weeks[-1], week_to=weeks[-1], league_code=league)
        assert rows.height == agg["referrals"].sum() > 0
        located = queries.run("facility_locations", con=con, week=weeks[-1], **(AREA | {"league_code": league}))
        assert_same_metrics(rows, runner(con), referrals.selection({"league_code": league}, weeks[-1], weeks[-1]), located)


def test_scorecard_referrals_are_the_rule_counted_on_the_demo(tmp_path):
    """queries/scorecard_referrals.sql (read from agg_transfer) equals each week's referral_classified
    rows counted directly: an upward referral for its sender's consortium (and for primary care's share
    when a primary facility sent it), a downward one for its receiver's, lateral ones and referrals of no
    consortium left out."""
    with demo_database(tmp_path, "0.01", register=False) as (con, _):
        for week in [r[0] for r in con.execute("select distinct week from transfer order by 1").fetchall()]:
            rows = queries.run("referral_classified", con=con, week_from=week, week_to=week, **AREA, **referrals.params())
            up = rows.filter(pl.col("direction") == "up").group_by(pl.col("from_consortium").alias("consortium")).agg(
                pl.len().alias("up"), (pl.col("from_tier") == "primary").sum().alias("up_primary"))
            down = rows.filter(pl.col("direction") == "down").group_by(
                pl.col("to_consortium").alias("consortium")).agg(pl.len().alias("down"))
            expected = (up.join(down, on="consortium", how="full", coalesce=True)
                        .filter(pl.col("consortium").is_not_null()).fill_null(0)
                        .select("consortium", "up", "down", "up_primary").sort("consortium"))
            got = queries.run("scorecard_referrals", con=con, week=week)
            assert expected.height > 50 and expected["down"].sum() > 0
            assert_frame_equal(got, expected, check_dtypes=False)


def assert_same_metrics(rows: pl.DataFrame, run, sel: dict, located: pl.DataFrame) -> None:
    """The views (queries/referral_*.sql over agg_transfer, with the page's filters as parameters) equal
    the reference aggregations (tests/referral_reference.py) of one row per referral."""
    assert reference.indicators(rows) == referrals.indicators(run, sel)
    for level in ("facility", "county"):
        expected = reference.flows(rows, level, reference.places(located, level))
        got = referrals.flows(run, sel, level, top=10_000)
        assert referrals.pair_count(got) == expected.height
        assert_frame_equal(expected, got.drop("pairs"), check_dtypes=False, check_column_order=False)
    assert_frame_equal(reference.tier_matrix(rows), referrals.tier_matrix(run, sel), check_dtypes=False)
    for by in ("from_name", "from_consortium", "from_code"):
        expected = reference.compliance(rows, by).sort(by, nulls_last=True)
        got = referrals.compliance(run, sel, by).select(expected.columns).sort(by, nulls_last=True)
        assert_frame_equal(expected, got, check_dtypes=False)
    cases = ["policy_case", "severity", "main_problem", "expected_tier", "to_tier", "compliance", "unjudged_reason"]
    got_cases = referrals.compliance_cases(run, sel)
    assert_frame_equal(reference.compliance_cases(rows).sort(cases, nulls_last=True), got_cases.sort(cases, nulls_last=True),
                       check_dtypes=False)
    assert_frame_equal(reference.unjudged(rows), referrals.unjudged(got_cases), check_dtypes=False)
    assert_frame_equal(reference.reception(rows), referrals.reception(run, sel), check_dtypes=False)
    narrowed = (("primary", "sub_designated"), ["ordinary", "mild"], ["accepted"])
    filtered = referrals.selection(sel, sel["week_from"], sel["week_to"], *narrowed)
    assert reference.indicators(reference.narrow(rows, *narrowed)) == referrals.indicators(run, filtered)
