"""Real office software: the five templates saved by LibreOffice Calc (headless) as XLSX, XLS, ODS
and GBK CSV load exactly like the templates themselves; a CSV opened and saved by Calc without
formatting the ID column as text is refused, not silently corrupted.

Needs Debian's `libreoffice-calc` (`bash scripts/setup.sh --test` installs it). Conversions run in
one `soffice` call per target format (about 3 s each) with a profile of their own in tmp_path."""
from __future__ import annotations

import datetime as dt
import shutil
import subprocess

import pytest

from dashboard.ingest import contracts, loading, templates

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = pytest.mark.skipif(
    SOFFICE is None,
    reason="LibreOffice (soffice) is not installed: `bash scripts/setup.sh --test` installs libreoffice-calc")

WEEK = dt.date(2022, 12, 19)
# LibreOffice's CSV export filter: separator 44 (,), text delimiter 34 ("), character set 85 (GBK).
TARGETS = {"xlsx": "xlsx", "xls": "xls", "ods": "ods", "gbk.csv": "csv:Text - txt - csv (StarCalc):44,34,85"}
STORED = {
    "facility": "select * exclude (load_id) from facility order by all",
    "register": "select * exclude (load_id) from register order by all",
    "transfer": "select * exclude (load_id) from transfer order by all",
    "icu": "select * exclude (load_id) from icu order by all",
    "stock": "select * exclude (load_id) from stock order by all",
}


def convert(sources: list, target: str, out, infilter: str | None = None) -> None:
    profile = out.parent / "lo-profile"
    done = subprocess.run(
        [SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", target,
         *([f"--infilter={infilter}"] if infilter else []), "--outdir", str(out), *map(str, sources)],
        capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    """{format: {dataset: bytes}} for every template saved by LibreOffice in every target format."""
    base = tmp_path_factory.mktemp("lo")
    sources = []
    for name in contracts.DATASETS:
        path = base / f"{name}.xlsx"
        path.write_bytes(templates.xlsx(name))
        sources.append(path)
    files = {}
    for fmt, target in TARGETS.items():
        out = base / fmt.replace(".", "_")
        convert(sources, target, out)
        suffix = fmt.rsplit(".", 1)[-1]
        files[fmt] = {name: (out / f"{name}.{suffix}").read_bytes() for name in contracts.DATASETS}
    return files


def load_all(con, files: dict[str, bytes], suffix: str, detect: bool) -> dict:
    results = {}
    for name in contracts.DATASETS:  # facility first: the others refer to its facilities
        results[name] = loading.load_bytes(files[name], f"{name}.{suffix}", dataset=None if detect else name,
                                           week=WEEK, con=con)
    return results


@pytest.mark.parametrize("fmt", TARGETS)
def test_templates_saved_by_libreoffice_load_like_the_templates(fmt, converted, con, data_dir):
    """The example rows go in unchanged whatever LibreOffice saved them as (the dataset detected from
    the headers, as the upload page does by default)."""
    from dashboard import store

    reference = store.connect(data_dir / "reference.duckdb")
    try:
        load_all(reference, {n: templates.xlsx(n) for n in contracts.DATASETS}, "xlsx", detect=False)
        expected = {n: reference.execute(sql).fetchall() for n, sql in STORED.items()}
    finally:
        reference.close()
    suffix = fmt.rsplit(".", 1)[-1]
    results = load_all(con, converted[fmt], suffix, detect=True)
    for name, result in results.items():
        assert (result.dataset, result.outcome, result.error_count, result.warning_count) == (name, "accepted", 0, 0), \
            (name, [f.message_en for f in result.findings])
    assert results["register"].encoding == {"xlsx": "xlsx", "xls": "xls", "ods": "ods", "gbk.csv": "gb18030"}[fmt]
    for name, sql in STORED.items():
        got = con.execute(sql).fetchall()
        # person_key and phone_key depend on the salt, which is the same data folder: equal too
        assert got == expected[name], name


def test_wps_et_is_read_by_content(converted, con):
    """WPS Spreadsheets' .et is the same compound-file format as .xls; the reader goes by the bytes."""
    loading.load_bytes(converted["xls"]["facility"], "facility.et", dataset="facility", week=WEEK, con=con)
    result = loading.load_bytes(converted["xls"]["register"], "register.et", week=WEEK, con=con)
    assert (result.outcome, result.dataset, result.encoding) == ("accepted", "register", "xls")


def test_ids_that_calc_turned_into_numbers_are_refused(tmp_path, con):
    """The issue's first case, reproduced with real software: a CSV opened by Calc with default
    settings makes the 18-digit IDs number cells (Calc keeps 15 significant digits); saved as XLSX
    and uploaded, the file is refused at every such cell with the fix, and nothing is written."""
    rows = ["身份证号,姓名,联系电话,档案编号,管理机构编码,基础疾病状态,疫苗接种"]
    ids = ["150102193807221234", "150102194001011238", "15010219400101123X"]
    for i, number in enumerate(ids):
        rows.append(f"{number},张{i},1380000000{i},R00{i},P150102001,稳定,全程接种")
    source = tmp_path / "people.csv"
    source.write_text("\n".join(rows) + "\n", encoding="utf-8")
    # Import as UTF-8 (76), comma-separated, with Calc's default "detect special numbers".
    convert([source], "xlsx", tmp_path / "out", infilter="Text - txt - csv (StarCalc):44,34,76")
    data = (tmp_path / "out" / "people.xlsx").read_bytes()
    loading.load_bytes(templates.csv("facility"), "facility.csv", dataset="facility", week=WEEK, con=con)
    before = con.execute("select count(*) from register").fetchone()
    result = loading.load_bytes(data, "people.xlsx", week=WEEK, con=con)
    assert result.outcome == "rejected"
    cells = sorted((f.row, f.column) for f in result.errors if f.code == "number_cell")
    # rows 2 and 3 (all digits) became numbers, row 4 (ends in X) stayed text; phones became numbers too
    assert cells == [(2, "联系电话"), (2, "身份证号"), (3, "联系电话"), (3, "身份证号"), (4, "联系电话")]
    [example] = [f for f in result.errors if f.code == "number_cell" and f.row == 2 and f.column == "身份证号"]
    assert "文本" in example.message_zh and "as text" in example.message_en
    assert "150102193807221" not in example.message_zh + example.message_en
    assert con.execute("select count(*) from register").fetchone() == before
