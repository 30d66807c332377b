"""Where a topic is worst (dashboard/metrics/verdicts.py), on small hand-made query results: the
overview and the head of each detail page name these places."""
from __future__ import annotations

import datetime as dt

import polars as pl

from dashboard.metrics import headlines, verdicts

WEEK = dt.date(2023, 1, 2)
AREA = {"league_code": None, "county_code": None, "consortium": None}


def runner(frames: dict[str, pl.DataFrame]):
    return lambda name, **params: frames[name]


def test_fever_worst_are_the_longest_queues_at_warning_or_alarm():
    """Day 2023-01-04 (the newest of the week): F1 waits 62 (alarm), F2 35 (warning), F3 12 (elevated,
    not named), F4 did not report. F1 then F2, with their people; the chosen day 2023-01-03 names F3
    only if it is at warning or above there: it waits 31 (warning)."""
    day, before = dt.date(2023, 1, 4), dt.date(2023, 1, 3)
    rows = pl.DataFrame({
        "day": [day] * 4 + [before], "facility_code": ["F1", "F2", "F3", "F4", "F3"],
        "facility_name": ["甲", "乙", "丙", "丁", "丙"], "league_code": ["150100"] * 5,
        "county_code": ["150102", "150121", "150102", "150102", "150102"],
        "reported": [True, True, True, False, True], "peak_waiting": [62, 35, 12, None, 31],
        "waiting_status": ["alarm", "warning", "elevated", None, "warning"]})
    worst = verdicts.worst("fever", runner({"fever_clinic_days": rows}), WEEK, AREA, "zh")
    assert [(w.name, w.shown, w.county_code) for w in worst] == [("甲", "62人", "150102"), ("乙", "35人", "150121")]
    on_day = verdicts.worst("fever", runner({"fever_clinic_days": rows}), WEEK, AREA, "en", day=before)
    assert [(w.name, w.shown) for w in on_day] == [("丙", "31 people")]


def test_staff_worst_are_the_lowest_on_duty_rates_below_the_minimum():
    """Primary facilities below the minimum: P1 6/10 = 60.0%, P2 7/10 = 70.0%; P3 (met) and the hospital H
    are not named."""
    rows = pl.DataFrame({
        "week": [WEEK] * 4, "tier": ["primary", "primary", "primary", "designated"],
        "facility_code": ["P2", "P1", "P3", "H"], "facility_name": ["乙", "甲", "丙", "院"],
        "league_code": ["150100"] * 4, "county_code": ["150102"] * 4,
        "on_duty_status": ["below", "below", "met", None], "on_duty_rate": [0.7, 0.6, 0.9, None],
        "staff_on_duty": [7, 6, 9, None], "staff_total": [10, 10, 10, None]})
    worst = verdicts.worst("staff", runner({"staff_on_duty": rows}), WEEK, AREA, "zh")
    assert [(w.name, w.shown, w.detail) for w in worst] == [("甲", "60.0%", "6/10"), ("乙", "70.0%", "7/10")]


def test_topic_history_is_one_topic_over_the_last_weeks_with_the_page_choices():
    """Eight weeks given: the last six (TREND_WEEKS), oldest first, each with the page's own choice."""
    seen = []

    def topic(run, week, area, item="antigen"):
        seen.append((week, item))
        return headlines.Headline("stock", "pages/stock.py", "t", (headlines.Figure("k", week.day, "count"),), {})

    weeks = [WEEK - dt.timedelta(weeks=n) for n in range(8)]
    past = verdicts.topic_history(topic, runner({}), weeks, AREA, item="cough")
    assert list(past) == sorted(weeks)[-6:] and {i for _, i in seen} == {"cough"}
    assert verdicts.series(past, "stock", "k") == [w.day for w in sorted(weeks)[-6:]]
