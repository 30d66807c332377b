"""The briefing pack on the embedded demo: a Chinese A4 PDF whose pages pdftoppm renders (cover,
six sections in a fixed order, the action list), a ZIP of the charts and an XLSX of the tables.
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
        con.close()
    return pack, files, steps, folder


def test_pack_holds_the_sections_in_order(pack_files):
    pack, files, steps, _ = pack_files
    assert [s.title for s in pack.sections] == ["红黄绿标识", "转诊流向", "重症医护配备", "药品与抗原储备", "出院患者随访", "医联体考核"]
    followup, scorecard = pack.sections[4:]
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


def test_pdf_pages_render(pack_files):
    pack, files, _, folder = pack_files
    pdf = folder / "pack.pdf"
    pdf.write_bytes(files["pdf"])
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "595.276 x 841.89" in info or "595.28 x 841.89" in info  # A4 in points
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "NotoSansCJK" in fonts and " yes " in fonts  # embedded
    out = Path(os.environ.get("BRIEF_PNG_DIR") or folder) / "pack"
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf), str(out)], check=True)
    pages = sorted(out.parent.glob("pack-*.png"))
    assert len(pages) >= 8  # cover, six sections, the action list
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "分级诊疗工作周报简报" in text and "内蒙古自治区" in text and "需要处理的机构" in text
    assert "出院患者随访" in text and "医联体考核" in text
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
