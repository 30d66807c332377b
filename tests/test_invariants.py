"""One definition per metric, checked on the embedded demo (every week, every area level):

- the overview shows, label for label, the value its page shows (rendered with AppTest) for the
  region, a league, a banner/county and a consortium;
- where a metric is additive (labelling, ICU, stock, discharge follow-up), the children's figures sum to
  the parent's: leagues to the region,
  banners/counties to their league, consortia to the region (every facility is in exactly one of
  each); a child whose figure is unknown adds nothing and is not a 0;
- referrals are not additive (a referral belongs to every area either end is in), so each area's
  count is checked against an independent count of the transfer log.

Runs at HC_DEMO_SCALE=0.005, so the register is small and the module takes under a minute.
"""
from __future__ import annotations

import polars as pl
import pytest

from dashboard import demo

from dashboard.metrics import headlines

from dashboard.store import queries
from tests.conftest import demo_database
from tests import apptest

ADDITIVE = {
    "labelling": ("facilities", "reported", "persons", "persons_65", "labelled", "green", "yellow", "red", "signed",
                  "rule_yellow", "rule_red", "managed", "rule_unknown", "signed_unknown", "managed_unknown", "found_65"),
    "icu": ("hospitals", "reported", "icu_beds", "occupied", "doctor_gap", "nurse_gap", "reserve_gap", "short",
            "meets_minimum", "fully_meets", "cannot_judge", "missing", "duty_unknown"),
    "stock": ("facilities", "missing", "target", "on_hand", "shortfall", "below_low", "between", "met"),
    # a discharged patient is managed by one facility; the scorecard is not additive (a consortium is scored whole)
    "followup": ("patients", "observation", "met", "short", "unknown", "not_reported", "owed", "made", "signing_on_time",
                 "signing_late", "signing_blank", "test_positive", "test_missing", "released_early"),
}


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    folder = tmp_path_factory.mktemp("invariants")
    with demo_database(folder, "0.005") as (con, _):
        yield con, folder


def figures(con, week, topics=headlines.TOPICS, **area) -> dict[str, dict]:
    cur = con.cursor()

    def run(name, **params):
        return queries.run(name, con=cur, **params)
    full = {"league_code": None, "county_code": None, "consortium": None} | area
    try:
        return {h.topic: h.raw for h in (topic(run, week, full) for topic in topics)}
    finally:
        cur.close()


def network(con) -> pl.DataFrame:
    return con.cursor().sql("select distinct league_code, county_code, consortium from facility_current").pl()


def total(values):
    """The sum of the known figures; None when none is known (unknown is not 0)."""
    known = [v for v in values if v is not None]
    return sum(known) if known else None


ADDITIVE_TOPICS = (headlines.labelling_headline, headlines.icu_headline, headlines.stock_headline,
                   headlines.followup_headline)


def additive(con, week, **area) -> dict[str, dict]:
    return figures(con, week, ADDITIVE_TOPICS, **area)


def assert_children_sum_to_parent(parent: dict, children: list[dict], where: str) -> None:
    for topic, keys in ADDITIVE.items():
        for key in keys:
            assert total(c[topic].get(key) for c in children) == parent[topic].get(key), (where, topic, key)


def test_leagues_sum_to_the_region_every_week(demo_db):
    con, _ = demo_db
    leagues = sorted(set(network(con)["league_code"]))
    assert len(leagues) == 12
    for week in demo.DEMO_WEEKS:
        region = additive(con, week)
        assert region["icu"]["hospitals"] > 0 and region["labelling"]["persons"] > 0, week
        assert_children_sum_to_parent(region, [additive(con, week, league_code=code) for code in leagues], f"{week}")


def test_counties_and_consortia_sum_to_their_league(demo_db):
    """Every league's banners/counties at the latest week; the consortia of three leagues (a league's
    designated and partner hospitals sit in one consortium and serve all, but are counted once)."""
    con, _ = demo_db
    week = demo.DEMO_WEEKS[-1]
    places = network(con)
    for n, league in enumerate(sorted(set(places["league_code"]))):
        inside = places.filter(pl.col("league_code") == league)
        parent = additive(con, week, league_code=league)
        counties = [additive(con, week, league_code=league, county_code=c) for c in sorted(set(inside["county_code"]))]
        assert_children_sum_to_parent(parent, counties, league)
        if n < 3:
            consortia = [additive(con, week, consortium=c) for c in sorted(set(inside["consortium"]))]
            assert len(consortia) > 1
            assert_children_sum_to_parent(parent, consortia, f"{league} consortia")


def test_referrals_count_each_transfer_of_the_area_once(demo_db):
    con, _ = demo_db
    for week in demo.DEMO_WEEKS:
        everything = con.cursor().execute("select count(*) from transfer where week = $w", {"w": week}).fetchone()[0]
        assert figures(con, week)["referrals"]["referrals"] == everything > 0
    week = demo.DEMO_WEEKS[2]
    for league in sorted(set(network(con)["league_code"])):
        either_end = con.cursor().execute(
            """select count(*) from transfer t
               where t.week = $w and (t.from_code in (select facility_code from facility_current where league_code = $l)
                                      or t.to_code in (select facility_code from facility_current where league_code = $l))""",
            {"w": week, "l": league}).fetchone()[0]
        assert figures(con, week, league_code=league)["referrals"]["referrals"] == either_end, league


def pick_areas(con) -> list[dict]:
    """The region, the league with the most facilities, its first banner/county and first consortium."""
    places = con.cursor().sql("""select league_code, county_code, consortium, count(*) as n from facility_current
                        group by all order by league_code, county_code, consortium""").pl()
    league = places.group_by("league_code").agg(pl.col("n").sum()).sort("n", "league_code", descending=[True, False])["league_code"][0]
    inside = places.filter(pl.col("league_code") == league)
    return [{}, {"f_league": league}, {"f_league": league, "f_county": inside["county_code"][0]},
            {"f_league": league, "f_consortium": inside["consortium"][0]}]


def rendered(page: str, choice: dict) -> list[tuple[str, str]]:
    from streamlit.testing.v1 import AppTest
    from dashboard.config import ROOT

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["lang"] = "zh"
    for key, value in choice.items():
        at.session_state[key] = value
    at.run()
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return [(m.label, m.value) for m in at.metric]


def test_overview_equals_each_page_for_every_area_level(demo_db):
    con, folder = demo_db
    # every registered topic, in the overview's order (topics added later included)
    every_area = {"league_code": None, "county_code": None, "consortium": None}
    sizes = tuple((h.page, len(h.figures)) for h in headlines.all_headlines(
        lambda name, **p: queries.run(name, con=con, **p), demo.DEMO_WEEKS[-1], every_area))
    with apptest.database(folder):
        for choice in pick_areas(con):
            shown = rendered("pages/overview.py", choice)
            assert len(shown) == sum(n for _, n in sizes), choice
            start = 0
            for page, size in sizes:
                part = dict(shown[start:start + size])
                start += size
                on_page = dict(rendered(page, choice))
                assert {label: on_page.get(label) for label in part} == part, (choice, page)
                assert not any(value in ("None", "nan", "nan%", "NaT") for value in part.values()), part
