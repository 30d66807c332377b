"""The DuckDB store: one file, schema created and migrated here, one connection per process.

Streamlit runs each session's script in its own thread: callers take `cursor()` per thread (a
DuckDB cursor is a connection of its own to the same database) rather than sharing one.
"""
from __future__ import annotations

import threading
from pathlib import Path

import duckdb

from dashboard import config, policy, rules

SCHEMA_VERSION = 1


class StoreBusy(RuntimeError):
    """Another process holds the database file for writing."""


_SCHEMA = """
create table if not exists meta (key varchar primary key, value varchar);
create sequence if not exists load_id_seq start 1;
create table if not exists load_log (
    load_id bigint primary key,
    loaded_at timestamp not null,
    user_name varchar,
    dataset varchar,
    week date,
    file_name varchar,
    sha256 varchar,
    size_bytes bigint,
    encoding varchar,
    rows integer,
    blank_rows integer,
    outcome varchar not null,          -- accepted | rejected | dry_run
    errors integer,
    warnings integer,
    replaced_rows integer,
    stored_path varchar,
    message varchar,
    duration_s double
);
create table if not exists load_issue (
    load_id bigint not null,
    severity varchar not null,         -- error | warning
    row_no integer,                    -- as the analyst sees it in Excel; null for whole-file issues
    column_name varchar,               -- the header as written in the file
    code varchar not null,
    value varchar,
    message_zh varchar,
    message_en varchar,
    occurrences integer                -- how many rows share this column and code
);
create table if not exists facility (
    week date not null, load_id bigint not null,
    facility_code varchar not null, facility_name varchar, tier varchar, primary_type varchar,
    grade varchar, league_code varchar, league_name varchar, county_code varchar, county_name varchar,
    consortium varchar, lat double, lon double, service_population integer, fever_clinic boolean,
    ambulances_120 integer
);
create table if not exists register (
    week date not null, load_id bigint not null,
    person_key ubigint not null,       -- first 64 bits of the salted SHA-256 of the ID number
    phone_key ubigint,                 -- the same for the phone number
    id_masked varchar,                 -- 150102********123X, for facilities finding a record
    record_no varchar, facility_code varchar not null, age integer, sex varchar,
    diseases varchar, disease_state varchar, vaccination varchar, recorded_label varchar,
    family_doctor_signed boolean, contacts_week integer, care_home boolean,
    rule_label varchar                 -- Annex 1 applied at load (rebuilt when the policy changes)
);
create table if not exists transfer (
    week date not null, load_id bigint not null,
    referral_id varchar not null, requested_at timestamp, from_code varchar, to_code varchar,
    direction_recorded varchar, severity varchar, main_problem varchar, status varchar,
    received_at timestamp
);
create table if not exists icu (
    week date not null, load_id bigint not null,
    facility_code varchar not null, icu_beds integer, convertible_beds integer, occupied integer,
    icu_doctors integer, icu_nurses integer, reserve_doctors integer, reserve_nurses integer
);
create table if not exists stock (
    week date not null, load_id bigint not null,
    facility_code varchar not null,
    antigen_on_hand integer, antigen_used integer, antipyretic_on_hand integer, antipyretic_used integer,
    cough_on_hand integer, cough_used integer, tcm_on_hand integer, tcm_used integer, oximeters integer
);
-- One row per facility, week and combination of the register's counted attributes: pages read
-- this, never the person-level rows. Maintained at load.
create table if not exists agg_register (
    week date not null, facility_code varchar not null,
    aged_65_plus boolean, recorded_label varchar, rule_label varchar, family_doctor_signed boolean,
    care_home boolean, contacts_week integer,  -- capped at 7: policy thresholds stay below that
    persons bigint not null
);
create or replace view facility_current as
    select * exclude (load_id) from facility where week = (select max(week) from facility);
"""


def connect(path: Path | str | None = None) -> duckdb.DuckDBPyConnection:
    """Open (creating or migrating) the database. Raises StoreBusy when another process holds it."""
    target = str(path or config.db_path())
    config.private_umask()  # the database and its WAL are created owner-only
    if target != ":memory:":
        config.private_dir(Path(target).parent)
    try:
        con = duckdb.connect(target)
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise StoreBusy(
                f"The database {target} is in use by another process (is the dashboard running?). "
                "Stop it or point HC_DB_PATH at another file."
            ) from exc
        raise
    migrate(con)
    return con


CENSUS_FILE = config.DATA / "census" / "nmg_2020_census.csv"


def migrate(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(_SCHEMA)
    con.execute(rules.RISK_LABEL_MACRO)
    _load_census(con)
    row = con.execute("select value from meta where key = 'schema_version'").fetchone()
    if row is None:
        con.execute("insert into meta values ('schema_version', $v)", {"v": str(SCHEMA_VERSION)})
    if current_policy_fingerprint(con) != policy.fingerprint():
        rebuild_derived(con)


def _load_census(con: duckdb.DuckDBPyConnection) -> None:
    """Census denominators (a small derived table shipped in data/census, see its README)."""
    con.execute(
        """create table if not exists census (adcode varchar primary key, level varchar, league_code varchar,
               name_zh varchar, name_en varchar, league_name_zh varchar, population bigint, pop65 bigint,
               is_county_level_division boolean)"""
    )
    if CENSUS_FILE.exists() and con.execute("select count(*) from census").fetchone()[0] == 0:
        con.execute(
            """insert into census by name
               select * from read_csv($path, header = true, all_varchar = true)""",
            {"path": str(CENSUS_FILE)},
        )


def current_policy_fingerprint(con: duckdb.DuckDBPyConnection) -> str | None:
    row = con.execute("select value from meta where key = 'policy_fingerprint'").fetchone()
    return row[0] if row else None


AGG_REGISTER_INSERT = """
insert into agg_register
select week, facility_code, age >= $risk_age_young_below, recorded_label, rule_label,
       family_doctor_signed, care_home, least(contacts_week, 7), count(*)
from register
where week = coalesce($week, week)
group by all
"""


def rebuild_derived(con: duckdb.DuckDBPyConnection) -> None:
    """Re-apply the policy in force to stored rows: rule labels and the register aggregate."""
    con.execute("begin transaction")
    try:
        con.execute(
            """update register set rule_label = risk_label(age, disease_state, vaccination,
                   $risk_age_young_below, $risk_age_old_above, $risk_score_yellow_from, $risk_score_red_from)""",
            rules.risk_params(),
        )
        con.execute("delete from agg_register")
        con.execute(AGG_REGISTER_INSERT, {"week": None, **policy.params("risk.age_young_below")})
        con.execute(
            "insert or replace into meta values ('policy_fingerprint', $f)", {"f": policy.fingerprint()}
        )
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise


_lock = threading.Lock()
_shared: dict[str, duckdb.DuckDBPyConnection] = {}


def shared_connection() -> duckdb.DuckDBPyConnection:
    """The process's one connection to the configured database (opened on first use)."""
    target = str(config.db_path())
    with _lock:
        if target not in _shared:
            _shared[target] = connect(target)
        return _shared[target]


def cursor() -> duckdb.DuckDBPyConnection:
    return shared_connection().cursor()


def close_shared() -> None:
    with _lock:
        for con in _shared.values():
            con.close()
        _shared.clear()
