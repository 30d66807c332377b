"""The shell's queries (sidebar, banner, overview, data quality) on the hand-made fixture."""
from __future__ import annotations

import pytest

from dashboard import policy, store

from dashboard.store import queries
from tests.shell_fixture import PREV, WEEK, load_shell_fixture

ALL = {"league_code": None, "county_code": None, "consortium": None}


@pytest.fixture()
def con(tmp_path, monkeypatch):
    monkeypatch.setenv("HC_DATA_DIR", str(tmp_path))
    connection = store.connect(tmp_path / "db.duckdb")
    load_shell_fixture(connection)
    yield connection
    connection.close()


def run(con, name, **params):
    return queries.run(name, con=con, **params)


def test_data_weeks_lists_loaded_weeks(con):
    assert run(con, "data_weeks")["week"].to_list() == [WEEK]


def test_area_options_use_census_names(con):
    areas = run(con, "area_options")
    # 2 counties x 1 consortium each in league 150100
    assert areas.select("county_code", "consortium").rows() == [
        ("150102", "新城区城市医疗集团"), ("150121", "土默特左旗县域医共体")]
    if areas["league_name"][0] != "150100":  # census present: names from it
        assert areas["league_name"].unique().to_list() == ["呼和浩特市"]
        assert areas["county_name"].to_list() == ["新城区", "土默特左旗"]


def mine(gaps):
    return gaps.filter(gaps["dataset"].is_in(["icu", "register", "stock"]))


def test_reporting_gaps_by_hand(con):
    # hospitals H1, H2, D1 owe an ICU report; only H1 sent one -> H2, D1 missing.
    # CHC/township P1, P2, P3 owe stock and register; only P1 sent them -> P2, P3 missing for each.
    # the village clinic V1 owes nothing.
    # (datasets added later owe their own reports: each has its own test; these three are checked here)
    gaps = mine(run(con, "reporting_gaps", week=WEEK, **ALL))
    assert sorted(gaps.select("dataset", "facility_code").rows()) == [
        ("icu", "D1"), ("icu", "H2"), ("register", "P2"), ("register", "P3"), ("stock", "P2"), ("stock", "P3")]
    county = mine(run(con, "reporting_gaps", week=WEEK, league_code="150100", county_code="150121", consortium=None))
    assert sorted(county.select("dataset", "facility_code").rows()) == [
        ("icu", "H2"), ("register", "P2"), ("stock", "P2")]
    # a week with nothing loaded: everyone is missing, nobody is counted as zero
    assert mine(run(con, "reporting_gaps", week=PREV, **ALL)).height == 3 + 3 + 3


def test_headlines_by_hand(con):
    """The overview's figures, from the same queries and functions as the pages (dashboard/metrics/headlines.py)."""
    from dashboard.metrics import headlines

    def runner(name, **params):
        return queries.run(name, con=con, **params)

    got = {h.topic: h for h in headlines.all_headlines(runner, WEEK, ALL)}
    lab = got["labelling"].raw
    # P1, P2, P3 owe a register, P1 sent one: 4 people, 3 labelled (R3 blank) -> 75%;
    # rule yellow R2 (85 stable full) and R4 (62 stable partial: 0+1+1 = 2 points), red R3: 3 owe case
    # management; only R2 is signed and contacted often enough (2 >= 2) -> 1/3
    assert (lab["facilities"], lab["reported"], lab["persons"], lab["labelled"]) == (3, 1, 4, 3)
    assert lab["labelled_share"] == pytest.approx(0.75) and lab["managed_share"] == pytest.approx(1 / 3)
    # found: 新城区 3 people 65+ (70, 85, 70); 土默特左旗 sent nothing: unknown, left out of both sides
    assert (lab["found_65"], lab["counties_not_reporting"]) == (3, 1)
    if con.execute("select count(*) from census").fetchone()[0]:
        assert lab["pop65"] == 71760  # 新城区's 2020 census 65+ only
    ref = got["referrals"].raw
    # T1 P1->H1 ordinary: 'beyond capacity' not in this log -> cannot be judged; T2 P1->D1 severe COVID ->
    # the designated hospital of P1's consortium: as expected; T3 P2->H2 severe underlying disease, H2 is
    # grade II -> the partner hospital: below. Judged 2, as expected 1.
    assert (ref["referrals"], ref["refused"], ref["judged"], ref["cannot_judge"]) == (3, 1, 2, 1)
    assert ref["compliance_rate"] == pytest.approx(0.5) and ref["upward_share"] == pytest.approx(1.0)
    icu = got["icu"].raw
    # H1: 10 beds, 8 doctors, 25 nurses (strict end 30), reserve 2 + 6 = 8 of 30% x (10 + 30) = 12
    assert (icu["hospitals"], icu["reported"], icu["icu_beds"]) == (3, 1, 10)
    assert (icu["doctor_gap"], icu["nurse_gap"], icu["reserve_gap"]) == (2, 5, 4)
    antigen = got["stock"].raw
    # P1: 1,400 antigen doses against 20% of 10,000 = 2,000: shortfall 600, 70% held; below 15% (1,500)
    assert (antigen["facilities"], antigen["missing"], antigen["shortfall"], antigen["below_low"]) == (3, 2, 600, 1)
    assert antigen["share_of_target"] == pytest.approx(0.7)


def test_duplicate_facilities(con):
    rows = run(con, "duplicate_facilities", **ALL).select("reason", "facility_code").rows()
    # P1 and P3 share a name; H2 stands 0.0003 degrees (~35 m) from P2
    assert sorted(rows) == [("same_name", "P1"), ("same_name", "P3"), ("same_place", "H2"), ("same_place", "P2")]


def test_facility_locations_filtered_by_consortium(con):
    rows = run(con, "facility_locations", league_code="150100", county_code=None, consortium="新城区城市医疗集团")
    assert rows["facility_code"].to_list() == ["D1", "H1", "P1", "P3"]


def test_load_history_and_findings(con):
    history = run(con, "load_history", limit=10)
    assert history["outcome"].to_list() == ["accepted"] * 5
    assert history["dataset"].to_list() == ["stock", "icu", "transfer", "register", "facility"]
    register_load = history.filter(history["dataset"] == "register")["load_id"][0]
    assert run(con, "load_findings", load_id=register_load).height == 0  # checksums fixed, no warnings


def test_area_census_names(con):
    names = run(con, "area_census_names")
    if names.height:
        assert names.filter(names["level"] == "league").height == 12
        assert names.filter(names["adcode"] == "150100")["name_en"][0] == "Hohhot"
