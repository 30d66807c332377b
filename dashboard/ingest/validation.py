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

from dashboard.ingest import contracts

from dashboard import policy, rules
from dashboard.ingest.contracts import Column, Dataset
from dashboard.ingest.reading import ROW

EXAMPLES_PER_CHECK = 20

_TRUE = ("是", "y", "yes", "true", "1", "√", "有", "已签约", "签约")
_FALSE = ("否", "n", "no", "false", "0", "无", "未签约", "×")
_DATE_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S"]
# Excel's and WPS's default Chinese display writes dates as 2022/12/19 (and 2022/12/19 8:30): a time
# column that holds only the date is read as midnight.
_DATETIME_FORMATS = [
    "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%dT%H:%M:%S",
    "%Y年%m月%d日 %H:%M", "%Y年%m月%d日%H时%M分", "%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日",
]

# A value written as a number: 1.50102193807221E+17, or 150102.0 (what a number cell becomes in
# exports). In an ID-number, phone or code column that means digits or leading zeros may be lost.
NUMBER_SHAPED = "[+-]?[0-9]+(\\.[0-9]+)?[eE][+-]?[0-9]+|[0-9]+\\.[0-9]+"
# An ID number anywhere in a value: 6-digit area code, a birth date 1900-2099, 3 digits, a check
# character (the check digit is verified separately, see _id_checks). A mobile number: 1[3-9] + 9.
ID_SHAPED = ("(^|[^0-9])([1-9][0-9]{5}(19|20)[0-9]{2}(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx])"
             "($|[^0-9A-Za-z])")
PHONE_SHAPED = "(^|[^0-9])(\\+?86[- ]?)?1[3-9][0-9][- ]?[0-9]{4}[- ]?[0-9]{4}($|[^0-9])"


def q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _raw(col: Column) -> str:
    """The cell as written, trimmed, blank as null (column of the trimmed layer `s`, see build_typed)."""
    return f"s.{q(col.name)}"


def _text_like(col: Column) -> bool:
    """Columns whose typed value is the text itself (so no raw copy is needed for messages)."""
    return col.type in ("text", "code", "phone")


def _kept(col: Column) -> bool:
    """Personal free text (the name) is never needed for a check: it is not even staged in `typed`."""
    return not (col.personal and col.type == "text" and not col.required)


def _norm(expr: str) -> str:
    return f"regexp_replace(lower({expr}), '[\\s_\\-()\\[\\]（）]+', '', 'g')"


def _list(values) -> str:
    return "[" + ", ".join("'" + str(v).replace("'", "''") + "'" for v in values) + "]"


def typed_expr(col: Column) -> str:
    v = _raw(col)
    if col.type in ("code", "text"):
        # A code is its text: 150102.0 or 1.5E+17 is refused (number_text), never repaired, since
        # the digits a number format lost cannot be recovered.
        return v
    if col.type == "int":
        clean = f"replace({v}, ',', '')"
        # try_cast to integer: a number too large for the stored column is a bad value, not a crash.
        return (f"case when regexp_full_match({clean}, '[+-]?[0-9]+(\\.0+)?') "
                f"then try_cast(try_cast({clean} as double) as integer) end")
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
    """Temp table enum_map(col, raw, value): each distinct cell of each enum column that names an
    allowed value. Spellings are matched on the few distinct cells, in Python (the same folding as
    headers), so the big table is only joined on its exact text."""
    enums = [c for c in ds.columns if c.type == "enum"]
    rows: list[tuple[str, str, str]] = []
    if enums:
        union = " union all ".join(
            f"select '{c.name}' as col, raw from (select nullif(trim(stg.{q(c.name)}), '') as raw "
            f"from stg group by all) where raw is not null"
            for c in enums
        )
        lookups = {c.name: contracts.enum_lookup(c.enum) for c in enums}
        for col, raw in con.execute(union).fetchall():
            value = lookups[col].get(contracts.normalise_header(raw))
            if value is not None:
                rows.append((col, raw, value))
    frame = pl.DataFrame(rows, schema={"col": pl.Utf8, "raw": pl.Utf8, "value": pl.Utf8}, orient="row")
    con.register("enum_map_src", frame)
    con.execute("create or replace temp table enum_map as select * from enum_map_src")
    con.unregister("enum_map_src")


def typed_select(ds: Dataset) -> str:
    """The select turning `stg` into typed columns. For a column that is not text, `<name>__raw`
    keeps the cell as written only where it could not be typed (the one case a message needs it),
    so valid files carry no second copy of their text."""
    kept = [c for c in ds.columns if _kept(c)]
    trimmed = ", ".join(f"nullif(trim(stg.{q(c.name)}), '') as {q(c.name)}" for c in kept)
    joins = "".join(
        f" left join enum_map e_{c.name} on e_{c.name}.col = '{c.name}' and e_{c.name}.raw = {_raw(c)}"
        for c in kept if c.type == "enum"
    )
    inner = ", ".join(
        f"{typed_expr(c)} as {q(c.name)}" + ("" if _text_like(c) else f", {_raw(c)} as {q(c.name + '__raw')}")
        for c in kept
    )
    outer = ", ".join(
        q(c.name) if _text_like(c) else
        f"{q(c.name)}, case when {q(c.name)} is null then {q(c.name + '__raw')} end as {q(c.name + '__raw')}"
        for c in kept
    )
    return (f"select {ROW}, {outer} from (select s.{ROW}, {inner} "
            f"from (select stg.{ROW}, {trimmed} from stg) s{joins})")


def pseudonym_keys(ds: Dataset) -> str:
    """SQL for the keys that replace a dataset's personal columns, as the register makes them: the ID
    number's salted SHA-256 (person_key) and masked form (id_masked), the phone's (phone_key). Empty
    when the dataset has none."""
    parts = []
    for c in ds.columns:
        if c.personal and c.type == "id_number":
            parts += [f"('0x' || substr(sha256($salt || '|' || {q(c.name)}), 1, 16))::ubigint as person_key",
                      f"substr({q(c.name)}, 1, 6) || '********' || substr({q(c.name)}, 15, 4) as id_masked"]
        elif c.personal and c.type == "phone":
            parts.append(f"case when {q(c.name)} is not null then "
                         f"('0x' || substr(sha256($salt || '|' || {q(c.name)}), 1, 16))::ubigint end as phone_key")
    return ", ".join(parts)


def build_typed(con: duckdb.DuckDBPyConnection, ds: Dataset, week: dt.date, salt: str) -> None:
    """Create temp table `typed`: _row, one typed column per contract column (with <name>__raw, see
    typed_select), and for the register the pseudonymised keys, the rule label, and temp table
    `repeated` (ID numbers given on more than one row, with the first row).
    One statement, one scan of the staged rows: at 3 million rows every extra pass costs seconds."""
    _enum_table(con, ds)
    if ds.name != "register":
        keys = pseudonym_keys(ds)
        if keys:  # another dataset with personal columns (the discharge register): the same keys
            con.execute(f"create or replace temp table typed as select *, {keys} from ({typed_select(ds)})", {"salt": salt})
        else:
            con.execute(f"create or replace temp table typed as {typed_select(ds)}")
        return
    con.execute(
        f"""
        create or replace temp table typed as
        select * exclude (age, age_final), age_final as age,
            ('0x' || substr(sha256($salt || '|' || id_number), 1, 16))::ubigint as person_key,
            case when phone is not null then ('0x' || substr(sha256($salt || '|' || phone), 1, 16))::ubigint end as phone_key,
            substr(id_number, 1, 6) || '********' || substr(id_number, 15, 4) as id_masked,
            risk_label(age_final, disease_state, vaccination,
                $risk_age_young_below, $risk_age_old_above, $risk_score_yellow_from, $risk_score_red_from) as rule_label
        from (
            select *,
                -- Only a blank age is worked out: an age written badly stays null, so it is reported.
                case when age is null and age__raw is null then coalesce(
                    extract(year from age($week::date, birth_date))::integer,
                    extract(year from age($week::date, try_strptime(substr(id_number, 7, 8), '%Y%m%d')::date))::integer
                ) else age end as age_final
            from ({typed_select(ds)})
        )
        """,
        {"week": week, "salt": salt, **rules.risk_params()},
    )
    # A hash aggregate on the 64-bit key finds repeated ID numbers; a window over 3 million string
    # partitions is several times slower. (Keys are what the register stores, so equal keys are
    # the same person there anyway.)
    con.execute(
        f"""create or replace temp table repeated as
            select person_key as repeated_key, min({ROW}) as first_row from typed
            where person_key is not null group by person_key having count(*) > 1"""
    )


_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def _id_check(expr: str) -> str:
    """SQL: the 18-character ID number `expr` has the right check character (GB 11643, ISO 7064)."""
    total = " + ".join(f"{w} * cast(substr({expr}, {i + 1}, 1) as integer)" for i, w in enumerate(_WEIGHTS))
    return f"substr('10X98765432', (({total}) % 11) + 1, 1) = upper(right({expr}, 1))"


# Two facilities closer than this are "the same place" (0.001 degree of latitude is ~111 m; a
# degree of longitude is shorter at 42°N), as in queries/duplicate_facilities.sql.
_NEAR_LAT, _NEAR_LON = 0.001, 0.00135


def _facility_place_checks() -> list[tuple[str, str]]:
    """Warnings a dry run gives about the facility register itself: coordinates outside the county
    the row names (against whatever boundaries are loaded, see geography), the same name under two
    codes, two codes at the same place."""
    return [
        ("warning", f"""select t.{ROW}, 'lon', 'outside_county', cast(t.lon as varchar) || ', ' || cast(t.lat as varchar),
                t.county_code from typed t semi join outside_county o on o.{ROW} = t.{ROW}"""),
        ("warning", """select null, 'county_code', 'unchecked_location',
                string_agg(county_code, '、' order by county_code) filter (rn <= 5), cast(sum(n) as varchar)
            from (select *, row_number() over (order by county_code) as rn from unchecked_county)
            having count(*) > 0"""),
        ("warning", f"""select t.{ROW}, 'facility_name', 'duplicate_name', t.facility_name, cast(d.first_row as varchar)
            from typed t join (select facility_name as n, min({ROW}) as first_row from typed
                               where facility_name is not null group by 1 having count(distinct facility_code) > 1) d
              on t.facility_name = d.n
            where t.{ROW} > d.first_row"""),
        ("warning", f"""select b.{ROW}, 'lat', 'same_place', null, cast(min(a.{ROW}) as varchar)
            from typed a join typed b
              on b.lat between a.lat - {_NEAR_LAT} and a.lat + {_NEAR_LAT}
             and b.lon between a.lon - {_NEAR_LON} and a.lon + {_NEAR_LON}
            where a.{ROW} < b.{ROW} and a.facility_code <> b.facility_code
            group by b.{ROW}"""),
    ]


def _outside_county(con: duckdb.DuckDBPyConnection) -> None:
    """Temp table outside_county(_row): facilities whose point is not inside the boundary of the county
    they name. Facility registers are small (thousands of rows), so this runs in numpy."""
    from dashboard.metrics import geography

    located = pl.DataFrame(
        con.execute(f"""select {ROW}, county_code, lon, lat from typed
                        where county_code is not null and lon is not null and lat is not null""").fetchall(),
        schema={ROW: pl.Int64, "county_code": pl.Utf8, "lon": pl.Float64, "lat": pl.Float64}, orient="row")
    inside = geography.points_in_counties(located["county_code"], located["lon"], located["lat"]) \
        if located.height else pl.Series("inside", [], dtype=pl.Boolean)
    con.register("outside_src", located.filter(~inside).select(ROW))
    con.execute("create or replace temp table outside_county as select * from outside_src")
    con.unregister("outside_src")
    # Counties no loaded boundary file has: nothing to check them against, and the analyst is told so.
    known = geography.known_counties()
    unchecked = located.filter(~pl.col("county_code").is_in(list(known))
                               & pl.col("county_code").str.contains(r"^[0-9]{6}$")).group_by("county_code").len()
    con.register("unchecked_src", unchecked.rename({"len": "n"}))
    con.execute("create or replace temp table unchecked_county as select * from unchecked_src")
    con.unregister("unchecked_src")


def _checks(ds: Dataset, prev_week: dt.date | None) -> list[tuple[str, str]]:
    """(severity, select returning _row, col, code, value, other) per check."""
    out: list[tuple[str, str]] = []

    def add(severity: str, col: str, code: str, where: str, value: str, other: str = "null"):
        out.append((severity, f"select {ROW}, '{col}', '{code}', cast({value} as varchar), cast({other} as varchar) from typed where {where}"))

    for c in ds.columns:
        if not _kept(c):
            continue
        raw, typed = q(c.name + "__raw"), q(c.name)
        blank = f"{typed} is null" if _text_like(c) else f"{typed} is null and {raw} is null"
        as_written = typed if _text_like(c) else f"coalesce({raw}, cast({typed} as varchar))"
        # Personal values never reach load_issue in clear: a masked ID, nothing for the others.
        shown = (f"left({raw}, 6) || '********'" if c.type == "id_number" else "'***'") if c.personal else as_written

        def add_col(severity: str, code: str, where: str, other: str = "null", _shown=shown, _col=c.name):
            add(severity, _col, code, where, value=_shown, other=other)

        if c.required:
            add_col("error", "missing", blank)
        if c.required_when:
            add_col("error", "missing_when", f"{blank} and ({c.required_when})")
        if not _text_like(c):
            add_col("error", f"bad_{c.type}", f"{raw} is not null")
        if c.type in ("id_number", "phone", "code"):
            written = typed if _text_like(c) else raw  # an ID number that is not valid has only its raw text
            # contains('.'): only values with a dot (a decimal or 1.5E+17) pay for the regex.
            add_col("error", "number_text",
                    f"contains({written}, '.') and regexp_full_match({written}, '{NUMBER_SHAPED}')")
        if not c.personal and c.type in ("code", "text"):
            # Personal data in a column that is stored in clear (an ID number typed into the record
            # number, a phone in the notes): refused, never stored, never printed. The length test
            # keeps the regular expressions off almost every cell of a large file.
            found = f"regexp_extract({typed}, '{ID_SHAPED}', 2)"
            hit = f"length({typed}) >= 18 and regexp_matches({typed}, '{ID_SHAPED}') and {_id_check(found)}"
            if c.type == "text":
                # Phone-shaped codes are not refused: 15010200001 is as likely a record number.
                hit = f"({hit}) or (length({typed}) >= 11 and regexp_matches({typed}, '{PHONE_SHAPED}'))"
            add("error", c.name, "personal_data", hit, value="null")
        if c.type == "phone":
            add_col("warning", "bad_phone",
                f"{typed} is not null and not regexp_full_match({typed}, '(\\+?86)?1[3-9][0-9]{{9}}|0[0-9]{{2,3}}[0-9]{{7,8}}|[0-9]{{7,8}}')")
        if c.min is not None:
            add_col("error", "below_min", f"{typed} < {c.min}", other=str(c.min))
        if c.max is not None:
            add_col("error", "above_max", f"{typed} > {c.max}", other=str(c.max))
        if c.pattern:
            add_col("error", "bad_pattern", f"{typed} is not null and not regexp_full_match({typed}, '{c.pattern.strip('^$')}')")
        if c.max_column:
            add_col("error", "above_column", f"{typed} > {q(c.max_column)}", other=q(c.max_column))
        if c.not_before:
            add_col("error", "before_column", f"{typed} < {q(c.not_before)}", other=q(c.not_before))
        if c.references:
            add_col("error", "unknown_facility",
                f"{typed} is not null and {typed} not in (select facility_code from known_facility)")
        if c.compare_last_week and prev_week is not None:
            ratio = policy.value("quality.week_on_week_ratio")
            add_col("warning", "week_on_week",
                # typed.<col>, qualified: unqualified inside the subquery it would name p.<col>.
                f"""exists (select 1 from prev p where p.facility_code = typed.facility_code
                    and p.{q(c.name)} > 0 and typed.{typed} > 0
                    and (typed.{typed} > p.{q(c.name)} * {ratio} or typed.{typed} * {ratio} < p.{q(c.name)}))""",
                other=f"(select p.{q(c.name)} from prev p where p.facility_code = typed.facility_code)")
    if ds.name == "register":
        add("error", "age", "no_age", "age is null and age__raw is null and id_number is not null", value="null")
        out.append(("warning", f"""select t.{ROW}, 'id_number', 'duplicate_person', t.id_masked, cast(r.first_row as varchar)
            from typed t join repeated r on t.person_key = r.repeated_key where t.{ROW} > r.first_row"""))
        weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
        # Digits by integer arithmetic on the first 17 characters, parsed once: 17 substrings per row
        # cost a second at 3 million rows. (id_number is already 17 digits and a digit or X.)
        total = " + ".join(f"{w} * ((n // {10 ** (16 - i)}) % 10)" for i, w in enumerate(weights))
        out.append(("warning", f"""select {ROW}, 'id_number', 'id_checksum', id_masked, null
            from (select {ROW}, id_masked, right(id_number, 1) as check_char,
                         cast(left(id_number, 17) as bigint) as n from typed where id_number is not null)
            where substr('10X98765432', (({total}) % 11) + 1, 1) <> check_char"""))
    else:
        key = ds.key[0]
        out.append(("error", f"""select t.{ROW}, '{key}', 'duplicate_key', cast(t.{q(key)} as varchar), cast(d.first_row as varchar)
            from typed t join (select {q(key)} as k, min({ROW}) as first_row from typed where {q(key)} is not null
                               group by 1 having count(*) > 1) d on t.{q(key)} = d.k
            where t.{ROW} > d.first_row"""))
    if ds.name == "facility":
        out += _facility_place_checks()
    if ds.name == "transfer":
        add("warning", "requested_at", "outside_week",
            "requested_at is not null and (requested_at < $week::date or requested_at >= $week::date + 7)",
            value="cast(requested_at as varchar)")
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
    if ds.name == "facility":
        _outside_county(con)
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
