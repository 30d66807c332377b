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
