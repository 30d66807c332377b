"""The loading pipeline on hand-made fixtures (tests/fixtures/, totals in its README)."""
from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest

import duckdb

from dashboard import config

from dashboard.ingest import loading
from tests.conftest import FIXTURES

WEEK = dt.date(2022, 12, 19)  # 2022-W51
PREV = dt.date(2022, 12, 12)
DATASETS = ("facility", "register", "transfer", "icu", "stock")
LOG_TABLES = {"load_log", "load_issue"}

# Personal strings of register.csv: none may reach the database in clear.
ID_NUMBERS = ["150102195201010015", "150102193701010020", "150102195201020037", "150121196001010049",
              "150121194001010058", "15012119421225006X", "150102195203010078"]
PHONES = ["13912345678", "13912345679", "13912345680", "13912345681", "13912345682", "13912345683"]
NAMES = ["张三", "李四", "王五", "赵六", "钱七", "孙八", "周九"]


def text(name: str) -> str:
    return (FIXTURES / f"{name}.csv").read_text(encoding="utf-8")


def load(con, dataset: str, content: str | bytes | None = None, week=WEEK, file_name: str | None = None, **kw):
    data = content if isinstance(content, bytes) else (content if content is not None else text(dataset)).encode("utf-8")
    return loading.load_bytes(data, file_name or f"{dataset}.csv", dataset=dataset, week=week, con=con,
                              user="tester", **kw)


def load_all(con, week=WEEK) -> None:
    for dataset in DATASETS:
        result = load(con, dataset, week=week)
        assert result.outcome == "accepted", (dataset, [f.message_en for f in result.errors])


def rows(con, sql: str, params=None) -> list[tuple]:
    return con.execute(sql, params).fetchall()


def one(con, sql: str, params=None):
    return rows(con, sql, params)[0][0] if params is None else rows(con, sql, params)[0][0]


def tables(con) -> list[str]:
    return [r[0] for r in rows(con, "select table_name from information_schema.tables "
                                    "where table_schema = 'main' and table_type = 'BASE TABLE' order by 1")]


def snapshot(con) -> dict[str, list[tuple]]:
    """Every stored table except the load log, in a fixed order."""
    return {t: rows(con, f'select * from "{t}" order by all') for t in tables(con) if t not in LOG_TABLES}


def replace_cell(csv_text: str, row: int, header: str, value: str) -> str:
    """The CSV with one cell changed; `row` as Excel numbers it (header = row 1)."""
    lines = csv_text.rstrip("\n").split("\n")
    col = lines[0].split(",").index(header)
    cells = lines[row - 1].split(",")
    cells[col] = value
    lines[row - 1] = ",".join(cells)
    return "\n".join(lines) + "\n"


def drop_column(csv_text: str, header: str) -> str:
    lines = [line.split(",") for line in csv_text.rstrip("\n").split("\n")]
    col = lines[0].index(header)
    return "\n".join(",".join(c for i, c in enumerate(line) if i != col) for line in lines) + "\n"


# --- each dataset with its hand-worked totals -----------------------------------------------------

def test_facility_fixture(con):
    result = load(con, "facility")
    assert (result.outcome, result.rows, result.error_count, result.encoding) == ("accepted", 5, 0, "utf-8")
    assert rows(con, """select count(*), sum(service_population), sum(ambulances_120), count(*) filter (fever_clinic),
                               count(*) filter (tier = 'primary'), string_agg(facility_code, ',' order by facility_code)
                        from facility where week = $w""", {"w": WEEK}) == [(5, 30000, 6, 4, 3, "D1,H1,P1,P2,V1")]
    assert rows(con, "select tier, primary_type, grade, lat, lon from facility where facility_code = 'H1'") == [
        ("lead", None, "secondary", 40.85, 111.67)]
    assert rows(con, "select primary_type, service_population from facility where facility_code = 'V1'") == [
        ("village", None)]


def test_register_fixture(con):
    load(con, "facility")
    result = load(con, "register")
    assert (result.outcome, result.rows, result.error_count, result.warning_count) == ("accepted", 7, 0, 0)
    got = rows(con, """select record_no, facility_code, age, sex, disease_state, vaccination, recorded_label,
                              family_doctor_signed, contacts_week, care_home, rule_label
                       from register order by record_no""")
    assert got == [
        ("R001", "P1", 70, "male", "none", "full", "green", True, 1, False, "green"),
        ("R002", "P1", 85, "female", "stable", "full", "yellow", True, 2, False, "yellow"),
        ("R003", "P1", 70, "male", "unstable", "none", None, False, 3, True, "red"),
        ("R004", "P2", 62, "female", "stable", "partial", "yellow", True, 0, False, "yellow"),
        ("R005", "P2", 82, "male", "none", "none", "red", True, 2, False, "red"),  # age from the ID number
        ("R006", "V1", 79, "female", "stable", "full", "green", False, 8, False, "green"),  # from the birth date
        ("R007", "P1", 70, "female", "none", "full", "green", True, 1, False, "green"),
    ]
    assert one(con, "select sum(contacts_week) from register") == 17
    assert one(con, "select count(distinct person_key) from register") == 7
    assert rows(con, "select id_masked from register where record_no = 'R006'") == [("150121********006X",)]
    assert one(con, "select count(*) from register where phone_key is null") == 1  # R003 gave no phone


def test_agg_register_counts_by_hand(con):
    load(con, "facility")
    load(con, "register")
    assert one(con, "select count(*) from agg_register") == 6  # R001 and R007 share one row
    assert one(con, "select sum(persons) from agg_register") == 7
    assert rows(con, "select facility_code, sum(persons) from agg_register group by 1 order by 1") == [
        ("P1", 4), ("P2", 2), ("V1", 1)]
    assert rows(con, "select rule_label, sum(persons) from agg_register group by 1 order by 1") == [
        ("green", 3), ("red", 2), ("yellow", 2)]
    assert one(con, "select sum(persons) from agg_register where aged_65_plus") == 6
    assert rows(con, """select persons from agg_register where facility_code = 'P1' and rule_label = 'green'""") == [(2,)]
    assert rows(con, "select contacts_week from agg_register where facility_code = 'V1'") == [(7,)]  # 8 capped


def test_transfer_fixture(con):
    load(con, "facility")
    result = load(con, "transfer")
    assert (result.outcome, result.rows) == ("accepted", 4)
    assert rows(con, """select count(*), count(*) filter (status = 'accepted'), count(*) filter (direction_recorded = 'up'),
                               count(*) filter (direction_recorded = 'down'), count(*) filter (direction_recorded is null)
                        from transfer""") == [(4, 2, 2, 1, 1)]
    assert rows(con, "select requested_at, received_at, severity, main_problem from transfer where referral_id = 'T4'") == [
        (dt.datetime(2022, 12, 22, 14, 30), dt.datetime(2022, 12, 23, 9, 0), "mild", "underlying")]


def test_icu_fixture(con):
    load(con, "facility")
    result = load(con, "icu")
    assert (result.outcome, result.rows) == ("accepted", 2)
    assert rows(con, "select sum(icu_beds), sum(occupied), sum(icu_nurses), sum(icu_doctors), sum(reserve_nurses) from icu") == [
        (30, 28, 80, 28, 18)]


def test_stock_fixture(con):
    load(con, "facility")
    result = load(con, "stock")
    assert (result.outcome, result.rows) == ("accepted", 2)
    assert rows(con, "select sum(antigen_on_hand), sum(antigen_used), sum(oximeters), sum(tcm_on_hand) from stock") == [
        (4400, 1700, 45, 5000)]


# --- bad input: the right error, the right row and header, nothing written ------------------------

BAD_CASES = [
    # id, dataset, change(text) -> text, code, row, header as in the file
    ("bad int", "icu", lambda t: replace_cell(t, 3, "ICU床位数", "二十"), "bad_int", 3, "ICU床位数"),
    ("bad enum", "register", lambda t: replace_cell(t, 4, "疫苗接种", "打过了"), "bad_enum", 4, "疫苗接种"),
    ("bad date", "register", lambda t: replace_cell(t, 7, "出生日期", "1942-13-45"), "bad_date", 7, "出生日期"),
    ("bad datetime", "transfer", lambda t: replace_cell(t, 2, "申请时间", "昨天上午"), "bad_datetime", 2, "申请时间"),
    ("unknown facility", "stock", lambda t: replace_cell(t, 3, "机构编码", "P9"), "unknown_facility", 3, "机构编码"),
    ("age 121", "register", lambda t: replace_cell(t, 5, "年龄", "121"), "above_max", 5, "年龄"),
    ("lat 0", "facility", lambda t: replace_cell(replace_cell(t, 2, "纬度", "0"), 2, "经度", "0"), "below_min", 2, "纬度"),
    ("lon 0", "facility", lambda t: replace_cell(replace_cell(t, 2, "纬度", "0"), 2, "经度", "0"), "below_min", 2, "经度"),
    ("lat outside China", "facility", lambda t: replace_cell(t, 3, "纬度", "60.5"), "above_max", 3, "纬度"),
    ("lon outside China", "facility", lambda t: replace_cell(t, 4, "经度", "140.2"), "above_max", 4, "经度"),
    ("occupied > beds", "icu", lambda t: replace_cell(t, 2, "ICU在床人数", "11"), "above_column", 2, "ICU在床人数"),
    ("negative stock", "stock", lambda t: replace_cell(t, 2, "退热药库存（人份）", "-5"), "below_min", 2, "退热药库存（人份）"),
    ("duplicate key", "icu", lambda t: t + "H1,4,0,1,4,10,0,0\n", "duplicate_key", 4, "机构编码"),
    ("received before requested", "transfer",
     lambda t: replace_cell(t, 5, "接收时间", "2022-12-22 14:00"), "before_column", 5, "接收时间"),
    ("missing required cell", "register", lambda t: replace_cell(t, 3, "基础疾病状态", ""), "missing", 3, "基础疾病状态"),
    ("required when primary", "facility", lambda t: replace_cell(t, 3, "服务人口", ""), "missing_when", 3, "服务人口"),
    ("bad pattern", "facility", lambda t: replace_cell(t, 6, "旗县代码", "1501"), "bad_pattern", 6, "旗县代码"),
    ("bad id number", "register", lambda t: replace_cell(t, 8, "身份证号", "15010219520301007"), "bad_id_number", 8, "身份证号"),
    ("received missing when accepted", "transfer",
     lambda t: replace_cell(t, 2, "接收时间", ""), "missing_when", 2, "接收时间"),
    ("int too large", "stock", lambda t: replace_cell(t, 3, "指夹式脉搏血氧仪（个）", "99999999999"), "bad_int", 3,
     "指夹式脉搏血氧仪（个）"),
]


@pytest.mark.parametrize("dataset, change, code, row, header", [c[1:] for c in BAD_CASES], ids=[c[0] for c in BAD_CASES])
def test_bad_input_is_rejected_with_row_and_header_and_nothing_changes(con, dataset, change, code, row, header):
    load_all(con)
    before = snapshot(con)
    log_before = one(con, "select count(*) from load_log")
    result = load(con, dataset, change(text(dataset)))
    assert result.outcome == "rejected"
    matching = [f for f in result.errors if f.code == code and f.column == header]
    assert matching, [(f.code, f.row, f.column, f.message_en) for f in result.findings]
    finding = matching[0]
    assert finding.row == row
    assert finding.message_zh.startswith(f"第{row}行：") and header in finding.message_zh
    assert finding.message_en.startswith(f"Row {row}: ") and header in finding.message_en
    assert snapshot(con) == before  # every table byte for byte
    assert one(con, "select count(*) from load_log") == log_before + 1
    assert rows(con, "select outcome, stored_path from load_log order by load_id desc limit 1") == [("rejected", None)]
    assert (row, header) in rows(con, "select row_no, column_name from load_issue where load_id = $id and code = $code",
                                 {"id": result.load_id, "code": code})


def test_missing_required_column(con):
    load_all(con)
    before = snapshot(con)
    result = load(con, "register", drop_column(text("register"), "疫苗接种"))
    assert result.outcome == "rejected"
    [finding] = [f for f in result.errors if f.code == "missing_column"]
    assert finding.row is None
    assert "疫苗接种" in finding.message_zh and "Vaccination" in finding.message_en
    assert snapshot(con) == before


def test_unreadable_and_empty_files_are_logged(con):
    result = load(con, "icu", b"\xff\xfe\x00\x81\x00")
    assert result.outcome == "rejected" and result.errors[0].code == "encoding"
    result = load(con, "icu", "机构编码,ICU床位数,ICU医师数,ICU护士数\n")
    assert result.outcome == "rejected" and result.errors[0].code == "empty"
    assert rows(con, "select outcome, count(*) from load_log group by 1") == [("rejected", 2)]


# --- warnings, weeks, dry runs, the log, kept originals ---------------------------------------------

def test_week_on_week_doubling_warns_but_loads(con):
    load(con, "facility", week=PREV)
    assert load(con, "stock", week=PREV).outcome == "accepted"
    doubled = replace_cell(text("stock"), 2, "抗原检测试剂库存（人份）", "2801")  # 1400 last week: > 2x
    result = load(con, "stock", doubled)
    assert result.outcome == "accepted" and result.error_count == 0
    [warning] = [f for f in result.warnings if f.code == "week_on_week"]
    assert (warning.row, warning.column, warning.value) == (2, "抗原检测试剂库存（人份）", "2801")
    assert "1400" in warning.message_en
    assert rows(con, "select week, antigen_on_hand from stock where facility_code = 'P1' order by week") == [
        (PREV, 1400), (WEEK, 2801)]
    exactly_double = replace_cell(text("stock"), 2, "抗原检测试剂库存（人份）", "2800")
    assert not [f for f in load(con, "stock", exactly_double).warnings if f.code == "week_on_week"]


def test_reload_replaces_only_that_week(con):
    load(con, "facility", week=PREV)
    load(con, "icu", week=PREV)
    load(con, "icu", week=WEEK)
    other_week = rows(con, "select * from icu where week = $w order by all", {"w": PREV})
    changed = "机构编码,ICU床位数,ICU医师数,ICU护士数\nH1,12,12,30\n"
    result = load(con, "icu", changed)
    assert result.outcome == "accepted" and result.replaced_rows == 2
    assert rows(con, "select facility_code, icu_beds from icu where week = $w", {"w": WEEK}) == [("H1", 12)]
    assert rows(con, "select * from icu where week = $w order by all", {"w": PREV}) == other_week


def test_reload_of_register_rebuilds_its_week_of_agg_register(con):
    load(con, "facility")
    load(con, "register", week=PREV)
    load(con, "register")
    assert rows(con, "select week, sum(persons) from agg_register group by 1 order by 1") == [(PREV, 7), (WEEK, 7)]
    two_people = "\n".join(text("register").split("\n")[:3]) + "\n"
    assert load(con, "register", two_people).outcome == "accepted"
    assert rows(con, "select week, sum(persons) from agg_register group by 1 order by 1") == [(PREV, 7), (WEEK, 2)]
    assert rows(con, "select week, count(*) from register group by 1 order by 1") == [(PREV, 7), (WEEK, 2)]


def test_dry_run_writes_nothing_but_the_log(con, data_dir, monkeypatch):
    monkeypatch.setenv("HC_UPLOAD_KEY", config.new_upload_key())
    load(con, "facility")
    before = snapshot(con)
    result = load(con, "register", dry_run=True)
    assert result.outcome == "dry_run" and result.rows == 7 and result.error_count == 0
    assert snapshot(con) == before
    assert rows(con, "select outcome, rows, stored_path from load_log where load_id = $id", {"id": result.load_id}) == [
        ("dry_run", 7, None)]
    assert len(list((data_dir / "uploads").iterdir())) == 1  # the facility file only


def test_dry_run_reports_what_it_would_replace(con):
    load_all(con)
    result = load(con, "transfer", dry_run=True)
    assert (result.outcome, result.replaced_rows, result.rows) == ("dry_run", 4, 4)


def test_log_rows_for_accepted_and_rejected(con):
    accepted = load(con, "facility")
    rejected = load(con, "icu", replace_cell(text("icu"), 2, "ICU床位数", "x"))
    log = rows(con, """select load_id, user_name, dataset, week, file_name, rows, outcome, errors, sha256
                       from load_log order by load_id""")
    assert log == [
        (accepted.load_id, "tester", "facility", WEEK, "facility.csv", 5, "accepted", 0,
         hashlib.sha256(text("facility").encode()).hexdigest()),
        (rejected.load_id, "tester", "icu", WEEK, "icu.csv", 2, "rejected", 1, rejected.sha256),
    ]
    assert one(con, "select count(*) from load_issue where load_id = $id", {"id": rejected.load_id}) == 1
    assert one(con, "select loaded_at from load_log limit 1") is not None


def test_original_bytes_kept_encrypted_with_checksum_only_for_accepted(con, data_dir, monkeypatch):
    key = config.new_upload_key()
    monkeypatch.setenv("HC_UPLOAD_KEY", key)
    good = text("register").encode("utf-8")
    load(con, "facility")
    load(con, "register", good)
    load(con, "icu", replace_cell(text("icu"), 2, "ICU床位数", "x"))
    kept = rows(con, "select stored_path, sha256, outcome from load_log order by load_id")
    assert kept[2] == (None, kept[2][1], "rejected")
    path = Path(kept[1][0])
    assert path.parent == data_dir / "uploads"
    sealed = path.read_bytes()
    assert not any(s.encode() in sealed for s in ID_NUMBERS + PHONES + NAMES)  # nothing in clear
    assert loading.read_original(path) == good
    assert hashlib.sha256(loading.read_original(path)).hexdigest() == kept[1][1]
    assert sorted(p.name for p in (data_dir / "uploads").iterdir()) == sorted(Path(k[0]).name for k in kept[:2])
    for made in (path, data_dir / "uploads", data_dir / "db.duckdb", data_dir / "salt.txt"):
        assert made.stat().st_mode & 0o077 == 0, made  # personal data: owner only
    monkeypatch.setenv("HC_UPLOAD_KEY", config.new_upload_key())
    with pytest.raises(Exception):
        loading.read_original(path)  # another key cannot open it (AES-GCM authenticates)


def test_without_a_key_no_original_is_kept(con, data_dir, monkeypatch):
    monkeypatch.delenv("HC_UPLOAD_KEY", raising=False)
    monkeypatch.delenv("HC_UPLOAD_KEY_FILE", raising=False)
    assert load(con, "facility").outcome == "accepted"
    assert rows(con, "select stored_path from load_log") == [(None,)]
    assert not (data_dir / "uploads").exists() or not list((data_dir / "uploads").iterdir())


def test_key_file_beside_the_data_is_refused(data_dir, monkeypatch):
    monkeypatch.delenv("HC_UPLOAD_KEY", raising=False)
    (data_dir / "key").write_text(config.new_upload_key())
    monkeypatch.setenv("HC_UPLOAD_KEY_FILE", str(data_dir / "key"))
    with pytest.raises(ValueError, match="inside the data folder"):
        config.upload_key()


def test_a_crash_before_commit_leaves_no_unlogged_copy(con, data_dir, monkeypatch):
    """The copy is written under a temporary name and renamed only after the commit: a failed
    commit removes it, and a temporary file of a process that died is swept by the next load."""
    monkeypatch.setenv("HC_UPLOAD_KEY", config.new_upload_key())

    def crash(*args, **kwargs):
        raise duckdb.IOException("disk gone")
    real_commit = loading._commit
    monkeypatch.setattr(loading, "_commit", crash)
    result = load(con, "facility")
    assert result.outcome == "rejected" and result.stored_path is None
    assert not list((data_dir / "uploads").iterdir())
    stale = data_dir / "uploads" / ".999999999.0123456789abcdef.1.partial"  # a pid that cannot exist
    stale.write_bytes(b"HCENC1\n...")
    monkeypatch.setattr(loading, "_commit", real_commit)
    result = load(con, "facility")
    assert result.outcome == "accepted"
    assert [p.name for p in (data_dir / "uploads").iterdir()] == [Path(result.stored_path).name]
    assert rows(con, "select count(*) from load_log where stored_path is not null") == [(1,)]


def test_no_clear_personal_data_anywhere_in_the_database(con):
    load_all(con)
    # rejected attempts too: a malformed ID, a bad phone, a bad birth date
    bad = replace_cell(text("register"), 2, "身份证号", ID_NUMBERS[0][:-1])
    bad = replace_cell(bad, 3, "出生日期", "19371301")
    load(con, "register", bad)
    load(con, "register", replace_cell(text("register"), 3, "联系电话", "13912345679x"), week=PREV)
    secrets = ID_NUMBERS + [i[:-1] for i in ID_NUMBERS] + PHONES + NAMES + ["19371301"]
    leaks = []
    for table in tables(con):
        columns = [r[0] for r in rows(con, """select column_name from information_schema.columns
                                             where table_name = $t and data_type = 'VARCHAR'""", {"t": table})]
        for column in columns:
            for value, in rows(con, f'select distinct "{column}" from "{table}" where "{column}" is not null'):
                leaks += [(table, column, s) for s in secrets if s in value]
    assert not leaks
    assert one(con, "select count(*) from register") == 14  # both weeks' registers did load
    assert "name" not in [r[0] for r in rows(con, "select column_name from information_schema.columns "
                                                  "where table_name = 'register'")]


# --- headers, extra columns, blank rows -------------------------------------------------------------

ENGLISH_REGISTER = text("register").replace(
    "身份证号,姓名,联系电话,档案编号,管理机构编码,年龄,出生日期,性别,基础疾病,基础疾病状态,疫苗接种,风险标识,家庭医生签约,本周联系次数,养老机构居住",
    "ID number,Name,Phone,Record number,Managing facility code,Age,Birth date,Sex,Underlying diseases,"
    "Disease state,Vaccination,Risk label,Family doctor signed,Contacts this week,Care-home resident")
ALIAS_REGISTER = text("register").replace(
    "身份证号,姓名,联系电话,档案编号,管理机构编码,年龄,出生日期,性别,基础疾病,基础疾病状态,疫苗接种,风险标识,家庭医生签约,本周联系次数,养老机构居住",
    "公民身份号码, 姓名 ,手机号码,健康档案编号,机构编码,年龄(岁),出生日期,性别,合并基础疾病,疾病状态,接种情况,红黄绿标识,是否签约,联系次数,养老院")

STORED = """select record_no, facility_code, age, sex, diseases, disease_state, vaccination, recorded_label,
                   family_doctor_signed, contacts_week, care_home, rule_label, person_key, phone_key, id_masked
            from register order by record_no"""


@pytest.mark.parametrize("content", [ENGLISH_REGISTER, ALIAS_REGISTER], ids=["english", "aliases"])
def test_english_headers_and_aliases(con, content):
    load(con, "facility")
    load(con, "register")
    expected = rows(con, STORED)
    result = loading.load_bytes(content.encode(), "people.csv", week=WEEK, con=con)  # dataset detected
    assert (result.dataset, result.outcome, result.rows) == ("register", "accepted", 7)
    assert rows(con, STORED) == expected


def test_alias_header_named_in_messages(con):
    load(con, "facility")
    result = load(con, "register", replace_cell(ALIAS_REGISTER, 3, "接种情况", "??"))
    [finding] = result.errors
    assert (finding.row, finding.column, finding.code) == (3, "接种情况", "bad_enum")
    assert "「接种情况」" in finding.message_zh


def test_extra_columns_are_listed_and_ignored(con):
    load(con, "facility")
    content = "\n".join(line + ("," + ("备注" if i == 0 else "x") + "," + ("Remarks" if i == 0 else "y"))
                        for i, line in enumerate(text("icu").rstrip("\n").split("\n"))) + "\n"
    result = load(con, "icu", content)
    assert result.outcome == "accepted"
    [extra] = [f for f in result.warnings if f.code == "extra_columns"]
    assert extra.value == "备注、Remarks"
    assert "备注" in extra.message_zh and "Remarks" in extra.message_en
    assert one(con, "select count(*) from icu") == 2


def test_blank_rows_skipped_with_file_row_numbers_after_them(con):
    load(con, "facility")
    lines = text("transfer").rstrip("\n").split("\n")
    # rows: 1 header, 2 T1, 3 blank, 4 T2, 5 commas only, 6 spaces only, 7 T3, 8 T4 (bad severity)
    content = "\n".join([lines[0], lines[1], "", lines[2], ",,,,,,,,", " , ,  ,,,,,,", lines[3],
                         lines[4].replace("轻型", "很轻")]) + "\n"
    result = load(con, "transfer", content)
    assert result.blank_rows == 3
    assert result.rows == 4
    [error] = result.errors
    assert (error.row, error.column, error.code) == (8, "病情分型", "bad_enum")
    fixed = content.replace("很轻", "轻型")
    result = load(con, "transfer", fixed)
    assert (result.outcome, result.rows, result.blank_rows) == ("accepted", 4, 3)
    assert one(con, "select count(*) from transfer") == 4


def test_repeated_person_is_kept_once_with_a_warning(con):
    load(con, "facility")
    lines = text("register").rstrip("\n").split("\n")
    content = "\n".join(lines + [lines[2].replace("R002", "R002b")]) + "\n"  # row 9 repeats row 3
    result = load(con, "register", content)
    assert result.outcome == "accepted"
    [warning] = [f for f in result.warnings if f.code == "duplicate_person"]
    assert warning.row == 9 and "3" in warning.message_en
    assert one(con, "select count(*) from register") == 7
    assert one(con, "select count(*) from register where record_no = 'R002b'") == 0


def test_regenerable_file_loads_without_keeping_a_copy(con, data_dir):
    # keep_original=False is for the seeded demo only: loaded and logged with its checksum, no copy
    good = text("facility").encode("utf-8")
    result = loading.load_bytes(good, "facility.csv", dataset="facility", week=WEEK, user="demo", con=con,
                                keep_original=False)
    assert result.outcome == "accepted"
    assert rows(con, "select stored_path, sha256 from load_log") == [(None, hashlib.sha256(good).hexdigest())]
    assert not (data_dir / "uploads").exists() or not list((data_dir / "uploads").iterdir())
    assert one(con, "select count(*) from facility") > 0


# --- the fast path: DuckDB reads the CSV itself ---------------------------------------------------

def test_load_path_reads_the_file_itself_and_stores_what_load_bytes_stores(con, tmp_path, monkeypatch):
    """The command line's path: DuckDB reads the file where it lies (no frame of strings in Python);
    the stored rows, the counts and the logged checksum are those of the same bytes uploaded."""
    from dashboard.ingest import reading

    load(con, "facility")
    expected = load(con, "register")
    stored = rows(con, STORED)
    path = tmp_path / "register.csv"
    path.write_text(text("register"), encoding="utf-8")
    plans = []
    real = reading.plan_csv
    monkeypatch.setattr(loading, "plan_csv", lambda *a: plans.append(real(*a)) or plans[-1])
    result = loading.load_path(path, dataset="register", week=WEEK, con=con, user="tester")
    assert plans and plans[0] is not None and plans[0].path == str(path.resolve())
    assert (result.outcome, result.rows, result.replaced_rows) == ("accepted", expected.rows, 7)
    assert result.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert rows(con, STORED) == stored


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig"])
def test_gbk_and_bom_csv_take_the_fast_path_with_the_same_rows(con, encoding, monkeypatch):
    """A GBK file is transcoded to UTF-8 in memory (never written out) and read by DuckDB."""
    from dashboard.ingest import reading

    load(con, "facility")
    load(con, "register")
    stored = rows(con, STORED)
    plans = []
    real = reading.plan_csv
    monkeypatch.setattr(loading, "plan_csv", lambda *a: plans.append(real(*a)) or plans[-1])
    result = load(con, "register", text("register").encode(encoding))
    assert plans[0] is not None and plans[0].path.startswith("/proc/self/fd/")
    assert (result.outcome, result.encoding) == ("accepted", "gb18030" if encoding == "gb18030" else "utf-8-sig")
    assert rows(con, STORED) == stored


def test_a_csv_duckdb_refuses_is_read_again_and_explained(con):
    """Row 4 has one value too many: DuckDB's strict read stops, the polars reader names the row."""
    load(con, "facility")
    lines = text("icu").rstrip("\n").split("\n")
    content = "\n".join([*lines[:2], lines[2] + ",9,9", *lines[3:]]) + "\n"
    result = load(con, "icu", content)
    assert result.outcome == "rejected"
    [error] = result.errors
    assert (error.code, error.row) == ("extra_values", 3)


def build_typed_register(con, content: str) -> None:
    """validation.build_typed on a register file's text (the facilities loaded first), as a load runs it."""
    from dashboard.ingest import contracts, validation
    from dashboard.ingest.reading import ROW, read_table

    load(con, "facility")
    raw = read_table(content.encode(), "register.csv")
    ds = contracts.dataset("register")
    mapping, _ = contracts.header_map(ds, [c for c in raw.frame.columns if c != ROW])
    con.register("raw_src", raw.frame)
    headers = [c for c in raw.frame.columns if c != ROW]
    validation.build_typed(con, ds, WEEK, "salt", validation.Source("raw_src", {v: k for k, v in mapping.items()}, ROW, headers))


def test_typed_rows_hold_no_personal_value_in_clear(con):
    """`typed` may spill to disk under the load's memory limit: it holds keys, masks and check bits,
    never an ID number, phone, name or birth date as written (also where a cell is malformed)."""
    build_typed_register(con, replace_cell(text("register"), 2, "身份证号", ID_NUMBERS[0][:-1]))
    secrets = ID_NUMBERS + [ID_NUMBERS[0][:-1]] + PHONES + NAMES
    for table in ("typed", "typed_rows"):  # the view the checks read, the table that spills
        columns = [r[0] for r in rows(con, f"select column_name from information_schema.columns where table_name = '{table}'")]
        assert not {"id_number", "phone", "name", "birth_date", "id_number__raw", "birth_date__raw"} & set(columns)
        values = [str(v) for row in rows(con, f"select * from {table}") for v in row if v is not None]
        assert not [v for v in values for s in secrets if s in v]
    assert one(con, "select id_number__shown from typed where _row = 2") == "150102********"


def test_typed_rows_keep_the_cells_that_could_not_be_typed_in_one_list(con):
    """The cells that could not be typed are what a message shows: `typed_rows` keeps them in one list
    per row (null on every row that has none, so a large valid file spills no column of nulls), and
    the view `typed` gives each back under its column's name."""
    build_typed_register(con, replace_cell(replace_cell(text("register"), 3, "年龄", "七十"), 3, "疫苗接种", "打过了"))
    stored = [r[0] for r in rows(con, "select column_name from information_schema.columns where table_name = 'typed_rows'")]
    assert "_raws" in stored and not [c for c in stored if c.endswith(("__raw", "__shown"))]
    assert one(con, "select count(*) from typed_rows where _raws is not null") == 1
    assert rows(con, "select age, age__raw, vaccination, vaccination__raw from typed where _row = 3") == [(None, "七十", None, "打过了")]
    assert one(con, "select count(*) from typed where age__raw is not null or vaccination__raw is not null") == 1


def test_the_load_limits_duckdb_memory_and_restores_it(con):
    before = one(con, "select current_setting('memory_limit')")
    seen = []
    result = loading.load_bytes(text("facility").encode(), "facility.csv", dataset="facility", week=WEEK, con=con,
                                progress=lambda f, stage: seen.append(one(con, "select current_setting('memory_limit')")))
    assert result.outcome == "accepted"
    assert seen[0] != before and seen[0].replace(" ", "").lower().startswith(("476", "500", "0.4", "488"))
    assert one(con, "select current_setting('memory_limit')") == before


# Spellings of an integer cell (already trimmed of spaces, see typed_select): those the contract
# accepts and those DuckDB's cast accepts but the contract does not.
INT_SPELLINGS = ["0", "7", "12", "-5", "+5", "-0", "+0", "00012", "007", "12.0", "12.00", "-3.0", "1,000", "1,2,3",
                 ",12", "12,", "2147483647", "-2147483648", "2147483648", "-2147483649", "99999999999",
                 "1e3", "1E+1", "12e0", "1_000", "0x10", "0X1F", "0b11", "12.5", "12.", ".5", "12.50", "1.0e1",
                 "\t12", "12\t", "12\n", "12 .0", "inf", "nan", "+", "-", "", ",", "二十", "１２", "١٢", "+-1",
                 "12.0.0", "1__0", "_1", "1_", "0x", " 12", "12 ", "--1", "0012.000", "-0012", None]


def test_an_integer_cell_is_typed_by_the_contract_spelling_not_duckdbs_cast(con):
    """An int column takes DuckDB's cast only where the integer written back is the cell itself;
    every other spelling goes through the contract's expression (digits, a sign, thousands commas, a
    zero fraction), so the typed value is the expression's on every spelling: 12 and +5 and 1,000
    and 12.0 are numbers (12, 5, 1000, 12), 1e3, 1_000, 0x10, 12.5 and a tab are not (null, a
    bad_int), 2147483648 does not fit (null)."""
    from dashboard.ingest import contracts, validation

    col = next(c for c in contracts.dataset("register").columns if c.name == "age")
    assert col.type == "int"
    clean = "replace(s.age, ',', '')"
    contract = (f"case when regexp_full_match({clean}, '[+-]?[0-9]+(\\.0+)?') "
                f"then try_cast(try_cast({clean} as double) as integer) end")
    con.execute("create temp table s as select * from (select unnest($v::varchar[]) as age)", {"v": INT_SPELLINGS})
    got = rows(con, f"select age, {validation.typed_expr(col)}, {contract} from s")
    assert len(got) == len(INT_SPELLINGS)
    assert [(v, new) for v, new, old in got if new != old or (new is None) != (old is None)] == []
    typed = {v: new for v, new, _ in got}
    assert (typed["12"], typed["+5"], typed["1,000"], typed["12.0"], typed["-0"], typed["00012"]) == (12, 5, 1000, 12, 0, 12)
    assert [typed[v] for v in ("1e3", "1_000", "0x10", "12.5", "\t12", "2147483648", "inf")] == [None] * 7


def _id_number(body: str) -> str:
    """GB 11643: the check character of 17 digits (weights 2^(17-i) mod 11, ISO 7064 MOD 11-2)."""
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(w * int(d) for w, d in zip(weights, body)) % 11]


def test_a_large_csv_names_the_rows_of_its_findings_as_in_the_file(con):
    """DuckDB types a large CSV in parallel and numbers its rows by their place in the typed table:
    the rows must still be the file's. 5,000 people (more than two of DuckDB's 2,048-row chunks), a
    blank risk label on every third row (a lookup that misses, which a join would move out of order),
    mixed spellings; row 4,321 (file line, header = 1) has a wrong check digit, row 4,999 repeats
    the person of row 1,234 (kept once, from row 1,234)."""
    load(con, "facility")
    header = text("register").split("\n")[0]
    lines = [header]
    for i in range(5000):
        id_number = _id_number(f"150102{1940 + i // 336:04d}{(i // 28) % 12 + 1:02d}{i % 28 + 1:02d}001")
        label = ["", "绿色", "黄"][i % 3]
        signed = ["是", "否", "Yes", "n"][i % 4]
        lines.append(f"{id_number},,,R{i},P1,70,,男,,无基础疾病,全程接种,{label},{signed},1,否")
    bad = lines[4320].split(",")
    bad[0] = bad[0][:-1] + ("0" if bad[0][-1] != "0" else "1")
    lines[4320] = ",".join(bad)
    lines[4998] = lines[1233].replace(",R1232,", ",R-again,")
    result = load(con, "register", "\n".join(lines) + "\n")
    assert result.outcome == "accepted", [f.message_en for f in result.errors]
    assert result.rows == 5000
    [checksum] = [f for f in result.warnings if f.code == "id_checksum"]
    assert checksum.row == 4321
    [repeated] = [f for f in result.warnings if f.code == "duplicate_person"]
    assert repeated.row == 4999 and "1234" in repeated.message_en
    assert one(con, "select count(*) from register") == 4999
    assert one(con, "select count(*) from register where record_no = 'R-again'") == 0
    assert one(con, "select count(*) from register where recorded_label is null") == 1667  # i % 3 == 0 (row 4,999 was a 黄 row, and is not stored)
    assert one(con, "select count(*) filter (family_doctor_signed) from register") == 2500
