"""The referral aggregate `agg_transfer`: the classified referrals of queries/referral_classified.sql
counted per week and per combination of what the referral pages read, so a page reads a few thousand
rows whatever the number of transfers (as pages read `agg_register`, never the person rows).

The rule is not copied: the aggregate is `referral_classified.sql` itself, run for the whole province
and grouped. It is rebuilt for a week when that week's transfers load, for every week when the facility
register loads (tiers, consortia and names come from the current register) and when the policy that
classifies changes (store.rebuild_derived). Per-referral columns (ids, times, hours, age, the columns
only the rule reads) are not kept; `referrals` counts the referrals of each row.
"""
from __future__ import annotations

import datetime as dt
import hashlib

import duckdb

from dashboard import config, policy

# The policy numbers referral_classified.sql reads (dashboard.metrics.referrals.params names the same).
POLICY_KEYS = ("referral.upward_reception_hours", "referral.pending_too_long_hours", "referral.advanced_age_from")

# What the referral page, the overview and the briefing read of a classified referral, and no more:
# every column kept multiplies the rows (the recorded direction alone doubles them; `direction` and
# `direction_disagrees` are what is read). Names, tiers, counties and consortia are functions of the
# two facility codes, so they add no rows; positions come from facility_locations.
COLUMNS = (
    "week",
    "from_code", "from_name", "from_tier", "from_consortium", "from_county", "from_league",
    "to_code", "to_name", "to_tier", "to_consortium", "to_county", "to_county_name",
    "direction", "direction_disagrees",
    "severity", "main_problem", "status",
    "policy_case", "expected_tier", "unjudged_reason", "compliance",
    "received_in_time", "pending_too_long",
)

# Tables whose loads change what the aggregate holds.
SOURCES = ("transfer", "facility")


def classify_params() -> dict:
    return policy.params(*POLICY_KEYS)


def _select() -> str:
    classified = (config.QUERIES / "referral_classified.sql").read_text(encoding="utf-8")
    cols = ", ".join(COLUMNS)
    return (f"select {cols}, count(*) as referrals\nfrom (\n{classified}\n) classified\n"
            f"group by all")


def _params(week_from: dt.date | None, week_to: dt.date | None) -> dict:
    far = dt.date(1900, 1, 1), dt.date(9999, 12, 31)
    return {"week_from": week_from or far[0], "week_to": week_to or far[1],
            "league_code": None, "county_code": None, "consortium": None, **classify_params()}


# The table macro the referral views select with (weeks, area, the page's filters): created with the
# table it reads, since DuckDB binds a macro's tables when it is defined.
MACRO = config.QUERIES / "aggregates" / "referral_selected.sql"


def create_macro(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(MACRO.read_text(encoding="utf-8"))


def exists(con: duckdb.DuckDBPyConnection) -> bool:
    # fetchall: a result left half-read blocks the connection's next relation (DuckDB 2.0)
    return bool(con.execute("select count(*) from information_schema.tables "
                            "where table_name = 'agg_transfer' and table_schema = current_schema()").fetchall()[0][0])


def rebuild(con: duckdb.DuckDBPyConnection) -> None:
    """Every week, from scratch (the caller holds the transaction, if any)."""
    con.execute(f"create or replace table agg_transfer as\n{_select()}", _params(None, None))
    create_macro(con)
    con.execute("insert or replace into meta values ('agg_transfer_signature', $s)", {"s": signature()})


def refresh_week(con: duckdb.DuckDBPyConnection, week: dt.date) -> None:
    """One week again, after its transfers were replaced."""
    if not exists(con):
        rebuild(con)
        return
    con.execute("delete from agg_transfer where week = $week", {"week": week})
    con.execute(f"insert into agg_transfer\n{_select()}", _params(week, week))


def signature() -> str:
    """What the stored aggregate was built from: the rule's SQL, the columns kept and the policy. A
    database whose aggregate has another signature (a new release, an older database) is rebuilt."""
    text = "\n".join([(config.QUERIES / "referral_classified.sql").read_text(encoding="utf-8"), *COLUMNS,
                      MACRO.read_text(encoding="utf-8"),
                      repr(sorted(classify_params().items()))])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def stored_signature(con: duckdb.DuckDBPyConnection) -> str | None:
    rows = con.execute("select value from meta where key = 'agg_transfer_signature'").fetchall()
    return rows[0][0] if rows else None


def ensure(con: duckdb.DuckDBPyConnection) -> None:
    """Build the aggregate when it is missing or was built by another rule, columns or policy, and
    define the macro that reads it (an older database may lack it)."""
    if not exists(con) or stored_signature(con) != signature():
        rebuild(con)
    else:
        create_macro(con)


def after_load(con: duckdb.DuckDBPyConnection, dataset: str, week: dt.date | None) -> None:
    """Keep the aggregate in step with a load that has just been written (same transaction)."""
    if dataset == "transfer" and week is not None:
        refresh_week(con, week)
    elif dataset in SOURCES:
        rebuild(con)
