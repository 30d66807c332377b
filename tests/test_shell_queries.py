"""The shell's queries (sidebar, banner, overview, data quality) on the hand-made fixture."""
from __future__ import annotations

import pytest

from dashboard import policy, queries, store
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


def test_overview_headlines_by_hand(con):
    h = run(con, "overview_headlines", week=WEEK, **ALL,
            stock_population_share_low=policy.policy_range("stock.population_share")[0],
            **policy.params("icu.doctors_per_bed", "icu.nurses_per_bed")).row(0, named=True)
    # register: 4 people, 3 with a recorded label; rule labels green, yellow, red, yellow -> 3 yellow/red
    assert (h["persons"], h["labelled"], h["yellow_red"]) == (4, 3, 3)
    # transfers sent from the area: T1 accepted, T2 refused, T3 pending
    assert (h["referrals"], h["accepted"], h["refused"]) == (3, 1, 1)
    # H1: 10 beds; doctors ceil(10*1)-8 = 2; nurses at the strict end ceil(10*3)-25 = 5
    assert (h["icu_beds"], h["doctor_gap"], h["nurse_gap"]) == (10, 2, 5)
    # P1: 1,400 antigen doses < 15% of 10,000 = 1,500
    assert (h["stock_reports"], h["below_low"]) == (1, 1)


def test_area_pop65_uses_census_counties(con):
    row = run(con, "area_pop65", week=WEEK, **ALL).row(0, named=True)
    # people 65+ in the register: ages 70, 85, 70 (the 62-year-old is not counted)
    assert row["register_65_plus"] == 3
    if con.execute("select count(*) from census").fetchone()[0]:
        # 2020 census, 65+: 新城区 71,760 + 土默特左旗 49,858
        assert row["pop65"] == 71760 + 49858


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
