"""Numbers, weeks and downloads in the interface's conventions (Babel's CLDR data for zh_CN / en_US)."""
from __future__ import annotations

import datetime as dt

import polars as pl

from dashboard.exports import downloads

from dashboard import formatting as fmt, weeks


def test_chinese_large_numbers_and_separators():
    # the issue's own examples: 12,345,678 -> 1234.6万, 1,234,567,890 -> 12.35亿
    assert fmt.compact(12_345_678) == "1234.6万"
    assert fmt.compact(1_234_567_890) == "12.35亿"
    assert fmt.compact(579_990) == "58万"        # 57.999万 to one decimal
    assert fmt.compact(12_345) == "12,345"       # under 10万: written out, with separators
    assert fmt.compact(12_345_678, "en") == "12.3M"
    assert fmt.num(1_234_567) == "1,234,567"


def test_percentages_have_one_decimal_and_blanks_say_so():
    assert fmt.pct(1.0912) == "109.1%" and fmt.pct(0.5) == "50.0%" and fmt.pct(0.5, digits=0) == "50%"
    assert [fmt.pct(None), fmt.num(float("nan")), fmt.compact(None)] == ["—", "—", "—"]
    assert fmt.signed(-0.025, "zh", "pct") == "−2.5个百分点" and fmt.signed(1234) == "+1,234"


def test_axis_ticks_follow_the_same_rules():
    """0..1,200,000 in steps of 500,000 -> 0, 50万, 100万, 150万 (the last tick covers the top)."""
    ticks = fmt.ticks(0, 1_200_000, "zh", "compact")
    assert ticks["ticktext"] == ["0", "50万", "100万", "150万"] and ticks["range"] == [0, 1_500_000]
    assert fmt.ticks(0, 1, "zh", "pct")["ticktext"] == ["0%", "20%", "40%", "60%", "80%", "100%"]


def test_week_labels():
    week = dt.date(2023, 1, 2)
    assert weeks.label(week, "zh") == "2023年第1周（1月2日—8日）"
    assert weeks.short(week, "zh") == "2023年第1周" and weeks.short(week) == "2023-W01"
    assert weeks.tick(dt.date(2022, 12, 26), "zh") == "第52周<br>12月26日"
    assert weeks.span(dt.date(2022, 12, 19), week, "zh") == "2022年第51周至2023年第1周"


def test_downloads_in_chinese_with_names_not_codes():
    frame = pl.DataFrame({"week": [dt.date(2023, 1, 2)], "from_tier": ["primary"], "to_tier": ["lead"],
                          "referrals": [12], "in_time_share": [None], "refused_share": [0.25], "reported": [True],
                          "load_id": [7]}, schema_overrides={"in_time_share": pl.Float64})
    zh = downloads.localise(frame, "zh")
    assert zh.columns == ["数据周", "转出层级", "接收层级", "转诊例数", "按时接收比例", "拒收比例", "已报送"]
    assert zh.row(0) == ("2023年第1周（1月2日—8日）", "基层医疗卫生机构", "医联体牵头医院", 12, None, "25.0%", "是")
    csv = downloads.csv_bytes(frame, "zh").decode("utf-8-sig")
    assert "None" not in csv and "nan" not in csv.lower()
    en = downloads.localise(frame, "en")
    assert en.columns[:3] == ["Week", "Sending tier", "Receiving tier"] and en.row(0)[6] == "yes"
