"""Fever clinics on a hand-worked fixture: the query, the metrics, the charts, the page (AppTest, zh
and en) and the page in a real browser.

Facilities (tests/shell_fixture.py): P1, P3 community centres and H1, D1 hospitals in 150102; P2
township hospital, H2 hospital and V1 village clinic in 150121. Who must report: every hospital and
every community centre / township hospital -> P1, P2, P3, H1, H2, D1 (6); V1 does not.

Reports (set up, open, visits, peak waiting):
  2022-12-04 (15 days before 12-19): P1 -,-,10,1; H1 -,-,10,1 -> 20 visits
  2022-12-19: P1 是 是 100 50 (alarm: 50 is the alarm level)   P2 是 否 0 0 (normal)
              P3 - - - - (every cell the declared blank "-": unknown)   H1 是 是 500 30 (warning: 30)
              D1 否 否 0 10 (normal: 10 is still normal)   V1 是 是 5 11 (elevated; not owed, counted)
              H2 sends nothing.
  2022-12-20: P1 是 是 200 5; H1 是 是 - 3 (visits blank)
12-19 by hand: owed 6, reported 5, H2 missing. Set up: answers P1 P2 H1 D1 -> 3 of 4 = 75% (P3 blank,
apart). Open: of the 3 set up, P1 H1 open -> 2/3. Visits: 100+0+500+0+5 = 605 (P3 blank, not 0).
Status: normal P2 D1 = 2, elevated V1, warning H1, alarm P1, blank P3. Rise: 605 / 20 = 30.25-fold.
"""
from __future__ import annotations

import datetime as dt
import json

import pytest

from dashboard.figures import fever as fever_figures
from dashboard.metrics import fever

from dashboard.store import queries
from tests.conftest import chinese_leaks, loaded_database, metrics, page_opens_from_the_navigation, render
from tests.shell_fixture import FACILITY, WEEK

EARLY, MON, TUE = dt.date(2022, 12, 4), dt.date(2022, 12, 19), dt.date(2022, 12, 20)
HEADER = "机构编码,已设置发热门诊（诊室）,当日开诊,当日接诊人次,当日最多候诊人数\n"
FILES = (
    ("facility", FACILITY, WEEK),
    ("fever", HEADER + "P1,,,10,1\nH1,,,10,1\n", EARLY),
    ("fever", HEADER + "P1,是,是,100,50\nP2,是,否,0,0\nP3,-,-,-,-\nH1,是,是,500,30\nD1,否,否,0,10\nV1,是,是,5,11\n", MON),
    ("fever", HEADER + "P1,是,是,200,5\nH1,是,是,,3\n", TUE),
)
AREA = {"league_code": None, "county_code": None, "consortium": None}


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fever")
    with loaded_database(folder, FILES) as con:
        yield con, folder


def rows(con, **area):
    return queries.run("fever_clinic_days", con=con, week=WEEK, **(area or AREA), **fever.params())


def test_query_classifies_waiting_and_keeps_blanks(db):
    today = fever.on(rows(db[0]), MON)
    status = dict(zip(today["facility_code"].to_list(), today["waiting_status"].to_list()))
    assert status == {"P1": "alarm", "P2": "normal", "P3": None, "H1": "warning", "D1": "normal", "H2": None,
                      "V1": "elevated"}
    p3 = today.filter(facility_code="P3").row(0, named=True)
    assert (p3["reported"], p3["clinic_set_up"], p3["open_today"], p3["visits"]) == (True, None, None, None)
    assert today.filter(facility_code="H2")["reported"].to_list() == [False]
    assert today.filter(facility_code="V1")["must_report"].to_list() == [False]  # reported, not owed


def test_days_of_the_week_newest_first(db):
    assert fever.days(rows(db[0]), WEEK) == [TUE, MON]  # 12-04 belongs to an earlier week


def test_headline_by_hand(db):
    h = fever.headline(fever.on(rows(db[0]), MON))
    assert (h["owed"], h["reported"], h["not_reported"], h["unknown_duty"]) == (6, 5, 1, 0)
    assert (h["set_up"], h["set_up_blank"], h["set_up_rate"]) == (3, 1, 0.75)
    assert (h["open"], h["open_blank"]) == (2, 0) and h["open_rate"] == pytest.approx(2 / 3)
    assert (h["visits"], h["visits_blank"]) == (605, 1)
    assert (h["normal"], h["elevated"], h["warning"], h["alarm"], h["waiting_blank"]) == (2, 1, 1, 1, 1)


def test_an_all_blank_day_is_unknown_not_zero(db):
    one = fever.on(rows(db[0]), MON).filter(facility_code="P3")
    h = fever.headline(one)
    assert (h["set_up_rate"], h["open_rate"], h["visits"]) == (None, None, None)


def test_trend_and_rise(db):
    per_day = fever.trend(rows(db[0]))
    got = {(r["day"], r["kind"]): (r["visits"], r["reports"]) for r in per_day.iter_rows(named=True)}
    # 12-20: H1 reported with visits blank -> the hospitals' total is unknown, not 0
    assert got == {(EARLY, "primary"): (10, 1), (EARLY, "hospital"): (10, 1),
                   (MON, "primary"): (105, 4), (MON, "hospital"): (500, 2),
                   (TUE, "primary"): (200, 1), (TUE, "hospital"): (None, 1)}
    assert fever.rise(per_day, MON) == pytest.approx(605 / 20)
    assert fever.rise(per_day, TUE) is None  # nothing loaded 15 days before


def test_lists_and_areas(db):
    today = fever.on(rows(db[0]), MON)
    alarm = fever.in_alarm(today, "en")
    assert alarm.columns == ["Facility", "Banner/county", "Peak waiting", "Visits"]
    assert alarm.select("Facility", "Peak waiting", "Visits").rows() == [("东街社区卫生服务中心", 50, 100)]
    missing = fever.not_reported(today, "en")
    assert missing["Code"].to_list() == ["H2"] and missing["Owes the report"].to_list() == ["Owed, not sent"]
    areas = {r["code"]: r for r in fever.by_area(today, "county").iter_rows(named=True)}
    assert (areas["150102"]["owed"], areas["150102"]["reported"], areas["150102"]["alarm"]) == (4, 4, 1)
    assert areas["150102"]["set_up_rate"] == pytest.approx(2 / 3) and areas["150102"]["open_rate"] == 1.0
    assert (areas["150121"]["owed"], areas["150121"]["set_up_rate"], areas["150121"]["open_rate"]) == (2, 1.0, 0.0)
    county = rows(db[0], league_code="150100", county_code="150121", consortium=None)
    assert sorted(fever.on(county, MON)["facility_code"].to_list()) == ["H2", "P2", "V1"]


def test_reuploading_a_day_replaces_that_day_only(tmp_path):
    files = (*FILES, ("fever", HEADER + "P2,是,是,7,1\n", MON))
    with loaded_database(tmp_path, files) as con:
        assert con.execute("select day, facility_code from fever order by day, facility_code").fetchall() == [
            (EARLY, "H1"), (EARLY, "P1"), (MON, "P2"), (TUE, "H1"), (TUE, "P1")]


def test_charts_say_where_when_and_from_what(db):
    today = fever.on(rows(db[0]), MON)
    ctx = fever_figures.context("呼和浩特市", MON, "zh")
    assert fever.by_area(today, "league").select("code", "owed", "reported").rows() == [("150100", 6, 5)]
    rates = fever_figures.rates(fever.by_area(today, "county"), ctx)
    assert rates.layout.title.text == "呼和浩特市 发热门诊设置率与开诊率，2022年12月19日"
    assert rates.layout.annotations[-1].text.startswith("数据来源：发热门诊（诊室）日报；日期：2022年12月19日")
    assert rates.layout.yaxis.tickformat == ".0%" and [d.name for d in rates.data] == ["设置率", "开诊率", "目标 100%"]  # the target: a line in the legend
    assert list(rates.data[0].y) == pytest.approx([2 / 3, 1.0])  # lowest set-up rate first: 150102, then 150121
    waiting = fever_figures.waiting(fever.headline(today), fever_figures.context("Hohhot", MON, "en"))
    assert list(waiting.data[0].x) == ["Normal (≤10)", "Elevated (11-29)", "Warning (≥30)", "Alarm (≥50)",
                                       "Not given", "Not reported"]
    assert list(waiting.data[0].y) == [2, 1, 1, 1, 1, 1]
    trend = fever_figures.trend(fever.trend(rows(db[0])), fever_figures.context("Hohhot", MON, "en"))
    assert trend.layout.title.text == "Fever clinic visits a day, Hohhot, 19 Dec 2022"
    assert trend.layout.yaxis.title.text == "Visits a day" and [d.name for d in trend.data] == ["Primary care", "Hospitals"]
    assert list(trend.data[1].y) == [10, 500, None]  # the blank day is a gap


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_page_renders(app_env, lang):
    at = render("pages/fever.py", lang)
    zh = lang == "zh"
    assert at.title[0].value == ("发热门诊（诊室）运行监测" if zh else "Fever clinics: set up, open, waiting")
    m = metrics(at)
    assert m["今日已报送" if zh else "Reported today"] == "2/6"  # the newest day first: 12-20, P1 and H1
    at.selectbox(key=f"fever_day_{lang}").select_index(1).run()  # 12-19
    m = metrics(at)
    assert m["今日已报送" if zh else "Reported today"] == "5/6"
    assert m["发热门诊设置率" if zh else "Fever clinics set up"] == "75.0%"
    assert m["今日接诊人次" if zh else "Visits today"] == "605"
    assert m["处于警报的发热门诊" if zh else "Fever clinics at alarm"] == "1"
    assert m["较 15 天前" if zh else "Against 15 days earlier"] == ("30.2 倍" if zh else "30.2×")
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    title = spec["layout"]["title"]  # a long title carries the date on its second line (plotly's subtitle)
    full = title["text"] + " " + title.get("subtitle", {}).get("text", "")
    assert full.rstrip().endswith("2022年12月19日" if zh else "19 Dec 2022")
    assert at.dataframe[-1].value.shape[0] == 1  # H2 did not report
    if not zh:
        assert not chinese_leaks(at)


@pytest.mark.browser
def test_page_in_the_browser(tmp_path):
    page_opens_from_the_navigation(tmp_path, FILES, "fever", "发热门诊（诊室）运行监测", "Fever clinics: set up, open, waiting", charts=3)


def test_overview_headline_is_the_pages_own(db):
    """The overview shows the fever page's numbers for the newest day of the week (12-20: P1 and H1 of 6
    reported; both set up and open; visits 200 + blank -> 200; nobody at alarm)."""
    from dashboard.metrics import headlines

    h = headlines.fever_headline(lambda name, **p: queries.run(name, con=db[0], **p), WEEK, AREA)
    assert [(x.key, x.value) for x in h.figures] == [
        ("fever.metric.reported", "2/6"), ("fever.metric.set_up_rate", 1.0), ("fever.metric.open_rate", 1.0),
        ("fever.metric.visits", 200), ("fever.metric.alarm", 0)]
    empty = headlines.fever_headline(lambda name, **p: queries.run(name, con=db[0], **p), dt.date(2022, 12, 26), AREA)
    assert [x.value for x in empty.figures] == ["—", None, None, None, None]  # no report: unknown, not 0
