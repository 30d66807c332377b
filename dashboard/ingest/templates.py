"""Downloadable upload templates: Chinese headers, one example row, a sheet explaining each column."""
from __future__ import annotations

import io

import xlsxwriter

from dashboard.ingest import contracts

_EXAMPLE = {
    "facility_code": "P150102001", "facility_name": "新城区东街社区卫生服务中心", "tier": "基层医疗卫生机构",
    "primary_type": "社区卫生服务中心", "grade": "", "league_code": "150100", "league_name": "呼和浩特市",
    "county_code": "150102", "county_name": "新城区", "consortium": "新城区城市医疗集团", "lat": "40.8634",
    "lon": "111.6652", "service_population": "52000", "fever_clinic": "是", "ambulances_120": "1",
    "id_number": "150102194001011238", "name": "张三", "phone": "13800000000", "record_no": "15010200001",
    "age": "82", "birth_date": "1940-01-01", "sex": "男", "diseases": "高血压", "disease_state": "基础疾病稳定",
    "vaccination": "全程接种", "recorded_label": "黄色", "family_doctor_signed": "是", "contacts_week": "2",
    "care_home": "否", "referral_id": "ZZ20221219001", "requested_at": "2022-12-19 08:30",
    "from_code": "P150102001", "to_code": "H150102001", "direction_recorded": "上转", "severity": "普通型",
    "main_problem": "新冠", "status": "已接收", "received_at": "2022-12-19 11:00", "icu_beds": "20",
    "convertible_beds": "10", "occupied": "17", "icu_doctors": "18", "icu_nurses": "50", "reserve_doctors": "4",
    "reserve_nurses": "12", "antigen_on_hand": "9000", "antigen_used": "2100", "antipyretic_on_hand": "8000",
    "antipyretic_used": "1500", "cough_on_hand": "7000", "cough_used": "1200", "tcm_on_hand": "8500",
    "tcm_used": "1600", "oximeters": "25",
}

# The facility template lists both facilities the other examples name (the community health centre
# and its lead hospital), so the example rows of every template load together, facility register first.
_LEAD_HOSPITAL = {
    **_EXAMPLE, "facility_code": "H150102001", "facility_name": "新城区医院", "tier": "医联体牵头医院",
    "primary_type": "", "grade": "二级", "lat": "40.8501", "lon": "111.6701", "service_population": "",
    "ambulances_120": "2",
}


def examples(name: str) -> list[dict[str, str]]:
    """The example rows of a template: column name -> cell text. A contract column's own `example`
    comes first, so a new dataset's template needs no edit here."""
    own = {c.name: c.example for c in contracts.dataset(name).columns if c.example is not None}
    referenced = any(c.references == name for other in contracts.DATASETS for c in contracts.dataset(other).columns)
    if referenced:  # the facility register: it lists every facility the other examples name
        return [{**_EXAMPLE, **own}, _LEAD_HOSPITAL]
    return [{**_EXAMPLE, **own}]


def is_text_column(col: contracts.Column) -> bool:
    """Columns a template formats as text: keys and contacts, whose digits must survive."""
    return col.type in ("id_number", "phone", "code")


def _describe(col: contracts.Column) -> tuple[str, str, str]:
    need = "必填" if col.required else ("条件必填" if col.required_when else "选填")
    allowed = ""
    if col.type == "enum":
        allowed = "、".join(s[1] if len(s) > 1 else v for v, s in contracts.enum_values(col.enum).items())
    elif col.type == "bool":
        allowed = "是 / 否"
    extra = "（个人信息：入库前加密，姓名不入库）" if col.personal else ""
    return need, allowed, (col.note or "") + extra


def xlsx(name: str) -> bytes:
    ds = contracts.dataset(name)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    # ID-number, phone and code columns are formatted as text ("@"), so what an analyst types or
    # pastes there stays text: a number cell would keep only 15 digits and drop leading zeros.
    as_text = book.add_format({"num_format": 49})  # the built-in "@" (text) format
    sheet = book.add_worksheet(ds.zh[:31])
    for i, col in enumerate(ds.columns):
        sheet.write(0, i, col.zh, head)
        for r, example in enumerate(examples(name), start=1):
            if example.get(col.name):
                sheet.write_string(r, i, example[col.name], as_text if is_text_column(col) else None)
        sheet.set_column(i, i, max(12, len(col.zh) * 2 + 2), as_text if is_text_column(col) else None)
    notes = book.add_worksheet("填写说明")
    for i, title in enumerate(["列名", "英文列名", "是否必填", "可填写的值", "说明", "也接受的表头"]):
        notes.write(0, i, title, head)
    for r, col in enumerate(ds.columns, start=1):
        need, allowed, note = _describe(col)
        notes.write_row(r, 0, [col.zh, col.en, need, allowed, note, "、".join(col.aliases)])
    notes.set_column(0, 5, 22)
    book.close()
    return buffer.getvalue()


def csv(name: str) -> bytes:
    """UTF-8 with BOM, so Excel on Windows opens the Chinese headers correctly."""
    ds = contracts.dataset(name)
    header = ",".join(c.zh for c in ds.columns)
    rows = "".join(",".join(e.get(c.name, "") for c in ds.columns) + "\n" for e in examples(name))
    return ("\ufeff" + header + "\n" + rows).encode("utf-8")
