"""Upload templates: every contract column, and example rows that load through the real pipeline."""
from __future__ import annotations

import datetime as dt

import pytest

from dashboard.ingest import contracts, loading, templates
from dashboard.ingest.reading import read_table

WEEK = dt.date(2022, 12, 19)
FORMATS = {"xlsx": templates.xlsx, "csv": templates.csv}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", contracts.DATASETS)
def test_template_has_every_contract_column(name, fmt):
    table = read_table(FORMATS[fmt](name), f"{name}.{fmt}")
    ds = contracts.dataset(name)
    assert [c for c in table.frame.columns if c != "_row"] == [c.zh for c in ds.columns]
    assert table.frame.height == len(templates.examples(name))
    if fmt == "csv":
        assert table.encoding == "utf-8-sig"  # Excel on Windows needs the BOM for Chinese headers


def test_xlsx_template_explains_every_column():
    import fastexcel

    for name in contracts.DATASETS:
        book = fastexcel.read_excel(templates.xlsx(name))
        assert book.sheet_names[1] == "填写说明"
        notes = book.load_sheet(1, dtypes="string").to_polars()
        assert notes["列名"].to_list() == [c.zh for c in contracts.dataset(name).columns]


@pytest.mark.parametrize("fmt", FORMATS)
def test_example_rows_load_together(con, fmt):
    results = {}
    for name in contracts.DATASETS:  # facility register first
        result = loading.load_bytes(FORMATS[fmt](name), f"{name}_template.{fmt}", dataset=name, week=WEEK, con=con)
        assert result.outcome == "accepted", (name, [f.message_en for f in result.errors])
        results[name] = result
    # one example row each; the facility register lists the two facilities the others name
    assert {name: r.rows for name, r in results.items()} == {name: 2 if name == "facility" else 1 for name in contracts.DATASETS}
    assert all(r.warning_count == 0 for r in results.values()), {
        n: [f.message_en for f in r.warnings] for n, r in results.items()}
    # the recorded label in the example agrees with Annex 1
    assert con.execute("select recorded_label, rule_label, age from register").fetchall() == [("yellow", "yellow", 82)]


def test_xlsx_template_formats_id_phone_and_code_columns_as_text():
    """A number typed into a text-formatted column stays text: the number-cell check never fires on a
    template filled in by hand. Checked on the workbook's own XML: the column's style has numFmt 49 (@)."""
    import re
    import zipfile
    from io import BytesIO

    for name in contracts.DATASETS:
        with zipfile.ZipFile(BytesIO(templates.xlsx(name))) as book:
            sheet = book.read("xl/worksheets/sheet1.xml").decode()
            styles = book.read("xl/styles.xml").decode()
        xfs = re.findall(r"<xf [^>]*>", styles.split("<cellXfs")[1])
        text_styles = {str(i) for i, xf in enumerate(xfs) if 'numFmtId="49"' in xf}
        columns = {i - 1: style for low, high, style in re.findall(r'<col min="(\d+)" max="(\d+)"[^>]*?style="(\d+)"', sheet)
                   for i in range(int(low), int(high) + 1)}
        for i, col in enumerate(contracts.dataset(name).columns):
            assert (columns.get(i) in text_styles) == templates.is_text_column(col), (name, col.name)
