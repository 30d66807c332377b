"""Data contracts for the five datasets, read from data/datasets.toml."""
from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from dashboard import config

DATASETS = ("facility", "register", "transfer", "icu", "stock")


@dataclass(frozen=True)
class Column:
    name: str
    zh: str
    en: str
    type: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    required_when: str | None = None
    personal: bool = False
    enum: str | None = None
    min: float | None = None
    max: float | None = None
    max_column: str | None = None
    not_before: str | None = None
    pattern: str | None = None
    references: str | None = None
    compare_last_week: bool = False
    note: str | None = None

    def headers(self) -> tuple[str, ...]:
        return (self.name, self.zh, self.en, *self.aliases)

    def label(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class Dataset:
    name: str
    zh: str
    en: str
    grain: str
    key: tuple[str, ...]
    columns: tuple[Column, ...] = field(default_factory=tuple)
    must_report: str | None = None     # SQL condition on the facility register: who owes this report

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    def label(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en

    @property
    def stored_columns(self) -> tuple[Column, ...]:
        """Columns kept in clear in the database (personal ones are hashed or dropped)."""
        return tuple(c for c in self.columns if not c.personal)


def normalise_header(text: str) -> str:
    """Fold width (全角 -> 半角), case, spaces and brackets so '年龄（岁）' matches '年龄(岁)'."""
    text = unicodedata.normalize("NFKC", str(text)).strip().lower()
    return re.sub(r"[\s_\-()\[\]]+", "", text)


@lru_cache(maxsize=1)
def _raw() -> dict:
    return tomllib.loads((config.DATA / "datasets.toml").read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def dataset(name: str) -> Dataset:
    spec = _raw()[name]
    columns = tuple(
        Column(**{**c, "aliases": tuple(c.get("aliases", ()))}) for c in spec["columns"]
    )
    return Dataset(name, spec["zh"], spec["en"], spec["grain"], tuple(spec["key"]), columns,
                   spec.get("must_report"))


def enum_values(enum: str) -> dict[str, tuple[str, ...]]:
    """Stored value -> accepted spellings (the stored value itself is always accepted)."""
    return {value: (value, *spellings) for value, spellings in _raw()["enums"][enum].items()}


def enum_lookup(enum: str) -> dict[str, str]:
    """Normalised spelling -> stored value."""
    return {
        normalise_header(spelling): value
        for value, spellings in enum_values(enum).items()
        for spelling in spellings
    }


def header_map(ds: Dataset, headers: list[str]) -> tuple[dict[str, str], list[str]]:
    """Map file headers to contract column names. Returns (file header -> column name, extras)."""
    wanted = {normalise_header(h): c.name for c in ds.columns for h in c.headers()}
    mapping: dict[str, str] = {}
    extras: list[str] = []
    for header in headers:
        name = wanted.get(normalise_header(header))
        if name and name not in mapping.values():
            mapping[header] = name
        else:
            extras.append(header)
    return mapping, extras


def detect_dataset(headers: list[str]) -> str | None:
    """The dataset whose required columns the headers cover best (all required ones must be there)."""
    best, best_score = None, 0.0
    for name in DATASETS:
        ds = dataset(name)
        mapping, _ = header_map(ds, headers)
        found = set(mapping.values())
        required = {c.name for c in ds.columns if c.required}
        if not required <= found:
            continue
        score = len(found) / len(ds.columns)
        if score > best_score:
            best, best_score = name, score
    return best
