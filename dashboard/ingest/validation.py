"""Validation of an upload, done in DuckDB: typing, pseudonymisation and every check of a row in one
pass, then the checks across rows.

`build_typed(con, ds, week, salt, source)` turns the source's strings (DuckDB's read_csv on the file
itself, or a registered frame of a spreadsheet's cells) into temp table `typed`, with one bit per
failed row-level check in `_flags<n>`; personal columns leave it already pseudonymised as the
contract's `personal` says, so `typed` may spill to disk. `find_issues(con, ds, week, prev)` returns
the errors and warnings with row, column and value. Nothing here writes to the stored tables.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb
import polars as pl

from dashboard.ingest import contracts

from dashboard import policy, rules
from dashboard.ingest.contracts import Column, Dataset

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
    """The cell as written, trimmed, blank as null (column of the trimmed layer `s`, see typed_select)."""
    return f"s.{q(col.name)}"


def _text_like(col: Column) -> bool:
    """Columns whose typed value is the text itself (so no raw copy is needed for messages)."""
    return col.type in ("text", "code", "phone")


def _kept(col: Column) -> bool:
    """Personal free text (the name) is never needed for a check: it is not even staged in `typed`."""
    return not (col.personal and col.type == "text" and not col.required)


def _list(values) -> str:
    return "[" + ", ".join("'" + str(v).replace("'", "''") + "'" for v in values) + "]"


def _literal(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


# Full-width ASCII (！ to ～) and the ideographic space, folded as contracts.normalise_header folds them.
_WIDE = "".join(chr(c) for c in range(0xFF01, 0xFF5F)) + "\u3000"
_NARROW = "".join(chr(c) for c in range(0x21, 0x7F)) + " "


def _normalised(expr: str) -> str:
    """SQL folding a cell as contracts.normalise_header folds a header (width, case, spaces, brackets)."""
    return f"regexp_replace(lower(translate({expr}, {_literal(_WIDE)}, {_literal(_NARROW)})), '[\\s_\\-()\\[\\]]+', '', 'g')"


def typed_expr(col: Column) -> str:
    v = _raw(col)
    if col.type in ("code", "text"):
        # A code is its text: 150102.0 or 1.5E+17 is refused (number_text), never repaired, since
        # the digits a number format lost cannot be recovered.
        return v
    if col.type == "int":
        clean = f"replace({v}, ',', '')"
        # The contract's spellings: digits with a sign, thousands commas and a zero fraction allowed
        # (the regular expression). DuckDB's cast accepts more (1e3, 1_000, 0x10, 12.5, tabs), so it
        # is used only where the integer it gives, written back, is the cell itself (-?[1-9][0-9]*|0,
        # which the expression accepts with that value): almost every cell, without the regular
        # expression. Any other cell takes the expression. try_cast to integer: a number too large
        # for the stored column is a bad value, not a crash.
        fast = f"try_cast({v} as integer)"
        return (f"case when cast({fast} as varchar) = {v} then {fast} "
                f"when regexp_full_match({clean}, '[+-]?[0-9]+(\\.0+)?') "
                f"then try_cast(try_cast({clean} as double) as integer) end")
    if col.type == "float":
        return f"try_cast({v} as double)"
    if col.type == "bool":
        # 是/否 (almost every cell) by plain comparison; the other spellings after lower().
        # (A map, not `in (...)`: DuckDB turns a long IN list into a join, which loses file order.)
        spellings = ", ".join(f"{_literal(k)}: {val}" for val, ks in (("true", _TRUE), ("false", _FALSE)) for k in ks)
        return (f"case when {v} = '是' then true when {v} = '否' then false "
                f"else (MAP {{{spellings}}})[lower({v})] end")
    if col.type == "date":
        return (f"coalesce(try_strptime({v}, {_list(_DATE_FORMATS)})::date, "
                f"case when regexp_full_match({v}, '[0-9]{{1,5}}(\\.[0-9]+)?') "
                f"then date '1899-12-30' + cast(floor(cast({v} as double)) as integer) end)")
    if col.type == "datetime":
        return (f"coalesce(try_strptime({v}, {_list(_DATETIME_FORMATS)}), "
                f"case when regexp_full_match({v}, '[0-9]{{1,5}}(\\.[0-9]+)?') "
                f"then timestamp '1899-12-30' + to_microseconds(cast(round(cast({v} as double) * 86400000000) as bigint)) end)")
    if col.type == "enum":
        # The exact spelling looked up in a map of the contract's spellings (a lookup, not a join: a
        # left join's unmatched rows leave it out of file order, and the rows are numbered by that
        # order, see build_typed); any other cell (rare) folded as headers are folded and looked up
        # in a map of the folded spellings.
        exact = ", ".join(f"{_literal(k)}: {_literal(val)}" for k, val in _spellings(col.enum).items())
        folded = ", ".join(f"{_literal(k)}: {_literal(val)}" for k, val in contracts.enum_lookup(col.enum).items())
        return (f"coalesce((MAP {{{exact}}})[{v}], case when {v} is not null "
                f"then (MAP {{{folded}}})[{_normalised(v)}] end)")
    if col.type == "id_number":
        return f"case when regexp_full_match(upper(replace({v}, ' ', '')), '[0-9]{{17}}[0-9X]') then upper(replace({v}, ' ', '')) end"
    if col.type == "phone":
        return f"regexp_replace({v}, '[\\s\\-()（）]', '', 'g')"
    raise ValueError(f"unknown column type {col.type}")


def _spellings(enum: str) -> dict[str, str]:
    """Every spelling an enum accepts as written in the contract -> its value (the first value that
    lists a spelling wins)."""
    out: dict[str, str] = {}
    for value, spellings in contracts.enum_values(enum).items():
        for spelling in spellings:
            out.setdefault(spelling, value)
    return out


@dataclass
class Source:
    """Where the staged strings come from: a relation (a registered frame, or DuckDB's read_csv on the
    file itself), each contract column's source column (absent: all blank), the SQL giving the row
    number as the analyst sees it, and every source column (a row blank in all of them is dropped).
    first_row (DuckDB's read_csv, which reads in file order): the row number of the first row, so
    that rows may instead be numbered by their place in the typed table (see build_typed): `row`,
    a window function (row_number() over ()), would hold the whole statement to one thread."""
    relation: str
    columns: dict[str, str]
    row: str
    all_columns: list[str]
    first_row: int | None = None


def typed_select(ds: Dataset, source: Source, numbered: bool = True) -> str:
    """The select turning the source's strings into typed columns. For a column that is not text,
    `<name>__raw` keeps the cell as written only where it could not be typed (the one case a message
    needs it), so valid files carry no second copy of their text."""
    kept = [c for c in ds.columns if _kept(c)]
    # A blank cell, or one the contract declares to mean "no value" (`missing_values`), is null.
    blank = "(" + ", ".join(_literal(m) for m in dict.fromkeys(["", *(m.strip() for m in ds.missing_values)])) + ")"

    def cell(c: Column) -> str:
        if c.name not in source.columns:
            return f"null::varchar as {q(c.name)}"
        col = f"src.{q(source.columns[c.name])}"
        return f"case when trim({col}) in {blank} then null else trim({col}) end as {q(c.name)}"

    filled = ", ".join(f"nullif(trim(src.{q(c)}), '')" for c in source.all_columns) or "null"
    trimmed = ", ".join(cell(c) for c in kept)
    inner = ", ".join(
        f"{typed_expr(c)} as {q(c.name)}" + ("" if _text_like(c) else f", {_raw(c)} as {q(c.name + '__raw')}")
        for c in kept
    )

    def outer(c: Column) -> str:
        if _text_like(c):
            return q(c.name)
        raw = f"case when {q(c.name)} is null then {q(c.name + '__raw')} end as {q(c.name + '__raw')}"
        if c.fill_when_blank:
            return f"case when {q(c.name)} is null and {q(c.name + '__raw')} is null then {c.fill_when_blank} else {q(c.name)} end as {q(c.name)}, {raw}"
        return f"{q(c.name)}, {raw}"

    if not numbered:  # numbered afterwards by file order (see build_typed)
        return (f"select _blank, {', '.join(outer(c) for c in kept)} from (select s._blank, {inner} "
                f"from (select coalesce({filled}) is null as _blank, {trimmed} "
                f"from {source.relation} src) s)")
    return (f"select _row, _blank, {', '.join(outer(c) for c in kept)} from (select s._row, s._blank, {inner} "
            f"from (select src._row, coalesce({filled}) is null as _blank, {trimmed} "
            f"from (select {source.row} as _row, * from {source.relation}) src) s)")


@dataclass
class Check:
    """One check: rows where `where` holds get finding `code` on `col`, showing `value` and `other`.
    A local check reads only its own row, so it is worked out while the rows are typed."""
    severity: str
    col: str
    code: str
    where: str
    value: str = "null"
    other: str = "null"
    local: bool = True


def _shown_column(c: Column) -> str:
    return q(c.name + "__shown")


def _local_checks(ds: Dataset) -> list[Check]:
    """Every check that reads one row, on the typed row (personal values still in clear, in memory):
    they become bits of `_flags<n>` in `typed`, so the checks cost no scan of their own."""
    out: list[Check] = []
    for c in ds.columns:
        if not _kept(c):
            continue
        raw, typed = q(c.name + "__raw"), q(c.name)
        blank = f"{typed} is null" if _text_like(c) else f"{typed} is null and {raw} is null"
        as_written = typed if _text_like(c) else f"coalesce({raw}, cast({typed} as varchar))"
        # Personal values never reach typed or load_issue in clear: a masked ID, nothing for the others.
        shown = (_shown_column(c) if c.type == "id_number" else "'***'") if c.personal else as_written

        def add(severity: str, code: str, where: str, other: str = "null", _shown=shown, _col=c.name):
            out.append(Check(severity, _col, code, where, _shown, other))

        if c.required:
            add("error", "missing", blank)
        if c.required_when:
            add("error", "missing_when", f"{blank} and ({c.required_when})")
        if c.fill_when_blank and c.unfilled:
            add("error", c.unfilled, blank)
        if not _text_like(c):
            add("error", f"bad_{c.type}", f"{raw} is not null")
        if c.type in ("id_number", "phone", "code"):
            written = typed if _text_like(c) else raw  # an ID number that is not valid has only its raw text
            # contains('.'): only values with a dot (a decimal or 1.5E+17) pay for the regex.
            add("error", "number_text", f"contains({written}, '.') and regexp_full_match({written}, '{NUMBER_SHAPED}')")
        if not c.personal and c.type in ("code", "text"):
            # Personal data in a column that is stored in clear (an ID number typed into the record
            # number, a phone in the notes): refused, never stored, never printed. The length test
            # keeps the regular expressions off almost every cell of a large file.
            found = f"regexp_extract({typed}, '{ID_SHAPED}', 2)"
            hit = f"length({typed}) >= 18 and regexp_matches({typed}, '{ID_SHAPED}') and {_id_check(found)}"
            if c.type == "text":
                # Phone-shaped codes are not refused: 15010200001 is as likely a record number.
                hit = f"({hit}) or (length({typed}) >= 11 and regexp_matches({typed}, '{PHONE_SHAPED}'))"
            out.append(Check("error", c.name, "personal_data", hit))
        if c.type == "phone":
            add("warning", "bad_phone",
                f"{typed} is not null and not regexp_full_match({typed}, '(\\+?86)?1[3-9][0-9]{{9}}|0[0-9]{{2,3}}[0-9]{{7,8}}|[0-9]{{7,8}}')")
        if c.type == "id_number":
            # Digits by integer arithmetic on the first 17 characters, parsed once: 17 substrings per
            # row cost a second at 3 million rows. (The typed value is 17 digits and a digit or X.)
            digits = q(c.name + "__digits")  # its first 17 digits as a number, see build_typed
            total = " + ".join(f"{w} * (({digits} // {10 ** (16 - i)}) % 10)" for i, w in enumerate(_WEIGHTS))
            masked = ds.pseudonym(c.name).masked if ds.pseudonym(c.name) else None
            out.append(Check("warning", c.name, "id_checksum",
                             f"{typed} is not null and substr('10X98765432', (({total}) % 11) + 1, 1) <> right({typed}, 1)",
                             value=q(masked) if masked else "'***'"))
        if c.min is not None:
            add("error", "below_min", f"{typed} < {c.min}", other=str(c.min))
        if c.max is not None:
            add("error", "above_max", f"{typed} > {c.max}", other=str(c.max))
        if c.pattern:
            add("error", "bad_pattern", f"{typed} is not null and not regexp_full_match({typed}, '{c.pattern.strip('^$')}')")
        if c.max_column:
            add("error", "above_column", f"{typed} > {q(c.max_column)}", other=q(c.max_column))
        if c.not_before:
            add("error", "before_column", f"{typed} < {q(c.not_before)}", other=q(c.not_before))
        if c.references:
            # Across rows (a join with the referenced keys), after typing: a join in the typing
            # statement would lose the file's row order (see build_typed).
            out.append(Check("error", c.name, "unknown_facility",
                             f"{typed} is not null and {typed} not in (select key from {_known(c.references)})",
                             shown, local=False))
        if c.within_week:
            add("warning", "outside_week", f"{typed} is not null and ({typed} < $week::date or {typed} >= $week::date + 7)")
    return out


def _known(dataset: str) -> str:
    return f"known_{dataset}"


FLAG_BITS = 62


def _flag_columns(checks: list[Check]) -> str:
    """`_flags0`, `_flags1`, ...: bit i % 62 of _flags<i // 62> is set where check i holds."""
    groups = [checks[i:i + FLAG_BITS] for i in range(0, len(checks), FLAG_BITS)] or [[]]
    return ", ".join(
        "(" + (" + ".join(f"case when {c.where} then {1 << k}::bigint else 0::bigint end" for k, c in enumerate(g)) or "0::bigint")
        + f") as _flags{n}"
        for n, g in enumerate(groups)
    )


def _params(sql: str, values: dict) -> dict | None:
    used = {k: v for k, v in values.items() if f"${k}" in sql}
    return used or None


def build_typed(con: duckdb.DuckDBPyConnection, ds: Dataset, week: dt.date, salt: str, source: Source) -> None:
    """Create `typed` in one statement, one scan of the source (a view over temp table `typed_rows`):
    _row, one typed column per contract column (with <name>__raw, see typed_select), the keys and masks the contract's `personal`
    makes of personal columns (which are not kept in clear: `typed` may spill to disk under the
    connection's memory limit), the columns derived at load, and `_flags<n>`, one bit per check that
    reads one row. Then temp table `repeated` (keys given on more than one row, with the first row)."""
    for target in dict.fromkeys(ds.references.values()):
        key = contracts.dataset(target).key[0]
        con.execute(f"create or replace temp table {_known(target)} as select distinct {q(key)} as key from {target}")
    checks = [c for c in _local_checks(ds) if c.local]
    made = []
    for p in ds.personal:
        col = q(p.column)
        if p.key:
            made.append(f"case when {col} is not null then ('0x' || substr(sha256($salt || '|' || {col}), 1, 16))::ubigint end as {q(p.key)}")
        if p.masked:
            made.append(f"substr({col}, 1, 6) || '********' || substr({col}, 15, 4) as {q(p.masked)}")
    personal_ids = [c for c in ds.columns if c.personal and c.type == "id_number" and _kept(c)]
    shown = [f"case when {q(c.name + '__raw')} is not null then left({q(c.name + '__raw')}, 6) || '********' end as {_shown_column(c)}"
             for c in personal_ids]
    derived = [f"{sql} as {q(name)}" for name, sql in ds.derived_sql]
    ids = [c for c in ds.columns if c.type == "id_number" and _kept(c)]
    digits = ", ".join(f"cast(left({q(c.name)}, 17) as bigint) as {q(c.name + '__digits')}" for c in ids)
    dropped = [q(n) for c in ds.columns if c.personal and _kept(c)
               for n in (c.name, *(() if _text_like(c) else (c.name + "__raw",)))]
    dropped += [q(c.name + "__digits") for c in ids]
    select = (f"select * {'exclude (' + ', '.join(dropped) + ')' if dropped else ''} from ("
              f"select *, {', '.join([*made, *shown, *derived, _flag_columns(checks)])} from ("
              f"select *{', ' + digits if digits else ''} from ({typed_select(ds, source)})))")
    # The cells that could not be typed (`<name>__raw`, and an ID number's masked `__shown`: null in
    # almost every row) are stored as one list per row, null where the row has none, and the view
    # `typed` gives them back as columns: a table in memory stores a null text as wide as any other,
    # so the register's nine such columns were 144 of each row's 387 bytes, and of what a large file
    # spills to disk under the load's memory limit.
    raws = [c.name + "__raw" for c in ds.columns if _kept(c) and not _text_like(c) and not c.personal]
    raws += [c.name + "__shown" for c in personal_ids]
    if raws:
        select = (f"select * exclude ({', '.join(q(r) for r in raws)}), "
                  f"case when {' or '.join(q(r) + ' is not null' for r in raws)} "
                  f"then [{', '.join(q(r) for r in raws)}] end as _raws from ({select})")
    unpacked = "".join(f", _raws[{i + 1}] as {q(r)}" for i, r in enumerate(raws))
    columns = f"* exclude (_raws){unpacked}" if raws else "*"
    drop_typed(con)
    params = {"week": week, "salt": salt, **rules.risk_params()}
    sql, numbered = f"create temp table typed_rows as {select}", ""
    if source.first_row is not None:
        # In parallel, numbered by place: DuckDB writes a query's rows in the order it reads them
        # (preserve_insertion_order) when every step keeps that order, which it shows by planning a
        # "batch" insert; then a row's place in `typed_rows` (its rowid, which a delete does not
        # change) is its line in the file, and `typed` is that table with the row number. Otherwise
        # (a contract expression DuckDB plans as a join, say) the window numbers the rows, on one thread.
        by_place = select.replace(typed_select(ds, source), typed_select(ds, source, numbered=False), 1)
        by_place_sql = f"create temp table typed_rows as {by_place}"
        plan = "".join(str(r[-1]) for r in con.execute(f"explain {by_place_sql}", _params(by_place_sql, params)).fetchall())
        if "batch" in plan.lower().split("create table as")[0]:
            sql, numbered = by_place_sql, f"rowid + {int(source.first_row)} as _row, "
    con.execute(sql, _params(sql, params))
    con.execute(f"create temp view typed as select {numbered}{columns} from typed_rows")
    blank = con.execute("select count(*) from typed_rows where _blank").fetchall()[0][0]
    if blank:
        con.execute("delete from typed_rows where _blank")
    con.execute("create or replace temp table blank_rows as select $n as n", {"n": blank})
    # A hash aggregate on the 64-bit key finds repeated keys; a window over 3 million string
    # partitions is several times slower.
    key = q(ds.key[0])
    con.execute(
        f"""create or replace temp table repeated as
            select {key} as repeated_key, min(_row) as first_row from typed
            where {key} is not null group by {key} having count(*) > 1"""
    )


def drop_typed(con: duckdb.DuckDBPyConnection) -> None:
    """Drop what build_typed made: view `typed` over table `typed_rows`."""
    con.execute("drop view if exists typed")
    con.execute("drop table if exists typed_rows")


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
        ("warning", f"""select t._row, 'lon', 'outside_county', cast(t.lon as varchar) || ', ' || cast(t.lat as varchar),
                t.county_code from typed t semi join outside_county o on o._row = t._row"""),
        ("warning", """select null, 'county_code', 'unchecked_location',
                string_agg(county_code, '、' order by county_code) filter (rn <= 5), cast(sum(n) as varchar)
            from (select *, row_number() over (order by county_code) as rn from unchecked_county)
            having count(*) > 0"""),
        ("warning", f"""select t._row, 'facility_name', 'duplicate_name', t.facility_name, cast(d.first_row as varchar)
            from typed t join (select facility_name as n, min(_row) as first_row from typed
                               where facility_name is not null group by 1 having count(distinct facility_code) > 1) d
              on t.facility_name = d.n
            where t._row > d.first_row"""),
        ("warning", f"""select b._row, 'lat', 'same_place', null, cast(min(a._row) as varchar)
            from typed a join typed b
              on b.lat between a.lat - {_NEAR_LAT} and a.lat + {_NEAR_LAT}
             and b.lon between a.lon - {_NEAR_LON} and a.lon + {_NEAR_LON}
            where a._row < b._row and a.facility_code <> b.facility_code
            group by b._row"""),
    ]


def _outside_county(con: duckdb.DuckDBPyConnection) -> None:
    """Temp table outside_county(_row): facilities whose point is not inside the boundary of the county
    they name. Facility registers are small (thousands of rows), so this runs in numpy."""
    from dashboard.metrics import geography

    located = pl.DataFrame(
        con.execute(f"""select _row, county_code, lon, lat from typed
                        where county_code is not null and lon is not null and lat is not null""").fetchall(),
        schema={"_row": pl.Int64, "county_code": pl.Utf8, "lon": pl.Float64, "lat": pl.Float64}, orient="row")
    inside = geography.points_in_counties(located["county_code"], located["lon"], located["lat"]) \
        if located.height else pl.Series("inside", [], dtype=pl.Boolean)
    con.register("outside_src", located.filter(~inside).select("_row"))
    con.execute("create or replace temp table outside_county as select * from outside_src")
    con.unregister("outside_src")
    # Counties no loaded boundary file has: nothing to check them against, and the analyst is told so.
    known = geography.known_counties()
    unchecked = located.filter(~pl.col("county_code").is_in(list(known))
                               & pl.col("county_code").str.contains(r"^[0-9]{6}$")).group_by("county_code").len()
    con.register("unchecked_src", unchecked.rename({"len": "n"}))
    con.execute("create or replace temp table unchecked_county as select * from unchecked_src")
    con.unregister("unchecked_src")


def _set_checks(ds: Dataset, prev_week: dt.date | None) -> list[tuple[str, str]]:
    """(severity, select returning _row, col, code, value, other) per check that reads other rows."""
    out: list[tuple[str, str]] = []
    key = ds.key[0]
    pseudonym = next((p for p in ds.personal if key in (p.key, p.masked)), None)
    shown = q(pseudonym.masked) if pseudonym and pseudonym.masked else f"cast(t.{q(key)} as varchar)"
    column = pseudonym.column if pseudonym else key
    severity = "warning" if ds.on_duplicate == "keep_first" else "error"
    out.append((severity, f"""select t._row, '{column}', '{ds.duplicate_finding}', {shown}, cast(r.first_row as varchar)
        from typed t join repeated r on t.{q(key)} = r.repeated_key where t._row > r.first_row"""))
    for c in ds.columns:
        if c.compare_last_week and prev_week is not None:
            ratio = policy.value("quality.week_on_week_ratio")
            typed = q(c.name)
            out.append(("warning", f"""select _row, '{c.name}', 'week_on_week', cast({typed} as varchar),
                cast((select p.{typed} from prev p where p.{q(key)} = typed.{q(key)}) as varchar) from typed
                where exists (select 1 from prev p where p.{q(key)} = typed.{q(key)}
                    and p.{typed} > 0 and typed.{typed} > 0
                    and (typed.{typed} > p.{typed} * {ratio} or typed.{typed} * {ratio} < p.{typed}))"""))
    for name in ds.checks:
        out += DATASET_CHECKS[name][1]()
    return out


# Named checks across rows a contract may ask for (`checks = [...]`): (preparation, checks).
DATASET_CHECKS = {"location": (_outside_county, _facility_place_checks)}


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
    if prev_week is not None:
        compared = [c.name for c in ds.columns if c.compare_last_week]
        cols = ", ".join(q(c) for c in [ds.key[0], *compared])
        con.execute(f"create or replace temp table prev as select {cols} from {ds.name} where week = $w", {"w": prev_week})
    for name in ds.checks:
        DATASET_CHECKS[name][0](con)
    local = [c for c in _local_checks(ds) if c.local]
    across = [(c.severity, f"select _row, '{c.col}', '{c.code}', cast({c.value} as varchar), cast({c.other} as varchar) "
                           f"from typed where {c.where}") for c in _local_checks(ds) if not c.local]
    flags = sorted({f"_flags{i // FLAG_BITS}" for i in range(len(local))}) or ["_flags0"]
    # The rows with a finding (usually none): one scan of the flag columns, then each check on those.
    con.execute(f"create or replace temp table flagged as select * from typed where {' or '.join(f + ' <> 0' for f in flags)}")
    checks = [(c.severity, f"select _row, '{c.col}', '{c.code}', cast({c.value} as varchar), cast({c.other} as varchar) "
                           f"from flagged where (_flags{i // FLAG_BITS} >> {i % FLAG_BITS}) & 1 = 1")
              for i, c in enumerate(local)] + across + _set_checks(ds, prev_week)
    union = " union all ".join(f"select '{sev}' as severity, * from ({sql})" for sev, sql in checks)
    sql = f"create or replace temp table issues_all as select * from ({union}) t(severity, row_no, col, code, value, other)"
    con.execute(sql, _params(sql, {"week": week}))
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
    ).fetchall()[0]
    return errors, warnings
