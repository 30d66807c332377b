"""Error and warning texts for loads, in Chinese and English, each saying how to fix the problem;
`mask` keeps ID numbers and phone numbers out of every message and logged value."""
from __future__ import annotations

import re

from dashboard.ingest import contracts
from dashboard.ingest.contracts import Dataset
from dashboard.ingest.validation import Issue

_TEMPLATES = {
    "missing": ("「{h}」为空：此列必填，请补全。", "'{h}' is empty: this column is required; fill it in."),
    "missing_when": ("「{h}」为空：该行情况下此列必填，请补全。", "'{h}' is empty: it is required for a row like this one; fill it in."),
    "bad_int": ("「{h}」的值“{v}”不是整数：请填写整数，例如 12。", "'{h}' holds '{v}', not a whole number: write a whole number such as 12."),
    "bad_float": ("「{h}」的值“{v}”不是数字：请填写数字，例如 40.82。", "'{h}' holds '{v}', not a number: write a number such as 40.82."),
    "bad_bool": ("「{h}」的值“{v}”无法识别：请填写 是 或 否。", "'{h}' holds '{v}': write 是/否 (yes/no)."),
    "bad_date": ("「{h}」的值“{v}”不是日期：请使用 2022-12-19 格式。", "'{h}' holds '{v}', not a date: use the form 2022-12-19."),
    "bad_datetime": ("「{h}」的值“{v}”不是时间：请使用 2022-12-19 08:30 格式。", "'{h}' holds '{v}', not a time: use the form 2022-12-19 08:30."),
    "bad_enum": ("「{h}」的值“{v}”不在可选范围内：可填写 {allowed}。", "'{h}' holds '{v}', which is not an allowed value: use one of {allowed}."),
    "bad_id_number": ("「{h}」不是有效的18位身份证号（末位可为X），请核对。", "'{h}' is not a valid 18-character ID number (last character may be X): check it."),
    "below_min": ("「{h}」的值 {v} 小于 {o}，不合理：请核对。", "'{h}' is {v}, below {o}: check the value."),
    "above_max": ("「{h}」的值 {v} 大于 {o}，不合理：请核对。", "'{h}' is {v}, above {o}: check the value."),
    "bad_pattern": ("「{h}」的值“{v}”格式不对：应为6位行政区划代码，例如 150102。", "'{h}' holds '{v}' in the wrong form: use a 6-digit administrative code such as 150102."),
    "above_column": ("「{h}」（{v}）大于「{oh}」（{o}）：请核对。", "'{h}' ({v}) is more than '{oh}' ({o}): check both."),
    "before_column": ("「{h}」（{v}）早于「{oh}」（{o}）：请核对。", "'{h}' ({v}) is earlier than '{oh}' ({o}): check both."),
    "unknown_facility": ("「{h}」的机构编码“{v}”不在机构名录中：请先上传包含该机构的机构名录，或核对编码。", "'{h}': facility code '{v}' is not in the facility register: upload a register that lists it first, or correct the code."),
    "duplicate_key": ("「{h}」的值“{v}”与第{o}行重复：每个值只能出现一次，请删除或合并重复行。", "'{h}' value '{v}' repeats row {o}: each value may appear once; remove or merge the duplicate."),
    "no_age": ("无法确定年龄：年龄、出生日期为空，身份证号中也读不出出生日期。请填写年龄。", "No age: age and birth date are empty and the ID number gives no birth date. Fill in the age."),
    "duplicate_person": ("同一身份证号（{v}）已在第{o}行出现：只保留第一行。", "The same ID number ({v}) already appears in row {o}: only the first row is kept."),
    "id_checksum": ("身份证号 {v} 的校验位不对，可能录入有误：请核对。", "ID number {v} fails its check digit and may be mistyped: check it."),
    "bad_phone": ("「{h}」不像有效的电话号码：请核对。", "'{h}' does not look like a phone number: check it."),
    "week_on_week": ("「{h}」为 {v}，上周为 {o}：变化超过一倍，请核对是否录入有误。", "'{h}' is {v} against {o} last week: more than doubled or halved; check it."),
    "outside_week": ("「{h}」（{v}）不在所选周内：请确认文件与所选周一致。", "'{h}' ({v}) is outside the chosen week: check that the file matches the week."),
    "missing_column": ("缺少必填列「{h}」：请按模板添加此列（可用表头：{allowed}）。", "Required column '{h}' is missing: add it as in the template (accepted headers: {allowed})."),
    "extra_columns": ("以下列不在模板中，已忽略：{v}。", "These columns are not in the template and were ignored: {v}."),
    "empty": ("文件没有数据行。", "The file has no data rows."),
    "unreadable": ("{v}", "{v}"),
    "wrong_dataset": ("文件的表头不像“{v}”：请确认选择的数据集。", "The file's headers do not look like '{v}': check the dataset you chose."),
    "number_cell": ("「{h}」在表格中存为数字而不是文本：表格软件只保留数字的前15位并去掉开头的0，身份证号、电话或编码可能已经改变。"
                    "请把此列设为文本格式（选中列→设置单元格格式→文本，已有的值用 数据→分列→文本 转换或重新输入），保存后重新上传。",
                    "'{h}' is stored as a number, not as text: spreadsheets keep only 15 digits of a number and drop leading "
                    "zeros, so an ID number, phone or code in a number cell may already have changed. Format the column as "
                    "text (Format Cells → Text; convert existing values with Data → Text to Columns → Text, or type them "
                    "again), save and upload again."),
    "number_text": ("「{h}」的值写成了数字（{v}）：身份证号、电话和编码经过数字格式会丢失位数或开头的0。请在导出前把此列设为文本格式，再重新导出上传。",
                    "'{h}' holds a value written as a number ({v}): an ID number, phone or code that went through a number "
                    "format loses digits or leading zeros. Format the column as text before exporting, then export and upload again."),
    "personal_data": ("「{h}」中有像身份证号或手机号的内容：个人信息只能填在身份证号、联系电话列，不能存入其他列。请检查是否串列，删除后重新上传。",
                      "'{h}' holds what looks like an ID number or a mobile phone number: personal data may only go in the ID "
                      "number and phone columns, never in another column. Check whether columns are swapped, remove it and upload again."),
    "duplicate_column": ("「{h}」出现了两次（{v}）：请删除或改名其中一列，只保留一列。",
                         "'{h}' appears twice ({v}): delete or rename one of the two columns."),
    "outside_county": ("机构坐标（经度, 纬度：{v}）不在所填旗县（{o}）的边界内：请核对经纬度和旗县代码（经纬度是否填反？）。",
                       "The coordinates (longitude, latitude: {v}) lie outside the banner/county it names ({o}): check the "
                       "coordinates and the county code (latitude and longitude swapped?)."),
    "unchecked_location": ("有{o}家机构所填的旗县（{v}）没有已载入的边界，无法核对坐标是否在该旗县内：请把本地的旗县边界（GeoJSON）放入 data/boundaries/ 或 HC_BOUNDARIES_DIR 所指的文件夹。",
                           "No loaded boundary covers the banners/counties {v}, named by {o} facilities, so their "
                           "coordinates could not be checked against them: add the local county boundaries (GeoJSON) to data/boundaries/ "
                           "or the folder named by HC_BOUNDARIES_DIR."),
    "duplicate_name": ("机构名称“{v}”与第{o}行相同但编码不同：是否同一机构登记了两次？",
                       "Facility name '{v}' is the same as row {o} under a different code: the same facility registered twice?"),
    "same_place": ("机构坐标与第{o}行的机构相距不到约100米（编码不同）：是否同一机构登记了两次？",
                   "The coordinates are within about 100 m of the facility in row {o} (a different code): the same facility registered twice?"),
}

# Findings that carry their own text (file-level problems found while reading or identifying the
# file), with what each means, for docs/datasets.md: code -> (severity, zh, en).
FILE_LEVEL = {
    "empty_file": ("error", "文件为空", "the file is empty"),
    "no_header": ("error", "没有表头", "the file has no header row"),
    "encoding": ("error", "编码无法识别：请另存为 UTF-8 或 GBK", "the encoding is none of UTF-8, UTF-8 with BOM, GBK/GB18030"),
    "latin1": ("error", "西文编码（Latin-1/Windows-1252）的文字，读作 GBK 会成为乱码", "text in a Western encoding (Latin-1/Windows-1252), which read as GBK would be garbled"),
    "truncated": ("error", "文件在一个字符中间结束（被截断）", "the file ends in the middle of a character (cut off)"),
    "ends_mid_row": ("error", "文件在一行中间结束（最后一行的值比表头少且没有换行）", "the file ends in the middle of a row (the last row has fewer values than the header and no line break)"),
    "stray_quote": ("error", "未配对的双引号（指出行号）", "a double quote that is not closed, with its row"),
    "extra_values": ("error", "某行的值比表头多（值中有逗号未加引号），指出行号", "a row with more values than the header (a comma inside an unquoted value), with its row; empty extra cells are ignored"),
    "csv_malformed": ("error", "CSV 其他无法解析的格式问题", "any other CSV the parser cannot read"),
    "not_spreadsheet": ("error", "扩展名是电子表格但内容不是", "a spreadsheet file name whose content is not a spreadsheet"),
    "bad_spreadsheet": ("error", "电子表格损坏或有密码保护", "a damaged or password-protected spreadsheet"),
    "unreadable": ("error", "其他无法读取的情况", "any other unreadable file"),
    "resembles": ("error", "自动识别数据集时，文件最像哪个数据集、缺哪些必填列", "with the dataset detected: which dataset the file most resembles and which required columns it lacks"),
    "no_week": ("error", "未指定周或周无法识别", "no week given, or a week that cannot be read"),
    "load_failed": ("error", "写入时出错（数据库未改变）", "the write failed (the database is unchanged)"),
    "other_sheet": ("warning", "第一个工作表不是数据表（如封面），读取了表头能识别的后续工作表", "the first sheet is not a data table (a cover page): a later sheet whose header names at least three known columns was read"),
    "formula_cells": ("warning", "公式单元格：读取保存时的计算结果；没有保存结果的按空白读取", "formula cells: the result saved with the file is read; formulas saved without a result read as blank"),
}

# Row-level findings that only warn (the file still loads); every other code in _TEMPLATES refuses it.
WARNINGS = {"week_on_week", "outside_week", "bad_phone", "duplicate_person", "id_checksum", "extra_columns",
            "outside_county", "duplicate_name", "same_place", "unchecked_location"}


def catalogue() -> dict[str, tuple[str, str, str]]:
    """Every finding code the loader can give: code -> (severity, zh, en), for the docs and tests."""
    out = {code: ("warning" if code in WARNINGS else "error", zh, en)
           for code, (zh, en) in _TEMPLATES.items() if code != "unreadable"}
    out.update(FILE_LEVEL)
    return out


# --- personal data in messages -------------------------------------------------------------------

_ID = re.compile(r"(?<![0-9])([1-9][0-9]{5})[0-9]{11}[0-9Xx](?![0-9A-Za-z])")
_PHONE = re.compile(r"(?<![0-9])((?:\+?86[- ]?)?1[3-9][0-9])[- ]?[0-9]{4}[- ]?[0-9]{4}(?![0-9])")
_SCIENTIFIC = re.compile(r"(?<![0-9])([0-9])\.([0-9]{2})[0-9]{4,}([eE]\+?0?1[0-9])")


def mask(text: str | None) -> str | None:
    """ID numbers, mobile numbers and ID-sized numbers in scientific notation, masked wherever they
    occur in a message or logged value: 150102************, 139********, 1.50****E+17."""
    if not text:
        return text
    text = _ID.sub(lambda m: m[1] + "*" * 12, text)
    text = _PHONE.sub(lambda m: m[1] + "*" * 8, text)
    return _SCIENTIFIC.sub(lambda m: f"{m[1]}.{m[2]}****{m[3]}", text)


def _allowed(col: contracts.Column | None, lang: str) -> str:
    if col is None:
        return ""
    if col.type == "enum":
        values = contracts.enum_values(col.enum)
        return "、".join(spellings[1] if len(spellings) > 1 else value for value, spellings in values.items()) if lang == "zh" \
            else ", ".join(f"{spellings[1]} ({value})" if len(spellings) > 1 else value for value, spellings in values.items())
    return " / ".join(col.headers()[:4])


def text(issue: Issue, ds: Dataset, headers: dict[str, str], lang: str) -> str:
    """The message for one issue. `headers` maps column names to the headers used in the file."""
    zh, en = _TEMPLATES[issue.code]
    col = next((c for c in ds.columns if c.name == issue.column), None)
    header = headers.get(issue.column or "", col.label(lang) if col else issue.column or "")
    other_col = None
    if col and (col.max_column or col.not_before):
        other_col = ds.column(col.max_column or col.not_before)
    body = (zh if lang == "zh" else en).format(
        h=header, v=issue.value if issue.value is not None else "", o=issue.other if issue.other is not None else "",
        oh=headers.get(other_col.name, other_col.label(lang)) if other_col else "",
        allowed=_allowed(col, lang),
    )
    if issue.row is None:
        return body
    return at_row(issue.row, body, lang)


def at_row(row: int | None, body: str, lang: str) -> str:
    if row is None:
        return body
    return f"第{row}行：{body}" if lang == "zh" else f"Row {row}: {body}"


def week_error(text: str) -> tuple[str, str]:
    """A week that cannot be read (`--week 99`), in both languages."""
    return (f"无法识别周“{text}”：请写成 2022-W51（ISO 周，1—53），或该周内的日期如 2022-12-19。",
            f"Cannot read the week '{text}': write it as 2022-W51 (an ISO week, 1-53) or a date in it such as 2022-12-19.")
