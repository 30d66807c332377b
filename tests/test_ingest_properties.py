"""Properties of ingestion, over generated rows and encodings (hypothesis; derandomized, so a run
is reproducible and CI sees the same examples every time).

1. Any register of valid rows, in any accepted encoding or format, loads, and what is stored is what
   was written: one row per person, the same record numbers, ages and labels; no ID number, phone or
   name in clear anywhere in the database.
2. Any damage to a valid file (cut, bytes inserted, deleted or replaced, lines swapped) never raises:
   the load is accepted or refused with findings in both languages and no parser words; a refused
   file changes no stored table; no personal data reaches a message or the log.
"""
from __future__ import annotations

import datetime as dt
import io
import re

import pytest
import xlsxwriter
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from dashboard.ingest import loading, messages
from tests.conftest import FIXTURES
from tests.test_ingest_corpus import CJK, PARSER_WORDS
from tests.test_loading import ID_NUMBERS, NAMES, PHONES, WEEK, load_all, snapshot

SETTINGS = settings(max_examples=40, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
HEADER = ["身份证号", "姓名", "联系电话", "档案编号", "管理机构编码", "年龄", "性别", "基础疾病", "基础疾病状态",
          "疫苗接种", "风险标识", "本周联系次数"]
SURNAMES = "张王李赵钱孙周吴郑冯陈褚卫蒋沈韩杨朱秦尤许何吕施喆赟"  # the last two are GBK, not GB2312
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂"
DISEASES = ["", "高血压", "糖尿病", "慢阻肺", "冠心病；高血压", "肿瘤（化疗中）"]
STATES = {"none": ["无基础疾病", "无"], "stable": ["基础疾病稳定", "稳定"], "unstable": ["基础疾病不稳定", "不稳定"]}
VACCINATION = {"none": ["未接种"], "partial": ["未全程接种", "部分接种"], "full": ["全程接种", "已全程接种"]}
LABELS = {None: [""], "green": ["绿", "绿色"], "yellow": ["黄色", "中风险"], "red": ["红色标识", "高风险"]}


@st.composite
def person(draw):
    area = draw(st.sampled_from(["150102", "150121", "152921", "110101", "440305"]))
    birth = draw(st.dates(min_value=dt.date(1902, 1, 1), max_value=dt.date(2021, 12, 31)))
    first17 = f"{area}{birth:%Y%m%d}{draw(st.integers(0, 999)):03d}"
    check = "10X98765432"[sum(w * int(d) for w, d in zip(WEIGHTS, first17)) % 11]
    state = draw(st.sampled_from(sorted(STATES)))
    vaccination = draw(st.sampled_from(sorted(VACCINATION)))
    label = draw(st.sampled_from([None, "green", "yellow", "red"]))
    return {
        "身份证号": first17 + check,
        "姓名": draw(st.sampled_from(SURNAMES)) + draw(st.text(GIVEN, min_size=1, max_size=2)),
        "联系电话": draw(st.one_of(st.just(""), st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))),
        "档案编号": draw(st.from_regex(r"R[0-9]{3,8}", fullmatch=True)),
        "管理机构编码": draw(st.sampled_from(["P1", "P2", "V1"])),
        "年龄": draw(st.one_of(st.just(""), st.integers(0, 120).map(str))),
        "性别": draw(st.sampled_from(["男", "女", ""])),
        "基础疾病": draw(st.sampled_from(DISEASES)),
        "基础疾病状态": draw(st.sampled_from(STATES[state])),
        "疫苗接种": draw(st.sampled_from(VACCINATION[vaccination])),
        "风险标识": draw(st.sampled_from(LABELS[label])),
        "本周联系次数": draw(st.one_of(st.just(""), st.integers(0, 50).map(str))),
        "_state": state, "_vaccination": vaccination, "_label": label,
    }


def encode(rows: list[dict], how: str) -> tuple[bytes, str]:
    if how == "xlsx":
        buffer = io.BytesIO()
        book = xlsxwriter.Workbook(buffer, {"in_memory": True})
        sheet = book.add_worksheet()
        sheet.write_row(0, 0, HEADER)
        for r, row in enumerate(rows, start=1):
            for c, name in enumerate(HEADER):
                if row[name]:
                    sheet.write_string(r, c, row[name])
        book.close()
        return buffer.getvalue(), "register.xlsx"
    separator = ";" if how == "semicolon" else ","
    lines = [separator.join(HEADER)] + [separator.join(row[h] for h in HEADER) for row in rows]
    text = "\r\n".join(lines) + "\r\n"
    data = {"utf-8": text.encode("utf-8"), "utf-8-sig": b"\xef\xbb\xbf" + text.encode("utf-8"),
            "gbk": text.encode("gbk"), "semicolon": text.encode("utf-8")}[how]
    return data, "register.csv"


@pytest.mark.parametrize("how", ["utf-8", "utf-8-sig", "gbk", "xlsx", "semicolon"])
@settings(SETTINGS, max_examples=15)
@given(rows=st.lists(person(), min_size=1, max_size=12))
def test_valid_rows_load_as_written_in_every_encoding(con, how, rows):
    if con.execute("select count(*) from facility").fetchone()[0] == 0:
        load_all(con)
    data, name = encode(rows, how)
    event(how)
    result = loading.load_bytes(data, name, week=WEEK, con=con)  # dataset detected
    assert (result.dataset, result.outcome, result.error_count) == ("register", "accepted", 0), \
        [(f.code, f.row, f.message_en) for f in result.errors]
    first = {}
    for row in rows:
        first.setdefault(row["身份证号"], row)  # a person given twice is kept once, from the first row
    stored = con.execute("""select record_no, facility_code, age, disease_state, vaccination, recorded_label,
                                   contacts_week, id_masked
                            from register where week = $w order by all""", {"w": WEEK}).fetchall()
    expected = sorted(
        (r["档案编号"], r["管理机构编码"], int(r["年龄"]) if r["年龄"] else _age(r["身份证号"]), r["_state"],
         r["_vaccination"], r["_label"], int(r["本周联系次数"]) if r["本周联系次数"] else None,
         r["身份证号"][:6] + "********" + r["身份证号"][14:])
        for r in first.values())
    assert stored == expected
    text = " ".join(str(v) for table in snapshot(con).values() for row in table for v in row)
    for row in rows:
        assert row["身份证号"] not in text and row["姓名"] not in text
        assert not row["联系电话"] or row["联系电话"] not in text


def _age(id_number: str) -> int:
    """Completed years at the start of the week, from the birth date in the ID number."""
    born = (int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    return WEEK.year - born[0] - ((WEEK.month, WEEK.day) < born[1:])


SOURCES = {name: (FIXTURES / f"{name}.csv").read_bytes() for name in ("register", "transfer", "icu", "stock")}
SECRETS = ID_NUMBERS + PHONES + NAMES


@st.composite
def damaged(draw):
    name = draw(st.sampled_from(sorted(SOURCES)))
    data = SOURCES[name]
    if draw(st.booleans()):
        data = data.decode("utf-8").encode("gbk")
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["cut", "insert", "delete", "replace", "swap"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if kind == "cut":
            data = data[:at]
        elif kind == "insert":
            data = data[:at] + draw(st.binary(min_size=1, max_size=4) | st.sampled_from([b'"', b",", b"\n", b";", b"\xe4"])) + data[at:]
        elif kind == "delete":
            data = data[:at] + data[at + draw(st.integers(1, 8)):]
        elif kind == "replace" and data:
            data = data[:at] + bytes([draw(st.integers(0, 255))]) + data[at + 1:]
        elif kind == "swap":
            lines = data.split(b"\n")
            i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
            data = b"\n".join(lines)
    return name, data, draw(st.booleans())


@settings(SETTINGS, max_examples=80)
@given(case=damaged())
def test_damaged_files_never_crash_or_leak(con, case):
    name, data, detect = case
    if con.execute("select count(*) from facility").fetchone()[0] == 0:
        load_all(con)
    before = snapshot(con)
    result = loading.load_bytes(data, f"{name}.csv", dataset=None if detect else name, week=WEEK, con=con)
    assert result.outcome in ("accepted", "rejected")
    event(f"{result.outcome}: {sorted({f.code for f in result.errors})[:2]}")
    assert result.outcome == "accepted" or result.error_count > 0
    for finding in result.findings:
        assert finding.code in messages.catalogue(), finding.code
        assert CJK.search(finding.message_zh), finding.message_zh
        assert re.match(r"[A-Z'(]", finding.message_en), finding.message_en
        words = finding.message_zh + finding.message_en + (finding.value or "")
        assert not any(w in words for w in PARSER_WORDS), words
        assert not any(s in words for s in SECRETS[: len(ID_NUMBERS) + len(PHONES)]), words
    if result.outcome == "rejected":
        assert snapshot(con) == before
    logged = con.execute("select coalesce(string_agg(coalesce(value, '') || message_zh || message_en, '|'), '') "
                         "from load_issue").fetchone()[0]
    assert not any(s in logged for s in ID_NUMBERS + PHONES)
