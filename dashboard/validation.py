"""Validation of a staged upload, done in DuckDB: typed columns, then every check as one SQL scan.

`build_typed(con, ds, week, salt)` turns the staged strings (table `stg`) into a temp table `typed`;
`find_issues(con, ds, week)` returns the errors and warnings with row, column and value. Nothing
here writes to the stored tables.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb
import polars as pl

from dashboard import contracts, policy, rules
from dashboard.contracts import Column, Dataset
from dashboard.reading import ROW

EXAMPLES_PER_CHECK = 20

_TRUE = ("是", "y", "yes", "true", "1", "√", "有", "已签约", "签约")
_FALSE = ("否", "n", "no", "false", "0", "无", "未签约", "×")
_DATE_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S"]
_DATETIME_FORMATS = [
    "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%dT%H:%M:%S",
    "%Y年%m月%d日 %H:%M", "%Y年%m月%d日%H时%M分", "%Y-%m-%d",
]


def q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _raw(col: Column) -> str:
    return f"nullif(trim(stg.{q(col.name)}), '')"


def _norm(expr: str) -> str:
    return f"regexp_replace(lower({expr}), '[\\s_\\-()\\[\\]（）]+', '', 'g')"


def _list(values) -> str:
    return "[" + ", ".join("'" + str(v).replace("'", "''") + "'" for v in values) + "]"


def typed_expr(col: Column) -> str:
    v = _raw(col)
    if col.type == "code":
        return f"regexp_replace({v}, '^([0-9]+)\\.0+$', '\\1')"
    if col.type == "text":
        return v
    if col.type == "int":
        clean = f"replace({v}, ',', '')"
        return (f"case when regexp_full_match({clean}, '[+-]?[0-9]+(\\.0+)?') "
                f"then cast(cast({clean} as double) as bigint) end")
    if col.type == "float":
        return f"try_cast({v} as double)"
    if col.type == "bool":
        return (f"case when lower({v}) in {tuple(_TRUE)} then true "
                f"when lower({v}) in {tuple(_FALSE)} then false end")
    if col.type == "date":
        return (f"coalesce(try_strptime({v}, {_list(_DATE_FORMATS)})::date, "
                f"case when regexp_full_match({v}, '[0-9]{{1,5}}(\\.[0-9]+)?') "
                f"then date '1899-12-30' + cast(floor(cast({v} as double)) as integer) end)")
    if col.type == "datetime":
        return (f"coalesce(try_strptime({v}, {_list(_DATETIME_FORMATS)}), "
                f"case when regexp_full_match({v}, '[0-9]{{1,5}}(\\.[0-9]+)?') "
                f"then timestamp '1899-12-30' + to_microseconds(cast(round(cast({v} as double) * 86400000000) as bigint)) end)")
    if col.type == "enum":
        return f"e_{col.name}.value"
    if col.type == "id_number":
        return f"case when regexp_full_match(upper(replace({v}, ' ', '')), '[0-9]{{17}}[0-9X]') then upper(replace({v}, ' ', '')) end"
    if col.type == "phone":
        return f"regexp_replace({v}, '[\\s\\-()（）]', '', 'g')"
    raise ValueError(f"unknown column type {col.type}")


def _enum_table(con: duckdb.DuckDBPyConnection, ds: Dataset) -> None:
    rows = [
        (col.name, contracts.normalise_header(spelling), value)
        for col in ds.columns if col.type == "enum"
        for value, spellings in contracts.enum_values(col.enum).items()
        for spelling in spellings
    ]
    frame = pl.DataFrame(rows, schema=["col", "spelling", "value"], orient="row")
    con.register("enum_map_src", frame)
    con.execute("create or replace temp table enum_map as select distinct * from enum_map_src")
    con.unregister("enum_map_src")


def build_typed(con: duckdb.DuckDBPyConnection, ds: Dataset, week: dt.date, salt: str) -> None:
    """Create temp table `typed`: _row, one typed column per contract column (raw text kept as
    <name>__raw for messages), and for the register the pseudonymised keys and the rule label."""
    _enum_table(con, ds)
    joins = "".join(
        f" left join enum_map e_{c.name} on e_{c.name}.col = '{c.name}' and e_{c.name}.spelling = {_norm(_raw(c))}"
        for c in ds.columns if c.type == "enum"
    )
    select = ", ".join(
        f"{typed_expr(c)} as {q(c.name)}, {_raw(c)} as {q(c.name + '__raw')}" for c in ds.columns
    )
    con.execute(f"create or replace temp table typed0 as select stg.{ROW}, {select} from stg{joins}")
    if ds.name != "register":
        con.execute("create or replace temp table typed as select * from typed0")
        return
    con.execute(
        """
        create or replace temp table typed as
        with aged as (
            select *,
                coalesce(
                    age,
                    extract(year from age($week::date, birth_date))::integer,
                    extract(year from age($week::date, try_strptime(substr(id_number, 7, 8), '%Y%m%d')::date))::integer
                ) as age_final
            from typed0
        )
        select * exclude (age, age_final), age_final as age,
            ('0x' || substr(sha256($salt || '|' || id_number), 1, 16))::ubigint as person_key,
            case when phone is not null then ('0x' || substr(sha256($salt || '|' || phone), 1, 16))::ubigint end as phone_key,
            substr(id_number, 1, 6) || '********' || substr(id_number, 15, 4) as id_masked,
            risk_label(age_final, disease_state, vaccination,
                $risk_age_young_below, $risk_age_old_above, $risk_score_yellow_from, $risk_score_red_from) as rule_label,
            row_number() over (partition by id_number order by _row) as person_seq,
            first(_row) over (partition by id_number order by _row) as person_first_row
        from aged
        """,
        {"week": week, "salt": salt, **rules.risk_params()},
    )


def _checks(ds: Dataset, prev_week: dt.date | None) -> list[tuple[str, str]]:
    """(severity, select returning _row, col, code, value, other) per check."""
    out: list[tuple[str, str]] = []

    def add(severity: str, col: str, code: str, where: str, value: str | None = None, other: str = "null"):
        value = value or q(col + "__raw")
        out.append((severity, f"select {ROW}, '{col}', '{code}', cast({value} as varchar), cast({other} as varchar) from typed where {where}"))

    for c in ds.columns:
        raw, typed = q(c.name + "__raw"), q(c.name)
        if c.required:
            add("error", c.name, "missing", f"{raw} is null")
        if c.required_when:
            add("error", c.name, "missing_when", f"{raw} is null and ({c.required_when})")
        if c.type not in ("text", "code", "phone"):
            add("error", c.name, f"bad_{c.type}", f"{raw} is not null and {typed} is null")
        if c.type == "phone":
            add("warning", c.name, "bad_phone",
                f"{typed} is not null and not regexp_full_match({typed}, '(\\+?86)?1[3-9][0-9]{{9}}|0[0-9]{{2,3}}[0-9]{{7,8}}|[0-9]{{7,8}}')", value="'***'")
        if c.min is not None:
            add("error", c.name, "below_min", f"{typed} < {c.min}", other=str(c.min))
        if c.max is not None:
            add("error", c.name, "above_max", f"{typed} > {c.max}", other=str(c.max))
        if c.pattern:
            add("error", c.name, "bad_pattern", f"{typed} is not null and not regexp_full_match({typed}, '{c.pattern.strip('^$')}')")
        if c.max_column:
            add("error", c.name, "above_column", f"{typed} > {q(c.max_column)}", other=q(c.max_column))
        if c.not_before:
            add("error", c.name, "before_column", f"{typed} < {q(c.not_before)}", other=q(c.not_before))
        if c.references:
            add("error", c.name, "unknown_facility",
                f"{typed} is not null and {typed} not in (select facility_code from known_facility)")
        if c.compare_last_week and prev_week is not None:
            ratio = policy.value("quality.week_on_week_ratio")
            add("warning", c.name, "week_on_week",
                f"""exists (select 1 from prev p where p.facility_code = typed.facility_code
                    and p.{q(c.name)} > 0 and {typed} > 0
                    and ({typed} > p.{q(c.name)} * {ratio} or {typed} * {ratio} < p.{q(c.name)}))""",
                other=f"(select p.{q(c.name)} from prev p where p.facility_code = typed.facility_code)")
    if ds.name == "register":
        add("error", "age", "no_age", "age is null and age__raw is null and id_number is not null", value="null")
        add("warning", "id_number", "duplicate_person", "person_seq > 1", value="id_masked", other="person_first_row")
        weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
        total = " + ".join(f"{w} * cast(substr(id_number, {i + 1}, 1) as integer)" for i, w in enumerate(weights))
        add("warning", "id_number", "id_checksum",
            f"id_number is not null and substr('10X98765432', (({total}) % 11) + 1, 1) <> substr(id_number, 18, 1)",
            value="id_masked")
    else:
        key = ds.key[0]
        out.append(("error", f"""select {ROW}, '{key}', 'duplicate_key', cast({q(key)} as varchar), cast(first_row as varchar)
            from (select {ROW}, {q(key)}, first({ROW}) over (partition by {q(key)} order by {ROW}) as first_row,
                         row_number() over (partition by {q(key)} order by {ROW}) as seq
                  from typed where {q(key)} is not null) where seq > 1"""))
    if ds.name == "transfer":
        add("warning", "requested_at", "outside_week",
            "requested_at is not null and (requested_at < $week::date or requested_at >= $week::date + 7)")
    return out


@dataclass
class Issue:
    severity: str
    row: int | None
    column: str | None
    code: str
    value: str | None
    other: str | None
    occurrences: int = 1


def find_issues(con: duckdb.DuckDBPyConnection, ds: Dataset, week: dt.date, prev_week: dt.date | None) -> list[Issue]:
    if any(c.references for c in ds.columns):
        con.execute("create or replace temp table known_facility as select distinct facility_code from facility")
    if prev_week is not None:
        compared = [c.name for c in ds.columns if c.compare_last_week]
        cols = ", ".join(q(c) for c in compared)
        con.execute(f"create or replace temp table prev as select facility_code, {cols} from {ds.name} where week = $w", {"w": prev_week})
    checks = _checks(ds, prev_week)
    union = " union all ".join(f"select '{sev}' as severity, * from ({sql})" for sev, sql in checks)
    con.execute(
        f"create or replace temp table issues_all as select * from ({union}) t(severity, row_no, col, code, value, other)",
        {"week": week} if "$week" in union else None,
    )
    rows = con.execute(
        f"""
        select severity, row_no, col, code, value, other, count(*) over (partition by severity, col, code) as n
        from issues_all
        qualify row_number() over (partition by severity, col, code order by row_no) <= {EXAMPLES_PER_CHECK}
        order by severity, row_no, col
        """
    ).fetchall()
    return [Issue(*r[:6], occurrences=r[6]) for r in rows]


def counts(con: duckdb.DuckDBPyConnection) -> tuple[int, int]:
    """(error rows, warning rows) in the last find_issues run, counting every occurrence."""
    errors, warnings = con.execute(
        "select count(*) filter (severity = 'error'), count(*) filter (severity = 'warning') from issues_all"
    ).fetchone()
    return errors, warnings
