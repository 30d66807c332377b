"""The DuckDB store: one file, schema created and migrated here, one connection per process.

Streamlit runs each session's script in its own thread: callers take `cursor()` per thread (a
DuckDB cursor is a connection of its own to the same database) rather than sharing one.
"""
from __future__ import annotations

import threading
from pathlib import Path

import duckdb

from dashboard import config, policy, rules

from dashboard.ingest import contracts

SCHEMA_VERSION = 2


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
-- One row per facility, week and combination of the register's counted attributes: pages read
-- this, never the person-level rows. Maintained at load.
create table if not exists agg_register (
    week date not null, facility_code varchar not null,
    aged_65_plus boolean, recorded_label varchar, rule_label varchar, family_doctor_signed boolean,
    care_home boolean, contacts_week integer,  -- capped at 7 (policy thresholds stay below that); blank stays null
    persons bigint not null
);
"""

# Stored SQL type of each contract type. Personal columns are never stored in clear: the contract's
# `personal` says what replaces each (register: the ID number becomes person_key, the first 64 bits of
# its salted SHA-256, and id_masked, 150102********123X; the phone phone_key; name and birth date are dropped).
SQL_TYPES = {"code": "varchar", "text": "varchar", "enum": "varchar", "int": "integer", "float": "double",
             "bool": "boolean", "date": "date", "datetime": "timestamp"}


def stored_columns(ds: contracts.Dataset) -> list[tuple[str, str]]:
    """(column, SQL type) of the dataset's table after week, day and load_id, in this order: the
    keys made from personal columns, their masked forms, the columns kept in clear, then the columns
    worked out at load."""
    keys = [(p.key, "ubigint") for p in ds.personal if p.key] + [(p.masked, "varchar") for p in ds.personal if p.masked]
    clear = [(c.name, SQL_TYPES[c.type]) for c in ds.stored_columns]
    return keys + clear + list(ds.derived)


def table_ddl(ds: contracts.Dataset) -> str:
    """CREATE TABLE of one dataset, generated from its contract. Key columns are not null; a day-grain
    dataset has a `day` column next to the week (its Monday)."""
    grain = ["week date not null"] + (["day date not null"] if ds.replace_by == "day" else []) + ["load_id bigint not null"]
    key = set(ds.key)
    body = [f"{name} {sql_type}{' not null' if name in key else ''}" for name, sql_type in stored_columns(ds)]
    return f"create table if not exists {ds.name} (\n    " + ",\n    ".join(grain + body) + "\n);"


def dataset_ddl() -> str:
    return "\n".join(table_ddl(contracts.dataset(name)) for name in contracts.DATASETS) + """
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
    con.execute(dataset_ddl())
    # A column added to a contract after its table was first created: an older database gains it
    # (null: not reported). Generated from the contracts, like the tables themselves.
    for name in contracts.DATASETS:
        for column, sql_type in stored_columns(contracts.dataset(name)):
            con.execute(f"alter table {name} add column if not exists {column} {sql_type}")
    con.execute("alter table load_log add column if not exists day date")  # the day of a day-grain load
    con.execute(rules.RISK_LABEL_MACRO)
    create_building_blocks(con)
    _load_census(con)
    row = con.execute("select value from meta where key = 'schema_version'").fetchone()
    if row is None:
        con.execute("insert into meta values ('schema_version', $v)", {"v": str(SCHEMA_VERSION)})
    else:
        con.execute("update meta set value = $v where key = 'schema_version'", {"v": str(SCHEMA_VERSION)})
    if current_policy_fingerprint(con) != policy.fingerprint():
        rebuild_derived(con)


def create_building_blocks(con: duckdb.DuckDBPyConnection) -> None:
    """The SQL every query shares, defined once: the table macros in queries/shared/, and the view
    `reporting_duty` (dataset, facility_code, must_report) built from each contract's `must_report`
    condition. must_report is null where the register cannot tell (a hospital of blank grade)."""
    for path in sorted((config.QUERIES / "shared").glob("*.sql")):
        con.execute(path.read_text(encoding="utf-8"))
    duties = [
        f"select '{name}' as dataset, facility_code, ({ds.must_report}) as must_report from facility_current"
        for name in contracts.DATASETS if (ds := contracts.dataset(name)).must_report
    ]
    con.execute("create or replace view reporting_duty as\n" + "\nunion all\n".join(duties))
    con.execute(reported_view())


def reported_view() -> str:
    """The view `reported (dataset, week, day, facility_code)`: what each load delivered, one row per
    dataset, week (its Monday), day (null for week-grain datasets) and reporting facility (null for a
    dataset that no facility reports, such as the facility register). Generated from the contracts
    (`reported_by`, `reported_in`, `replace_by`), so a new dataset appears in the weeks available and
    in the reporting gaps without a query naming it."""
    parts = []
    for name in contracts.DATASETS:
        ds = contracts.dataset(name)
        table = ds.reported_in or ds.name
        day = "day" if ds.replace_by == "day" else "null::date"
        reporter = ds.reported_by or "null::varchar"
        parts.append(f"select distinct '{name}' as dataset, week, {day} as day, {reporter} as facility_code from {table}")
    return "create or replace view reported as\n" + "\nunion all\n".join(parts)


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
       -- least(null, 7) is 7 in DuckDB (least skips nulls): a blank count must stay unknown
       family_doctor_signed, care_home, case when contacts_week is not null then least(contacts_week, 7) end, count(*)
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
