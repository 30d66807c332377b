"""Every figure of every page, rendered to PNG as a commissioner would paste it into Word.

The pages run on the embedded demo (HC_DEMO_SCALE=0.01) in both languages through Streamlit's AppTest;
every plotly figure they show is taken from the page and rendered by kaleido (Debian's Chromium,
fonts-noto-cjk, MathJax off). Two checks, from the figure's own layout and from its pixels:
- the reserved bands (title, legend, plot, axis, source) are in order, do not overlap, fit in the
  figure, and the legend's rows and the title fit the narrowest width the app shows a chart at;
- in the image, the gaps between bands are blank (nothing spills from one band into the next), the
  source band holds the source line, and the outermost rows and columns are blank (nothing clipped).
Set BRIEF_PNG_DIR to keep the images for a look.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import plotly.graph_objects as go
import plotly.io as pio
import pytest
from PIL import Image

from dashboard import demo, store
from dashboard.figures import briefing
from tests import apptest

PAGES = ["pages/overview.py", "pages/labelling.py", "pages/referrals.py", "pages/icu.py", "pages/stock.py"]
WIDTHS = (briefing.MIN_WIDTH, briefing.EXPORT_WIDTH)  # the in-app minimum and the export


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HC_DEMO_SCALE", "0.01")
        mp.setenv("HC_DATA_DIR", str(folder))
        con = store.connect(folder / "db.duckdb")
        demo.ensure_demo(con)
        con.close()
    return folder


def page_figures(folder: Path, page: str, lang: str, **choices) -> list[go.Figure]:
    """The page's figures, every tab's; `choices` preset sidebar keys (a county makes the referral map
    facility-level). A page whose tabs build only the open one (dashboard/ui/tabs.py, keyed
    f"{stem}_tab") has each of its tabs opened in turn, the way a click does; a map tab shows its
    briefing copy (the Plotly figure the PNG holds) rather than the interactive map."""
    from streamlit.testing.v1 import AppTest

    from dashboard.config import ROOT

    with apptest.database(folder):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        at.session_state["lang"] = lang
        at.session_state[f"{Path(page).stem}_map_view"] = "briefing"  # a map tab's Plotly copy (ui.map_view)
        for key, value in choices.items():
            at.session_state[key] = value
        at.run()
        at.switch_page(page)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        specs = [c.proto.spec for c in at.get("plotly_chart")]
        stem = Path(page).stem
        if f"{stem}_tab" in at.session_state:
            for label in [tab.label for tab in at.tabs][1:]:
                at.session_state[f"{stem}_tab_{lang}"] = label
                at.session_state["lang"] = lang  # AppTest does not keep the router's sidebar radio between runs
                at.run()
                assert not at.exception, [e.value for e in at.exception]
                specs += [c.proto.spec for c in at.get("plotly_chart")]
        return [go.Figure(json.loads(spec)) for spec in specs]


@pytest.fixture(scope="module")
def figures(demo_db) -> list[tuple[str, go.Figure]]:
    out = []
    for page in PAGES:
        for lang in ("zh", "en"):
            for i, fig in enumerate(page_figures(demo_db, page, lang)):
                out.append((f"{Path(page).stem}_{lang}_{i:02d}", fig))
    # one league and county: county maps named by county, the referral map at facility level (OD matrix)
    for page in ("pages/referrals.py", "pages/labelling.py", "pages/icu.py", "pages/stock.py"):
        for i, fig in enumerate(page_figures(demo_db, page, "zh", f_league="150100", f_county="150102")):
            out.append((f"{Path(page).stem}_county_{i:02d}", fig))
    return out


def test_every_page_shows_figures(figures):
    pages = {name.split("_")[0] for name, _ in figures}
    assert {"labelling", "referrals", "icu", "stock"} <= pages
    assert len(figures) >= 30
    flow_maps = [name for name, fig in figures if any(w in fig.layout.title.text for w in ("转诊流向（前", "Referral flows (top"))]
    assert len(flow_maps) == 3, flow_maps  # Chinese, English, one county


def test_bands_do_not_overlap_and_fit(figures):
    for name, fig in figures:
        height = fig.layout.height
        b = briefing.bands(fig)
        order = ["title", "legend", "plot", "axis", "source"]
        edges = [b[k] for k in order]
        assert edges[0][0] == 0 and edges[-1][1] == height, name
        for (top, bottom) in edges:
            assert 0 <= top <= bottom <= height, (name, b)
        for (_, upper_end), (lower_start, _) in zip(edges, edges[1:]):
            assert upper_end <= lower_start, (name, b)
        assert b["plot"][1] - b["plot"][0] >= 120, (name, "the plot keeps room to be read", b)
        entries = briefing.legend_entries(fig)
        if fig.layout.meta["legend_rows"]:
            assert briefing.legend_rows(entries) * briefing.LEGEND_ROW <= b["legend"][1] - b["legend"][0], name
        lines = [fig.layout.title.text] + ([fig.layout.title.subtitle.text] if fig.layout.title.subtitle.text else [])
        size = fig.layout.title.font.size
        assert all(briefing.text_width(line, size) <= briefing.MIN_WIDTH - 20 for line in lines), name
        source = [a for a in fig.layout.annotations if a.name == "source"]
        assert len(source) == 1, name
        assert briefing.text_width(source[0].text, briefing.SOURCE_SIZE) <= briefing.MIN_WIDTH - 20, name


def _blank_rows(img: Image.Image, top: int, bottom: int) -> bool:
    """True when rows top..bottom-1 are white (a light anti-aliasing tolerance)."""
    if bottom <= top:
        return True
    strip = img.crop((0, top, img.width, bottom)).convert("L")
    return strip.getextrema()[0] >= 235


def _has_ink(img: Image.Image, top: int, bottom: int) -> bool:
    strip = img.crop((0, top, img.width, bottom)).convert("L")
    return strip.getextrema()[0] < 200


@pytest.mark.parametrize("width", WIDTHS)
def test_rendered_images_keep_their_bands(figures, width, tmp_path):
    pio.defaults.mathjax = None
    names = [n for n, _ in figures]
    figs = [f for _, f in figures]
    keep = os.environ.get("BRIEF_PNG_DIR")
    folder = Path(keep) if keep else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"{name}_{width}.png" for name in names]
    # one Chromium for the lot (kaleido's batch), at the figures' own heights
    pio.write_images(figs, paths, format="png", scale=1, width=width, height=[f.layout.height for f in figs])
    problems = []
    for name, fig, path in zip(names, figs, paths):
        img = Image.open(path).convert("RGB")
        b = briefing.bands(fig)
        height = img.height
        checks = {
            "top edge is blank": _blank_rows(img, 0, 3),
            "title has ink": _has_ink(img, 0, b["title"][1]),
            "gap under the title is blank": _blank_rows(img, b["title"][1] - 2, b["title"][1]),
            # (the top tick label is centred on the plot's top edge: half of it, 8 px, may rise above)
            "gap over the plot is blank": _blank_rows(img, b["legend"][1] + 2, b["plot"][0] - 9),
            "gap over the source is blank": _blank_rows(img, b["axis"][1] + 2, b["source"][0]),
            "source has ink": _has_ink(img, b["source"][0], b["source"][1]),
            "bottom edge is blank": _blank_rows(img, height - 2, height),
            "right edge is blank": img.crop((width - 3, 0, width, height)).convert("L").getextrema()[0] >= 235,
        }
        problems += [f"{name} at {width}px: {what}" for what, ok in checks.items() if not ok]
    assert not problems, problems
