"""A corpus of broken files, as analysts' office software and copying make them (generated here, each
a few hundred bytes). Every one is either refused with a clear message in both languages naming the
row and column where the file has them, or loaded safely with a warning; never a traceback or a
parser's own words, never an ID or phone number in clear in a message, and the stored tables are
unchanged apart from the load log.

"Unchanged" compares table contents (`select * ... order by all` of every table but the log), not
the file's bytes: DuckDB may rewrite blocks of its file on any commit, the log's included, so the
file bytes of a database are not stable across an attempt even when no data changed.
"""
from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from typing import Callable

import pytest
import xlsxwriter

from dashboard.ingest import loading, messages
from tests.conftest import FIXTURES
from tests.test_loading import ID_NUMBERS, PHONES, WEEK, load_all, snapshot

CJK = re.compile(r"[\u4e00-\u9fff]")


def valid_id(first17: str) -> str:
    """An ID number with its right check character (GB 11643)."""
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return first17 + "10X98765432"[sum(w * int(d) for w, d in zip(weights, first17)) % 11]


STRANGER = valid_id("15010219380722123")  # a person in none of the fixtures
PARSER_WORDS = ("Traceback", "ComputeError", "polars", "infer_schema", "Schema", "calamine", "fastexcel", "Error:")
SECRETS = ID_NUMBERS + PHONES + [STRANGER, "13800138000", "1.50102193807221E+017"]


def text(name: str) -> str:
    return (FIXTURES / f"{name}.csv").read_text(encoding="utf-8")


def cell(csv: str, row: int, header: str, value: str) -> str:
    """The CSV with one cell changed; `row` as Excel numbers it (header = row 1)."""
    lines = csv.rstrip("\n").split("\n")
    col = lines[0].split(",").index(header)
    cells = lines[row - 1].split(",")
    cells[col] = value
    lines[row - 1] = ",".join(cells)
    return "\n".join(lines) + "\n"


def utf8(csv: str) -> Callable[[], bytes]:
    return lambda: csv.encode("utf-8")


def xlsx(rows: list[list], numbers: set[tuple[int, int]] = frozenset(), sheets: list[tuple[str, list[list]]] = (),
         formulas: dict[tuple[int, int], tuple[str, object]] | None = None) -> Callable[[], bytes]:
    """A workbook: optional sheets first (e.g. a cover page), then the data sheet. Cells (r, c) in
    `numbers` are written as number cells, as a spreadsheet does when a column is not text."""
    def make() -> bytes:
        buffer = io.BytesIO()
        book = xlsxwriter.Workbook(buffer, {"in_memory": True})
        for title, content in sheets:
            sheet = book.add_worksheet(title)
            for r, values in enumerate(content):
                sheet.write_row(r, 0, values)
        sheet = book.add_worksheet("数据")
        for r, values in enumerate(rows):
            for c, value in enumerate(values):
                if (r, c) in (formulas or {}):
                    formula, cached = formulas[(r, c)]
                    sheet.write_formula(r, c, formula, None, cached)
                elif (r, c) in numbers:
                    sheet.write_number(r, c, float(value))
                elif value != "":
                    sheet.write_string(r, c, str(value))
        book.close()
        return buffer.getvalue()
    return make


def grid(name: str) -> list[list[str]]:
    return [line.split(",") for line in text(name).rstrip("\n").split("\n")]


@dataclass
class Case:
    id: str
    dataset: str | None  # None: detected from the headers, as the upload page does by default
    make: Callable[[], bytes]
    code: str  # the finding that must be there
    row: int | None = None
    column: str | None = None
    outcome: str = "rejected"
    file_name: str | None = None
    week: str | None = "2022-W51"
    # words the messages must contain: a word for both, or (Chinese, English)
    mentions: tuple[str | tuple[str, str], ...] = ()

    @property
    def severity(self) -> str:
        return "error" if self.outcome == "rejected" else "warning"


R, F, I, T, S = (text(n) for n in ("register", "facility", "icu", "transfer", "stock"))
REG_HEADER = R.split("\n", 1)[0]
GBK_REGISTER = R.encode("gbk")

CASES = [
    # --- bytes and encodings ---------------------------------------------------------------------
    Case("empty file", "icu", lambda: b"", "empty_file"),
    Case("whitespace only", "icu", lambda: b" \r\n \n", "empty_file"),
    Case("header only", "icu", utf8(I.split("\n", 1)[0] + "\n"), "empty"),
    Case("utf-8 cut mid-character", "register", lambda: R.encode("utf-8")[: R.encode().index("李四".encode()) + 2],
         "truncated", row=3),
    Case("gbk cut mid-character", "register", lambda: GBK_REGISTER[: GBK_REGISTER.index("李四".encode("gbk")) + 1],
         "truncated", row=3),
    Case("bom cut mid-character", "register",
         lambda: b"\xef\xbb\xbf" + R.encode("utf-8")[: R.encode().index("王五".encode()) + 1], "truncated", row=4),
    Case("cut mid-row", "icu", lambda: (I.rstrip("\n") + "\nH9,4,0").encode(), "ends_mid_row", row=4),
    Case("latin-1 remarks", "icu", lambda: ("Facility code,ICU beds,ICU doctors,ICU nurses,Remarks\n"
                                            "H1,10,8,25,ok\nD1,20,20,55,lits réservés à l'unité\n").encode("latin-1"),
         "latin1", row=3),
    Case("latin-1 read as gb18030", None, lambda: ("name,city,remark\nMüller,Köln,Überweisung\nJürgen,Düsseldorf,Ärztin\n")
         .encode("latin-1"), "latin1", row=2),
    Case("utf-16", "icu", lambda: I.encode("utf-16"), "encoding"),
    Case("binary garbage", "icu", lambda: bytes(range(128, 256)) * 4, "encoding"),
    # --- CSV structure -----------------------------------------------------------------------------
    Case("stray opening quote", "transfer", utf8(cell(T, 3, "病情分型", '"重型')), "stray_quote", row=3),
    Case("quote inside a value", "transfer", utf8(cell(T, 4, "主要问题", '基础"疾病')), "stray_quote", row=4),
    Case("unquoted comma in a value", "register", utf8(cell(R, 5, "基础疾病", "高血压,糖尿病")), "extra_values", row=5),
    Case("trailing empty cells", "icu", utf8("\n".join(l + ",," if i else l for i, l in enumerate(I.rstrip().split("\n"))) + "\n"),
         "accepted", outcome="accepted"),
    Case("semicolon separated", None, utf8(I.replace(",", ";")), "accepted", outcome="accepted"),
    Case("tab separated", None, utf8(S.replace(",", "\t")), "accepted", outcome="accepted"),
    Case("title line above the header", "icu", utf8("ICU床位与人员周报（2022年第51周）\n" + I), "accepted", outcome="accepted"),
    Case("windows line endings", "transfer", lambda: T.replace("\n", "\r\n").encode("utf-8"), "accepted", outcome="accepted"),
    Case("quoted line break in a value", "register", utf8(cell(R, 3, "基础疾病", '"高血压\n冠心病"')), "accepted",
         outcome="accepted"),
    # --- headers ---------------------------------------------------------------------------------
    Case("missing column, detected", None, utf8(R.replace(",疫苗接种,", ",,")), "resembles",
         mentions=("疫苗接种", ("重点人群台账", "Key-population register"))),
    Case("renamed column, detected", None, utf8(I.replace("ICU医师数", "医生人数")), "resembles",
         mentions=("ICU医师数", ("重症床位与人员周报", "ICU capacity report"))),
    Case("missing column, chosen", "stock", utf8(S.replace("退热药库存（人份）", "退热药")), "missing_column",
         column="退热药库存（人份）", mentions=("退热药库存（人份）",)),
    Case("headers of no dataset", None, utf8("甲,乙,丙\n1,2,3\n"), "wrong_dataset"),
    Case("column given twice", "icu", utf8(I.replace("后备护士数", "ICU床位数")), "duplicate_column",
         column="ICU床位数", mentions=("B", "H")),
    Case("column twice under two headers", "register", utf8(R.replace("姓名", "公民身份号码")), "duplicate_column",
         column="身份证号", mentions=("身份证号", "公民身份号码")),
    Case("no week", "icu", utf8(I), "no_week", week=None, file_name="icu.csv"),
    Case("week 99", "icu", utf8(I), "no_week", week="99", mentions=("99",)),
    # --- spreadsheets ------------------------------------------------------------------------------
    Case("cover page first", None, xlsx(grid("icu"), sheets=[("封面", [["ICU周报"], ["填报单位：某某卫健委"]])]),
         "other_sheet", outcome="accepted", file_name="icu.xlsx", mentions=("封面", "数据")),
    Case("id numbers in number cells", "register", xlsx(grid("register"), numbers={(1, 0), (2, 0)}),
         "number_cell", row=2, column="身份证号", file_name="r.xlsx", mentions=("身份证号",)),
    Case("phones in number cells", "register", xlsx(grid("register"), numbers={(4, 2)}), "number_cell", row=5,
         column="联系电话", file_name="r.xlsx"),
    Case("county code in a number cell", "facility", xlsx(grid("facility"), numbers={(2, 7)}), "number_cell",
         row=3, column="旗县代码", file_name="f.xlsx"),
    Case("formula with a saved result", "icu", xlsx(grid("icu"), formulas={(1, 1): ("=5+5", 10)}), "formula_cells",
         outcome="accepted", file_name="i.xlsx", mentions=("B2",)),
    Case("formula without a saved result", "register", xlsx(grid("register"), formulas={(1, 5): ("=60+10", "")}),
         "formula_cells", outcome="accepted", file_name="r.xlsx", mentions=("F2",)),
    Case("renamed, not a spreadsheet", "icu", utf8(I), "not_spreadsheet", file_name="icu.xls"),
    Case("damaged xlsx", "icu", lambda: xlsx(grid("icu"))()[:300], "bad_spreadsheet", file_name="icu.xlsx"),
    Case("empty workbook", "icu", xlsx([]), "empty_file", file_name="icu.xlsx"),
    # --- numbers where text was needed, in CSV --------------------------------------------------
    Case("id in scientific notation", "register", utf8(cell(R, 2, "身份证号", "1.50102193807221E+017")), "number_text",
         row=2, column="身份证号"),
    Case("phone in scientific notation", "register", utf8(cell(R, 3, "联系电话", "1.39123E+10")), "number_text",
         row=3, column="联系电话"),
    Case("code with a decimal", "facility", utf8(cell(F, 4, "旗县代码", "150102.0")), "number_text", row=4,
         column="旗县代码"),
    Case("referral id in scientific notation", "transfer", utf8(cell(T, 2, "转诊单号", "2.0221219E+11")), "number_text",
         row=2, column="转诊单号"),
    # --- personal data where it must not be ------------------------------------------------------
    Case("id number in the record number", "register", utf8(cell(R, 4, "档案编号", ID_NUMBERS[2])), "personal_data",
         row=4, column="档案编号"),
    Case("id number inside the notes", "register", utf8(cell(R, 3, "基础疾病", f"高血压（身份证{ID_NUMBERS[1]}）")),
         "personal_data", row=3, column="基础疾病"),
    Case("phone in the notes", "register", utf8(cell(R, 6, "基础疾病", "家属电话 138-0013-8000")), "personal_data",
         row=6, column="基础疾病"),
    Case("phone in a facility name", "facility", utf8(cell(F, 2, "机构名称", "东街社区13800138000")), "personal_data",
         row=2, column="机构名称"),
    Case("id in the facility code column", "register", utf8(cell(R, 7, "管理机构编码", STRANGER)), "personal_data",
         row=7, column="管理机构编码"),
    # --- values ------------------------------------------------------------------------------------
    Case("excel chinese date", "register", utf8(cell(R, 7, "出生日期", "1942/12/25")), "accepted", outcome="accepted"),
    Case("date only in a time column", "transfer", utf8(cell(T, 2, "申请时间", "2022/12/19")), "accepted",
         outcome="accepted"),
    Case("id with spaces", "register", utf8(cell(R, 2, "身份证号", "150102 19520101 0015")), "accepted",
         outcome="accepted"),
    Case("full-width digits in an id", "register", utf8(cell(R, 2, "身份证号", "１５０１０２１９５２０１０１００１５")),
         "bad_id_number", row=2, column="身份证号"),
    Case("words for a number", "icu", utf8(cell(I, 3, "ICU床位数", "二十")), "bad_int", row=3, column="ICU床位数"),
    Case("negative stock", "stock", utf8(cell(S, 2, "退热药库存（人份）", "-5")), "below_min", row=2,
         column="退热药库存（人份）"),
    Case("value not allowed", "register", utf8(cell(R, 4, "疫苗接种", "打过了")), "bad_enum", row=4, column="疫苗接种"),
    Case("impossible date", "register", utf8(cell(R, 7, "出生日期", "1942-13-45")), "bad_date", row=7, column="出生日期"),
    Case("same hospital twice", "icu", utf8(I + "H1,4,0,1,4,10,0,0\n"), "duplicate_key", row=4, column="机构编码"),
    Case("unknown facility", "transfer", utf8(cell(T, 5, "转入机构编码", "P9")), "unknown_facility", row=5,
         column="转入机构编码"),
    Case("latitude and longitude swapped", "facility", utf8(cell(cell(F, 2, "纬度", "111.68"), 2, "经度", "40.86")),
         "above_max", row=2, column="纬度"),
    Case("facility outside its county", "facility", utf8(cell(cell(F, 2, "纬度", "40.72"), 2, "经度", "111.15")),
         "outside_county", row=2, column="经度", outcome="accepted"),
    Case("same facility under two codes", "facility", utf8(cell(F, 3, "机构名称", "东街社区卫生服务中心")),
         "duplicate_name", row=3, column="机构名称", outcome="accepted"),
    Case("nul byte in a cell", "icu", utf8(cell(I, 2, "ICU医师数", "8\x00")), "bad_int", row=2, column="ICU医师数"),
    Case("phone with letters", "register", utf8(cell(R, 2, "联系电话", "139abc45678")), "bad_phone", row=2,
         column="联系电话", outcome="accepted"),
]


def test_the_corpus_is_large_enough():
    broken = [c for c in CASES if c.outcome == "rejected" or c.code != "accepted"]
    assert len(CASES) >= 50 and len(broken) >= 50, (len(CASES), len(broken))
    assert len({c.id for c in CASES}) == len(CASES)


def _bilingual(finding) -> None:
    assert finding.code in messages.catalogue(), finding.code  # so docs/datasets.md lists it
    assert CJK.search(finding.message_zh), finding.message_zh
    assert re.match(r"[A-Z'(]", finding.message_en), finding.message_en
    for words in (finding.message_zh, finding.message_en):
        assert not any(w in words for w in PARSER_WORDS), words
        assert not any(s in words for s in SECRETS), words


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_broken_file(con, case: Case):
    load_all(con)
    before = snapshot(con)
    log_before = con.execute("select count(*) from load_log").fetchone()[0]
    data = case.make()
    name = case.file_name or f"{case.dataset or 'upload'}.csv"
    result = loading.load_bytes(data, name, dataset=case.dataset, week=case.week, con=con, user="corpus")
    assert result.outcome == case.outcome, [(f.code, f.row, f.column, f.message_en) for f in result.findings]
    for finding in result.findings:
        _bilingual(finding)
    if case.code != "accepted":
        matching = [f for f in result.findings if f.code == case.code and f.severity == case.severity]
        assert matching, [(f.code, f.severity, f.row, f.column, f.message_en) for f in result.findings]
        finding = matching[0]
        assert (finding.row, finding.column) == (case.row, case.column), \
            [(f.code, f.row, f.column, f.message_en) for f in matching]
        if case.row is not None:
            assert finding.message_zh.startswith(f"第{case.row}行") and finding.message_en.startswith(f"Row {case.row}")
        for word in case.mentions:
            zh, en = (word, word) if isinstance(word, str) else word
            assert zh in finding.message_zh and en in finding.message_en, (word, finding.message_zh, finding.message_en)
    else:
        assert result.error_count == 0
    if case.outcome == "rejected":
        assert snapshot(con) == before  # the stored tables, row for row
    log = con.execute("select count(*) from load_log").fetchone()[0]
    assert log == log_before + 1
    logged = con.execute("select string_agg(coalesce(message_zh, '') || message_en || coalesce(value, ''), '|') "
                         "from load_issue where load_id = $id", {"id": result.load_id}).fetchone()[0] or ""
    assert not any(s in logged for s in SECRETS)
    stored = " ".join(str(v) for rows in snapshot(con).values() for r in rows for v in r)
    assert not any(s in stored for s in SECRETS)
