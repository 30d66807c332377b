"""Every page renders in both languages (Streamlit AppTest), on the hand-made fixture and on the demo."""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.ui import navigation
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


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_overview_shows_what_each_page_shows(shell_app, lang):
    """One definition per metric: every figure of the overview, label and value, is on the page it links
    to with the same value (see tests/test_shell_queries.py for the hand computation). Every topic of
    dashboard.metrics.headlines.TOPICS is checked, the ones added later included."""
    from dashboard.metrics import headlines
    from dashboard import i18n
    from dashboard.store import queries
    from tests.shell_fixture import WEEK

    at = render("pages/overview.py", lang)
    shown = [(m.label, m.value) for m in at.metric]
    worst_on_overview = {b.key: b.label for b in at.button if (b.key or "").startswith("worst_")}
    assert worst_on_overview  # the fixture has places to name
    topics = headlines.all_headlines(queries.run, WEEK, {"league_code": None, "county_code": None, "consortium": None})
    assert len(shown) == sum(len(h.figures) for h in topics)
    overview, start = {}, 0
    for headline in topics:
        size = len(headline.figures)
        part = dict(shown[start:start + size])
        start += size
        page = render(headline.page, lang)
        on_page = {m.label: m.value for m in page.metric}
        assert {label: on_page.get(label) for label in part} == part, headline.page
        # the page is headed by the same verdict, in the same order, and names the same worst places
        assert [(m.label, m.value) for m in page.metric][:size] == list(part.items()), headline.page
        worst_on_page = {b.key: b.label for b in page.button if (b.key or "").startswith(f"worst_{headline.topic}_")}
        assert worst_on_page == {k: v for k, v in worst_on_overview.items() if k.startswith(f"worst_{headline.topic}_")}, headline.page
        overview.update(part)
    assert [f.__name__ for f in headlines.TOPICS][0] == "labelling_headline"
    label = lambda key: i18n.t(key, lang)  # noqa: E731
    assert (overview[label("labelling.metric.labelled")], overview[label("referrals.metric.referrals")],
            overview[label("referrals.metric.compliance")]) == ("75.0%", "3", "50.0%")
    assert (overview[label("icu.metric.doctor_gap")], overview[label("icu.metric.nurse_gap")],
            overview[label("icu.metric.reserve_gap")]) == ("2", "5", "4")


def test_language_switch_changes_navigation(shell_app):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    assert at.title[0].value == "分级诊疗工作总览"
    at.radio(key="lang").set_value("en").run()
    assert at.title[0].value == "Tiered care at a glance"

