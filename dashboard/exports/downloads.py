"""Downloaded tables speak the interface's language: column names from data/i18n/columns.toml, coded
values (tiers, directions, items, statuses, weeks, yes/no) as the pages show them, shares as
'95.3%', blanks empty (never None, nan or NaT), technical columns (load ids, sort keys) left out.
The same table goes to CSV (UTF-8 with BOM, so Excel opens Chinese correctly) and XLSX, with small
counts of people written as "<5" (dashboard/exports/suppression.py).
"""
from __future__ import annotations

import io

import polars as pl

from dashboard import formatting as fmt
from dashboard import i18n, weeks
from dashboard.exports import suppression

DROPPED = {"load_id", "item_order", "from_rank", "to_rank"}
# stored column -> how its values are named: ('values', group) from values.toml, or a key prefix
VALUE_NAMES = {
    "tier": ("values", "tier"), "from_tier": ("values", "tier"), "to_tier": ("values", "tier"),
    "expected_tier": ("values", "tier"),
    "direction": ("values", "direction"), "direction_derived": ("values", "direction"),
    "direction_recorded": ("values", "direction"),
    "severity": ("values", "severity"), "main_problem": ("values", "main_problem"),
    "item": ("key", "stock.items"), "compliance": ("key", "referrals.compliance"),
    "cover_status": ("key", "stock.cover_status"),
    "category": ("key", "followup.category"),
}
STATUS_KEYS = {"icu": "icu.status", "stock": "stock.status"}
SHARE_SUFFIXES = ("_share", "_rate")
SHARES = {"occupancy", "share_of_target"}


def column_name(column: str, lang: str) -> str:
    key = f"columns.{column}"
    return i18n.t(key, lang) if key in i18n.catalog() else column


def _value_name(column: str, value, lang: str, topic: str | None) -> str | None:
    if value is None:
        return None
    how = VALUE_NAMES.get(column)
    if column == "status" and topic in STATUS_KEYS:
        how = ("key", STATUS_KEYS[topic])
    if how is None:
        return str(value)
    kind, group = how
    if kind == "values":
        return i18n.value(group, value, lang)
    key = f"{group}.{value}"
    if key in i18n.catalog():
        text = i18n.t(key, lang)
        return text if "{" not in text else text.split("{")[0].strip() or str(value)
    return str(value)


def localise(frame: pl.DataFrame, lang: str, topic: str | None = None) -> pl.DataFrame:
    """The table as the interface shows it (see the module docstring). `topic` ('icu', 'stock')
    says whose statuses a 'status' column holds."""
    out = {}
    hidden = suppression.mask(frame)  # small counts of people (dashboard/exports/suppression.py)
    for column in frame.columns:
        if column in DROPPED:
            continue
        series = frame[column]
        name = column_name(column, lang)
        dtype = series.dtype
        if dtype == pl.Date:
            values = [weeks.label(v, lang) if column == "week" and v else (v.isoformat() if v else None)
                      for v in series.to_list()]
        elif dtype == pl.Boolean:
            values = [None if v is None else fmt.yes_no(v, lang) for v in series.to_list()]
        elif dtype.is_float() and (column in SHARES or column.endswith(SHARE_SUFFIXES)):
            values = [fmt.pct(v, lang, blank=None) for v in series.to_list()]
        elif dtype.is_float():
            values = [None if fmt.missing(v) else round(v, 1) for v in series.to_list()]
        elif dtype == pl.String or dtype == pl.Categorical or dtype == pl.Enum:
            values = [_value_name(column, v, lang, topic) for v in series.to_list()]
        elif dtype.is_integer():
            values = series.to_list()
        else:
            values = [None if v is None else str(v) for v in series.to_list()]
        if column in hidden:
            values = suppression.apply(values, hidden[column], column, lang)
        out[name] = values
    return pl.DataFrame(out, strict=False)


def csv_bytes(frame: pl.DataFrame, lang: str, topic: str | None = None) -> bytes:
    return localise(frame, lang, topic).write_csv().encode("utf-8-sig")


def xlsx_bytes(frame: pl.DataFrame, lang: str, topic: str | None = None, sheet: str = "data") -> bytes:
    buffer = io.BytesIO()
    localise(frame, lang, topic).write_excel(buffer, worksheet=sheet[:31], autofit=True)
    return buffer.getvalue()
