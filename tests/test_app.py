"""Every page renders in both languages (Streamlit AppTest), on the hand-made fixture and on the demo."""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import navigation
from dashboard.config import ROOT
from tests.conftest import chinese_leaks, render

PAGES = [p.path for p in navigation.pages()]  # every page the app lists, new ones included
TITLES = {
    "pages/overview.py": ("分级诊疗工作总览", "Tiered care at a glance"),
    "pages/upload.py": ("上传数据", "Upload data"),
    "pages/data_quality.py": ("数据质量", "Data quality"),
}


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_page_renders_on_fixture(shell_app, page, lang):
    at = render(page, lang, check=False)
    assert not at.exception, [e.value for e in at.exception]
    assert not [e for e in at.error], [e.value for e in at.error]
    if page in TITLES:
        assert at.title[0].value == TITLES[page][0 if lang == "zh" else 1]


@pytest.mark.parametrize("page", ["pages/overview.py", "pages/upload.py", "pages/data_quality.py"])
def test_english_shell_pages_have_no_chinese(shell_app, page):
    # facility and area names are data and stay as they are; the shell's own words must be English
    at = render(page, "en")
    leaks = chinese_leaks(at)
    assert not leaks, leaks


def test_overview_numbers_on_fixture(shell_app):
    at = render("pages/overview.py", "zh")
    metrics = {m.label: m.value for m in at.metric}
    # see tests/test_shell_queries.py for the hand computation
    assert metrics["台账人数"] == "4"
    assert metrics["已标识比例"] == "75.0%"
    assert metrics["本周转诊"] == "3"
    assert metrics["医师缺口"] == "2"
    assert metrics["护士缺口"] == "5"


def test_language_switch_changes_navigation(shell_app):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    assert at.title[0].value == "分级诊疗工作总览"
    at.radio(key="lang").set_value("en").run()
    assert at.title[0].value == "Tiered care at a glance"

