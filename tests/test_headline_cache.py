"""The overview's headline cache is kept per week (dashboard/ui data_identity / week_loads): a load
changes the key of the weeks whose figures it can change, and only those. Checked on the demo: loads
of other weeks change neither a week's key nor, recomputed from scratch, its figures; loads it reads
change its key."""
from __future__ import annotations

import datetime as dt

import pytest

from dashboard import demo
from dashboard.ingest import contracts
from dashboard.metrics import headlines
from dashboard.store import queries
from dashboard.ui import week_loads
from tests.conftest import demo_database

AREA = {"league_code": None, "county_code": None, "consortium": None}
WEEK = demo.DEMO_WEEKS[2]          # the week whose figures are watched
EARLIER, LATER = demo.DEMO_WEEKS[1], demo.DEMO_WEEKS[3]


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    with demo_database(tmp_path_factory.mktemp("headline_cache"), "0.002") as (con, _):
        yield con


def figures(con) -> str:
    """Every number of WEEK's headlines, recomputed from the database (no cache)."""
    found = headlines.all_headlines(lambda name, **p: queries.run(name, con, **p), WEEK, AREA)
    return repr([(h.topic, sorted(h.raw.items(), key=lambda kv: kv[0])) for h in found])


def halved(dataset: str, when) -> bytes:
    """The demo's file for `when` with every other row dropped: the week's data change."""
    if contracts.daily(dataset):
        data = demo.generate_day(when, dataset)
    else:
        data = demo.generate(when, (dataset,))[dataset]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("gbk")
    header, *rows = text.splitlines()
    return ("\n".join([header, *rows[::2]]) + "\n").encode("utf-8-sig")


def test_loads_of_other_weeks_leave_a_week_as_it_was(db):
    con = db
    key, before = week_loads(con, WEEK), figures(con)
    assert key[0] > 0 and key[1] > 0 and key[2] > 0
    # every dataset not read every week, in the weeks either side; the facility register in an
    # earlier week (the current register is the latest week's)
    for dataset in demo.demo_datasets():
        if dataset in contracts.read_every_week():
            continue
        for when in (EARLIER, LATER):
            if contracts.daily(dataset):
                day = when + dt.timedelta(days=3)
                demo._load(con, dataset, day, halved(dataset, day))
            elif dataset != "facility" or when == EARLIER:
                demo._load(con, dataset, when, halved(dataset, when))
    assert week_loads(con, WEEK) == key
    assert figures(con) == before


@pytest.mark.parametrize("dataset, when", [("icu", WEEK), ("discharge", EARLIER), ("discharge", LATER),
                                           ("facility", demo.DEMO_WEEKS[-1])])
def test_loads_a_week_reads_change_its_key(db, dataset, when):
    con = db
    key = week_loads(con, WEEK)
    demo._load(con, dataset, when, halved(dataset, when))
    assert week_loads(con, WEEK) != key
