"""Reading uploads: the same content in every accepted encoding and format loads identically."""
from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
import xlsxwriter

from dashboard import config

from dashboard.ingest import loading
from dashboard.ingest.reading import ReadError, read_table
from tests.conftest import FIXTURES

WEEK = dt.date(2022, 12, 19)
CENSUS = config.ROOT.parent / "shared" / "realdata" / "census" / "census_county_2020_v1.xlsx"

STORED = {
    "register": """select record_no, facility_code, age, sex, diseases, disease_state, vaccination, recorded_label,
                          family_doctor_signed, contacts_week, care_home, rule_label, person_key, phone_key, id_masked
                   from register order by all""",
    "transfer": "select * exclude (load_id) from transfer order by all",
}
DATE_COLUMNS = {"出生日期": "%Y-%m-%d", "申请时间": "%Y-%m-%d %H:%M", "接收时间": "%Y-%m-%d %H:%M"}
NUMBER_COLUMNS = {"年龄", "本周联系次数"}


def csv_text(dataset: str) -> str:
    return (FIXTURES / f"{dataset}.csv").read_text(encoding="utf-8")


def as_xlsx(dataset: str) -> bytes:
    """The fixture as an analyst's Excel export: a title row above the header, real date cells and
    number cells, and an empty row between title and header."""
    lines = [line.split(",") for line in csv_text(dataset).rstrip("\n").split("\n")]
    header, body = lines[0], lines[1:]
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("导出")
    dates = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    sheet.write_string(0, 0, f"{dataset} 导出（2022年第51周）")
    sheet.write_row(2, 0, header)
    for r, cells in enumerate(body, start=3):
        for c, value in enumerate(cells):
            name = header[c]
            if value == "":
                continue
            if name in DATE_COLUMNS:
                sheet.write_datetime(r, c, dt.datetime.strptime(value, DATE_COLUMNS[name]), dates)
            elif name in NUMBER_COLUMNS:
                sheet.write_number(r, c, int(value))
            else:
                sheet.write_string(r, c, value)
    book.close()
    return buffer.getvalue()


ENCODINGS = {
    "utf-8": lambda ds: csv_text(ds).encode("utf-8"),
    "utf-8-sig": lambda ds: b"\xef\xbb\xbf" + csv_text(ds).encode("utf-8"),
    "gb18030": lambda ds: csv_text(ds).encode("gbk"),
    "xlsx": as_xlsx,
}


@pytest.mark.parametrize("dataset", ["register", "transfer"])
def test_every_encoding_loads_identically(con, dataset):
    facility = (FIXTURES / "facility.csv").read_bytes()
    stored = {}
    for encoding, make in ENCODINGS.items():
        loading.load_bytes(facility, "facility.csv", dataset="facility", week=WEEK, con=con)
        suffix = "xlsx" if encoding == "xlsx" else "csv"
        result = loading.load_bytes(make(dataset), f"{dataset}.{suffix}", dataset=dataset, week=WEEK, con=con)
        assert (result.outcome, result.encoding, result.error_count) == ("accepted", encoding, 0), \
            [f.message_en for f in result.errors]
        stored[encoding] = con.execute(STORED[dataset]).fetchall()
    assert len(stored["utf-8"]) == {"register": 7, "transfer": 4}[dataset]
    for encoding in ENCODINGS:
        assert stored[encoding] == stored["utf-8"], encoding


def test_xlsx_row_numbers_count_the_title_rows(con):
    loading.load_bytes((FIXTURES / "facility.csv").read_bytes(), "facility.csv", dataset="facility", week=WEEK, con=con)
    broken = csv_text("transfer").replace("T3,2022-12-21 09:00,P2,H1", "T3,2022-12-21 09:00,P2,H9")
    lines = [line.split(",") for line in broken.rstrip("\n").split("\n")]
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    sheet.write_string(1, 0, "转诊记录")  # Excel row 2; row 1 empty
    for r, cells in enumerate(lines, start=3):  # header on Excel row 4
        sheet.write_row(r, 0, cells)
    book.close()
    result = loading.load_bytes(buffer.getvalue(), "t.xlsx", dataset="transfer", week=WEEK, con=con)
    [error] = result.errors
    assert (error.row, error.column, error.code) == (7, "转入机构编码", "unknown_facility")  # T3: Excel row 7


def test_undecodable_file_gives_a_clear_error(con):
    data = "转诊单号,申请时间\n".encode("utf-8") + b"T1,\xff\xfe\x80\n"
    with pytest.raises(ReadError) as caught:
        read_table(data, "x.csv")
    assert "UTF-8" in caught.value.en and "GBK" in caught.value.en and "编码" in caught.value.zh
    result = loading.load_bytes(data, "x.csv", dataset="transfer", week=WEEK, con=con)
    assert result.outcome == "rejected"
    assert [f.code for f in result.errors] == ["encoding"]
    assert "encoding" in result.errors[0].message_en and "编码" in result.errors[0].message_zh


def test_gbk_header_with_ascii_rows_is_not_misread():
    data = "机构编码,ICU床位数\nH1,10\n".encode("gbk")
    table = read_table(data, "icu.csv")
    assert table.encoding == "gb18030"
    assert table.frame.columns == ["_row", "机构编码", "ICU床位数"]


def test_old_excel_and_empty_files_are_refused():
    with pytest.raises(ReadError):
        read_table(b"\xd0\xcf\x11\xe0 legacy", "book.xls")
    with pytest.raises(ReadError):
        read_table(b"  \n", "empty.csv")


@pytest.mark.skipif(not CENSUS.exists(), reason=f"real census workbook not present at {CENSUS} (../shared is absent)")
def test_real_census_workbook():
    table = read_table(Path(CENSUS).read_bytes(), CENSUS.name)
    frame = table.frame
    assert table.encoding == "xlsx"
    assert frame.width > 150
    assert {"区划代码", "省", "市", "区县", "人口数_合计"} <= set(frame.columns)
    province = frame.filter((frame["区划代码"] == "150000")).to_dicts()
    assert len(province) == 1
    assert province[0]["省"] == "内蒙古自治区"
    assert province[0]["人口数_合计"] == "24049155"
    assert province[0]["_row"] == 374  # as Excel numbers it: header on row 1
    # subtotal rows (nation, provinces, cities) sit among the counties
    assert frame.filter(frame["区划代码"] == "NA")["省"].to_list()[0] == "全国"
    hohhot = frame.filter(frame["区划代码"].str.starts_with("1501"))
    assert hohhot.height > 5
