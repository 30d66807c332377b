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
    blank = pl.all_horizontal(
        [pl.col(c).is_null() | (pl.col(c).str.strip_chars() == "") for c in values]
    )
    kept = frame.filter(~blank)
    return RawTable(kept, encoding, frame.height - kept.height)


def _read_csv(data: bytes) -> tuple[pl.DataFrame, str]:
    text, encoding = decode(data)
    payload = data[3:] if encoding == "utf-8-sig" else data
    if encoding == "gb18030":
        payload = text.encode("utf-8")
    try:
        frame = pl.read_csv(
            io.BytesIO(payload),
            infer_schema=False,
            row_index_name=ROW,
            row_index_offset=2,
            truncate_ragged_lines=True,
        )
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
    except Exception as exc:  # fastexcel raises its own error types
        raise ReadError(f"Excel 文件无法打开：{exc}", f"The Excel file could not be opened: {exc}") from exc
    # The header is the first of the top rows whose cells best match known column headers
    # (analysts' exports often carry a title row or two above it).
    header_row, best = 0, -1
    for candidate in range(10):
        try:
            probe = book.load_sheet(0, header_row=candidate, n_rows=1, dtypes="string")
        except Exception:
            break
        names = [normalise_header(c) for c in probe.to_polars().columns]
        score = sum(n in header_candidates for n in names)
        if score > best:
            header_row, best = candidate, score
        if not header_candidates:
            break
    sheet = book.load_sheet(0, header_row=header_row, dtypes="string")
    frame = sheet.to_polars()
    return frame.with_row_index(ROW, offset=header_row + 2).with_columns(pl.col(ROW).cast(pl.Int64))
