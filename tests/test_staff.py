"""Staff on duty on a hand-worked fixture: the query, the metrics, the charts, the page (AppTest, zh and
en) and the page in a real browser.

Facilities (tests/shell_fixture.py): who must report: community health centres P1, P3 and township
hospital P2 (staff on duty), lead hospitals H1, H2 (recruitment); not V1 (village) nor D1 (designated).

Reports (on the roll, on duty, recruited to date, placed in primary care):
  2022-12-12: P1 10 10; H1 5 4
  2022-12-19: P1 20 16 (0.8: meets the 80% minimum)   P2 10 7 (0.7: below)   P3 15 - (blank: no rate)
              V1 4 1 (0.25: below; not owed, counted)   H1 10 9 (0.9)   H2 5 - (blank)
12-19 by hand: on duty (16+7+1)/(20+10+4) = 24/34 = 70.6% (P3 left out of both parts, not read as 0);
below P2, V1; met P1; blank P3. Placed 9/10 = 90% (H2 left out). County 150102: 16/20 = 80%, placed
90%; 150121: (7+1)/(10+4) = 57.1%, placed unknown. 12-12: 10/10 = 100%, placed 4/5 = 80%; P2, P3, H2
did not report.
"""
from __future__ import annotations

import datetime as dt
import json

import pytest

from dashboard.store import queries

from dashboard.metrics import staff
from dashboard.figures import staff as staff_figures
from dashboard.figures import briefing
from tests.conftest import chinese_leaks, loaded_database, metrics, page_opens_from_the_navigation, render
from tests.shell_fixture import FACILITY, PREV, WEEK

HEADER = "机构编码,在册医务人员数,本周平均在岗人数,累计新招聘执业医师数,其中下沉基层人数\n"
FILES = (
    ("facility", FACILITY, WEEK),
    ("staff", HEADER + "P1,10,10,,\nH1,,,5,4\n", PREV),
    ("staff", HEADER + "P1,20,16,,\nP2,10,7,,\nP3,15,-,,\nV1,4,1,,\nH1,,,10,9\nH2,,,5,\n", WEEK),
)
AREA = {"league_code": None, "county_code": None, "consortium": None}


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    folder = tmp_path_factory.mktemp("staff")
    with loaded_database(folder, FILES) as con:
        yield con, folder


def rows(con, **area):
    return queries.run("staff_on_duty", con=con, week=WEEK, **(area or AREA), **staff.params())


def test_query_rates_and_statuses(db):
    week = staff.of_week(rows(db[0]), WEEK)
    got = {r["facility_code"]: (r["on_duty_rate"], r["on_duty_status"], r["placed_share"], r["placed_status"])
           for r in week.iter_rows(named=True)}
    assert got == {"P1": (0.8, "met", None, None), "P2": (0.7, "below", None, None), "P3": (None, None, None, None),
                   "V1": (0.25, "below", None, None), "H1": (None, None, 0.9, "met"), "H2": (None, None, None, None)}
    assert sorted(staff.of_week(rows(db[0]), PREV).filter(reported=False, must_report=True)["facility_code"].to_list()) == ["H2", "P2", "P3"]


def test_headline_by_hand(db):
    h = staff.headline(staff.of_week(rows(db[0]), WEEK))
    assert (h["primary_owed"], h["primary_reported"], h["unknown_duty"]) == (3, 3, 0)
    assert h["on_duty_rate"] == pytest.approx(24 / 34) and (h["staff_on_duty"], h["staff_total"]) == (24, 34)
    assert (h["met"], h["below"], h["blank"], h["not_reported"]) == (1, 2, 1, 0)
    assert (h["hospitals_owed"], h["hospitals_reported"], h["placed_share"]) == (2, 2, 0.9)
    assert (h["recruited"], h["placed"], h["hospitals_below"]) == (10, 9, 0)


def test_all_blank_gives_unknown_not_zero(db):
    only_p3 = staff.of_week(rows(db[0]), WEEK).filter(facility_code="P3")
    h = staff.headline(only_p3)
    assert (h["on_duty_rate"], h["staff_total"], h["placed_share"]) == (None, None, None)


def test_areas_trend_and_lists(db):
    week = staff.of_week(rows(db[0]), WEEK)
    areas = {r["code"]: r for r in staff.by_area(week, "county").iter_rows(named=True)}
    assert areas["150102"]["on_duty_rate"] == pytest.approx(0.8) and areas["150102"]["placed_share"] == 0.9
    assert areas["150121"]["on_duty_rate"] == pytest.approx(8 / 14) and areas["150121"]["placed_share"] is None
    assert (areas["150121"]["below"], areas["150121"]["not_reported"]) == (2, 0)
    per_week = staff.trend(rows(db[0]))
    assert per_week.rows() == [(PREV, 1.0, 0.8), (WEEK, pytest.approx(24 / 34), 0.9)]
    assert staff.below_list(week, "en").select("Facility", "On duty (%)").rows() == [
        ("某村卫生室", 25.0), ("察素齐镇卫生院", 70.0)]
    assert staff.hospital_list(week, "en").select("Facility", "Placed (%)", "Status").rows() == [
        ("新城区医院", 90.0, "Met"), ("土默特左旗医院", None, "Not given")]
    silent = staff.not_reported(staff.of_week(rows(db[0]), PREV), "en")
    assert silent["Code"].to_list() == ["P3", "H2", "P2"]  # by county, then code
    county = staff.of_week(rows(db[0], league_code="150100", county_code="150121", consortium=None), WEEK)
    assert sorted(county["facility_code"].to_list()) == ["H2", "P2", "V1"]


def test_charts_say_where_when_and_from_what(db):
    week = staff.of_week(rows(db[0]), WEEK)
    ctx = briefing.Context("呼和浩特市", "2022年第51周", ("staff",), "zh")
    areas = staff_figures.areas(staff.by_area(week, "county"), ctx)
    assert areas.layout.title.text == "呼和浩特市 基层在岗率与新招聘医师下沉比例，2022年第51周"
    assert areas.layout.annotations[-1].text.startswith("数据来源：人员在岗与招聘下沉周报")
    # lowest on-duty rate first; the fixture's register names no county, so the code stands in
    assert list(areas.data[0].x) == ["150121", "150102"]
    assert list(areas.data[0].y) == pytest.approx([8 / 14, 0.8]) and list(areas.data[1].y) == [None, 0.9]
    # the 80% minimum: a dashed line named in the legend, not a text over the bars
    assert [d.name for d in areas.data] == ["基层医务人员在岗率", "新招聘医师下沉比例", "最低 80%"]
    assert [s.y0 for s in areas.layout.shapes] == [0.8] and briefing.legend_entries(areas)[-1] == "最低 80%"
    assert areas.layout.yaxis.tickformat == ".0%"
    en = briefing.Context("Hohhot", "2022-W51", ("staff",), "en")
    status = staff_figures.status(staff.headline(week), en)
    assert list(status.data[0].x) == ["On duty ≥80%", "On duty <80%", "Not given", "Not reported"]
    assert list(status.data[0].y) == [1, 2, 1, 0]
    trend = staff_figures.trend(staff.trend(rows(db[0])), en)
    assert trend.layout.title.text == "Staff on duty and doctors placed, week by week, Hohhot, 2022-W51"
    assert list(trend.data[0].x) == ["2022-W50", "2022-W51"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_page_renders(app_env, lang):
    at = render("pages/staff.py", lang)
    zh = lang == "zh"
    assert at.title[0].value == ("基层人员在岗与招聘下沉" if zh else "Staff on duty and doctors placed in primary care")
    m = metrics(at)
    assert m["基层机构已报送" if zh else "Primary facilities reporting"] == "3/3"
    assert m["基层医务人员在岗率" if zh else "Primary-care staff on duty"] == "70.6%"
    assert m["在岗率低于 80% 的机构" if zh else "Facilities below 80% on duty"] == "2"
    assert m["新招聘医师下沉比例" if zh else "New doctors placed in primary care"] == "90.0%"
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    title = spec["layout"]["title"]  # a long title carries the week on its second line (plotly's subtitle)
    full = title["text"] + " " + title.get("subtitle", {}).get("text", "")
    assert full.rstrip().endswith("2022年第51周（12月19日—25日）" if zh else "2022-W51 (19-25 Dec)")
    # the fixture's register names no league, so its code stands in; in English the census's English
    # name (geography.in_language), as the maps and the sidebar name it
    assert spec["data"][0]["x"] == (["150100"] if zh else ["Hohhot"])
    if not zh:
        assert not chinese_leaks(at)


@pytest.mark.browser
def test_page_in_the_browser(tmp_path):
    page_opens_from_the_navigation(tmp_path, FILES, "staff", "基层人员在岗与招聘下沉", "Staff on duty and doctors placed in primary care", charts=3)


def test_overview_headline_is_the_pages_own(db):
    """The overview shows the staff page's numbers (3/3 reporting, 24/34 on duty, 2 below, 90% placed)."""
    from dashboard.metrics import headlines

    h = headlines.staff_headline(lambda name, **p: queries.run(name, con=db[0], **p), WEEK, AREA)
    assert [(x.key, x.value) for x in h.figures] == [
        ("staff.metric.reported", "3/3"), ("staff.metric.on_duty_rate", pytest.approx(24 / 34)),
        ("staff.metric.below", 2), ("staff.metric.placed_share", 0.9)]
    empty = headlines.staff_headline(lambda name, **p: queries.run(name, con=db[0], **p), dt.date(2022, 12, 26), AREA)
    assert [x.value for x in empty.figures] == ["—", None, None, None]  # no report: unknown, not 0
