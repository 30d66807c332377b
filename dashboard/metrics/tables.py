"""Tables as a page places them: every value already written the way the cards and charts write it.

Shares read '12.3%' (one decimal, Babel's CLDR data via dashboard/formatting.py), counts '12,345',
other decimals with the digits asked for, and a blank reads '—' (st.dataframe would print a null as
'None'; a blank is unknown, never 0). The metric modules build their page tables with `readable`.
"""
from __future__ import annotations

import polars as pl

from dashboard import formatting as fmt


def readable(frame: pl.DataFrame, lang: str, percent: tuple[str, ...] | list[str] = (),
             decimals: dict[str, int] | None = None) -> pl.DataFrame:
    """Every column as text: `percent` columns (shares 0-1) as '12.3%', `decimals` columns with that
    many digits, other numbers as whole numbers with separators, text as it is; blanks as '—'.

    With lang 'zh': 0.1234 -> '12.3%', 12345 -> '12,345', None -> '—'."""
    decimals = decimals or {}
    columns = []
    for name in frame.columns:
        series = frame[name]
        if name in percent:
            values = [fmt.pct(x, lang) for x in series.to_list()]
        elif name in decimals:
            values = [fmt.num(x, lang, decimals[name]) for x in series.to_list()]
        elif series.dtype.is_numeric():
            values = [fmt.num(x, lang) for x in series.to_list()]
        else:
            values = [fmt.BLANK if x is None else str(x) for x in series.to_list()]
        columns.append(pl.Series(name, values, dtype=pl.String))
    return pl.DataFrame(columns) if columns else frame
