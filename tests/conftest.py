"""Shared fixtures: every test gets its own data folder and database, never the checkout's var/."""
from __future__ import annotations

from pathlib import Path

import pytest

from dashboard import policy, store

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def data_dir(tmp_path, monkeypatch) -> Path:
    """HC_DATA_DIR (uploads, salt) and HC_DB_PATH inside the test's temp folder."""
    monkeypatch.setenv("HC_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("HC_DB_PATH", str(tmp_path / "db.duckdb"))
    monkeypatch.delenv("HC_POLICY_OVERRIDES", raising=False)
    policy.reload()
    yield tmp_path
    policy.reload()


@pytest.fixture
def con(data_dir):
    """A fresh database in the test's temp folder."""
    connection = store.connect(data_dir / "db.duckdb")
    yield connection
    connection.close()


@pytest.fixture
def fixture_bytes():
    """Bytes of a hand-made file under tests/fixtures/."""
    return lambda name: (FIXTURES / name).read_bytes()
