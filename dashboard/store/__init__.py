"""The DuckDB store: one file, schema created and migrated here.

The dashboard holds no connection between page runs: each run reads through a short-lived read-only
connection and loads write through a brief exclusive one (dashboard/store/access.py). Callers take
`cursor()` per thread (a DuckDB cursor is a connection of its own to the same database).
"""
from __future__ import annotations

import hashlib
import threading
from pathlib import Path

import duckdb

from dashboard import auth, config, policy, rules

from dashboard.ingest import contracts
from dashboard.store import transfer_aggregate

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


def busy_message(target: str) -> str:
    return (f"The database {target} is in use by another process that does not take turns (the dashboard, "
            "the CLI and the demo loader wait for each other; an open duckdb shell, a backup tool or an old "
            "version does not). Close that program, or wait longer with --wait.")


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
            raise StoreBusy(busy_message(target)) from exc
        raise
    migrate(con)
    return con


CENSUS_FILE = config.DATA / "census" / "nmg_2020_census.csv"


def migrate(con: duckdb.DuckDBPyConnection) -> None:
    if schema_is_current(con):
        return  # nothing to create, alter or rebuild: opening stays fast (cold start)
    con.execute(_SCHEMA)
    con.execute(dataset_ddl())
    # A column added to a contract after its table was first created: an older database gains it
    # (null: not reported). Generated from the contracts, like the tables themselves.
    for name in contracts.DATASETS:
        for column, sql_type in stored_columns(contracts.dataset(name)):
            con.execute(f"alter table {name} add column if not exists {column} {sql_type}")
    con.execute("alter table load_log add column if not exists day date")  # the day of a day-grain load
    con.execute(rules.RISK_LABEL_MACRO)
    auth.ensure_schema(con)  # accounts and the audit trail
    create_building_blocks(con)
    _load_census(con)
    row = con.execute("select value from meta where key = 'schema_version'").fetchone()
    if row is None:
        con.execute("insert into meta values ('schema_version', $v)", {"v": str(SCHEMA_VERSION)})
    else:
        con.execute("update meta set value = $v where key = 'schema_version'", {"v": str(SCHEMA_VERSION)})
    if current_policy_fingerprint(con) != policy.fingerprint():
        rebuild_derived(con)
    ensure_aggregates(con)
    ensure_database_id(con)
    con.execute("insert or replace into meta values ('schema_signature', $s)", {"s": schema_signature()})


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
        transfer_aggregate.rebuild(con)
        con.execute(
            "insert or replace into meta values ('policy_fingerprint', $f)", {"f": policy.fingerprint()}
        )
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise


def schema_signature() -> str:
    """Everything migrate() depends on: this module and the rule macro's code, the contracts, the
    shared SQL, the census file, the policy in force and the referral aggregate's definition. When
    a database was migrated under the same signature, there is nothing to do."""
    digest = hashlib.sha256()
    for path in (Path(__file__), Path(rules.__file__), *sorted((config.QUERIES / "shared").glob("*.sql"))):
        digest.update(path.read_bytes() if path.exists() else b"-")
    # the tables and views as the contracts in force make them (contracts can be extended in memory)
    digest.update((dataset_ddl() + reported_view()).encode())
    digest.update(repr([(n, contracts.dataset(n).must_report) for n in contracts.DATASETS]).encode())
    census = CENSUS_FILE.stat().st_size if CENSUS_FILE.exists() else -1
    digest.update(f"{SCHEMA_VERSION}|{census}|{policy.fingerprint()}|{transfer_aggregate.signature()}".encode())
    return digest.hexdigest()[:16]


def schema_is_current(con: duckdb.DuckDBPyConnection) -> bool:
    try:
        rows = con.execute("select value from meta where key = 'schema_signature'").fetchall()
    except duckdb.CatalogException:
        return False  # a new database: no meta table yet
    return bool(rows) and rows[0][0] == schema_signature()


def ensure_database_id(con: duckdb.DuckDBPyConnection) -> None:
    """A random id given to the database when it is made: with the load number it names what a
    database holds, for caches that outlive the process (a copied or recreated file at the same path
    is not mistaken for another)."""
    con.execute("insert or ignore into meta values ('database_id', uuid()::varchar)")


def database_id(con: duckdb.DuckDBPyConnection) -> str:
    rows = con.execute("select value from meta where key = 'database_id'").fetchall()
    return rows[0][0] if rows else ""


def ensure_aggregates(con: duckdb.DuckDBPyConnection) -> None:
    """A database made before an aggregate existed gains it, built from its stored rows; one built by
    another rule or policy is rebuilt."""
    transfer_aggregate.ensure(con)


def refresh_aggregates_after_load(con: duckdb.DuckDBPyConnection, dataset: str, week) -> None:
    """Called by a load inside its transaction, after the rows are written (agg_register is kept by
    the load itself)."""
    transfer_aggregate.after_load(con, dataset, week)


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
    """A cursor for this thread: inside a page run (`access.reading`), on the run's read-only
    snapshot; elsewhere (scripts, tests) on the process's shared connection."""
    from dashboard.store import access

    session = access.current()
    if session is not None:
        return session.cursor()
    return shared_connection().cursor()


def close_shared() -> None:
    with _lock:
        for con in _shared.values():
            con.close()
        _shared.clear()
