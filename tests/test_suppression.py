"""Small numbers in exports (dashboard/exports/suppression.py): counts of people from 1 to 4 (policy
`disclosure.small_count_below` = 5) are written "<5" in CSV and XLSX, with the shares computed from
them; 0, blanks, 5 and counts that are not people are kept; the threshold follows the policy file;
charts of people drop such bars and label them "<5"."""
from __future__ import annotations

import io

import plotly.graph_objects as go
import polars as pl
import pytest

from dashboard import policy
from dashboard.exports import downloads, suppression

# Three facilities: found 3 of 100 (3 is small: found and its share hidden), 0 of 50 (kept: zero
# reveals no one), 5 of 20 (kept: the threshold itself is not small); red 4 / blank / 12; ICU
# doctors 2 (staff, not people: kept).
FRAME = pl.DataFrame({
    "facility_name": ["甲", "乙", "丙"],
    "pop65": [100, 50, 20],
    "found_65": [3, 0, 5],
    "found_share": [0.03, 0.0, 0.25],
    "red": [4, None, 12],
    "icu_doctors": [2, 2, 2],
})


def test_csv_writes_small_counts_of_people_as_under_5():
    text = downloads.csv_bytes(FRAME, "en").decode("utf-8-sig")
    table = pl.read_csv(io.StringIO(text), infer_schema=False)
    found = table.columns[2]
    assert table[found].to_list() == ["<5", "0", "5"]
    assert table[table.columns[3]].to_list() == ["(suppressed)", "0.0%", "25.0%"]
    assert table[table.columns[4]].to_list() == ["<5", None, "12"]
    assert table[table.columns[5]].to_list() == ["2", "2", "2"]  # staff: not suppressed
    assert table[table.columns[1]].to_list() == ["100", "50", "20"]  # the census denominator


def test_xlsx_carries_the_same_suppression():
    data = downloads.xlsx_bytes(FRAME, "zh")
    table = pl.read_excel(io.BytesIO(data))
    assert "<5" in table[table.columns[2]].cast(pl.String).to_list()
    assert "（已隐去）" in table[table.columns[3]].cast(pl.String).to_list()


def test_the_threshold_comes_from_the_policy_file(data_dir, tmp_path, monkeypatch):
    """With the commission's override at 10, the 5 is small too (and is written "<10")."""
    override = tmp_path / "override.toml"
    override.write_text("[disclosure.small_count_below]\nvalue = 10\n", encoding="utf-8")
    monkeypatch.setenv("HC_POLICY_OVERRIDES", str(override))
    policy.reload()
    try:
        table = downloads.localise(FRAME, "en")
        assert table[table.columns[2]].to_list() == ["<10", "0", "<10"]
    finally:
        monkeypatch.delenv("HC_POLICY_OVERRIDES")
        policy.reload()


def test_a_chart_of_people_drops_small_bars_and_labels_them():
    fig = go.Figure(go.Bar(x=["甲", "乙", "丙"], y=[3, 0, 40], text=["3", "0", "40"]))
    out = suppression.figure(fig)
    assert list(out.data[0].y) == [None, 0, 40]
    assert list(out.data[0].text) == ["<5", "0", "40"]
    assert list(fig.data[0].y) == [3, 0, 40]  # the page's own chart is untouched
    shares = go.Figure(go.Bar(x=["甲"], y=[0.5]))
    assert list(suppression.figure(shares).data[0].y) == [0.5]


def test_a_sankey_flow_of_few_people_is_drawn_at_the_threshold():
    fig = go.Figure(go.Sankey(node={"label": ["a", "b"]}, link={"source": [0, 0], "target": [1, 1], "value": [2, 30]}))
    out = suppression.figure(fig)
    assert list(out.data[0].link.value) == [5, 30]
    assert list(out.data[0].link.label) == ["<5", ""]


@pytest.mark.parametrize("stem, people", [("labelling_funnel", True), ("referrals_tiers", True),
                                          ("icu_ranking", False), ("stock_ranking", False)])
def test_only_charts_of_people_are_suppressed_in_the_pack(stem, people):
    assert suppression.counts_people(stem) is people


def test_a_page_png_of_people_is_suppressed_and_one_of_stock_is_not():
    fig = go.Figure(go.Bar(x=["甲"], y=[2]))
    assert list(suppression.for_page_chart(fig, "lab_audit").data[0].y) == [None]
    assert list(suppression.for_page_chart(fig, "stock_ranking").data[0].y) == [2]
