"""Turn uploaded bytes into a frame of strings: CSV (UTF-8, UTF-8 with BOM, GBK/GB18030; comma,
semicolon or tab separated) or a spreadsheet (.xlsx, .xls, WPS .et, .ods; read by calamine through
fastexcel, which tells the format from the bytes, not the name).

Every value stays a string here; types are checked later, in DuckDB, so that a bad cell becomes an
error naming its row and column instead of a failed parse. `_row` is the row number the analyst sees
in Excel (the header is row 1 of a CSV). Blank rows are dropped after numbering, so numbers still
match the file.

What the reader refuses, it refuses with a `ReadError` in both languages that says what to do, with
the row where there is one: a file cut off mid-character or mid-row, a stray quote, a row with more
values than the header, text in a Western (Latin-1) encoding. What it notices but can read goes into
`RawTable.notes` (warnings): the data found on a later sheet than the first, formula cells.
"""
from __future__ import annotations

import csv as pycsv
import io
import os
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import polars as pl

ROW = "_row"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the container of .xls and WPS .et
SEPARATORS = (",", ";", "\t")


class ReadError(ValueError):
    """The file cannot be read at all. Carries a message in both languages (and the row, if any)."""

    def __init__(self, zh: str, en: str, code: str = "unreadable", row: int | None = None):
        super().__init__(en)
        self.zh, self.en, self.code, self.row = zh, en, code, row


@dataclass
class Note:
    """Something the reader noticed in a file it could read (a warning for the analyst)."""
    code: str
    zh: str
    en: str


@dataclass
class RawTable:
    frame: pl.DataFrame  # all Utf8 columns plus _row (int)
    encoding: str  # 'utf-8', 'utf-8-sig', 'gb18030', 'xlsx', 'xls' or 'ods'
    blank_rows: int
    # The header of each frame column as written in the file (frame names are made unique) and its
    # position as the spreadsheet shows it ("C"), for messages about repeated columns.
    headers: dict[str, str] = field(default_factory=dict)
    positions: dict[str, str] = field(default_factory=dict)
    notes: list[Note] = field(default_factory=list)
    separator: str | None = None
    sheet: str | None = None
    # Spreadsheets only: given frame columns, the (_row, column) of every cell stored as a number
    # (or a TRUE/FALSE) rather than as text: such an ID number or code may already have lost digits.
    number_cells: Callable[[list[str]], pl.DataFrame] | None = None
    # A CSV that DuckDB reads itself (then `frame` holds the header only and no rows).
    csv: "CsvPlan | None" = None


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# --- encodings ---------------------------------------------------------------------------------

def _cut_utf8(data: bytes) -> bool:
    """True when the bytes are UTF-8 except for an incomplete character at the very end."""
    for k in (1, 2, 3):
        tail = data[-k:]
        if tail and tail[0] >= 0xC0:  # a lead byte with fewer continuation bytes than it announces
            need = 2 if tail[0] < 0xE0 else 3 if tail[0] < 0xF0 else 4
            if k < need:
                try:
                    data[:-k].decode("utf-8")
                    return True
                except UnicodeDecodeError:
                    return False
    return False


def _cut_error(data: bytes) -> ReadError:
    return ReadError(
        "文件在这一行的中间结束（断在一个汉字的中间），可能复制或下载时被截断：请重新导出完整的文件。",
        "The file ends in the middle of this row (cut inside a character): it was probably cut off while "
        "copying or downloading. Export the whole file again.",
        code="truncated", row=data.rstrip(b"\r\n").count(b"\n") + 1)


def _rare_share(text: str) -> tuple[float, int]:
    """Among the non-ASCII characters of a GB18030 reading, the share outside GB2312 (the 6,763
    common hanzi and symbols) and the index of the first one. Chinese text has very few; Western
    text read as GB18030 is made of little else (é + the next letter become one rare character)."""
    sample = text[:200_000]
    wide = [(i, ch) for i, ch in enumerate(sample) if ord(ch) > 127]
    if not wide:
        return 0.0, -1
    rare = [i for i, ch in wide if not _in_gb2312(ch)]
    return len(rare) / len(wide), (rare[0] if rare else -1)


def _in_gb2312(ch: str) -> bool:
    try:
        ch.encode("gb2312")
        return True
    except UnicodeEncodeError:
        return ch in "\u3000\ufeff"


def decode(data: bytes) -> tuple[str, str]:
    """BOM -> utf-8-sig; else strict UTF-8; else GB18030 (a superset of GBK and GB2312).
    A file cut off mid-character and a Western-encoded file are refused with their own messages."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ReadError(
            "文件是 UTF-16（“Unicode 文本”）编码：请另存为“CSV UTF-8（逗号分隔）”或 Excel（.xlsx）文件。",
            "The file is in UTF-16 (Excel's 'Unicode Text'): save it as 'CSV UTF-8 (comma delimited)' or as Excel (.xlsx).",
            code="encoding")
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError:
            if _cut_utf8(data[3:]):
                raise _cut_error(data) from None
            raise _encoding_error(0) from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        if _cut_utf8(data):
            raise _cut_error(data) from None
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError as exc:
        if exc.start >= len(data) - 1 and 0x81 <= data[-1] <= 0xFE:
            raise _cut_error(data) from exc
        western = data.decode("cp1252", "replace")
        if all(ch.isalpha() for ch in western if ord(ch) > 127):
            first = re.search(rb"[\x80-\xff]", data).start()  # the first non-ASCII byte
            raise _latin1_error(data.count(b"\n", 0, first) + 1) from exc
        raise _encoding_error(exc.start) from exc
    share, first = _rare_share(text)
    if share >= 0.3:
        raise _latin1_error(text.count("\n", 0, first) + 1)
    return text, "gb18030"


def _latin1_error(row: int) -> ReadError:
    return ReadError(
            "从这一行起文字不像中文：文件似乎是西文编码（Latin-1/Windows-1252），按 GBK 读取会成为乱码。"
            "请另存为 UTF-8 编码的 CSV，或 Excel（.xlsx）文件。",
            "From this row on, the text does not read as Chinese: the file seems to be in a Western encoding "
            "(Latin-1/Windows-1252), which would be stored as garbled text. Save it as CSV in UTF-8, or as Excel (.xlsx).",
            code="latin1", row=row)


def _encoding_error(start: int) -> ReadError:
    return ReadError(
        f"无法识别文件编码（第{start}字节附近）：请另存为 UTF-8 或 GBK 编码的 CSV，或 Excel（.xlsx）文件。",
        f"Cannot tell the file's encoding (near byte {start}): save it as CSV in UTF-8 or GBK, or as Excel (.xlsx).",
        code="encoding")


# --- entry point ---------------------------------------------------------------------------------

def spreadsheet_kind(data: bytes) -> str | None:
    """'xlsx', 'ods' or 'xls' (also WPS .et) from the file's first bytes, else None."""
    if data[:4] == b"PK\x03\x04":
        return "ods" if b"opendocument.spreadsheet" in data[:200] else "xlsx"
    if data[:8] == _OLE2:
        return "xls"
    return None


def is_xlsx(data: bytes) -> bool:
    return spreadsheet_kind(data) is not None


def read_table(data: bytes, filename: str = "", header_candidates: set[str] | None = None) -> RawTable:
    # Blank only if its start is blank: stripping a whole 350 MB file to find out costs 0.6 s.
    if not data[:4096].strip() and not data.strip():
        raise ReadError("文件为空。", "The file is empty.", code="empty_file")
    kind = spreadsheet_kind(data)
    if kind:
        table = _read_spreadsheet(data, kind, header_candidates or set())
    elif filename.lower().endswith((".xls", ".xlsx", ".et", ".ods", ".xlsb")):
        raise ReadError(
            "文件扩展名是电子表格，但内容不是可识别的 Excel/WPS/LibreOffice 文件（可能已损坏或只是改了扩展名）："
            "请在原软件中重新另存为 .xlsx 或 CSV。",
            "The name says spreadsheet but the content is not an Excel/WPS/LibreOffice file we can recognise "
            "(damaged, or only renamed): save it again as .xlsx or CSV in the program that made it.",
            code="not_spreadsheet")
    else:
        table = _read_csv(data, header_candidates or set())
    frame = table.frame
    values = [c for c in frame.columns if c != ROW]
    if not values:
        raise ReadError("文件没有表头。", "The file has no header row.", code="no_header")
    kept = frame.filter(_filled(frame, values))
    table.frame, table.blank_rows = kept, frame.height - kept.height
    return table


def _filled(frame: pl.DataFrame, values: list[str]) -> pl.Series:
    """True for rows with at least one cell that is not blank or whitespace. The first column decides
    almost every row cheaply; only the rest are checked cell by cell (3 million rows: 0.05 s, not 0.5)."""
    def has_text(c: str) -> pl.Expr:
        return pl.col(c).str.contains(r"\S").fill_null(False)

    first = frame.select(has_text(values[0]))[values[0]]
    if len(values) == 1 or first.all():
        return first
    undecided = frame.filter(~first).select(ROW, pl.any_horizontal([has_text(c) for c in values[1:]]).alias("f"))
    rescued = undecided.filter(pl.col("f"))[ROW]
    return first | frame[ROW].is_in(rescued.implode())


def _unique_headers(raw: list[str]) -> tuple[list[str], dict[str, str], dict[str, str]]:
    """Frame names (unique, stripped), with each one's header as written and its column letter."""
    names: list[str] = []
    headers: dict[str, str] = {}
    positions: dict[str, str] = {}
    for j, value in enumerate(raw):
        written = str(value).strip() if value is not None and str(value).strip() else ""
        name = written or f"__UNNAMED__{j}"
        while name in names or name == ROW:
            name += "_"
        names.append(name)
        headers[name], positions[name] = written, column_letter(j)
    return names, headers, positions


# --- CSV ---------------------------------------------------------------------------------------

def _header_line(data: bytes) -> bytes:
    end = data.find(b"\n")
    return data[: end if end >= 0 else len(data)]


def _separator(header: str, candidates: set[str]) -> str:
    """Comma unless the header line says otherwise: a header split by ; or tab that names more known
    columns than split by commas (a semicolon-separated export from a European-locale Excel)."""
    from dashboard.ingest.contracts import normalise_header

    def score(sep: str) -> tuple[int, int]:
        cells = header.split(sep)
        return sum(normalise_header(c.strip().strip('"')) in candidates for c in cells), len(cells)

    best = ","
    for sep in SEPARATORS[1:]:
        if sep in header and score(sep) > score(best):
            best = sep
    return best


def _title_lines(payload: bytes, separator: str, candidates: set[str]) -> int:
    """Lines above the header: a title such as "重点人群台账（2022年第51周）" that an export put on
    line 1. The header is the first of the top ten lines naming the most known columns (two at
    least), as in a spreadsheet; 0 when line 1 is as good as any."""
    from dashboard.ingest.contracts import normalise_header

    lines = payload[:65536].decode("utf-8", "replace").split("\n")[:10]
    scores = [len({normalise_header(c.strip().strip('"')) for c in line.split(separator)} & candidates)
              for line in lines]
    best = max(scores, default=0)
    return scores.index(best) if best >= 2 and scores[0] < best else 0


def _parse_csv(payload: bytes, separator: str, ragged: bool = False, skip: int = 0) -> pl.DataFrame:
    return pl.read_csv(
        io.BytesIO(payload),
        separator=separator,
        infer_schema=False,  # every cell a string; polars rejects invalid UTF-8 in them
        row_index_name=ROW,
        row_index_offset=2 + skip,
        truncate_ragged_lines=ragged,
        skip_rows=skip,
    )


def _read_csv(data: bytes, candidates: set[str]) -> RawTable:
    payload, encoding = (data[3:], "utf-8-sig") if data.startswith(b"\xef\xbb\xbf") else (data, "utf-8")
    try:
        # Strict UTF-8 is validated by polars as it parses (a Python decode of a 350 MB file costs
        # half a second); only a file that is not UTF-8 is decoded in Python (GB18030, or refused).
        _header_line(payload).decode("utf-8")
    except UnicodeDecodeError:
        text, encoding = decode(data)
        payload = text.encode("utf-8")
    separator = _separator(_header_line(payload).decode("utf-8", "replace"), candidates)
    skip = _title_lines(payload, separator, candidates)
    if skip:
        line = payload.split(b"\n", skip + 1)[skip].decode("utf-8", "replace")
        separator = _separator(line, candidates)
    try:
        frame = _parse_csv(payload, separator, skip=skip)
    except pl.exceptions.NoDataError as exc:
        raise ReadError("文件为空。", "The file is empty.", code="empty_file") from exc
    except pl.exceptions.PolarsError as exc:  # never the parser's own words to the analyst
        message = str(exc).lower()
        if "utf-8" in message or "utf8" in message:
            text, encoding = decode(data)
            payload = text.encode("utf-8")
            frame = _parse_or_explain(payload, separator, skip)
        else:
            frame = _explain(payload, separator, exc, skip)
    _check_last_row(payload, separator, len(frame.columns) - 1)
    raw = [_polars_header(c) for c in frame.columns if c != ROW]
    names, headers, positions = _unique_headers(raw)
    frame.columns = [ROW, *names]
    return RawTable(frame.with_columns(pl.col(ROW).cast(pl.Int64)), encoding, 0, headers, positions,
                    separator=separator)


def _polars_header(name: str) -> str:
    """Polars renames a repeated header 'a' to 'a_duplicated_0': give back what the file says."""
    return re.sub(r"_duplicated_\d+$", "", name)


def _parse_or_explain(payload: bytes, separator: str, skip: int = 0) -> pl.DataFrame:
    try:
        return _parse_csv(payload, separator, skip=skip)
    except pl.exceptions.NoDataError as exc:
        raise ReadError("文件为空。", "The file is empty.", code="empty_file") from exc
    except pl.exceptions.PolarsError as exc:
        return _explain(payload, separator, exc, skip)


def _explain(payload: bytes, separator: str, exc: Exception, skip: int = 0) -> pl.DataFrame:
    """Polars could not parse the file: find the row and say why, in words an analyst can act on.
    Rows with extra cells that are all empty (trailing separators) are read safely instead."""
    problem = _scan(payload.decode("utf-8", "replace"), separator, skip)
    if problem is None:
        raise ReadError(
            "CSV 格式无法解析：请在 Excel 中打开后另存为 CSV（逗号分隔）或 .xlsx。",
            "The CSV could not be parsed: open it in Excel and save it again as CSV (comma separated) or .xlsx.",
            code="csv_malformed") from exc
    kind, row, count, width = problem
    if kind == "extra_empty":
        return _parse_csv(payload, separator, ragged=True, skip=skip)
    if kind == "quote":
        raise ReadError(
            "有一个未配对的英文双引号（\"），其后的内容无法分列：请删除该引号，或把整个值用双引号括起并把值中的引号写两遍（\"\"）。",
            "A double quote (\") is not closed, so the rest cannot be split into columns: delete it, "
            "or enclose the whole value in quotes and write each quote inside it twice (\"\").",
            code="stray_quote", row=row) from exc
    raise ReadError(
        f"该行有{count}个值，而表头只有{width}列：可能某个值中含有分隔符（逗号），请把该值用英文双引号括起，或删除多余的值。",
        f"The row has {count} values but the header has {width} columns: a value probably contains the "
        "separator (a comma); enclose that value in double quotes or remove the extra values.",
        code="extra_values", row=row) from exc


def _scan(text: str, separator: str, skip: int = 0) -> tuple[str, int, int, int] | None:
    """Walk the records as Excel would: (problem, row, values, header width) for the first record
    with an unbalanced quote or more non-empty values than the header; 'extra_empty' when the only
    problem is empty trailing cells. Only run on a file polars refused, so speed does not matter."""
    records = _records(text, separator)
    width = None
    extra_empty = False
    for row, cells, quote_ok in records:
        if row <= skip:
            continue
        if not quote_ok:
            return "quote", row, 0, width or 0
        if width is None:
            width = len(cells)
            continue
        if len(cells) > width:
            if any(c.strip() for c in cells[width:]):
                return "extra", row, len(cells), width
            extra_empty = True
    return ("extra_empty", 0, 0, width or 0) if extra_empty else None


def _records(text: str, separator: str):
    """(row number as Excel shows it, cells, quotes balanced) per record."""
    row = 0
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        row += 1
        record = lines[i]
        i += 1
        # A record continues onto the next line while a quoted value is open.
        while record.count('"') % 2 and i < len(lines):
            record += "\n" + lines[i]
            i += 1
        record = record.rstrip("\r")
        if not record.strip() and i == len(lines):
            break
        balanced = record.count('"') % 2 == 0 and _quotes_well_placed(record, separator)
        try:
            cells = next(pycsv.reader([record], delimiter=separator, strict=True)) if record else []
        except pycsv.Error:
            yield row, [], False
            continue
        yield row, cells, balanced


def _quotes_well_placed(record: str, separator: str) -> bool:
    """A quote may open a value (right after a separator or at the start) or be doubled inside one;
    polars refuses one in the middle of an unquoted value (5"x)."""
    sep = re.escape(separator)
    return not re.search(f'(^|{sep})[^"{sep}]+"', record)


def _check_last_row(payload: bytes, separator: str, width: int) -> None:
    """A file that does not end with a line break and whose last row has fewer values than the header
    was cut off: refuse it rather than load a half row."""
    tail = payload.rstrip(b"\x00")
    if not tail or tail.endswith((b"\n", b"\r")):
        return
    start = tail.rfind(b"\n") + 1
    if start == 0:
        return  # header only
    last = tail[start:].decode("utf-8", "replace")
    if last.count('"') % 2:
        return  # an open quote: the parser reported it already, or it is inside a multi-line value
    cells = next(pycsv.reader([last], delimiter=separator), [])
    if 0 < len(cells) < width:
        row = payload[:start].count(b"\n") + 1
        raise ReadError(
            f"文件在这一行中间结束（该行只有{len(cells)}个值，表头有{width}列），可能复制或下载时被截断：请重新导出完整的文件。",
            f"The file ends in the middle of this row ({len(cells)} of {width} values): it was probably cut off "
            "while copying or downloading. Export the whole file again.",
            code="ends_mid_row", row=row)


# --- spreadsheets --------------------------------------------------------------------------------

def _score(row: tuple, candidates: set[str]) -> int:
    from dashboard.ingest.contracts import normalise_header

    return len({normalise_header(v) for v in row if v is not None and str(v).strip()} & candidates)


def _read_spreadsheet(data: bytes, kind: str, candidates: set[str]) -> RawTable:
    import fastexcel

    try:
        book = fastexcel.read_excel(data)
        names = book.sheet_names
    except Exception as exc:  # fastexcel raises its own error types
        raise ReadError("电子表格文件无法打开（可能已损坏或有密码保护）：请在原软件中另存为 .xlsx 或 CSV。",
                        "The spreadsheet could not be opened (damaged, or password-protected): save it again "
                        "as .xlsx or CSV in the program that made it.", code="bad_spreadsheet") from exc

    def grid_of(index: int) -> pl.DataFrame:
        # No header row and no skipped rows: row i of the frame is Excel row i + 1, even when the
        # sheet starts with empty rows (with header_row=0 fastexcel would start at the first used row).
        return book.load_sheet(index, header_row=None, skip_rows=0, dtypes="string").to_polars()

    def header_of(grid: pl.DataFrame) -> tuple[int, int]:
        """The first of the top rows whose cells best match known column headers (analysts' exports
        often carry a title row or two above it), else the first non-empty row; and its score."""
        top = grid.head(10).rows()
        filled = [i for i, row in enumerate(top) if any(v is not None and str(v).strip() for v in row)]
        if not filled:
            return -1, 0
        header_row, best = filled[0], 0
        for i in filled:
            score = _score(top[i], candidates)
            if score > best:
                header_row, best = i, score
        return header_row, best

    try:
        index, grid = 0, grid_of(0)
        header_row, best = header_of(grid) if grid.height and grid.width else (-1, 0)
        notes: list[Note] = []
        if best < 3:
            # The first sheet is not a table we know (a cover page, a list of contents): take the later
            # sheet whose header names the most known columns, if one names at least three. Safe: a
            # sheet of notes names one column per row, so it never scores three.
            for j in range(1, len(names)):
                other = grid_of(j)
                if not (other.height and other.width):
                    continue
                row_j, score_j = header_of(other)
                if score_j >= 3 and score_j > best:
                    index, grid, header_row, best = j, other, row_j, score_j
            if index:
                notes.append(Note(
                    "other_sheet",
                    f"第1个工作表“{names[0]}”不是数据表，已读取第{index + 1}个工作表“{names[index]}”：请确认这是要上传的数据。",
                    f"The first sheet '{names[0]}' is not a data table; sheet {index + 1} '{names[index]}' was "
                    "read instead: check that it holds the data you meant to upload."))
    except ReadError:
        raise
    except Exception as exc:
        raise ReadError("电子表格文件无法读取：请在原软件中另存为 .xlsx 或 CSV。",
                        "The spreadsheet could not be read: save it again as .xlsx or CSV.",
                        code="bad_spreadsheet") from exc
    if grid.height == 0 or grid.width == 0 or header_row < 0:
        raise ReadError("文件为空。", "The file is empty.", code="empty_file")
    columns, headers, positions = _unique_headers(list(grid.row(header_row)))
    frame = grid.slice(header_row + 1)
    frame.columns = columns
    frame = frame.with_columns(
        (pl.int_range(pl.len(), dtype=pl.Int64) + header_row + 2).alias(ROW)
    ).select(ROW, *columns)
    if kind == "xlsx":
        notes += _xlsx_formulas(data, names[index])
    elif kind == "ods":
        notes += _ods_formulas(data)

    def number_cells(wanted: list[str]) -> pl.DataFrame:
        """The (_row, column) of the cells of these columns that the file stores as numbers (or
        TRUE/FALSE). Read by converting those columns to boolean: calamine turns a number into a
        boolean and refuses text (left null), so a non-null value is a cell that was not text."""
        picks = sorted(columns.index(c) for c in wanted if c in columns)
        empty = pl.DataFrame(schema={ROW: pl.Int64, "column": pl.Utf8})
        # A number cell reads as digits (150102193807221184, 7, 1.5e17): when no cell of these columns
        # looks like that, none can be a number, and the sheet need not be parsed a second time.
        numeric_text = pl.any_horizontal([pl.col(columns[j]).str.contains(r"^[0-9.eE+\-]+$").any() for j in picks])
        if not picks or not frame.select(numeric_text.fill_null(False)).item():
            return empty
        typed = book.load_sheet(index, header_row=None, skip_rows=0, use_columns=picks,
                                dtypes="boolean").to_polars().slice(header_row + 1)
        found = []
        for j in picks:
            text = frame[columns[j]].str.to_lowercase()
            hit = typed[f"__UNNAMED__{j}"].is_not_null()  # fastexcel names unnamed columns by position & ~text.is_in(["true", "false"]).fill_null(False)
            found.append(frame.select(ROW).filter(hit).with_columns(pl.lit(columns[j]).alias("column")))
        return pl.concat(found) if found else empty

    return RawTable(frame, kind, 0, headers, positions, notes, sheet=names[index], number_cells=number_cells)


_FORMULA = re.compile(rb'<c r="([A-Z]+[0-9]+)"[^>]*>\s*<f(?:\s[^>]*)?(?:/>|>[^<]*</f>)\s*(<v>(?!</v>))?')


def _formula_note(cells: list[str], missing: list[str], total: int, uncached: int) -> list[Note]:
    if not total:
        return []
    shown = "、".join(cells[:5]) + ("…" if total > 5 else "")
    shown_en = ", ".join(cells[:5]) + ("…" if total > 5 else "")
    zh = f"有{total}个单元格是公式（{shown}）：读取的是文件保存时的计算结果。"
    en = f"Formulas in {total} cells ({shown_en}): the result saved with the file is what was read."
    if uncached:
        zh += f"其中{uncached}个没有保存结果（{'、'.join(missing[:5])}），按空白读取。"
        en += f" {uncached} of them have no saved result ({', '.join(missing[:5])}) and were read as blank."
    zh += "请在表格软件中重新计算并保存，或将公式列粘贴为数值后再上传。"
    en += " Recalculate and save in the spreadsheet program, or paste the formula columns as values, then upload again."
    return [Note("formula_cells", zh, en)]


def _xlsx_formulas(data: bytes, sheet_name: str) -> list[Note]:
    """Formula cells of the sheet read, and those saved without a result (<f> with no <v>)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            path = _xlsx_sheet_path(archive, sheet_name)
            if path is None:
                return []
            xml = archive.read(path)
    except (zipfile.BadZipFile, KeyError, OSError):
        return []
    if b"<f" not in xml:
        return []
    cells, missing = [], []
    for match in _FORMULA.finditer(xml):
        cells.append(match[1].decode())
        if match[2] is None:
            missing.append(match[1].decode())
    return _formula_note(cells, missing, len(cells), len(missing))


def _xlsx_sheet_path(archive: zipfile.ZipFile, sheet_name: str) -> str | None:
    workbook = archive.read("xl/workbook.xml").decode("utf-8", "replace")
    rels = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
    for name, rid in re.findall(r'<sheet [^>]*?name="([^"]*)"[^>]*?r:id="([^"]*)"', workbook):
        if _xml_unescape(name) == sheet_name:
            target = re.search(rf'<Relationship [^>]*?Id="{re.escape(rid)}"[^>]*?Target="([^"]*)"', rels) or \
                re.search(rf'<Relationship [^>]*?Target="([^"]*)"[^>]*?Id="{re.escape(rid)}"', rels)
            if target:
                path = target[1].lstrip("/")
                return path if path.startswith("xl/") else "xl/" + path
    return None


def _xml_unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'").replace("&amp;", "&")


def _ods_formulas(data: bytes) -> list[Note]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            xml = archive.read("content.xml")
    except (zipfile.BadZipFile, KeyError, OSError):
        return []
    total = xml.count(b"table:formula=")
    return _formula_note([], [], total, 0)


# --- CSV read by DuckDB itself (the fast path) ------------------------------------------------------

@dataclass
class CsvPlan:
    """How DuckDB's `read_csv` reads a CSV file as the polars reader would: the file (the upload's own
    path, or an in-memory file holding its bytes, never a copy on disk), separator, lines above the
    first data row, the unique column names, the row number of the first data row."""
    path: str
    separator: str
    skip: int
    names: list[str]
    headers: dict[str, str]
    positions: dict[str, str]
    encoding: str
    fd: int | None = None  # the in-memory file to close

    def relation(self) -> str:
        def lit(text: str) -> str:
            return "'" + text.replace("'", "''") + "'"
        columns = ", ".join(f"{lit(n)}: 'VARCHAR'" for n in self.names)
        # strict: a row with more or fewer values than the header, a stray quote or bytes that are not
        # UTF-8 stop DuckDB, and the polars reader then finds the row and explains it.
        return (f"read_csv({lit(self.path)}, delim = {lit(self.separator)}, quote = '\"', escape = '\"', "
                f"header = false, skip = {self.skip + 1}, columns = {{{columns}}}, auto_detect = false, "
                f"strict_mode = true, null_padding = false)")

    def row(self) -> str:
        return f"row_number() over () + {self.skip + 1}"

    def first_row(self) -> int:
        """The row number (as the polars reader and a spreadsheet count) of the first data row."""
        return self.skip + 2

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


_CHUNK = 8 << 20


def _chunks(data: bytes | None, path: Path | None):
    if data is not None:
        view = memoryview(data)
        for start in range(0, len(view), _CHUNK):
            yield view[start:start + _CHUNK]
        return
    with open(path, "rb") as stream:
        while chunk := stream.read(_CHUNK):
            yield chunk


def _has_blank_line(data: bytes | None, path: Path | None) -> bool:
    """An empty line: DuckDB skips it where Excel (and the polars reader) count it as a row, so row
    numbers would no longer match the file. Searched in place (a file is mapped, not read)."""
    if data is not None:
        return data.find(b"\n\n") >= 0 or data.find(b"\n\r\n") >= 0
    buffer = bytearray(_CHUNK + 2)  # two bytes carried over: a blank line across two chunks
    view = memoryview(buffer)
    carried = 0
    with open(path, "rb") as stream:
        while n := stream.readinto(view[carried:]):
            filled = carried + n
            if buffer.find(b"\n\n", 0, filled) >= 0 or buffer.find(b"\n\r\n", 0, filled) >= 0:
                return True
            carried = min(2, filled)
            buffer[:carried] = buffer[filled - carried:filled]
    return False


def _memory_file(chunks) -> tuple[int, str]:
    fd = os.memfd_create("upload", 0)  # lives in memory only, gone when closed
    for chunk in chunks:
        os.write(fd, chunk)
    return fd, f"/proc/self/fd/{fd}"


def plan_csv(data: bytes | None, path: Path | None, filename: str, candidates: set[str]) -> CsvPlan | None:
    """A plan for DuckDB to read this CSV directly, or None when the polars reader must (a spreadsheet,
    an empty file, blank lines, a header that cannot be split, or no in-memory files on this system)."""
    if not hasattr(os, "memfd_create") and data is not None:
        return None
    if data is not None:
        head = data[:65536]
    else:
        with open(path, "rb") as stream:
            head = stream.read(65536)
    if spreadsheet_kind(head) or filename.lower().endswith((".xls", ".xlsx", ".et", ".ods", ".xlsb")) or not head.strip():
        return None
    payload_head, encoding = (head[3:], "utf-8-sig") if head.startswith(b"\xef\xbb\xbf") else (head, "utf-8")
    fd = None
    try:
        _header_line(payload_head).decode("utf-8")
    except UnicodeDecodeError:
        if not hasattr(os, "memfd_create"):
            return None
        try:
            text, encoding = decode(data if data is not None else Path(path).read_bytes())
        except ReadError:
            return None  # the polars reader gives the same refusal
        body = text.encode("utf-8")
        del text
        payload_head = body[:65536]
        if _has_blank_line(body, None):
            return None
        fd, source = _memory_file(_chunks(body, None))
    if fd is None:
        # Blank lines in the file itself are looked for beside the load (loading._Original), which
        # reads it anyway for its SHA-256: a file that has some is then read by the polars reader.
        if data is not None:
            fd, source = _memory_file(_chunks(data, None))
        else:
            source = str(Path(path).resolve())
    try:
        separator = _separator(_header_line(payload_head).decode("utf-8", "replace"), candidates)
        skip = _title_lines(payload_head, separator, candidates)
        lines = payload_head.split(b"\n", skip + 1)
        if len(lines) <= skip + 1:
            raise ValueError("no line after the header")
        header = lines[skip].rstrip(b"\r").decode("utf-8")
        if skip:
            separator = _separator(header, candidates)
        cells = next(pycsv.reader([header], delimiter=separator, strict=True))
        names, headers, positions = _unique_headers(cells)
        if not cells or any(n.startswith("__UNNAMED__") for n in names) and len(names) == 1:
            raise ValueError("no header")
    except (ValueError, pycsv.Error, StopIteration):
        if fd is not None:
            os.close(fd)
        return None
    return CsvPlan(source, separator, skip, names, headers, positions, encoding, fd)


def sniff_headers(data: bytes, filename: str, candidates: set[str]) -> list[str]:
    """The header row of a file, cheaply: a CSV from its first 64 KB (in any encoding read_table
    accepts), a spreadsheet by reading it. [] when none can be found."""
    try:
        if spreadsheet_kind(data[:8]) or filename.lower().endswith((".xls", ".xlsx", ".et", ".ods", ".xlsb")):
            table = read_table(data, filename, candidates)
            return [table.headers.get(c) or c for c in table.frame.columns if c != ROW]
        head = data[:65536]
        head = head[3:] if head.startswith(b"\xef\xbb\xbf") else head
        try:
            text = head.decode("utf-8")
        except UnicodeDecodeError:
            text = head.decode("gb18030", "replace")
        payload = text.encode("utf-8")
        separator = _separator(_header_line(payload).decode("utf-8", "replace"), candidates)
        skip = _title_lines(payload, separator, candidates)
        line = payload.split(b"\n", skip + 1)[skip].rstrip(b"\r").decode("utf-8", "replace")
        if skip:
            separator = _separator(line, candidates)
        return next(pycsv.reader([line], delimiter=separator), [])
    except (ReadError, ValueError, IndexError, pycsv.Error):
        return []
