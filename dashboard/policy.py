"""Policy numbers: read from data/policy.toml, overridable by a commission's own file.

`policy()["icu.nurses_per_bed"]` returns the number a check uses: `value`, or for a range the end named
by `strict`. `policy_range("icu.nurses_per_bed")` returns (low, high) where both ends are shown.
"""
from __future__ import annotations

import hashlib
import json
import tomllib
from functools import lru_cache
from pathlib import Path

from dashboard import config

POLICY_FILE = config.DATA / "policy.toml"


def _flatten(tree: dict) -> dict[str, dict]:
    return {f"{group}.{name}": spec for group, items in tree.items() for name, spec in items.items()}


@lru_cache(maxsize=1)
def rules() -> dict[str, dict]:
    """Every rule with its value(s), unit and source, overrides applied."""
    merged = _flatten(tomllib.loads(POLICY_FILE.read_text(encoding="utf-8")))
    override = config.policy_override_path()
    if override:
        for key, spec in _flatten(tomllib.loads(Path(override).read_text(encoding="utf-8"))).items():
            if key not in merged:
                raise KeyError(f"policy override names an unknown rule: {key}")
            unknown = set(spec) - {"value", "low", "high", "strict"}
            if unknown:
                raise KeyError(f"policy override for {key} may not change {sorted(unknown)}")
            merged[key] = {**merged[key], **spec, "overridden": True}
    return merged


def value(key: str) -> float:
    spec = rules()[key]
    if "value" in spec:
        return spec["value"]
    return spec[spec.get("strict", "high")]


def policy_range(key: str) -> tuple[float, float]:
    spec = rules()[key]
    return spec["low"], spec["high"]


def params(*keys: str) -> dict[str, float]:
    """Query parameters named after the rules: 'icu.nurses_per_bed' -> $icu_nurses_per_bed."""
    return {key.replace(".", "_"): value(key) for key in keys}


@lru_cache(maxsize=1)
def fingerprint() -> str:
    """Changes whenever a number that aggregates depend on changes (every cached figure's key holds it;
    computed once per policy, like `rules`)."""
    return hashlib.sha256(json.dumps(rules(), sort_keys=True).encode()).hexdigest()[:16]


def reload() -> None:
    rules.cache_clear()
    fingerprint.cache_clear()
