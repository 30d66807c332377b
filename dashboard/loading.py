"""Loading an upload: read, validate, then replace that dataset's week in one transaction.

A file loads entirely or not at all. Every attempt is logged (load_log, load_issue); the original
bytes of every accepted file are kept under uploads/ with their SHA-256.
"""
from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import duckdb
import polars as pl

from dashboard import config, contracts, messages, policy, store, weeks
from dashboard.contracts import Dataset
from dashboard.reading import ROW, ReadError, read_table
from dashboard.validation import Issue, build_typed, counts, find_issues, q

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
        week = weeks.short(self.week) if self.week else "?"
        if lang == "zh":
            verdict = {"accepted": "已载入", "rejected": "已拒绝", "dry_run": "预检"}[self.outcome]
            return (f"{verdict}：{self.file_name}（{name}，{week}）{self.rows}行，"
                    f"错误{self.error_count}处，提示{self.warning_count}处，替换原有{self.replaced_rows}行")
        return (f"{self.outcome}: {self.file_name} ({name}, {week}) {self.rows} rows, "
                f"{self.error_count} errors, {self.warning_count} warnings, replaces {self.replaced_rows} rows")


def _file_finding(code: str, zh: str, en: str, column: str | None = None, severity: str = "error") -> Finding:
    return Finding(severity, None, column, code, None, zh, en)


def _template_finding(code: str, ds: Dataset | None, value: str = "", column: str | None = None,
                      severity: str = "error") -> Finding:
    issue = Issue(severity, None, column, code, value, None)
    dummy = ds or contracts.dataset("facility")
    return Finding(severity, None, column, code, value,
                   messages.text(issue, dummy, {}, "zh"), messages.text(issue, dummy, {}, "en"))


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
) -> LoadResult:
    started = time.perf_counter()
    cur = con.cursor() if con is not None else store.cursor()
    user = user or getpass.getuser()
    say = progress or (lambda fraction, stage: None)
    result = LoadResult(dataset, None, file_name, hashlib.sha256(data).hexdigest(), "rejected",
                        size_bytes=len(data))
    try:
        if week is not None:
            try:
                result.week = weeks.parse_week(week)
            except ValueError as exc:
                result.findings.append(_file_finding(
                    "no_week", f"无法识别所选的周“{week}”：请使用 2022-W51 或该周内的日期。",
                    f"{exc}: choose the week as 2022-W51 or a date in it."))
                return _finish(cur, result, started, user)
        else:
            result.week = weeks.week_from_filename(file_name)
        say(0.05, "read")
        candidates = {contracts.normalise_header(h) for n in contracts.DATASETS
                      for c in contracts.dataset(n).columns for h in c.headers()}
        try:
            raw = read_table(data, file_name, candidates)
        except ReadError as exc:
            result.findings.append(_file_finding("unreadable", exc.zh, exc.en))
            return _finish(cur, result, started, user)
        result.encoding, result.blank_rows = raw.encoding, raw.blank_rows
        headers = [c for c in raw.frame.columns if c != ROW]
        if result.dataset is None:
            result.dataset = contracts.detect_dataset(headers)
            if result.dataset is None:
                result.findings.append(_file_finding(
                    "wrong_dataset", "无法判断文件属于哪个数据集：表头与五个模板都不一致，请选择数据集或按模板修改表头。",
                    "Cannot tell which dataset this file is: its headers match none of the five templates; choose the dataset or use a template's headers."))
                return _finish(cur, result, started, user)
        ds = contracts.dataset(result.dataset)
        mapping, extras = contracts.header_map(ds, headers)
        found = set(mapping.values())
        for col in ds.columns:
            if col.required and col.name not in found:
                result.findings.append(_template_finding("missing_column", ds, column=col.name))
        if len(found) <= len([c for c in ds.columns if c.required]) // 2:
            result.findings.append(_template_finding("wrong_dataset", ds, value=ds.zh))
        if extras:
            listed = "、".join(str(e) for e in extras if not str(e).startswith("__UNNAMED__")) or "—"
            result.findings.append(Finding("warning", None, None, "extra_columns", listed,
                                           f"以下列不在模板中，已忽略：{listed}。",
                                           f"These columns are not in the template and were ignored: {listed}."))
        if result.week is None:
            result.findings.append(_file_finding(
                "no_week", "未指定数据所属的周：请选择周，或在文件名中写明（如 2022-W51）。",
                "No week given: choose the week, or put it in the file name (e.g. 2022-W51)."))
        result.rows = raw.frame.height
        if result.rows == 0:
            result.findings.append(_template_finding("empty", ds))
        if any(f.severity == "error" for f in result.findings):
            return _finish(cur, result, started, user, ds=ds)

        say(0.2, "validate")
        inverse = {v: k for k, v in mapping.items()}
        staged = raw.frame.select(
            pl.col(ROW),
            *[pl.col(inverse[c.name]).alias(c.name) if c.name in inverse else pl.lit(None, pl.Utf8).alias(c.name)
              for c in ds.columns],
        )
        cur.register("stg", staged)
        build_typed(cur, ds, result.week, config.salt())
        cur.unregister("stg")
        prev = cur.execute(f"select max(week) from {ds.name} where week < $w", {"w": result.week}).fetchone()[0]
        issues = find_issues(cur, ds, result.week, prev)
        errors, warnings = counts(cur)
        result.findings += [
            Finding(i.severity, i.row, inverse.get(i.column, i.column), i.code, i.value,
                    messages.text(i, ds, inverse, "zh"), messages.text(i, ds, inverse, "en"), i.occurrences)
            for i in issues
        ]
        result.error_count = errors
        result.warning_count = warnings + sum(1 for f in result.findings if f.row is None and f.severity == "warning")
        result.replaced_rows = cur.execute(
            f"select count(*) from {ds.name} where week = $w", {"w": result.week}).fetchone()[0]
        if errors or dry_run:
            result.outcome = "dry_run" if dry_run else "rejected"
            return _finish(cur, result, started, user, ds=ds)

        say(0.6, "write")
        result.stored_path = str(_keep_original(data, file_name, result.sha256))
        try:
            _commit(cur, ds, result, started, user)
        except Exception:
            Path(result.stored_path).unlink(missing_ok=True)
            result.stored_path = None
            raise
        say(1.0, "done")
        return result
    except (duckdb.Error, pl.exceptions.PolarsError, OSError) as exc:
        # Whatever went wrong, the attempt is rejected, logged, and nothing was written.
        result.outcome = "rejected"
        result.findings.append(_file_finding(
            "load_failed", f"文件未能载入（{type(exc).__name__}）：{exc}。请检查文件，或联系管理员。",
            f"The file could not be loaded ({type(exc).__name__}): {exc}. Check the file or ask the administrator."))
        return _finish(cur, result, started, user)
    finally:
        cur.close()


def _keep_original(data: bytes, file_name: str, digest: str) -> Path:
    safe = re.sub(r"[^\w.\-]+", "_", Path(file_name).name)[-120:]
    stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S")
    path = config.uploads_dir() / f"{stamp}_{digest[:16]}_{safe}"
    path.write_bytes(data)
    path.chmod(0o600)
    return path


def _stored_select(ds: Dataset) -> tuple[list[str], str]:
    if ds.name == "register":
        cols = ["person_key", "phone_key", "id_masked", *[c.name for c in ds.stored_columns], "rule_label"]
        # A person given twice is kept once, from the first row (the others were warned about).
        return cols, (f"where not exists (select 1 from repeated r "
                      f"where r.repeated_key = typed.person_key and typed.{ROW} > r.first_row)")
    return [c.name for c in ds.columns], ""


def _commit(cur: duckdb.DuckDBPyConnection, ds: Dataset, result: LoadResult, started: float, user: str) -> None:
    cols, where = _stored_select(ds)
    if where and cur.execute("select count(*) from repeated").fetchone()[0] == 0:
        where = ""  # the usual case: nobody repeated, so no anti-join over millions of rows
    col_list = ", ".join(q(c) for c in cols)
    cur.execute("begin transaction")
    try:
        result.load_id = cur.execute("select nextval('load_id_seq')").fetchone()[0]
        cur.execute(f"delete from {ds.name} where week = $w", {"w": result.week})
        cur.execute(
            f"insert into {ds.name} (week, load_id, {col_list}) select $w, $id, {col_list} from typed {where}",
            {"w": result.week, "id": result.load_id},
        )
        if ds.name == "register":
            cur.execute("delete from agg_register where week = $week", {"week": result.week})
            cur.execute(store.AGG_REGISTER_INSERT, {"week": result.week, **policy.params("risk.age_young_below")})
        result.outcome = "accepted"
        _log(cur, result, started, user)
        cur.execute("commit")
    except Exception:
        cur.execute("rollback")
        result.outcome = "rejected"
        raise


def _finish(cur, result: LoadResult, started: float, user: str, ds: Dataset | None = None) -> LoadResult:
    result.error_count = max(result.error_count, sum(1 for f in result.findings if f.severity == "error"))
    result.warning_count = max(result.warning_count, sum(1 for f in result.findings if f.severity == "warning"))
    if result.outcome == "accepted":
        result.outcome = "rejected"
    cur.execute("begin transaction")
    result.load_id = cur.execute("select nextval('load_id_seq')").fetchone()[0]
    _log(cur, result, started, user)
    cur.execute("commit")
    return result


def _log(cur, result: LoadResult, started: float, user: str) -> None:
    result.duration_s = round(time.perf_counter() - started, 3)
    first = result.errors[0].message_en if result.errors else None
    cur.execute(
        """insert into load_log values ($id, now()::timestamp, $user, $dataset, $week, $file, $sha, $size, $enc,
               $rows, $blank, $outcome, $errors, $warnings, $replaced, $stored, $message, $duration)""",
        {"id": result.load_id, "user": user, "dataset": result.dataset, "week": result.week,
         "file": result.file_name, "sha": result.sha256, "size": result.size_bytes, "enc": result.encoding,
         "rows": result.rows, "blank": result.blank_rows, "outcome": result.outcome,
         "errors": result.error_count, "warnings": result.warning_count, "replaced": result.replaced_rows,
         "stored": result.stored_path, "message": first, "duration": result.duration_s},
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


def load_path(path: Path, **kwargs) -> LoadResult:
    return load_bytes(Path(path).read_bytes(), Path(path).name, **kwargs)
