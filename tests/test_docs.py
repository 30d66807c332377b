"""docs/datasets.md is generated from the contracts: it fails here when it is out of date."""
from __future__ import annotations

import importlib.util

from dashboard import config, contracts

SCRIPT = config.ROOT / "scripts" / "make_dataset_docs.py"


def _generator():
    spec = importlib.util.spec_from_file_location("make_dataset_docs", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_datasets_doc_is_up_to_date(data_dir):
    generator = _generator()
    current = generator.TARGET.read_text(encoding="utf-8")
    assert current == generator.render(), "docs/datasets.md is out of date: run .venv/bin/python scripts/make_dataset_docs.py"


def test_every_column_and_alias_is_documented(data_dir):
    text = (config.ROOT / "docs" / "datasets.md").read_text(encoding="utf-8")
    for name in contracts.DATASETS:
        ds = contracts.dataset(name)
        assert f"(`{name}`)" in text
        for col in ds.columns:
            assert col.zh in text and col.en in text, col.name
            for alias in col.aliases:
                assert alias in text, (name, col.name, alias)


def test_every_finding_is_documented(data_dir):
    """Each error and warning code the loader can give has a row in docs/datasets.md (the corpus and
    property tests check that every code they meet is in the catalogue)."""
    from dashboard import messages

    text = (config.ROOT / "docs" / "datasets.md").read_text(encoding="utf-8")
    for code in messages.catalogue():
        assert f"| `{code}` |" in text, code
    for fmt in (".xlsx", ".xls", ".et", ".ods", "GBK", "semicolons", "UTF-16", "Latin-1"):
        assert fmt in text, fmt
