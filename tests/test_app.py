"""Every page renders in both languages (Streamlit AppTest), on the hand-made fixture and on the demo."""
from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import store
from dashboard.config import ROOT

PAGES = ["pages/overview.py", "pages/labelling.py", "pages/referrals.py", "pages/icu.py", "pages/stock.py",
         "pages/upload.py", "pages/data_quality.py"]
TITLES = {
    "pages/overview.py": ("分级诊疗工作总览", "Tiered care at a glance"),
    "pages/upload.py": ("上传每周数据", "Upload the week's data"),
    "pages/data_quality.py": ("数据质量", "Data quality"),
}
CJK = re.compile(r"[\u3400-\u9fff]")


@pytest.fixture(scope="module")
def fixture_db(tmp_path_factory):
    from tests.shell_fixture import load_shell_fixture

    folder = tmp_path_factory.mktemp("apptest")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HC_DATA_DIR", str(folder))
        con = store.connect(folder / "db.duckdb")
        load_shell_fixture(con)
        con.close()
    return folder


@pytest.fixture()
def app_env(fixture_db, monkeypatch):
    monkeypatch.setenv("HC_DATA_DIR", str(fixture_db))
    monkeypatch.setenv("HC_DB_PATH", str(fixture_db / "db.duckdb"))
    yield
    store.close_shared()


def render(page: str, lang: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["lang"] = lang
    at.run()
    at.switch_page(page)
    at.run()
    return at


def visible_text(at: AppTest) -> list[str]:
    texts = [e.value for e in at.title] + [e.value for e in at.header] + [e.value for e in at.subheader]
    texts += [e.value for e in at.markdown] + [e.value for e in at.caption]
    return [str(t) for t in texts]


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_page_renders_on_fixture(app_env, page, lang):
    at = render(page, lang)
    assert not at.exception, [e.value for e in at.exception]
    assert not [e for e in at.error], [e.value for e in at.error]
    if page in TITLES:
        assert at.title[0].value == TITLES[page][0 if lang == "zh" else 1]


@pytest.mark.parametrize("page", ["pages/overview.py", "pages/upload.py", "pages/data_quality.py"])
def test_english_shell_pages_have_no_chinese(app_env, page):
    # facility and area names are data and stay as they are; the shell's own words must be English
    at = render(page, "en")
    leaks = [text for text in visible_text(at) if CJK.search(text) and "·" not in text]
    assert not leaks, leaks


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_overview_shows_what_each_page_shows(app_env, lang):
    """One definition per metric: every figure of the overview, label and value, is on the page it links
    to with the same value (see tests/test_shell_queries.py for the hand computation)."""
    from dashboard import headlines

    shown = [(m.label, m.value) for m in render("pages/overview.py", lang).metric]
    assert len(shown) == 18  # labelling 4, referrals 5, ICU 5, stock 4
    overview, start = {}, 0
    for page, size in (("pages/labelling.py", 4), ("pages/referrals.py", 5), ("pages/icu.py", 5), ("pages/stock.py", 4)):
        part = dict(shown[start:start + size])
        start += size
        on_page = {m.label: m.value for m in render(page, lang).metric}
        assert {label: on_page.get(label) for label in part} == part, page
        overview.update(part)
    assert [f.__name__ for f in headlines.TOPICS][0] == "labelling_headline"
    from dashboard import i18n

    label = lambda key: i18n.t(key, lang)  # noqa: E731
    assert (overview[label("labelling.metric.labelled")], overview[label("referrals.metric.referrals")],
            overview[label("referrals.metric.compliance")]) == ("75.0%", "3", "50.0%")
    assert (overview[label("icu.metric.doctor_gap")], overview[label("icu.metric.nurse_gap")],
            overview[label("icu.metric.reserve_gap")]) == ("2", "5", "4")


def test_language_switch_changes_navigation(app_env):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    assert at.title[0].value == "分级诊疗工作总览"
    at.radio(key="lang").set_value("en").run()
    assert at.title[0].value == "Tiered care at a glance"

