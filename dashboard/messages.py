"""Error and warning texts for loads, in Chinese and English, each saying how to fix the problem."""
from __future__ import annotations

from dashboard import contracts
from dashboard.contracts import Dataset
from dashboard.validation import Issue

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
}


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
    return f"第{issue.row}行：{body}" if lang == "zh" else f"Row {issue.row}: {body}"
