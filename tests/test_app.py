"""Every page renders in both languages (Streamlit AppTest), on the hand-made fixture and on the demo."""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.ui import navigation
from dashboard.config import ROOT
from tests.conftest import chinese_leaks, database, loaded_database, render

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


@pytest.fixture(scope="module")
def followup_and_scorecard_db(tmp_path_factory):
    """The scorecard's three consortia (tests/scorecard_fixture.py: visits and transfers of week W) with the
    follow-up page's discharge register of W-1 and W (tests/test_followup.py), both worked by hand there."""
    from tests import scorecard_fixture
    from tests.shell_fixture import PREV, WEEK
    from tests.test_followup import register

    folder = tmp_path_factory.mktemp("followup_scorecard")
    files = (*scorecard_fixture.FILES, ("discharge", register(0), PREV), ("discharge", register(1), WEEK))
    with loaded_database(folder, files):
        pass
    return folder


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_overview_shows_what_the_followup_and_scorecard_pages_show(followup_and_scorecard_db, lang):
    """The two later topics where they have data (the shell fixture has none: there both read '—').
    Follow-up (tests/test_followup.py): 17 patients under management; follow-up met by 4 of the 6
    judged = 66.7%; signing on time 10 of the 11 judged = 90.9%; R12 positive, R10 missing; the
    patients short (R03, R04) are both at P1, the one worst place (2 people, of 6 judged there).
    Scorecard (tests/test_scorecard.py): A and C cover all six indicators, B does not (a member did not
    report): 2/3 ranked, 1 not; C is last with 73.7 points; 1 of the 8 members owing the report is
    silent. The worst places are the ranked consortia from the lowest: C, then A."""
    from dashboard.metrics import headlines
    from dashboard.store import queries
    from tests.scorecard_fixture import WEEK

    zh = lang == "zh"
    with database(followup_and_scorecard_db):
        topics = headlines.all_headlines(queries.run, WEEK, {"league_code": None, "county_code": None, "consortium": None})
        overview = render("pages/overview.py", lang)
        shown = [(m.label, m.value) for m in overview.metric]
        assert len(shown) == sum(len(h.figures) for h in topics)
        worst = {b.key: b.label for b in overview.button if (b.key or "").startswith("worst_")}
        parts, start = {}, 0
        for headline in topics:
            parts[headline.topic] = shown[start:start + len(headline.figures)]
            start += len(headline.figures)
        for topic in ("followup", "scorecard"):
            headline = next(h for h in topics if h.topic == topic)
            page = render(headline.page, lang)
            assert [(m.label, m.value) for m in page.metric][:len(headline.figures)] == parts[topic], topic
            on_page = {b.key: b.label for b in page.button if (b.key or "").startswith(f"worst_{topic}_")}
            assert on_page == {k: v for k, v in worst.items() if k.startswith(f"worst_{topic}_")}, topic
    assert parts["followup"] == ([("在管出院患者", "17"), ("本周随访达标率", "66.7%"), ("一周内签约建档", "90.9%"),
                                  ("观察期核酸阳性", "1"), ("缺核酸检测结果", "1")] if zh else
                                 [("Patients under management", "17"), ("Follow-up met this week", "66.7%"),
                                  ("Signed and filed within the week", "90.9%"), ("Observation test positive", "1"),
                                  ("Observation test missing", "1")])
    assert [v for k, v in worst.items() if k.startswith("worst_followup_")] == \
        (["东街社区卫生服务中心（2人）"] if zh else ["东街社区卫生服务中心 (2 people)"])
    assert parts["scorecard"] == ([("参加排名的医联体", "2/3"), ("未排名的医联体", "1"),
                                   ("排名最后：托克托县县域医共体", "73.7 分"), ("未报送周报的成员", "1/8")] if zh else
                                  [("Consortia ranked", "2/3"), ("Consortia not ranked", "1"),
                                   ("Ranked last: 托克托县县域医共体", "73.7 pts"), ("Members without a report", "1/8")])
    names = [v for k, v in worst.items() if k.startswith("worst_scorecard_")]
    assert [n.split("（" if zh else " (")[0] for n in names] == ["托克托县县域医共体", "新城区城市医疗集团"]
    assert names[0] == ("托克托县县域医共体（73.7 分）" if zh else "托克托县县域医共体 (73.7 pts)")


def test_language_switch_changes_navigation(shell_app):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    assert at.title[0].value == "分级诊疗工作总览"
    at.radio(key="lang").set_value("en").run()
    assert at.title[0].value == "Tiered care at a glance"



def test_the_servers_warm_up_freezes_the_import_heap_and_gives_the_switch_interval_back(caplog, monkeypatch, tmp_path):
    """The warm-up (app.py, run by `streamlit run` while the first browser loads the front end) ends
    with everything it imported out of the collector's reach and the interpreter's switch interval as
    it found it (it shortens it only while it imports)."""
    import gc
    import importlib.util
    import logging
    import sys

    monkeypatch.setenv("HC_DB_PATH", str(tmp_path / "absent.duckdb"))  # no file: nothing to read ahead
    spec = importlib.util.spec_from_file_location("app_under_test", ROOT / "app.py")
    app = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(app)
    before = sys.getswitchinterval()
    gc.unfreeze()
    try:
        with caplog.at_level(logging.INFO, logger="dashboard"):
            app._warm()
        assert gc.get_freeze_count() > 100_000  # the libraries' and the app's modules
    finally:
        gc.unfreeze()
    assert sys.getswitchinterval() == before != app.SWITCH_WHILE_WARMING_S
    assert any("warmed up in" in r.message for r in caplog.records)
    assert not any(r.levelno >= logging.ERROR for r in caplog.records)
