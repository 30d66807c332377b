"""Where things live. Every path can be moved by an environment variable, so tests and
deployments never write into the source tree unless they mean to."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
QUERIES = ROOT / "queries"


def data_dir() -> Path:
    """Runtime data: the database, kept uploads, the salt. Default `var/` in the checkout."""
    path = Path(os.environ.get("HC_DATA_DIR", ROOT / "var"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def db_path() -> Path:
    return Path(os.environ.get("HC_DB_PATH", data_dir() / "dashboard.duckdb"))


def uploads_dir() -> Path:
    path = data_dir() / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def salt() -> str:
    """The salt for hashing ID numbers and phones: HC_SALT, else a file made on first run.
    Losing it means people can no longer be matched across weeks, so it lives next to the database."""
    if os.environ.get("HC_SALT"):
        return os.environ["HC_SALT"]
    path = data_dir() / "salt.txt"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def policy_override_path() -> Path | None:
    env = os.environ.get("HC_POLICY_OVERRIDES")
    if env:
        return Path(env)
    default = ROOT / "config" / "policy.override.toml"
    return default if default.exists() else None
