"""One contract drives a dataset end to end: the dataset list, the store's tables, the weeks available,
the reporting gaps and the replacement unit all come from data/datasets.toml.

The last test adds a made-up day-grain dataset ("probe") to the contracts in memory, with no other
change, and follows it through loading, replacement of a day, the weeks and the gaps."""
from __future__ import annotations

import datetime as dt
import tomllib

import pytest

from dashboard import config, store

from dashboard.ingest import contracts, loading

from dashboard.metrics import quality

from dashboard.store import queries
from tests.shell_fixture import FACILITY, WEEK

ALL = {"league_code": None, "county_code": None, "consortium": None}

# The tables as they were written by hand before they were generated: names, types, order.
BEFORE = {
    "facility": "week date, load_id bigint, facility_code varchar, facility_name varchar, tier varchar, "
                "primary_type varchar, grade varchar, league_code varchar, league_name varchar, county_code varchar, "
                "county_name varchar, consortium varchar, serves_consortia varchar, lat double, lon double, service_population integer, "
                "fever_clinic boolean, ambulances_120 integer",
    "register": "week date, load_id bigint, person_key ubigint, phone_key ubigint, id_masked varchar, record_no varchar, "
                "facility_code varchar, age integer, sex varchar, diseases varchar, disease_state varchar, "
                "vaccination varchar, recorded_label varchar, family_doctor_signed boolean, contacts_week integer, "
                "care_home boolean, rule_label varchar",
    "transfer": "week date, load_id bigint, referral_id varchar, requested_at timestamp, from_code varchar, "
                "to_code varchar, direction_recorded varchar, severity varchar, main_problem varchar, status varchar, "
                "received_at timestamp, patient_age integer, underlying_disease varchar, haemodialysis boolean, "
                "beyond_capacity boolean, lead_insufficient boolean, immobile boolean, care_home boolean",
    "icu": "week date, load_id bigint, facility_code varchar, icu_beds integer, convertible_beds integer, occupied integer, "
           "icu_doctors integer, icu_nurses integer, reserve_doctors integer, reserve_nurses integer",
    "stock": "week date, load_id bigint, facility_code varchar, antigen_on_hand integer, antigen_used integer, "
             "antipyretic_on_hand integer, antipyretic_used integer, cough_on_hand integer, cough_used integer, "
             "tcm_on_hand integer, tcm_used integer, oximeters integer",
}


def _columns(con, table: str) -> str:
    rows = con.execute("select column_name, data_type from information_schema.columns where table_name = $t "
                       "order by ordinal_position", {"t": table}).fetchall()
    return ", ".join(f"{name} {kind.lower()}" for name, kind in rows)


def test_the_dataset_list_is_the_contract_file():
    raw = tomllib.loads((config.DATA / "datasets.toml").read_text(encoding="utf-8"))
    assert contracts.DATASETS == tuple(k for k in raw if k not in ("enums", "defaults"))
    assert contracts.DATASETS[0] == "facility"  # the others refer to it: loaded first by the demo


def test_generated_tables_keep_the_names_and_types_queries_use(con):
    for table, columns in BEFORE.items():
        assert _columns(con, table) == columns, table


def test_an_older_database_gains_the_columns_added_to_a_contract(data_dir):
    """A database made before serves_consortia was in the contract gets the column on opening (null)."""
    import duckdb

    path = data_dir / "old.duckdb"
    old = duckdb.connect(str(path))
    old.execute("create table facility (week date not null, load_id bigint not null, facility_code varchar not null)")
    old.execute("insert into facility values (date '2022-12-19', 1, 'P1')")
    old.close()
    con = store.connect(path)
    assert con.execute("select facility_code, serves_consortia, tier from facility").fetchall() == [("P1", None, None)]
    con.close()


def test_every_contract_has_a_table_and_a_place_in_reported(con):
    for name in contracts.DATASETS:
        ds = contracts.dataset(name)
        have = _columns(con, name)
        assert have.startswith("week date, day date, load_id" if ds.replace_by == "day" else "week date, load_id"), name
    assert con.execute("select count(*) from reported").fetchone()[0] == 0  # an empty store: nothing reported


PROBE = {
    "zh": "探针日报", "en": "Probe daily report", "grain": "one row per facility per day",
    "key": ["facility_code"], "replace_by": "day", "reported_by": "facility_code",
    "must_report": "tier = 'primary' and primary_type in ('chc', 'township')",
    "must_report_source": "test", "missing_values": ["", "-"],
    "columns": [
        {"name": "facility_code", "zh": "机构编码", "en": "Facility code", "type": "code", "required": True,
         "references": "facility"},
        {"name": "visits", "zh": "探针人次", "en": "Probe visits", "type": "int", "min": 0},
    ],
}


@pytest.fixture()
def probe(monkeypatch):
    """The contracts plus 'probe', a day-grain dataset, in memory only."""
    raw = {**contracts._raw(), "probe": PROBE}
    monkeypatch.setattr(contracts, "_raw", lambda: raw)
    monkeypatch.setattr(contracts, "DATASETS", (*contracts.DATASETS, "probe"))
    contracts.dataset.cache_clear()
    yield
    contracts.dataset.cache_clear()


def _load(con, dataset, text, when):
    return loading.load_bytes(text.encode("utf-8"), f"{dataset}.csv", dataset=dataset, week=when, con=con)


def test_a_new_day_grain_contract_works_end_to_end(data_dir, probe):
    """Shell facilities: P1, P3 (community centres), P2 (township) owe the probe; V1 (village) and the
    hospitals do not.
    Monday 19 Dec: P1 12, P2 '-' (declared missing value: unknown), P3 5.  Reloaded: P1 20 only -> the day
    holds P1 alone (replaced, 3 rows gone). Tuesday 20 Dec: P2 7. The other day is untouched.
    Gaps for the week are judged on the latest day loaded (Tuesday): P1 and P3 did not report."""
    con = store.connect(data_dir / "db.duckdb")
    assert _load(con, "facility", FACILITY, WEEK).outcome == "accepted"
    monday, tuesday = WEEK, WEEK + dt.timedelta(days=1)
    first = _load(con, "probe", "机构编码,探针人次\nP1,12\nP2,-\nP3,5\n", monday)
    assert (first.outcome, first.day, first.week) == ("accepted", monday, WEEK)
    assert con.execute("select visits from probe where facility_code = 'P2'").fetchall() == [(None,)]
    again = _load(con, "probe", "机构编码,探针人次\nP1,20\n", monday)
    assert (again.outcome, again.replaced_rows) == ("accepted", 3)
    assert _load(con, "probe", "机构编码,探针人次\nP2,7\n", tuesday).outcome == "accepted"
    assert con.execute("select day, facility_code, visits from probe order by day").fetchall() == [
        (monday, "P1", 20), (tuesday, "P2", 7)]
    # a week label names no day: refused, nothing written
    refused = _load(con, "probe", "机构编码,探针人次\nP1,1\n", "2022-W51")
    assert refused.outcome == "rejected" and refused.errors[0].code == "no_day"
    assert con.execute("select day from load_log where load_id = $i", {"i": again.load_id}).fetchall() == [(monday,)]

    assert queries.run("data_weeks", con)["week"].to_list() == [WEEK]
    gaps = queries.run("reporting_gaps", con, week=WEEK, **ALL).filter(dataset="probe")
    assert gaps.select("day", "facility_code").rows() == [(tuesday, "P1"), (tuesday, "P3")]
    shown = quality.missing_reports(gaps, "en")
    assert shown["Dataset"].unique().to_list() == ["Probe daily report"]
    con.close()


def test_detection_does_not_let_a_small_contract_claim_any_file():
    """Fever and staff reports require only the facility code: an ICU report missing one column must not
    be taken for them (it 'resembles the ICU report'), while their own templates are still detected."""
    from dashboard.ingest import contracts

    icu_headers = [c.zh for c in contracts.dataset("icu").columns if c.name != "icu_doctors"] + ["医生人数"]
    assert contracts.detect_dataset(icu_headers) is None
    for name in contracts.DATASETS:
        assert contracts.detect_dataset([c.zh for c in contracts.dataset(name).columns]) == name, name


def test_load_order_puts_a_dataset_after_those_it_refers_to():
    assert contracts.load_order(("stock", "register", "facility")) == ("facility", "register", "stock")
    order = contracts.load_order()
    for name in contracts.DATASETS:
        for target in contracts.dataset(name).references.values():
            assert order.index(target) <= order.index(name), (name, target)


def test_personal_columns_are_declared_with_what_replaces_them():
    register = contracts.dataset("register")
    assert {p.column: (p.key, p.masked) for p in register.personal} == {
        "id_number": ("person_key", "id_masked"), "phone": ("phone_key", None), "name": (None, None),
        "birth_date": (None, None)}
    assert register.on_duplicate == "keep_first" and contracts.dataset("icu").on_duplicate == "refuse"
    assert [n for n, _ in store.stored_columns(register)][:3] == ["person_key", "phone_key", "id_masked"]
