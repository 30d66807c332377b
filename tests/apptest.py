"""Rendering the app's pages with Streamlit's AppTest, shared by the page tests."""
from __future__ import annotations

import re
from contextlib import contextmanager
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import store
from dashboard.config import ROOT

CJK = re.compile(r"[\u3400-\u9fff]")


@contextmanager
def database(folder: Path):
    """Point the app at a prepared fixture database (non-empty, so the demo does not load)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HC_DATA_DIR", str(folder))
        mp.setenv("HC_DB_PATH", str(folder / "db.duckdb"))
        try:
            yield
        finally:
            store.close_shared()


def render(page: str, lang: str = "zh") -> AppTest:
    """Run app.py in `lang`, then switch to `page` (e.g. 'pages/icu.py')."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["lang"] = lang
    at.run()
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def chinese_leaks(at: AppTest) -> list[str]:
    """Texts of an English page that still hold Chinese, leaving out lines that carry data names
    (area and facility names are data and stay as they are: the caption 'area · week')."""
    texts = [e.value for e in at.title] + [e.value for e in at.header] + [e.value for e in at.subheader]
    texts += [e.value for e in at.markdown] + [e.value for e in at.caption]
    return [str(x) for x in texts if CJK.search(str(x)) and "·" not in str(x)]


@contextmanager
def loaded_database(folder: Path, files):
    """A database in `folder` with the given (dataset, csv text, week) files loaded through the real
    pipeline, each of which must be accepted. Yields the connection."""
    from dashboard import loading

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HC_DATA_DIR", str(folder))
        con = store.connect(folder / "db.duckdb")
        try:
            for dataset, text, week in files:
                result = loading.load_bytes(text.encode("utf-8"), f"{dataset}.csv", dataset=dataset, week=week, con=con)
                assert result.outcome == "accepted", (dataset, [f.message_en for f in result.errors])
            yield con
        finally:
            con.close()
