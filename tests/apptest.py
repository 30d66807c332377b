"""Kept so existing imports (`from tests import apptest`) work: the page-test helpers live in
tests/conftest.py. New tests use the conftest helpers and fixtures directly."""
from tests.conftest import CJK, chinese_leaks, database, loaded_database, metrics, open_tab, render, visible_text  # noqa: F401
