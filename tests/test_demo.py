"""The embedded demo: every file passes the real pipeline, generation is deterministic, the network
matches Annex 2 (one consortium per county-level division), and loading is idempotent.
Runs at HC_DEMO_SCALE=0.01 (about 27,000 people a week) so the whole module takes seconds."""
from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest

from dashboard import demo, policy

from dashboard.metrics import geography
from tests import apptest
from tests.conftest import ROOT, demo_database

SCALE = "0.01"


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    with demo_database(tmp_path_factory.mktemp("demo"), SCALE) as loaded_demo:
        yield loaded_demo


def frame(con, sql: str, **params) -> pl.DataFrame:
    cur = con.cursor()
    try:
        return cur.sql(sql, params=params or None).pl()
    finally:
        cur.close()


def one(con, sql: str, **params):
    """The first row of a query, as a tuple."""
    cur = con.cursor()
    try:
        return cur.execute(sql, params or None).fetchall()[0]
    finally:
        cur.close()


# one load per week of each week-grain generator, one per day of each day-grain one
LOADS = len(demo.WEEKLY) * len(demo.DEMO_WEEKS) + len(demo.DAILY) * len(demo.DEMO_DAYS)


def test_every_demo_file_is_accepted_without_errors(loaded):
    con, summary = loaded
    log = frame(con, "select dataset, week, outcome, errors, encoding from load_log")
    assert log.height == LOADS, summary
    assert set(log["outcome"]) == {"accepted"}
    assert log["errors"].sum() == 0
    assert sorted(set(log["week"])) == demo.DEMO_WEEKS
    # one week's stock report is GBK, everything else UTF-8 with BOM
    stock = log.filter(pl.col("dataset") == "stock")
    assert stock.filter(pl.col("encoding") == "gb18030")["week"].to_list() == [demo.GBK_STOCK_WEEK]
    assert set(log.filter(pl.col("dataset") != "stock")["encoding"]) == {"utf-8-sig"}


def test_register_has_valid_unique_ids(loaded):
    con, _ = loaded
    # the pipeline warns about bad check digits and repeated people: the demo has neither
    codes = frame(con, """select distinct i.code from load_issue i join load_log l using (load_id)
                          where l.dataset = 'register'""")["code"].to_list()
    assert "id_checksum" not in codes and "duplicate_person" not in codes
    ids = pl.Series(demo.register_frame(0)["id_number"])
    digits = np.array([[int(ch) for ch in s[:17]] for s in ids.head(2000)])
    check = np.array(list("10X98765432"))[(digits * demo.ID_WEIGHTS).sum(axis=1) % 11]
    assert (check == np.array([s[17] for s in ids.head(2000)])).all()


def test_generation_is_deterministic(monkeypatch):
    monkeypatch.setenv("HC_DEMO_SCALE", SCALE)
    week = demo.DEMO_WEEKS[2]
    first = demo.generate(week)
    demo.network.cache_clear()
    again = demo.generate(week)
    assert first.keys() == again.keys() == set(demo.WEEKLY)  # every week-grain generator
    assert all(first[k] == again[k] for k in first)
    assert all(first[k].startswith(b"\xef\xbb\xbf") for k in first)
    assert demo.generate(demo.GBK_STOCK_WEEK, ("stock",))["stock"].decode("gbk").startswith("机构编码")
    with pytest.raises(ValueError):
        demo.generate(dt.date(2023, 1, 9))


# SHA-256 of the latest week's register at HC_DEMO_SCALE=0.01 (3,984,540 bytes), as generated whole
# before the register was generated in parts: parts must not change a byte.
REGISTER_W01_SHA256 = "736bbf9c15294c5d7530413327ef037acbaf12e12a84ed721b5a3dff241a40ae"


def test_register_in_parts_is_the_same_file(monkeypatch, tmp_path):
    """The register is generated a few counties at a time (each part draws its slice of the whole
    population's random streams): parts of 1,000 people (about 27 parts at this scale) and one part
    give the same bytes, the file written part by part is those bytes, and they are the bytes the
    generator gave before it worked in parts."""
    import hashlib

    monkeypatch.setenv("HC_DEMO_SCALE", SCALE)
    week = demo.DEMO_WEEKS[-1]
    monkeypatch.setattr(demo, "REGISTER_PART_PEOPLE", 10**9)
    whole = demo.generate(week, ("register",))["register"]
    fac = demo.register_facilities()
    county = np.array([int(c[1:7]) for c in fac["facility_code"]])
    monkeypatch.setattr(demo, "REGISTER_PART_PEOPLE", 1_000)
    parts = demo._register_parts(fac["people"].to_numpy(), county, 1_000)
    assert len(parts) > 20
    assert all(county[lo] != county[lo - 1] for lo, _ in parts[1:])  # whole counties only
    assert demo.generate(week, ("register",))["register"] == whole
    assert demo.write_week(week, "register", tmp_path / "w.csv").read_bytes() == whole
    assert hashlib.sha256(whole).hexdigest() == REGISTER_W01_SHA256
    assert demo.register_frame(len(demo.DEMO_WEEKS) - 1).height == whole.count(b"\n") - 1


def test_register_files_come_in_order_and_leave_nothing(data_dir, monkeypatch):
    """The loaders' files: each week's register file is generate()'s bytes for that week, in the
    order asked, owner-only, and gone once the loader moves on; the folder goes when they end, and
    a folder left by a process that died is swept at the next start."""
    import os
    import shutil

    monkeypatch.setenv("HC_DEMO_SCALE", "0.002")
    tmp = data_dir / "tmp"
    dead = tmp / "demo-register-999999999-1"  # no such process
    dead.mkdir(parents=True)
    (dead / "demo_register_2023-W01.csv").write_bytes(b"left over")
    weeks = demo.DEMO_WEEKS[::-2]
    seen = []
    for week, path in demo.register_files(weeks):
        assert not dead.exists()
        assert path.read_bytes() == demo.generate(week, ("register",))["register"]
        assert path.name == demo.file_name("register", week) and path.stat().st_mode & 0o077 == 0
        assert os.stat(path.parent).st_mode & 0o077 == 0
        seen.append((week, path))
    assert [w for w, _ in seen] == weeks
    assert not any(p.exists() for _, p in seen) and not list(tmp.glob("demo-register-*"))
    shutil.rmtree(tmp)


def test_network_follows_annex_2(loaded):
    con, _ = loaded
    fac = frame(con, "select * from facility_current")
    divisions = geography.census().filter(pl.col("is_county_level_division"))
    assert fac["consortium"].n_unique() == divisions.height == 103
    tiers = fac.group_by("tier").len()
    counts = dict(zip(tiers["tier"], tiers["len"]))
    assert counts["designated"] == 12 and counts["partner"] == 12
    assert counts["lead"] == counts["sub_designated"] == 103
    per = fac.group_by("consortium").agg(
        (pl.col("tier") == "lead").sum().alias("lead"), (pl.col("tier") == "sub_designated").sum().alias("sub"),
        pl.col("primary_type").is_in(["chc", "township"]).sum().alias("primary"))
    assert (per["lead"] == 1).all() and (per["sub"] == 1).all()
    assert per["primary"].min() >= 3 and per["primary"].max() <= 15
    assert fac.filter(pl.col("tier") == "partner")["grade"].to_list() == ["tertiary"] * 12
    assert "内蒙古自治区人民医院" in fac["facility_name"].to_list()
    assert fac["consortium"].str.contains("城市医疗集团|县域医共体").all()
    assert fac["facility_code"].is_unique().all()
    # districts have community health centres, banners and counties township hospitals
    chc = fac.filter(pl.col("primary_type") == "chc")
    assert chc["county_name"].str.ends_with("区").all()
    assert not fac.filter(pl.col("primary_type") == "township")["county_name"].str.ends_with("区").any()


def test_service_population_sums_to_census(loaded):
    con, _ = loaded
    served = frame(con, """select county_code as adcode, sum(service_population) as served from facility_current
                           where primary_type in ('chc', 'township') group by all""")
    census = geography.census().filter(pl.col("is_county_level_division")).select(
        pl.col("adcode").cast(pl.Utf8), pl.col("population").cast(pl.Int64))
    joined = census.join(served, on="adcode", how="left")
    assert joined["served"].null_count() == 0
    assert (joined["served"] == joined["population"]).all()


def test_register_size_and_imperfections(loaded):
    con, _ = loaded
    pop65 = geography.census().filter(pl.col("is_county_level_division"))["pop65"].cast(pl.Int64).sum()
    latest = demo.DEMO_WEEKS[-1]
    reg = frame(con, "select * from agg_register where week = $w", w=latest)
    people = reg["persons"].sum()
    assert 0.8 < people / (pop65 * float(SCALE)) < 1.1
    share = lambda cond: reg.filter(cond)["persons"].sum() / people  # noqa: E731
    assert 0.02 < share(pl.col("recorded_label").is_null()) < 0.09
    assert 0.02 < share(pl.col("recorded_label").is_not_null() & (pl.col("recorded_label") != pl.col("rule_label"))) < 0.09
    assert 0.85 < share(pl.col("family_doctor_signed")) < 0.99
    assert 0.005 < share(pl.col("care_home")) < 0.04
    assert 0.9 < share(pl.col("aged_65_plus")) < 0.99
    red = reg.filter(pl.col("rule_label") == "red")
    met = red.filter(pl.col("contacts_week") >= policy.value("contacts.red_per_week"))["persons"].sum()
    assert 0.5 < met / red["persons"].sum() < 0.97


def test_people_keep_their_records_across_weeks(loaded):
    con, _ = loaded
    first, last = demo.DEMO_WEEKS[0], demo.DEMO_WEEKS[-1]
    moved = one(con, """select count(*) filter (l.person_key is null), count(*) filter (l.record_no <> f.record_no), count(*)
           from (select * from register where week = $a) f
           left join (select * from register where week = $b) l using (person_key)""",
        a=first, b=last)
    assert moved[0] == 0 and moved[1] == 0 and moved[2] > 0
    ages = frame(con, "select min(age) as lo, max(age) as hi from register")
    assert ages["lo"][0] >= 60 and ages["hi"][0] <= 101


def test_referrals_follow_the_epidemic_and_the_rules(loaded):
    con, _ = loaded
    per_week = frame(con, "select week, count(*) as n from transfer group by all order by week")["n"].to_list()
    assert per_week == list(demo.TRANSFERS_PER_WEEK)
    status = frame(con, "select status, count(*) / sum(count(*)) over () as share from transfer group by all")
    shares = dict(zip(status["status"], status["share"]))
    assert 0.88 < shares["accepted"] < 0.95 and 0.01 < shares["refused"] < 0.06 and 0.02 < shares["pending"] < 0.08
    late = one(con, """select avg(case when received_at > requested_at + interval 24 hour then 1 else 0 end)
           from transfer where status = 'accepted'""")[0]
    assert 0.04 < late < 0.13
    # upward referrals of severe/critical COVID cases mostly reach the designated hospital
    upward = frame(con, """select t.to_code like 'D%' as designated from transfer t
                           join facility_current f on f.facility_code = t.from_code
                           where f.tier = 'primary' and t.main_problem = 'covid'
                             and t.severity in ('severe', 'critical') and t.to_code not like 'P%'""")
    assert 0.75 < upward["designated"].mean() < 0.97
    recorded = one(con, "select avg((direction_recorded is not null)::int) from transfer")[0]
    assert 0.65 < recorded < 0.75


def test_icu_and_stock_reports(loaded):
    con, _ = loaded
    latest, peak = demo.DEMO_WEEKS[-1], demo.DEMO_WEEKS[2]
    hospitals = one(con, "select count(*) from facility_current where tier <> 'primary'")[0]
    icu = frame(con, "select * from icu where week = $w", w=peak)
    assert icu.height == hospitals
    occupancy = icu["occupied"].sum() / icu["icu_beds"].sum()
    assert occupancy > 0.9
    late_icu = hospitals - one(con, "select count(*) from icu where week = $w", w=latest)[0]
    assert 0 < late_icu < hospitals * 0.12
    stock = frame(con, """select s.*, f.service_population from stock s join facility_current f using (facility_code)
                          where s.week = $w""", w=latest)
    low, _ = policy.policy_range("stock.population_share")
    below = (stock["antigen_on_hand"] < stock["service_population"] * low).mean()
    assert 0.05 < below < 0.3
    assert stock["oximeters"].min() >= 5


def test_ensure_demo_is_idempotent_and_reports_status(loaded):
    con, _ = loaded
    before = one(con, "select count(*) from load_log")[0]
    text = demo.ensure_demo(con)
    assert one(con, "select count(*) from load_log")[0] == before
    assert "already" in text
    assert demo.load_demo_register(con) == []  # every register week is there
    assert demo.demo_status(con) == {"is_demo": True, "weeks_complete": 5, "weeks_total": 5,
                                     "register_weeks_loaded": 5, "loading": False, "scale": 0.01}


def test_status_of_a_database_without_demo(data_dir, con):
    assert demo.demo_status(con)["is_demo"] is False


def test_demo_files_are_identified_but_not_kept(loaded):
    # regenerable byte for byte from the seed, so only their SHA-256 is logged (no copy under uploads/)
    con, _ = loaded
    kept, hashed = one(con, "select count(stored_path), count(sha256) from load_log where user_name = 'demo'")
    assert kept == 0
    assert hashed == LOADS
    week = demo.DEMO_WEEKS[2]
    import hashlib
    sha = hashlib.sha256(demo.generate(week, ("icu",))["icu"]).hexdigest()
    assert one(con, "select sha256 from load_log where dataset = 'icu' and week = $w", w=week)[0] == sha


@pytest.fixture(scope="module")
def without_register(tmp_path_factory):
    """The demo as a first start leaves it a moment after the server answers: everything but the register."""
    folder = tmp_path_factory.mktemp("demo_first_start")
    with demo_database(folder, "0.005", register=False) as (con, _):
        yield con, folder


def test_pages_say_loading_while_the_register_loads(without_register):
    from tests import apptest

    con, folder = without_register
    latest = demo.DEMO_WEEKS[-1]
    assert demo.datasets_loading(con, latest) == ("register",)
    # the app would start loading the register in a thread of its own: hold it back while we look
    with apptest.database(folder), pytest.MonkeyPatch.context() as mp:
        from dashboard.ui import serving

        # (the server's thread is serving.demo_in_background: staged, it publishes a small
        # week within a second, before the second page renders, so it must be held back itself)
        mp.setattr(serving, "demo_in_background", lambda *args, **kwargs: None)
        mp.setattr(demo, "load_demo_register", lambda *args, **kwargs: [])
        overview = apptest.render("pages/overview.py", "en")
        assert any("still loading" in e.value for e in overview.info), [e.value for e in overview.info]
        labels = [m.label for m in overview.metric]
        assert "Facilities reporting" not in labels[:1]  # no "0/693 reporting" for the register
        assert not any("Key-population register" in e.value for e in overview.caption)  # not "did not report"
        assert overview.button(key="pack_build").disabled  # no briefing of a week not in yet
        page = apptest.render("pages/labelling.py", "en")
        assert any("still loading" in e.value for e in page.info) and not page.metric
        quality = apptest.render("pages/data_quality.py", "en")
        assert any("Key-population register" in e.value and "still loading" in e.value for e in quality.info)
        missing = [frame.value for frame in quality.dataframe if "Facility" in " ".join(map(str, frame.value.columns))]
        assert missing and not any(frame.astype(str).apply(lambda c: c.str.contains("Key-population register")).any().any()
                                   for frame in missing)
    # the register then loads newest week first: the week a new user sees is complete soonest
    first = demo.load_demo_register(con)[0]
    assert first.week == latest and demo.datasets_loading(con, latest) == ()
    assert demo.datasets_loading(con, demo.DEMO_WEEKS[0]) == ()


def test_first_start_loads_the_latest_week_first(tmp_path):
    """The server's first start on an empty folder: the loader thread is started before the latest
    week's other datasets load (with an event it waits on); the first page then has the latest week
    of every dataset but the register (and every week of the follow-up list, whose weeks read each
    other); the thread loads the latest register week, then the other datasets' older weeks newest
    first, then the older register weeks newest first, and leaves no file
    behind. A restart part-way loads what is left; a restart at the end finds nothing."""
    from dashboard import store
    from dashboard.store import access
    from dashboard.ui import serving

    started = []
    weeks = demo.DEMO_WEEKS
    latest, older = weeks[-1], weeks[-2::-1]

    def loads() -> list[tuple[str, dt.date]]:
        with access.reading(database):
            return store.cursor().execute("select dataset, week from load_log order by load_id").fetchall()

    def status() -> dict:
        with access.reading(database):
            return demo.demo_status(store.cursor()) | {
                "loading_then": {w: demo.datasets_loading(store.cursor(), w) for w in weeks}}

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HC_DATA_DIR", str(tmp_path))
        mp.setenv("HC_DB_PATH", str(tmp_path / "db.duckdb"))
        mp.setenv("HC_DEMO_SCALE", "0.002")

        def start(database, latest_loaded):
            # the latest week is not in yet when the thread starts
            started.append((database, latest_loaded, latest_loaded is not None and latest_loaded.is_set()))

        mp.setattr(serving, "_start_demo_thread", start)
        database = str(tmp_path / "db.duckdb")
        serving.bootstrap.clear()
        serving.bootstrap(database)
        assert [(d, e is not None, was_set) for d, e, was_set in started] == [(database, True, False)]
        assert started[0][1].is_set()  # set once it was published
        first = loads()
        quick = [d for d in demo.demo_datasets() if d != "register"]
        assert {d for d, w in first if w == latest} == set(quick)
        assert {(d, w) for d, w in first if w != latest} == {("discharge", w) for w in older}  # reads its history
        now = status()
        assert now["loading_then"][latest] == ("register",)
        assert now["loading_then"][weeks[0]] == tuple(d for d in demo.demo_datasets() if d != "discharge")
        assert (now["weeks_complete"], now["weeks_total"], now["register_weeks_loaded"]) == (0, 5, 0)

        serving.demo_in_background(database, started[0][1])
        after = loads()[len(first):]
        # the latest register week, each older week's other datasets in one go, then the older register weeks
        order = [w for d, w in after if d != "register"]
        assert after[0] == ("register", latest)
        assert order == sorted(order, reverse=True) and set(order) == set(older)
        assert [w for d, w in after if d == "register"] == [latest, *older]
        last_quick = max(i for i, (d, _) in enumerate(after) if d != "register")
        assert all(d == "register" for d, _ in after[last_quick + 1:]) and len(after[last_quick + 1:]) == 4
        now = status()
        assert (now["weeks_complete"], now["weeks_total"], now["register_weeks_loaded"]) == (5, 5, 5)
        assert all(v == () for v in now["loading_then"].values()) and now["loading"] is False
        assert not list((tmp_path / "tmp").glob("demo-register-*"))

        serving.bootstrap.clear()
        serving.bootstrap(database)  # a restart: nothing left to load
        assert started[1][1] is None
        count = len(loads())
        serving.demo_in_background(database, None)
        assert len(loads()) == count
        serving.bootstrap.clear()


def test_a_restart_part_way_loads_what_is_left(tmp_path):
    """A server that died after the first start's latest week: the next one's thread loads every
    older week and the register, and the pages of an older week said "loading" until then."""
    from streamlit.testing.v1 import AppTest

    from dashboard import store
    from dashboard.store import access
    from dashboard.ui import serving

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HC_DATA_DIR", str(tmp_path))
        mp.setenv("HC_DB_PATH", str(tmp_path / "db.duckdb"))
        mp.setenv("HC_DEMO_SCALE", "0.002")
        database = str(tmp_path / "db.duckdb")
        with access.writing(database) as con:
            demo.ensure_demo(con, register=False, weeks=demo.DEMO_WEEKS[-1:])
            con.execute("delete from load_log where dataset = 'fever' and day = $d", {"d": demo.DEMO_WEEKS[-1]})
            assert demo.datasets_loading(con, demo.DEMO_WEEKS[-1]) == ("register", "fever")  # a day short
        # the oldest week is in the week list (the follow-up list's weeks are all in): its pages say
        # "loading" for what is not in yet (the restarted server's thread held back while we look)
        mp.setattr(serving, "_start_demo_thread", lambda *args: None)
        with apptest.database(tmp_path):
            for page in ("pages/icu.py", "pages/overview.py", "pages/followup.py"):
                at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
                at.session_state["lang"], at.session_state["f_week"] = "en", demo.DEMO_WEEKS[0]
                at.run()
                at.switch_page(page)
                at.run()
                assert not at.exception, [e.value for e in at.exception]
                notes = [e.value for e in at.info if "still loading" in e.value]
                assert notes and any("Facility register" in n for n in notes), (page, notes)
                assert not any("ICU" in e.value for e in at.caption), [e.value for e in at.caption]  # not "did not report"
                if page != "pages/overview.py":
                    assert not at.metric, page
        serving.demo_in_background(database, None)
        with access.reading(database):
            con = store.cursor()
            assert demo.demo_status(con)["weeks_complete"] == 5
            assert con.execute("select count(*) from load_log where outcome = 'accepted' and dataset = 'fever'"
                               ).fetchall() == [(7 * 5 + 6,)]  # the short week loaded again whole: 6 + 7 + 4 weeks × 7
