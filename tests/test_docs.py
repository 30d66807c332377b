"""docs/datasets.md is generated from the contracts (scripts/make_dataset_docs.py, run by setup.sh):
every dataset, column and alias of data/datasets.toml must be in what it writes."""
from __future__ import annotations

import importlib.util
import subprocess
import sys

from dashboard import config

from dashboard.ingest import contracts

SCRIPT = config.ROOT / "scripts" / "make_dataset_docs.py"


def _generator():
    spec = importlib.util.spec_from_file_location("make_dataset_docs", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_dataset_column_and_alias_is_documented(data_dir):
    text = _generator().render()
    assert f"Analysts upload {len(contracts.DATASETS)} datasets" in text
    for name in contracts.DATASETS:
        ds = contracts.dataset(name)
        assert f"(`{name}`)" in text
        assert ("A re-upload replaces the day." if ds.replace_by == "day" else "A re-upload replaces the week.") in text
        if ds.must_report:
            assert ds.must_report in text
        for col in ds.columns:
            assert col.zh in text and col.en in text, col.name
            for alias in col.aliases:
                assert alias in text, (name, col.name, alias)


def test_setup_writes_the_docs():
    assert "scripts/make_dataset_docs.py" in (config.ROOT / "scripts" / "setup.sh").read_text(encoding="utf-8")


def test_check_mode_agrees_with_a_fresh_write(tmp_path):
    generator = _generator()
    written = subprocess.run([sys.executable, str(SCRIPT)], capture_output=True, text=True, cwd=config.ROOT)
    assert written.returncode == 0, written.stderr
    assert generator.TARGET.read_text(encoding="utf-8") == generator.render()
    check = subprocess.run([sys.executable, str(SCRIPT), "--check"], capture_output=True, text=True, cwd=config.ROOT)
    assert check.returncode == 0, check.stderr


def test_every_finding_is_documented(data_dir):
    """Each error and warning code the loader can give has a row in docs/datasets.md (the corpus and
    property tests check that every code they meet is in the catalogue)."""
    from dashboard.ingest import messages

    text = (config.ROOT / "docs" / "datasets.md").read_text(encoding="utf-8")
    for code in messages.catalogue():
        assert f"| `{code}` |" in text, code
    for fmt in (".xlsx", ".xls", ".et", ".ods", "GBK", "semicolons", "UTF-16", "Latin-1"):
        assert fmt in text, fmt
