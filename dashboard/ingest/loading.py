"""Loading an upload: read, validate, then replace that dataset's week (or day, for a day-grain
dataset) in one transaction.

A file loads entirely or not at all. Every attempt is logged (load_log, load_issue); the original
bytes of every accepted file are kept under uploads/, encrypted (AES-256-GCM, key from configuration),
with their SHA-256. Steps: week -> read -> identify the dataset -> headers -> validate -> write.

The fast path, for CSV: DuckDB reads the file itself (`load_path`: where it lies; `load_bytes`: from
an in-memory file; GBK transcoded to UTF-8 in memory first), and types, pseudonymises and checks it in
one statement into temp table `typed`, under a memory limit beyond which it spills to the data
folder's tmp/. The SHA-256 and the encrypted original are made in a thread beside it. Spreadsheets,
and CSVs DuckDB's strict reading refuses (whose row and problem the polars reader then explains), go
through reading.read_table's frame of strings into the same statement.

With a connection (`con=`), all of it runs on that connection (under the caller's write lock).
`stage_and_publish` instead stages the file in a scratch DuckDB file of its own, outside the write
lock, and takes the lock only to publish it (or to log a refusal): see _Stage and docs/serving.md.
"""
from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import os
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import duckdb
import polars as pl

from dashboard import config, policy, store, weeks

from dashboard.ingest import contracts, messages, validation
from dashboard.ingest.contracts import Dataset
from dashboard.ingest.reading import ROW, RawTable, ReadError, plan_csv, read_table
from dashboard.ingest.validation import Issue, Source, build_typed, counts, find_issues, q

Progress = Callable[[float, str], None]


@dataclass
class Finding:
    severity: str
    row: int | None
    column: str | None
    code: str
    value: str | None
    message_zh: str
    message_en: str
    occurrences: int = 1

    def message(self, lang: str) -> str:
        return self.message_zh if lang == "zh" else self.message_en


@dataclass
class LoadResult:
    dataset: str | None
    week: dt.date | None
    file_name: str
    sha256: str
    outcome: str  # accepted | rejected | dry_run
    load_id: int | None = None
    rows: int = 0
    blank_rows: int = 0
    encoding: str | None = None
    error_count: int = 0
    warning_count: int = 0
    findings: list[Finding] = field(default_factory=list)
    replaced_rows: int = 0
    stored_path: str | None = None
    duration_s: float = 0.0
    size_bytes: int = 0
    day: dt.date | None = None  # the day a day-grain dataset's file reports (week is then its Monday)

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    def summary(self, lang: str = "en") -> str:
        name = contracts.dataset(self.dataset).label(lang) if self.dataset else "?"
        week = self.day.isoformat() if self.day else weeks.short(self.week) if self.week else "?"
        if lang == "zh":
            verdict = {"accepted": "已载入", "rejected": "已拒绝", "dry_run": "预检"}[self.outcome]
            return (f"{verdict}：{self.file_name}（{name}，{week}）{self.rows}行，"
                    f"错误{self.error_count}处，提示{self.warning_count}处，替换原有{self.replaced_rows}行")
        return (f"{self.outcome}: {self.file_name} ({name}, {week}) {self.rows} rows, "
                f"{self.error_count} errors, {self.warning_count} warnings, replaces {self.replaced_rows} rows")


def _file_finding(code: str, zh: str, en: str, column: str | None = None, severity: str = "error",
                  row: int | None = None) -> Finding:
    return Finding(severity, row, column, code, None, messages.at_row(row, zh, "zh"), messages.at_row(row, en, "en"))


def _template_finding(code: str, ds: Dataset | None, value: str = "", column: str | None = None,
                      severity: str = "error", row: int | None = None, header: str | None = None,
                      occurrences: int = 1) -> Finding:
    issue = Issue(severity, row, column, code, value, None)
    dummy = ds or contracts.dataset(contracts.DATASETS[0])
    headers = {column: header} if column and header else {}
    return Finding(severity, row, header or column, code, value,
                   messages.text(issue, dummy, headers, "zh"), messages.text(issue, dummy, headers, "en"),
                   occurrences)


def _masked(finding: Finding) -> Finding:
    """The last guard: no ID number or phone number leaves the loader in clear, whatever produced
    the message (a swapped column, a header that is really a data row, a value in a number cell)."""
    finding.value = messages.mask(finding.value)
    finding.message_zh = messages.mask(finding.message_zh)
    finding.message_en = messages.mask(finding.message_en)
    finding.column = messages.mask(finding.column)
    return finding


class _Stop(Exception):
    """The file cannot go further (unreadable, unknown dataset, missing columns): log and return."""


# Column types whose text is a key or a contact: a spreadsheet number cell may have changed it.
NUMBER_SENSITIVE = ("id_number", "phone", "code")


def load_bytes(
    data: bytes,
    file_name: str,
    *,
    dataset: str | None = None,
    week: dt.date | str | None = None,
    user: str | None = None,
    dry_run: bool = False,
    con: duckdb.DuckDBPyConnection | None = None,
    progress: Progress | None = None,
    keep_original: bool = True,
) -> LoadResult:
    """Check and (unless dry_run) load one file, all or nothing; every attempt is logged.
    keep_original=False only for files that can be regenerated byte for byte (the embedded demo);
    the SHA-256 in the log still identifies them. Originals are kept encrypted, and only when an
    upload key is configured (config.upload_key)."""
    return _load(_Input(file_name, data, None, len(data)), dataset=dataset, week=week, user=user, dry_run=dry_run,
                 con=con, progress=progress, keep_original=keep_original)


def stage_and_publish(file: Path | str | bytes, file_name: str | None = None, *, db: Path | str | None = None,
                      wait_s: float | None = None, on_wait=None, after: Callable | None = None,
                      **kwargs) -> LoadResult:
    """load_path / load_bytes for a process that serves pages (the CLI, the upload page, the demo
    loader): the file is read, typed, pseudonymised and checked in a scratch DuckDB file of its own
    (`_Stage`), with the reference data it needs copied from a short read-only snapshot of the
    database; only the publication (replace the week in one transaction, log, refresh aggregates) takes
    the write lock (`access.writing`), for the time of an insert. A refused file or a dry run takes the
    lock only to log the attempt (publish=False: open pages do not rerun). `after(con, result)` runs
    inside that same write (an audit line)."""
    if isinstance(file, (bytes, bytearray)):
        source = _Input(file_name or "upload", bytes(file), None, len(file))
    else:
        path = Path(file)
        source = _Input(file_name or path.name, None, path, path.stat().st_size)
    stage = _Stage(db, wait_s, on_wait, after)
    try:
        return _load(source, stage=stage, **kwargs)
    finally:
        stage.remove()


def load_path(path: Path | str, **kwargs) -> LoadResult:
    """load_bytes for a file on disk: a CSV is read by DuckDB straight from the file, never held whole
    in memory (the SHA-256 and the encrypted original are made from it in chunks, alongside)."""
    path = Path(path)
    return _load(_Input(path.name, None, path, path.stat().st_size), **kwargs)


@dataclass
class _Input:
    name: str
    data: bytes | None
    path: Path | None
    size: int

    def chunks(self):
        from dashboard.ingest.reading import _chunks
        return _chunks(self.data, self.path)

    def read(self) -> bytes:
        return self.data if self.data is not None else self.path.read_bytes()


class _Original(threading.Thread):
    """Off the load's critical path, in a thread beside DuckDB (which releases the GIL): the file's
    SHA-256, then, for a load that may be accepted with a key configured, the encrypted original under
    a temporary name. `join()` before logging: the digest is in every log row."""

    def __init__(self, source: _Input, key: bytes | None, file_name: str):
        super().__init__(daemon=True)
        self.source, self.key, self.file_name = source, key, file_name
        self.digest: str | None = None
        self.final: Path | None = None
        self.pending: Path | None = None
        self.error: BaseException | None = None
        self.blank_line = False  # an empty line (DuckDB would skip it, shifting row numbers)
        self.hashed = threading.Event()
        self.start()

    def run(self) -> None:
        try:
            sha = hashlib.sha256()
            tail = b""
            for chunk in self.source.chunks():
                sha.update(chunk)
                if not self.blank_line:
                    chunk = chunk if isinstance(chunk, bytes) else bytes(chunk)
                    edge = tail + bytes(chunk[:2])
                    self.blank_line = (chunk.find(b"\n\n") >= 0 or chunk.find(b"\n\r\n") >= 0
                                       or b"\n\n" in edge or b"\n\r\n" in edge)
                    tail = bytes(chunk[-2:])
            self.digest = sha.hexdigest()
            self.hashed.set()
            if self.key is not None:
                self.final, self.pending = _original_paths(self.file_name, self.digest)
                _write_encrypted(self.pending, self.source.chunks(), self.key, self.digest)
        except BaseException as exc:  # reported by wait()
            self.error = exc
        finally:
            self.hashed.set()

    def wait(self) -> None:
        self.join()
        if self.error is not None:
            raise self.error

    def discard(self) -> None:
        self.join()
        if self.pending is not None:
            self.pending.unlink(missing_ok=True)
            self.pending = None


class _UseReader(Exception):
    """DuckDB could not read the CSV as planned: read it again with the polars reader, which explains."""


class _Stage:
    """A load staged outside the database: a scratch DuckDB file (owner-only, in the data folder's tmp/,
    deleted afterwards) that holds what temp table `typed` holds when loading in place (keys and masks,
    never a personal value in clear), plus the few reference rows the checks read, copied from a short
    read-only snapshot: the referenced datasets' keys (known facility codes), the dataset's previous
    week where a column is compared with it, and the count of rows the load would replace. The salt,
    enum spellings and rule macro come from configuration and code, as in place."""

    def __init__(self, db, wait_s, on_wait, after):
        from dashboard.store import access

        self.access = access
        self.target = access._target(db)
        self.wait_s, self.on_wait, self.after = wait_s, on_wait, after
        folder = config.private_dir(config.data_dir() / "tmp")
        _sweep_stages(folder)
        self.path = folder / f"stage-{os.getpid()}-{threading.get_ident()}-{time.time_ns()}.duckdb"
        config.private_umask()
        self.con = duckdb.connect(str(self.path))
        from dashboard import rules

        self.con.execute(rules.RISK_LABEL_MACRO)

    def snapshot(self, ds: Dataset, result: LoadResult) -> tuple[dt.date | None, int]:
        """Copy the reference rows the checks of `ds` read; return (previous week compared, rows replaced)."""
        if not Path(self.target).exists():
            with self.access.writing(self.target, wait_s=self.wait_s, on_wait=self.on_wait, publish=False):
                pass  # a new installation: create the database (empty) first
        compared = ds.replace_by == "week" and any(c.compare_last_week for c in ds.columns)
        unit, at = _replaced_unit(ds, result)
        frames: dict[str, pl.DataFrame] = {}
        # Waiting here means another load (or another write) is being published: said as such.
        told = (lambda what: self.on_wait("writer")) if self.on_wait is not None else None
        with self.access.reading(self.target, wait_s=self.wait_s, on_wait=told):
            cur = store.cursor()
            for target in dict.fromkeys(ds.references.values()):
                key = contracts.dataset(target).key[0]
                frames[target] = cur.sql(f"select distinct {q(key)} from {target}").pl()
            prev = (cur.execute(f"select max(week) from {ds.name} where week < $w", {"w": result.week}).fetchall()[0][0]
                    if compared else None)
            if prev is not None:
                if ds.name in frames:
                    raise ValueError(f"{ds.name} both references itself and compares with last week")
                frames[ds.name] = cur.sql(f"select * from {ds.name} where week = $w", params={"w": prev}).pl()
            replaced = cur.execute(f"select count(*) from {ds.name} where {unit} = $w", {"w": at}).fetchall()[0][0]
        for name, frame in frames.items():
            self.con.register("ref_src", frame)
            self.con.execute(f"create or replace table {name} as select * from ref_src")
            self.con.unregister("ref_src")
        return prev, replaced

    def remove(self) -> None:
        try:
            self.con.close()
        except duckdb.Error:
            pass
        for path in (self.path, Path(str(self.path) + ".wal")):
            path.unlink(missing_ok=True)


def _load(source: _Input, *, dataset=None, week=None, user=None, dry_run=False, con=None, progress=None,
          keep_original=True, stage: _Stage | None = None) -> LoadResult:
    started = time.perf_counter()
    cur = stage.con.cursor() if stage is not None else con.cursor() if con is not None else store.cursor()
    user = user or getpass.getuser()
    say = progress or (lambda fraction, stage: None)
    original = _Original(source, _upload_key() if keep_original and not dry_run else None, source.name)
    result = LoadResult(dataset, None, source.name, "", "rejected", size_bytes=source.size)
    settings = _limit_memory(cur)
    try:
        try:
            ds = None
            try:
                ds = _check(cur, result, source, week, say, fast=True, original=original, stage=stage)
            except _UseReader:
                result = LoadResult(dataset, None, source.name, "", "rejected", size_bytes=source.size)
                ds = _check(cur, result, source, week, say, fast=False, stage=stage)
        except _Stop:
            original.discard()
            return _finish(cur, result, started, user, original, stage=stage)
        if result.error_count or dry_run:
            original.discard()
            result.outcome = "dry_run" if dry_run else "rejected"
            return _finish(cur, result, started, user, original, ds=ds, stage=stage)
        say(0.6, "write")
        _write(cur, ds, result, started, user, original, stage=stage)
        say(1.0, "done")
        return result
    except (duckdb.Error, pl.exceptions.PolarsError, OSError) as exc:
        # Whatever went wrong, the attempt is rejected, logged, and nothing was written.
        original.discard()
        result.outcome = "rejected"
        result.findings.append(_file_finding(
            "load_failed", f"文件未能载入（{type(exc).__name__}）：{exc}。请检查文件，或联系管理员。",
            f"The file could not be loaded ({type(exc).__name__}): {exc}. Check the file or ask the administrator."))
        return _finish(cur, result, started, user, original, stage=stage)
    finally:
        _restore(cur, settings)
        cur.close()


# DuckDB's memory while loading: beyond it, the typed rows spill to the data folder's tmp/ (they hold
# no personal value in clear: see validation.build_typed), so a weekly register of any size loads in
# about a gigabyte.
LOAD_MEMORY_LIMIT = "500MB"


def _limit_memory(cur) -> dict[str, str]:
    before = {}
    for name, value in (("memory_limit", LOAD_MEMORY_LIMIT), ("temp_directory", str(config.data_dir() / "tmp"))):
        try:
            before[name] = cur.execute("select current_setting($n)", {"n": name}).fetchall()[0][0]
            if name == "temp_directory":
                config.private_dir(Path(value))
            cur.execute(f"set {name} = '{value}'")
        except (duckdb.Error, OSError):
            before.pop(name, None)
    return before


def _restore(cur, settings: dict[str, str]) -> None:
    """Back to the settings before the load: the default when it was the default (a setting shown as
    '18.8 GiB' is rounded), else the value as shown."""
    for name, value in settings.items():
        try:
            cur.execute(f"reset {name}")
            if cur.execute("select current_setting($n)", {"n": name}).fetchall()[0][0] != value:
                cur.execute(f"set {name} = '{value}'")
        except duckdb.Error:
            pass


def _check(cur, result: LoadResult, source: _Input, week, say, fast: bool, original: _Original | None = None,
           stage: _Stage | None = None) -> Dataset:
    """Week -> read -> identify the dataset -> headers -> validate (typed rows in temp table `typed`)."""
    _choose_week(result, week)
    say(0.05, "read")
    raw = _read(result, source, fast)
    try:
        try:
            ds = _identify(result, raw)
            _choose_day(result, ds, week)
            mapping = _check_headers(result, raw, ds)
            say(0.2, "validate")
            reference = stage.snapshot(ds, result) if stage is not None else None
            _validate(cur, result, raw, ds, mapping, reference)
        except (duckdb.Error, _Stop):
            if raw.csv is None:
                raise
            raise _UseReader from None
        if raw.csv is not None:
            original.hashed.wait()
            if original.blank_line:  # rows after it would be numbered one less than in the file
                raise _UseReader
        if raw.csv is not None and result.error_count:
            # A refused file is read again by the polars reader, so that what the reader refuses
            # (bytes that are not UTF-8 after a UTF-8 header, a quote inside an unquoted value) is
            # named first, as for every other file. Only refusals pay for the second reading.
            raise _UseReader
    finally:
        if raw.csv is not None:
            raw.csv.close()
    return ds


def _choose_week(result: LoadResult, week) -> None:
    if week is None:
        result.week = weeks.week_from_filename(result.file_name)
        return
    try:
        result.week = weeks.parse_week(week)
    except ValueError:
        zh, en = messages.week_error(str(week))
        result.findings.append(_file_finding("no_week", zh, en))
        raise _Stop from None


def _choose_day(result: LoadResult, ds: Dataset, chosen) -> None:
    """A day-grain dataset (contract `replace_by = "day"`) reports one day: the date chosen, else a date
    in the file name; its week is that day's Monday. A week label names no day: refused."""
    if ds.replace_by != "day":
        return
    result.day = _day_of(chosen, result.file_name)
    result.week = weeks.monday(result.day) if result.day else None
    if result.day is None:
        result.findings.append(_file_finding(
            "no_day", f"「{ds.zh}」是日报：请选择所报的日期（如 2022-12-19），或在文件名中写明。",
            f"'{ds.en}' is a daily report: choose the day it reports (e.g. 2022-12-19), or put it in the file name."))


def sniff_dataset(path: Path | str) -> str | None:
    """The dataset a file's headers say it is (contracts.detect_dataset), read cheaply: for ordering
    a folder's files before loading them."""
    from dashboard.ingest.reading import sniff_headers

    path = Path(path)
    with open(path, "rb") as stream:
        head = stream.read(65536)
    data = path.read_bytes() if head[:4] == b"PK\x03\x04" or head[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" else head
    return contracts.detect_dataset(sniff_headers(data, path.name, _candidates()))


def _candidates() -> set[str]:
    return {contracts.normalise_header(h) for n in contracts.DATASETS
            for c in contracts.dataset(n).columns for h in c.headers()}


def _read(result: LoadResult, source: _Input, fast: bool) -> RawTable:
    """A CSV is read by DuckDB itself when it can be (the fast path: no frame of strings in Python);
    spreadsheets, and CSVs DuckDB refuses, by the polars reader (reading.read_table)."""
    candidates = _candidates()
    plan = plan_csv(source.data, source.path, result.file_name, candidates) if fast else None
    if plan is not None:
        frame = pl.DataFrame(schema={ROW: pl.Int64, **{n: pl.Utf8 for n in plan.names}})
        raw = RawTable(frame, plan.encoding, 0, plan.headers, plan.positions, separator=plan.separator, csv=plan)
    else:
        try:
            raw = read_table(source.read(), result.file_name, candidates)
        except ReadError as exc:
            result.findings.append(_file_finding(exc.code, exc.zh, exc.en, row=exc.row))
            raise _Stop from None
    result.encoding, result.blank_rows = raw.encoding, raw.blank_rows
    result.findings += [Finding("warning", None, None, n.code, None, n.zh, n.en) for n in raw.notes]
    return raw


def _headers(raw: RawTable) -> list[str]:
    return [c for c in raw.frame.columns if c != ROW]


def _identify(result: LoadResult, raw: RawTable) -> Dataset:
    """The chosen dataset, or the one the headers match. When none matches, say which one the file
    most resembles and which of its required columns are missing (not just "cannot tell")."""
    if result.dataset is not None:
        return contracts.dataset(result.dataset)
    headers = _headers(raw)
    result.dataset = contracts.detect_dataset(headers)
    if result.dataset is not None:
        return contracts.dataset(result.dataset)
    best, best_found = None, 0
    for name in contracts.DATASETS:
        candidate = contracts.dataset(name)
        found = len(set(contracts.header_map(candidate, headers)[0].values()))
        if found > best_found:
            best, best_found = candidate, found
    if best is None or best_found < 2:
        n = len(contracts.DATASETS)
        result.findings.append(_file_finding(
            "wrong_dataset", f"无法判断文件属于哪个数据集：表头与{n}个模板都不一致，请选择数据集或按模板修改表头。",
            f"Cannot tell which dataset this file is: its headers match none of the {n} templates; choose the "
            "dataset or use a template's headers."))
        raise _Stop
    found = set(contracts.header_map(best, headers)[0].values())
    missing = [c for c in best.columns if c.required and c.name not in found]
    result.findings.append(_file_finding(
        "resembles",
        f"文件最像“{best.zh}”，但缺少必填列：{'、'.join('「' + c.zh + '」' for c in missing)}。"
        "请按模板补上或改正这些列的表头（或在上传时选择数据集，查看逐列的说明）。",
        f"The file most resembles the {best.en}, but lacks the required columns "
        f"{', '.join(repr(c.en) + ' (' + c.zh + ')' for c in missing)}: add them or correct their headers as in "
        "the template (or choose the dataset when uploading to see each column's message)."))
    raise _Stop


def _check_headers(result: LoadResult, raw: RawTable, ds: Dataset) -> dict[str, str]:
    """File header -> contract column. Errors: required columns missing, a column given twice (also
    under two of its accepted headers), no week, no rows. Extra columns are a warning."""
    headers = _headers(raw)
    mapping, extras = contracts.header_map(ds, headers)
    found = set(mapping.values())
    wanted = {contracts.normalise_header(h): c.name for c in ds.columns for h in c.headers()}
    for extra in list(extras):
        name = wanted.get(contracts.normalise_header(raw.headers.get(extra) or extra))
        if name:  # a second column for a contract column: never pick one copy silently
            first = next(h for h, n in mapping.items() if n == name)
            where = {h: (raw.positions.get(h, "?"), raw.headers.get(h) or h) for h in (first, extra)}
            zh = "、".join(f"{p}列「{h}」" for p, h in where.values())
            en = " and ".join(f"column {p} '{h}'" for p, h in where.values())
            finding = _template_finding("duplicate_column", ds, value=zh, column=name, header=where[first][1])
            finding.message_en = finding.message_en.replace(zh, en)
            result.findings.append(finding)
            extras.remove(extra)
    for col in ds.columns:
        if col.required and col.name not in found:
            finding = _template_finding("missing_column", ds, column=col.name)  # named in each language
            finding.column = col.zh  # the template's header: the file has none for it
            result.findings.append(finding)
    if len(found) <= len([c for c in ds.columns if c.required]) // 2:
        result.findings.append(_template_finding("wrong_dataset", ds, value=ds.zh))
    if extras:
        listed = "、".join(str(raw.headers.get(e) or e) for e in extras if not str(e).startswith("__UNNAMED__")) or "—"
        result.findings.append(Finding("warning", None, None, "extra_columns", listed,
                                       f"以下列不在模板中，已忽略：{listed}。",
                                       f"These columns are not in the template and were ignored: {listed}."))
    if result.week is None and ds.replace_by != "day":  # a day-grain file's missing day is named above
        result.findings.append(_file_finding(
            "no_week", "未指定数据所属的周：请选择周，或在文件名中写明（如 2022-W51）。",
            "No week given: choose the week, or put it in the file name (e.g. 2022-W51)."))
    result.rows = raw.frame.height
    if result.rows == 0 and raw.csv is None:  # a CSV read by DuckDB is counted once typed
        result.findings.append(_template_finding("empty", ds))
    if any(f.severity == "error" for f in result.findings):
        raise _Stop
    return mapping


def _number_cells(raw: RawTable, ds: Dataset, inverse: dict[str, str]) -> tuple[list[Finding], int]:
    """Spreadsheet cells of ID-number, phone and code columns stored as numbers: refused, since the
    digits may already be lost (15 significant digits) or a leading zero dropped. The first examples
    per column, and the count of all."""
    sensitive = [c for c in ds.columns if c.type in NUMBER_SENSITIVE and c.name in inverse]
    if raw.number_cells is None or not sensitive:
        return [], 0
    cells = raw.number_cells([inverse[c.name] for c in sensitive])
    column_of = {inverse[c.name]: c.name for c in sensitive}
    out = []
    for (header,), group in cells.sort(ROW).group_by("column", maintain_order=True):
        for row in group[ROW].head(validation.EXAMPLES_PER_CHECK).to_list():
            out.append(_template_finding("number_cell", ds, column=column_of[header], row=row, header=header,
                                         occurrences=group.height))
    return out, cells.height


def _validate(cur, result: LoadResult, raw: RawTable, ds: Dataset, mapping: dict[str, str],
              reference: tuple[dt.date | None, int] | None = None) -> None:
    """reference: (previous week compared, rows replaced) from a staged load's snapshot; None when
    validating on the database's own connection, which reads them itself."""
    inverse = {v: k for k, v in mapping.items()}
    numbers, number_count = _number_cells(raw, ds, inverse)
    headers = [c for c in raw.frame.columns if c != ROW]
    if raw.csv is not None:
        build_typed(cur, ds, result.week, config.salt(),
                    Source(raw.csv.relation(), inverse, raw.csv.row(), headers, raw.csv.first_row()))
    else:
        cur.register("raw_src", raw.frame)
        try:
            build_typed(cur, ds, result.week, config.salt(), Source("raw_src", inverse, ROW, headers))
        finally:
            cur.unregister("raw_src")
    if raw.csv is not None:
        result.rows = cur.execute("select count(*) from typed").fetchall()[0][0]
        result.blank_rows = cur.execute("select n from blank_rows").fetchall()[0][0]
        if result.rows == 0:
            result.findings.append(_template_finding("empty", ds))
            raise _Stop
    compared = ds.replace_by == "week" and any(c.compare_last_week for c in ds.columns)
    if reference is not None:
        prev = reference[0]
    else:
        prev = (cur.execute(f"select max(week) from {ds.name} where week < $w", {"w": result.week}).fetchall()[0][0]
                if compared else None)
    issues = find_issues(cur, ds, result.week, prev)
    errors, warnings = counts(cur)
    file_warnings = sum(1 for f in result.findings if f.severity == "warning")  # from reading and headers
    result.findings += numbers + [
        Finding(i.severity, i.row, inverse.get(i.column, i.column), i.code, i.value,
                messages.text(i, ds, inverse, "zh"), messages.text(i, ds, inverse, "en"), i.occurrences)
        for i in issues
    ]
    result.error_count = errors + number_count
    result.warning_count = warnings + file_warnings
    if reference is not None:
        result.replaced_rows = reference[1]
    else:
        unit, at = _replaced_unit(ds, result)
        result.replaced_rows = cur.execute(f"select count(*) from {ds.name} where {unit} = $w", {"w": at}).fetchall()[0][0]


# --- kept originals, encrypted ---------------------------------------------------------------------

def _write(cur, ds: Dataset, result: LoadResult, started: float, user: str, original: _Original,
           stage: _Stage | None = None) -> None:
    """Replace the week in one transaction. The original was written encrypted under a temporary name
    beside the checks (see _Original); it is renamed into place only once the load (and its log row
    naming the kept file) is committed: a crash in between leaves no kept copy that the log does not
    know about (the temporary file of a process that is gone is removed by the next load)."""
    try:
        original.wait()
        result.sha256 = original.digest
        result.stored_path = str(original.final) if original.pending is not None else None
        if stage is None:
            _commit(cur, ds, result, started, user)
        else:
            _publish(cur, stage, ds, result, started, user)
    except Exception:
        result.stored_path = None
        original.discard()
        raise
    if original.pending is not None:
        original.pending.rename(original.final)


def _upload_key() -> bytes | None:
    try:
        return config.upload_key()
    except (ValueError, OSError):
        return None  # a misconfigured key: keep nothing rather than keep it in clear


ENCRYPTED_MAGIC = b"HCENC1\n"


def _original_paths(file_name: str, digest: str) -> tuple[Path, Path]:
    folder = config.uploads_dir()
    _sweep_pending(folder)
    safe = re.sub(r"[^\w.\-]+", "_", messages.mask(Path(file_name).name))[-120:]
    stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S")
    final = folder / f"{stamp}_{digest[:16]}_{safe}.enc"
    return final, folder / f".{os.getpid()}.{digest[:16]}.{time.time_ns()}.partial"


def _sweep_pending(folder: Path) -> None:
    """Remove temporary copies left by a process that died between writing and committing."""
    _sweep_dead(folder, ".*.partial", lambda name: name.split(".")[1])


def _sweep_stages(folder: Path) -> None:
    """Remove the scratch files of staged loads (`stage-<pid>-...duckdb` and its `.wal`) whose process
    died before it could delete them (a server stopped in the middle of a load); a live process's are
    left alone."""
    _sweep_dead(folder, "stage-*.duckdb*", lambda name: name.split("-")[1])


def _sweep_dead(folder: Path, pattern: str, pid_in) -> None:
    """Delete the files matching `pattern` whose name holds (`pid_in(name)`) the id of a process that
    no longer runs; this process's and a live one's are kept."""
    for path in folder.glob(pattern):
        try:
            pid = int(pid_in(path.name))
        except (IndexError, ValueError):
            continue
        if pid != os.getpid() and not _alive(pid):
            path.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _write_encrypted(path: Path, chunks, key: bytes, digest: str) -> None:
    """AES-256-GCM from the `cryptography` package (PyCA; wheels for every platform, audited, the
    usual choice in Python): authenticated, so a damaged or altered copy fails to decrypt instead of
    giving wrong bytes. Layout: magic, the file's SHA-256 (hex, also the associated data), a random
    96-bit nonce, the ciphertext with its tag (as AESGCM.encrypt writes it), encrypted in chunks so
    the file is never held twice in memory."""
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    nonce = os.urandom(12)
    encryptor = Cipher(algorithms.AES(key), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(digest.encode())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # owner-only from the start
    with os.fdopen(fd, "wb") as out:
        out.write(ENCRYPTED_MAGIC + digest.encode() + nonce)
        for chunk in chunks:
            out.write(encryptor.update(chunk))
        out.write(encryptor.finalize() + encryptor.tag)
        out.flush()
        os.fsync(out.fileno())


def read_original(path: Path | str, key: bytes | None = None) -> bytes:
    """The original bytes of a kept upload (needs the configured key); checked against its SHA-256."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    key = key or config.upload_key()
    if key is None:
        raise ValueError("no upload key configured (HC_UPLOAD_KEY or HC_UPLOAD_KEY_FILE)")
    blob = Path(path).read_bytes()
    if not blob.startswith(ENCRYPTED_MAGIC):
        raise ValueError(f"{path} is not an encrypted upload")
    body = blob[len(ENCRYPTED_MAGIC):]
    digest, nonce, sealed = body[:64], body[64:76], body[76:]
    data = AESGCM(key).decrypt(nonce, sealed, digest)
    if hashlib.sha256(data).hexdigest().encode() != digest:
        raise ValueError(f"{path} does not match its checksum")
    return data


def _day_of(chosen: dt.date | str | None, file_name: str) -> dt.date | None:
    """The day a day-grain file reports: the date chosen, else a date in the file name. A week label
    (2022-W51) names no day."""
    if isinstance(chosen, dt.datetime):
        return chosen.date()
    if isinstance(chosen, dt.date):
        return chosen
    return weeks.day_in(chosen if chosen is not None else file_name)


def _replaced_unit(ds: Dataset, result: LoadResult) -> tuple[str, dt.date]:
    """What a load replaces: the week, or the day for a day-grain dataset (contract `replace_by`)."""
    return ("day", result.day) if ds.replace_by == "day" else ("week", result.week)


def _kept_rows(cur, ds: Dataset) -> str:
    """The condition on `typed` keeping the rows to store."""
    if ds.on_duplicate == "keep_first" and cur.execute("select count(*) from repeated").fetchall()[0][0]:
        # A key given twice is kept once, from the first row (the others were warned about). Only
        # when some key repeats: an anti-join over millions of rows costs seconds.
        return (f"where not exists (select 1 from repeated r "
                f"where r.repeated_key = typed.{q(ds.key[0])} and typed._row > r.first_row)")
    return ""


def _publish(cur, stage: _Stage, ds: Dataset, result: LoadResult, started: float, user: str) -> None:
    """A staged load's publication: the rows to store are written to the scratch file's table `staged`
    (outside the lock), the scratch file is closed and attached read-only to the database under the
    write lock, and the week is replaced from it in one transaction (_commit)."""
    col_list = ", ".join(q(c) for c, _ in store.stored_columns(ds))
    cur.execute(f"create or replace table staged as select {col_list} from typed {_kept_rows(cur, ds)}")
    validation.drop_typed(cur)
    for table in ("flagged", "issues_all", "repeated"):
        cur.execute(f"drop table if exists {table}")
    cur.close()
    stage.con.close()  # the scratch file is attached below by the database's own instance
    with stage.access.writing(stage.target, wait_s=stage.wait_s, on_wait=stage.on_wait) as con:
        settings = _limit_memory(con)  # the insert spills like the staging did, not 80% of RAM
        scratch = str(stage.path).replace("'", "''")
        con.execute(f"attach '{scratch}' as hc_stage (read_only)")
        try:
            _commit(con, ds, result, started, user, rows="hc_stage.staged")
        finally:
            con.execute("detach hc_stage")
            _restore(con, settings)
        if stage.after is not None:
            stage.after(con, result)


def _commit(cur: duckdb.DuckDBPyConnection, ds: Dataset, result: LoadResult, started: float, user: str,
            rows: str | None = None) -> None:
    """Replace the week in one transaction from `typed` (loading in place) or from `rows` (a staged
    table whose rows are already the ones to store)."""
    cols = [name for name, _ in store.stored_columns(ds)]
    col_list = ", ".join(q(c) for c in cols)
    where = _kept_rows(cur, ds) if rows is None else ""
    cur.execute("begin transaction")
    try:
        result.load_id = cur.execute("select nextval('load_id_seq')").fetchall()[0][0]
        unit, at = _replaced_unit(ds, result)
        deleted = cur.execute(f"delete from {ds.name} where {unit} = $at", {"at": at}).fetchall()[0][0]
        if rows is not None:
            result.replaced_rows = deleted  # a load published between this one's snapshot and now counts
        day_col, day_val = (", day", ", $day") if ds.replace_by == "day" else ("", "")
        cur.execute(
            f"insert into {ds.name} (week{day_col}, load_id, {col_list}) select $w{day_val}, $id, {col_list} "
            f"from {rows or 'typed'} {where}",
            {"w": result.week, "id": result.load_id, **({"day": result.day} if day_col else {})},
        )
        if ds.reported_in:  # the smaller table pages read instead (contract `reported_in`), rebuilt for the week
            sql, params = AGGREGATES[ds.reported_in]
            cur.execute(f"delete from {ds.reported_in} where week = $week", {"week": result.week})
            cur.execute(sql, {"week": result.week, **params()})
        store.refresh_aggregates_after_load(cur, ds.name, result.week)
        result.outcome = "accepted"
        _log(cur, result, started, user)
        cur.execute("commit")
    except Exception:
        cur.execute("rollback")
        result.outcome = "rejected"
        raise
    finally:
        validation.drop_typed(cur)  # free the memory now, not at the next load
        for table in ("flagged", "issues_all", "repeated"):
            cur.execute(f"drop table if exists {table}")


# The aggregate tables a contract's `reported_in` may name: the insert that rebuilds a week, its parameters.
AGGREGATES = {"agg_register": (store.AGG_REGISTER_INSERT, lambda: policy.params("risk.age_young_below"))}


def _finish(cur, result: LoadResult, started: float, user: str, original: _Original,
            ds: Dataset | None = None, stage: _Stage | None = None) -> LoadResult:
    result.error_count = max(result.error_count, sum(1 for f in result.findings if f.severity == "error"))
    result.warning_count = max(result.warning_count, sum(1 for f in result.findings if f.severity == "warning"))
    if result.outcome == "accepted":
        result.outcome = "rejected"
    original.join()
    result.sha256 = original.digest or ""
    for table in ("typed", "flagged", "issues_all", "repeated"):
        try:
            if table == "typed":
                validation.drop_typed(cur)
            else:
                cur.execute(f"drop table if exists {table}")
        except duckdb.Error:
            if stage is None:
                raise  # a staged load whose publication failed has closed its scratch file already
    if stage is None:
        _log_attempt(cur, result, started, user)
        return result
    # A staged refusal or dry run changes nothing pages show: the lock only for its log line.
    with stage.access.writing(stage.target, wait_s=stage.wait_s, on_wait=stage.on_wait, publish=False) as con:
        _log_attempt(con, result, started, user)
        if stage.after is not None:
            stage.after(con, result)
    return result


def _log_attempt(cur, result: LoadResult, started: float, user: str) -> None:
    cur.execute("begin transaction")
    result.load_id = cur.execute("select nextval('load_id_seq')").fetchall()[0][0]
    _log(cur, result, started, user)
    cur.execute("commit")


def _log(cur, result: LoadResult, started: float, user: str) -> None:
    result.duration_s = round(time.perf_counter() - started, 3)
    result.findings = [_masked(f) for f in result.findings]
    first = result.errors[0].message_en if result.errors else None
    cur.execute(
        """insert into load_log values ($id, now()::timestamp, $user, $dataset, $week, $file, $sha, $size, $enc,
               $rows, $blank, $outcome, $errors, $warnings, $replaced, $stored, $message, $duration, $day)""",
        {"id": result.load_id, "user": user, "dataset": result.dataset, "week": result.week,
         "file": messages.mask(result.file_name), "sha": result.sha256, "size": result.size_bytes, "enc": result.encoding,
         "rows": result.rows, "blank": result.blank_rows, "outcome": result.outcome,
         "errors": result.error_count, "warnings": result.warning_count, "replaced": result.replaced_rows,
         "stored": result.stored_path, "message": first, "duration": result.duration_s, "day": result.day},
    )
    if result.findings:
        frame = pl.DataFrame(
            [(result.load_id, f.severity, f.row, f.column, f.code, f.value, f.message_zh, f.message_en, f.occurrences)
             for f in result.findings],
            schema={"load_id": pl.Int64, "severity": pl.Utf8, "row_no": pl.Int32, "column_name": pl.Utf8,
                    "code": pl.Utf8, "value": pl.Utf8, "message_zh": pl.Utf8, "message_en": pl.Utf8,
                    "occurrences": pl.Int32},
            orient="row",
        )
        cur.register("findings_src", frame)
        cur.execute("insert into load_issue select * from findings_src")
        cur.unregister("findings_src")


