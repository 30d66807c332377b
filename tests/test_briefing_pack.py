"""The briefing pack on the embedded demo: a Chinese A4 PDF whose pages pdftoppm renders (cover,
one section per topic of the overview in its order, the action list), a ZIP of the charts and an XLSX of the tables.
Set BRIEF_PNG_DIR to keep the rendered pages for a look."""
from __future__ import annotations

import io
import os
import subprocess
import zipfile
from pathlib import Path

import polars as pl
import pytest
from PIL import Image

from dashboard.exports import briefing_pack

from dashboard import demo, store, weeks

from dashboard.store import queries
from dashboard.figures import verdict
from dashboard.metrics import headlines
from dashboard import i18n

STAFF_TITLE = i18n.t("staff.nav", "zh")  # 人员在岗


class Area:
    """The sidebar's choice (ui.Filters' shape): the whole region, the demo's last week."""
    area_label = "内蒙古自治区"
    league_code = county_code = consortium = None

    def __init__(self, week):
        self.week = week
        self.week_label = weeks.label(week, "zh")

    def params(self):
        return {"week": self.week, "league_code": None, "county_code": None, "consortium": None}


@pytest.fixture(scope="module")
def pack_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pack")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HC_DEMO_SCALE", "0.01")
        mp.setenv("HC_DATA_DIR", str(folder))
        mp.setenv("HC_DB_PATH", str(folder / "db.duckdb"))
        con = store.connect(folder / "db.duckdb")
        demo.ensure_demo(con)
        week = demo.DEMO_WEEKS[-1]

        def query(name, **params):
            wanted = queries.parameters(name)
            return queries.run(name, con=con, **{k: v for k, v in params.items() if k in wanted})

        steps = []
        pack = briefing_pack.collect(Area(week), query, "zh")
        files = briefing_pack.build(pack, lambda share, what: steps.append(share))
        topics = [h.topic for h in headlines.all_headlines(query, week, Area(week).params())]
        pack_en = briefing_pack.collect(Area(week), query, "en")
        pack_en.area = "Inner Mongolia"
        files_en = briefing_pack.build(pack_en)
        con.close()
    return pack, files, steps, folder, topics, files_en


def test_every_topic_of_the_overview_has_its_section(pack_files):
    """headlines.TOPICS is what the overview shows: the pack has one section per topic, in that order,
    each opening with the overview's own verdict lines for the topic."""
    pack, _, _, _, topics, _ = pack_files
    assert len(topics) == len(headlines.TOPICS) == 8
    assert [s.topic for s in pack.sections] == topics
    assert all(s.lines and s.title for s in pack.sections)


def test_fever_and_staff_sections(pack_files):
    """Fever clinics on the headline's day (its date first, then the overview's five lines), the rates
    and waiting charts, the facilities at alarm with small counts of people written "<5"; staff on
    duty with the area and status charts and the facilities below 80%."""
    pack, _, _, _, _, _ = pack_files
    fever, staff = (next(s for s in pack.sections if s.topic == topic) for topic in ("fever", "staff"))
    assert (fever.title, staff.title) == ("发热门诊", "人员在岗")
    assert fever.lines[0].startswith("日期：") and fever.lines[1].startswith("今日已报送：")
    assert fever.lines[2].startswith("发热门诊设置率：") and "目标 100.0%" in fever.lines[2]
    assert [stem for stem, _ in fever.figures] == ["fever_rates", "fever_waiting"]
    assert staff.lines[0].startswith("基层机构已报送：") and "在岗率" in staff.lines[1]
    assert [stem for stem, _ in staff.figures] == ["staff_areas", "staff_status"]
    for section in (fever, staff):
        for _, table in section.tables:
            assert not any(str(v) in ("None", "nan", "NaN") for col in table.columns for v in table[col].to_list())


def test_small_counts_of_people_in_the_alarm_list():
    """Visits 3 (of people, small) -> "<5"; 0 stays "0"; 1234 -> "1,234"; a blank stays blank."""
    table = pl.DataFrame({"机构": ["甲", "乙", "丙", "丁"], "接诊人次": [3, 0, 1234, None]})
    out = briefing_pack._people_suppressed(table, ("接诊人次",))
    assert out["接诊人次"].to_list() == ["<5", "0", "1,234", None] and out["机构"].to_list() == ["甲", "乙", "丙", "丁"]


def test_pack_holds_the_sections_in_order(pack_files):
    pack, files, steps, _, _, _ = pack_files
    assert [s.title for s in pack.sections] == ["红黄绿标识", "转诊流向", "重症医护配备", "药品与抗原储备", "发热门诊",
                                                STAFF_TITLE, "出院患者随访", "医联体考核"]
    followup, scorecard = pack.sections[6:]
    # the overview's verdict lines of the two later topics, then their key charts and tables
    assert followup.lines[0].startswith("在管出院患者：") and followup.lines[1].startswith("本周随访达标率：")
    assert "目标 100.0%" in followup.lines[1]
    assert [stem for stem, _ in followup.figures] == ["followup_problems", "followup_compliance"]
    assert scorecard.lines[0].startswith("参加排名的医联体：") and any(line.startswith("第") for line in scorecard.lines)
    assert not any("**" in line for line in scorecard.lines)
    assert [stem for stem, _ in scorecard.figures] == ["scorecard_points"]
    assert steps == sorted(steps) and steps[-1] == 1.0  # progress only goes forward, to the end
    names = zipfile.ZipFile(io.BytesIO(files["zip"])).namelist()
    assert names[0].startswith("01_labelling_funnel") and len(names) == sum(len(s.figures) for s in pack.sections)
    sheets = pl.read_excel(io.BytesIO(files["xlsx"]), sheet_id=0)
    assert "需要处理的机构" in sheets
    table = sheets["需要处理的机构"]
    assert table.columns[0] == "机构名称" or "机构" in table.columns[0]
    assert not any(str(v) in ("None", "nan", "NaN") for col in table.columns for v in table[col].to_list())


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_pdf_pages_render(pack_files, lang):
    pack, files, _, folder, _, files_en = pack_files
    if lang == "en":
        files = files_en
    pdf = folder / f"pack_{lang}.pdf"
    pdf.write_bytes(files["pdf"])
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "595.276 x 841.89" in info or "595.28 x 841.89" in info  # A4 in points
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "NotoSansCJK" in fonts and " yes " in fonts  # embedded
    out = Path(os.environ.get("BRIEF_PNG_DIR") or folder) / f"pack_{lang}"
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf), str(out)], check=True)
    pages = sorted(out.parent.glob(f"pack_{lang}-*.png"))
    assert len(pages) >= 10  # cover, eight sections, the action list
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    if lang == "zh":
        assert "分级诊疗工作周报简报" in text and "内蒙古自治区" in text and "需要处理的机构" in text
        assert "出院患者随访" in text and "医联体考核" in text and "5. 发热门诊" in text and f"6. {STAFF_TITLE}" in text
    else:
        assert "Inner Mongolia" in text and "5. Fever clinics" in text and "Facilities that need action" in text
    assert "None" not in text and "nan" not in text
    for page in pages:  # every page carries something (the page number at least)
        assert Image.open(page).convert("L").getextrema()[0] < 200


def test_status_from_policy_thresholds():
    """1.0 target, 0.05 margin: 1.0 met, 0.96 near, 0.94 short, blank unknown (never met)."""
    assert [verdict.status(v, 1.0, 0.05) for v in (1.0, 0.96, 0.94, None)] == ["met", "near", "short", "unknown"]
    assert [verdict.status(v, 0, 5, higher_is_better=False) for v in (0, 4, 6)] == ["met", "near", "short"]
    card = verdict.card("已标识比例", 0.875, 0.85, 1.0, 0.05, "zh")
    assert (card.value, card.target, card.status_text, card.change) == ("87.5%", "目标 100.0%", "✗ 未达标", "较上周 +2.5个百分点")
    spark = verdict.sparkline([0.5, None, 0.7])
    assert list(spark.data[0].y) == [0.5, None, 0.7] and spark.data[1].x == (2,)
