"""Named SQL: one file per metric in queries/, `$name` parameters, results as polars frames."""
from __future__ import annotations

import re
from functools import lru_cache

import duckdb
import polars as pl

from dashboard import config, store

_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


@lru_cache(maxsize=None)
def sql(name: str) -> str:
    path = config.QUERIES / f"{name}.sql"
    if not path.exists():
        raise KeyError(f"no query named {name!r} in {config.QUERIES}")
    return path.read_text(encoding="utf-8")


def parameters(name: str) -> set[str]:
    text = re.sub(r"--[^\n]*", "", sql(name))
    return set(_PARAM.findall(text))


def run(name: str, con: duckdb.DuckDBPyConnection | None = None, **params) -> pl.DataFrame:
    """Run queries/<name>.sql with the parameters it names (extra keyword arguments are ignored,
    so a page can pass its whole filter set; a missing one is an error)."""
    wanted = parameters(name)
    missing = wanted - params.keys()
    if missing:
        raise TypeError(f"query {name!r} needs parameters {sorted(missing)}")
    cur = con if con is not None else store.cursor()
    return cur.sql(sql(name), params={k: params[k] for k in wanted}).pl()
