"""Translations: data/i18n/<section>.toml files of [key] zh/en pairs, keys prefixed by the file's
name ('app.title', 'values.tier.primary'). Chinese is the default language."""
from __future__ import annotations

import re
import tomllib
from functools import lru_cache

from dashboard import config

LANGS = ("zh", "en")
DEFAULT = "zh"


def _walk(prefix: str, node: dict, out: dict[str, dict[str, str]]) -> None:
    if "zh" in node and "en" in node and all(isinstance(node[k], str) for k in LANGS):
        out[prefix] = {k: node[k] for k in LANGS}
        return
    for key, child in node.items():
        if isinstance(child, dict):
            _walk(f"{prefix}.{key}", child, out)


@lru_cache(maxsize=1)
def catalog() -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for path in sorted((config.DATA / "i18n").glob("*.toml")):
        _walk(path.stem, tomllib.loads(path.read_text(encoding="utf-8")), out)
    return out


# A policy number inside a text: {policy:stock.min_cover_days} (the value), {policy:stock.population_share.low%}
# (an end of a range, as a percentage). Filled from data/policy.toml with the commission's overrides, so
# a text never freezes a number that a commission may change.
_POLICY = re.compile(r"\{policy:([a-z0-9_.]+?)(\.low|\.high)?(%)?\}")


def _policy_number(match: re.Match) -> str:
    from dashboard import policy

    key, end, percent = match.groups()
    value = policy.policy_range(key)[0 if end == ".low" else 1] if end else policy.value(key)
    if percent:
        return f"{value * 100:g}%"
    return f"{value:g}" if isinstance(value, float) else str(value)


def t(key: str, lang: str = DEFAULT, **fmt) -> str:
    entry = catalog().get(key)
    if entry is None:
        raise KeyError(f"no translation for {key!r}")
    text = _POLICY.sub(_policy_number, entry[lang])
    return text.format(**fmt) if fmt else text


def value(group: str, stored: str | None, lang: str = DEFAULT) -> str:
    """Display name of a stored value ('tier', 'primary') -> '基层医疗卫生机构'. A dataset's name is
    its contract's (data/datasets.toml), so a new dataset needs no translation entry."""
    if stored is None:
        return "—"
    if group == "dataset":
        from dashboard.ingest import contracts

        return contracts.dataset(stored).label(lang) if stored in contracts.DATASETS else str(stored)
    entry = catalog().get(f"values.{group}.{stored}")
    return entry[lang] if entry else str(stored)
