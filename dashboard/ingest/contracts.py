"""Data contracts, one per dataset, read from data/datasets.toml: the only place that lists datasets.

A contract names its fields (type, required, enum, aliases, personal), the strings that mean "no
value" (`missing_values`), the unit a re-upload replaces (`replace_by`: week or day), who must report
(`must_report`, a SQL condition on the facility register) and which column names the reporting
facility (`reported_by`); how each personal column is pseudonymised or dropped (`personal`), what a
repeated key does (`on_duplicate`), the checks across rows it asks for (`checks`), the columns worked
out at load (`derived`, with their SQL), whether a week's figures read the weeks before it
(`reads_history`) and which dataset a column refers to (`references`, which also
gives the order a folder loads in: `load_order`). The store's tables, validation, the templates, the
upload and data-quality pages, the reporting gaps and the dataset docs are all derived from it."""
from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from dashboard import config



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
    references: str | None = None      # the dataset whose key this column must name (checked at load)
    compare_last_week: bool = False
    within_week: bool = False          # a time that should fall inside the chosen week (warning)
    fill_when_blank: str | None = None  # SQL working out a blank cell from other columns ($week bound)
    unfilled: str | None = None        # the finding when it stays blank (an error)
    note: str | None = None
    example: str | None = None         # the template's example cell

    def headers(self) -> tuple[str, ...]:
        return (self.name, self.zh, self.en, *self.aliases)

    def label(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class Pseudonym:
    """How a personal column is kept out of the database: `key` names the stored salted SHA-256 key
    (first 64 bits) of the value, `masked` the stored masked form (150102********123X); neither means
    the value is dropped (a name, a birth date once the age is known)."""
    column: str
    key: str | None = None
    masked: str | None = None


@dataclass(frozen=True)
class Dataset:
    name: str
    zh: str
    en: str
    grain: str
    key: tuple[str, ...]
    columns: tuple[Column, ...] = field(default_factory=tuple)
    must_report: str | None = None     # SQL condition on the facility register: who owes this report
    must_report_source: str | None = None
    replace_by: str = "week"           # what a re-upload replaces: "week" or "day"
    reported_by: str | None = None     # the column naming the facility that sent a row
    reported_in: str | None = None     # a smaller table holding (week, reported_by) for the same loads
    missing_values: tuple[str, ...] = ("",)
    derived: tuple[tuple[str, str], ...] = ()  # (stored column, SQL type) worked out at load
    note: str | None = None            # what the docs add about this dataset
    personal: tuple[Pseudonym, ...] = ()  # how each personal column is pseudonymised or dropped
    on_duplicate: str = "refuse"       # a key given twice: "refuse" the file, or "keep_first" with a warning
    duplicate_finding: str = "duplicate_key"
    checks: tuple[str, ...] = ()       # named checks across rows (validation.DATASET_CHECKS)
    derived_sql: tuple[tuple[str, str], ...] = ()  # (stored column, SQL computing it from the typed row)
    reads_history: bool = False        # a week's figures read the weeks before it: they load together

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    def label(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en

    @property
    def stored_columns(self) -> tuple[Column, ...]:
        """Columns kept in clear in the database (personal ones are hashed or dropped)."""
        return tuple(c for c in self.columns if not c.personal)

    def pseudonym(self, column: str) -> Pseudonym | None:
        return next((p for p in self.personal if p.column == column), None)

    @property
    def pseudonym_columns(self) -> tuple[str, ...]:
        """Stored columns made from personal ones, in table order: keys, then masked forms."""
        keys = [p.key for p in self.personal if p.key]
        return tuple(keys + [p.masked for p in self.personal if p.masked])

    @property
    def references(self) -> dict[str, str]:
        """Column -> the dataset whose key it names."""
        return {c.name: c.references for c in self.columns if c.references}


def normalise_header(text: str) -> str:
    """Fold width (全角 -> 半角), case, spaces and brackets so '年龄（岁）' matches '年龄(岁)'."""
    text = unicodedata.normalize("NFKC", str(text)).strip().lower()
    return re.sub(r"[\s_\-()\[\]]+", "", text)


@lru_cache(maxsize=1)
def _raw() -> dict:
    return tomllib.loads((config.DATA / "datasets.toml").read_text(encoding="utf-8"))


_NOT_DATASETS = {"enums", "defaults"}
GRAINS = ("week", "day")


def dataset_names() -> tuple[str, ...]:
    """Every dataset, in the contract file's order (the facility register first: others refer to it)."""
    return tuple(k for k, v in _raw().items() if k not in _NOT_DATASETS and isinstance(v, dict))


@lru_cache(maxsize=None)
def dataset(name: str) -> Dataset:
    spec = _raw()[name]
    defaults = _raw().get("defaults", {})
    personal = _pseudonyms(name, spec)
    columns = tuple(
        Column(**{**c, "aliases": tuple(c.get("aliases", ())),
                  "personal": c.get("personal", False) or c["name"] in {p.column for p in personal}})
        for c in spec["columns"]
    )
    personal += tuple(_default_pseudonym(c) for c in columns
                      if c.personal and c.name not in {p.column for p in personal})
    on_duplicate = spec.get("on_duplicate", "refuse")
    if on_duplicate not in ("refuse", "keep_first"):
        raise ValueError(f"datasets.toml [{name}]: on_duplicate must be 'refuse' or 'keep_first', not {on_duplicate!r}")
    replace_by = spec.get("replace_by", "week")
    if replace_by not in GRAINS:
        raise ValueError(f"datasets.toml [{name}]: replace_by must be one of {GRAINS}, not {replace_by!r}")
    return Dataset(
        name, spec["zh"], spec["en"], spec["grain"], tuple(spec["key"]), columns,
        must_report=spec.get("must_report"), must_report_source=spec.get("must_report_source"),
        replace_by=replace_by, reported_by=spec.get("reported_by"), reported_in=spec.get("reported_in"),
        missing_values=tuple(spec.get("missing_values", defaults.get("missing_values", [""]))),
        derived=tuple((d["name"], d["sql_type"]) for d in spec.get("derived", ())),
        note=spec.get("note"),
        personal=personal, on_duplicate=on_duplicate,
        duplicate_finding=spec.get("duplicate_finding", "duplicate_key"),
        checks=tuple(spec.get("checks", ())),
        derived_sql=tuple((d["name"], d["sql"]) for d in spec.get("derived", ()) if "sql" in d),
        reads_history=bool(spec.get("reads_history", False)),
    )


def _pseudonyms(name: str, spec: dict) -> tuple[Pseudonym, ...]:
    """[<dataset>.personal]: column = "drop", or { key = "...", masked = "..." }."""
    out = []
    for column, how in spec.get("personal", {}).items():
        if how == "drop":
            out.append(Pseudonym(column))
        elif isinstance(how, dict) and set(how) <= {"key", "masked"} and how:
            out.append(Pseudonym(column, how.get("key"), how.get("masked")))
        else:
            raise ValueError(f"datasets.toml [{name}.personal]: {column} must be \"drop\" or {{ key = ..., masked = ... }}")
    return tuple(out)


def _default_pseudonym(col: Column) -> Pseudonym:
    """A column marked `personal = true` and not listed under [<dataset>.personal]: dropped."""
    return Pseudonym(col.name)


def read_every_week() -> tuple[str, ...]:
    """Datasets whose every week a week's figures may read: those whose weeks read each other
    (`reads_history`) and those a contract's `must_report` selects from (who owes the follow-up list
    is who has ever listed a patient)."""
    names = set(dataset_names())
    named = {m for name in names for m in re.findall(r"\bfrom\s+(\w+)", dataset(name).must_report or "", re.I)}
    return tuple(n for n in dataset_names() if dataset(n).reads_history or n in named)


def load_order(names: tuple[str, ...] | None = None) -> tuple[str, ...]:
    """Datasets in an order where each comes after the datasets its columns refer to (the facility
    register before everything that names a facility); the contract file's order otherwise."""
    names = tuple(names if names is not None else DATASETS)
    done: list[str] = []

    def visit(name: str, path: tuple[str, ...]) -> None:
        if name in done:
            return
        if name in path:
            raise ValueError(f"datasets.toml: datasets refer to each other in a circle: {' -> '.join(path + (name,))}")
        for target in dataset(name).references.values():
            if target != name and target in DATASETS:
                visit(target, path + (name,))
        done.append(name)

    for name in sorted(names, key=lambda n: DATASETS.index(n) if n in DATASETS else len(DATASETS)):
        visit(name, ())
    return tuple(n for n in done if n in names)


def daily(name: str) -> bool:
    return dataset(name).replace_by == "day"


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
    """The dataset the headers are: every required column of it is there, and it explains at least half
    of the file's named columns (a dataset that requires little, such as a daily report keyed by the
    facility code alone, must not claim any file that has a facility code). The best explained wins."""
    named = [h for h in headers if str(h).strip() and not str(h).startswith("__UNNAMED__")]
    best, best_score = None, (0.0, 0.0)
    for name in DATASETS:
        ds = dataset(name)
        mapping, _ = header_map(ds, headers)
        found = set(mapping.values())
        required = {c.name for c in ds.columns if c.required}
        if not required <= found or len(mapping) * 2 < len(named):
            continue
        score = (len(mapping) / max(len(named), 1), len(found) / len(ds.columns))
        if score > best_score:
            best, best_score = name, score
    return best


DATASETS: tuple[str, ...] = dataset_names()
