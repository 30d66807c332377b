"""Project conventions that keep the code honest: every query tested, every string translated."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from dashboard import config, i18n

ROOT = config.ROOT
CJK = re.compile(r"[\u3400-\u9fff]")


def _sources(*folders: str) -> list[Path]:
    files = [ROOT / "app.py"]
    for folder in folders:
        files += sorted((ROOT / folder).rglob("*.py"))
    return files


@pytest.mark.parametrize("query", sorted(p.stem for p in config.QUERIES.glob("*.sql")))
def test_every_query_has_a_test(query):
    tests = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "tests").rglob("test_*.py"))
    assert re.search(rf"['\"]{re.escape(query)}['\"]", tests), f"queries/{query}.sql is not run by any test"


@pytest.mark.parametrize("query", sorted(p.stem for p in config.QUERIES.glob("*.sql")))
def test_every_query_states_its_grain(query):
    head = (config.QUERIES / f"{query}.sql").read_text(encoding="utf-8").split("\n", 6)
    assert any("grain" in line.lower() for line in head if line.startswith("--")), f"{query}.sql: say its grain"


def test_every_translation_has_both_languages():
    for key, entry in i18n.catalog().items():
        assert entry["zh"].strip() and entry["en"].strip(), key


def test_english_strings_have_no_chinese():
    bilingual = {"app.sidebar.language"}  # the language switch names both languages on purpose
    leaks = [k for k, e in i18n.catalog().items() if k not in bilingual and CJK.search(e["en"])]
    assert not leaks, f"English text with Chinese characters: {leaks}"


def test_every_key_used_in_code_exists():
    used = set()
    for path in _sources("dashboard", "pages"):
        used |= set(re.findall(r"\bt\(\s*\"([a-z_]+\.[a-z0-9_.]+)\"", path.read_text(encoding="utf-8")))
    missing = sorted(k for k in used if k not in i18n.catalog())
    assert not missing, f"translation keys used but not defined: {missing}"


def test_pages_hold_no_sql():
    for path in sorted((ROOT / "pages").glob("*.py")):
        text = path.read_text(encoding="utf-8").lower()
        assert not re.search(r"\bselect\b[^\n]*\bfrom\b", text), f"{path.name} has SQL: move it to queries/"
        assert ".execute(" not in text and ".sql(" not in text, f"{path.name} talks to the database directly"


# Pages only lay out: filters -> metric function -> figure builder -> place. Dataframe shaping (polars
# expressions, filters, joins, group-bys, derived columns) belongs in the metric modules in dashboard/.
DATAFRAME_LOGIC = re.compile(
    r"\bpl\.|\.with_columns\(|\.filter\(|\.group_by\(|\.agg\(|\.pivot\(|\.sort\(|\.unique\(|(?<![\"'])\.join\(")


def _page_files() -> list[Path]:
    return sorted((ROOT / "pages").glob("*.py"))


@pytest.mark.parametrize("path", _page_files(), ids=lambda p: p.name)
def test_pages_hold_no_dataframe_logic(path):
    lines = [f"{n}: {line.strip()}" for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if DATAFRAME_LOGIC.search(line.split("#", 1)[0])]
    assert not lines, f"pages/{path.name} shapes data (move it to a metric module):\n" + "\n".join(lines[:10])


def test_dataframe_logic_check_catches_what_it_should():
    caught = ["x = frame.filter(pl.col('a') > 1)", "frame.with_columns(b=1)", "frame.group_by('a')",
              "a.join(b, on='k')", "pl.lit(None)"]
    passed = ["'、'.join(names)", "\", \".join(names)", "st.dataframe(table)", "query('icu_staffing_by_hospital')"]
    assert all(DATAFRAME_LOGIC.search(x) for x in caught)
    assert not any(DATAFRAME_LOGIC.search(x) for x in passed)
