"""Turn uploaded bytes (CSV in UTF-8, UTF-8 with BOM, GBK/GB18030, or XLSX) into a frame of strings.

Every value stays a string here; types are checked later, in DuckDB, so that a bad cell becomes an
error naming its row and column instead of a failed parse. `_row` is the row number the analyst sees
in Excel (the header is row 1 of a CSV). Blank rows are dropped after numbering, so numbers still
match the file.
"""
from __future__ import annotations

import io
from dataclasses import dataclass

import polars as pl

ROW = "_row"


class ReadError(ValueError):
    """The file cannot be read at all. Carries a message in both languages."""

    def __init__(self, zh: str, en: str):
        super().__init__(en)
        self.zh, self.en = zh, en


@dataclass
class RawTable:
    frame: pl.DataFrame  # all Utf8 columns plus _row (int)
    encoding: str  # 'utf-8', 'utf-8-sig', 'gb18030' or 'xlsx'
    blank_rows: int


def decode(data: bytes) -> tuple[str, str]:
    """BOM -> utf-8-sig; else strict UTF-8; else GB18030 (a superset of GBK and GB2312)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        raise ReadError(
            f"无法识别文件编码（第{exc.start}字节附近）：请另存为 UTF-8 或 GBK 编码的 CSV，或 Excel（.xlsx）文件。",
            f"Cannot tell the file's encoding (near byte {exc.start}): save it as CSV in UTF-8 or GBK, or as Excel (.xlsx).",
        ) from exc


def is_xlsx(data: bytes) -> bool:
    return data[:4] == b"PK\x03\x04"


def read_table(data: bytes, filename: str = "", header_candidates: set[str] | None = None) -> RawTable:
    if not data.strip():
        raise ReadError("文件为空。", "The file is empty.")
    if is_xlsx(data):
        frame, encoding = _read_xlsx(data, header_candidates or set()), "xlsx"
    elif filename.lower().endswith((".xls", ".et")):
        raise ReadError(
            "不支持旧版 Excel（.xls）：请在 Excel 中另存为 .xlsx 或 CSV。",
            "Old Excel files (.xls) are not supported: save as .xlsx or CSV in Excel.",
        )
    else:
        frame, encoding = _read_csv(data)
    frame = frame.rename({c: str(c).strip() for c in frame.columns if c != ROW})
    values = [c for c in frame.columns if c != ROW]
    if not values:
        raise ReadError("文件没有表头。", "The file has no header row.")
    kept = frame.filter(_filled(frame, values))
    return RawTable(kept, encoding, frame.height - kept.height)


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


def _parse_csv(payload: bytes) -> pl.DataFrame:
    return pl.read_csv(
        io.BytesIO(payload),
        infer_schema=False,  # every cell a string; polars rejects invalid UTF-8 in them
        row_index_name=ROW,
        row_index_offset=2,
        truncate_ragged_lines=True,
    )


def _read_csv(data: bytes) -> tuple[pl.DataFrame, str]:
    try:
        if data.startswith(b"\xef\xbb\xbf"):
            frame, encoding = _parse_csv(data[3:]), "utf-8-sig"
        else:
            # Strict UTF-8 first, validated by polars as it parses (a Python decode of a 350 MB file
            # costs half a second); only a file that is not UTF-8 is decoded (as GB18030) in Python.
            # Polars reads header names leniently, so the header line is checked here.
            try:
                data[: data.find(b"\n") if b"\n" in data else len(data)].decode("utf-8")
                frame, encoding = _parse_csv(data), "utf-8"
            except (UnicodeDecodeError, pl.exceptions.ComputeError) as exc:
                if isinstance(exc, pl.exceptions.ComputeError) and "utf-8" not in str(exc).lower():
                    raise
                text, encoding = decode(data)
                frame = _parse_csv(text.encode("utf-8"))
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError) as exc:
        raise ReadError(
            f"CSV 格式无法解析：{exc}", f"The CSV could not be parsed: {exc}"
        ) from exc
    return frame.with_columns(pl.col(ROW).cast(pl.Int64)), encoding


def _read_xlsx(data: bytes, header_candidates: set[str]) -> pl.DataFrame:
    import fastexcel

    from dashboard.contracts import normalise_header

    try:
        book = fastexcel.read_excel(data)
        # No header row and no skipped rows: row i of the frame is Excel row i + 1, even when the
        # sheet starts with empty rows (with header_row=0 fastexcel would start at the first used row).
        grid = book.load_sheet(0, header_row=None, skip_rows=0, dtypes="string").to_polars()
    except Exception as exc:  # fastexcel raises its own error types
        raise ReadError(f"Excel 文件无法打开：{exc}", f"The Excel file could not be opened: {exc}") from exc
    if grid.height == 0 or grid.width == 0:
        raise ReadError("文件为空。", "The file is empty.")
    # The header is the first of the top rows whose cells best match known column headers
    # (analysts' exports often carry a title row or two above it); else the first non-empty row.
    top = grid.head(10).rows()
    filled = [i for i, row in enumerate(top) if any(v is not None and str(v).strip() for v in row)]
    if not filled:
        raise ReadError("文件没有表头。", "The file has no header row.")
    header_row, best = filled[0], 0
    for i in filled:
        score = sum(normalise_header(v) in header_candidates for v in top[i] if v is not None)
        if score > best:
            header_row, best = i, score
    names: list[str] = []
    for j, value in enumerate(top[header_row]):
        name = str(value).strip() if value is not None and str(value).strip() else f"__UNNAMED__{j}"
        while name in names or name == ROW:
            name += "_"
        names.append(name)
    frame = grid.slice(header_row + 1)
    frame.columns = names
    return frame.with_columns(
        (pl.int_range(pl.len(), dtype=pl.Int64) + header_row + 2).alias(ROW)
    ).select(ROW, *names)
