"""Where things live. Every path can be moved by an environment variable, so tests and
deployments never write into the source tree unless they mean to."""
from __future__ import annotations

import base64
import os
import secrets
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
QUERIES = ROOT / "queries"


_umask_lock = threading.Lock()
_umask_set = False


def private_umask() -> None:
    """From now on this process creates files and folders for its owner only (umask 077 added to
    the current one): the database, its WAL, kept uploads and the salt hold personal data and are
    never readable by others, from the moment they exist (no chmod after writing)."""
    global _umask_set
    with _umask_lock:
        if not _umask_set:
            current = os.umask(0o077)
            os.umask(current | 0o077)
            _umask_set = True


def private_dir(path: Path) -> Path:
    """A folder created owner-only (mode 0700) if it is not there yet."""
    private_umask()
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def data_dir() -> Path:
    """Runtime data: the database, kept uploads, the salt. Default `var/` in the checkout."""
    return private_dir(Path(os.environ.get("HC_DATA_DIR", ROOT / "var")))


def db_path() -> Path:
    return Path(os.environ.get("HC_DB_PATH", data_dir() / "dashboard.duckdb"))


def uploads_dir() -> Path:
    return private_dir(data_dir() / "uploads")


def upload_key() -> bytes | None:
    """The AES-256 key that encrypts kept original uploads: HC_UPLOAD_KEY (32 bytes, URL-safe base64,
    as `python -m dashboard keygen` prints), or the file named by HC_UPLOAD_KEY_FILE. It must not
    live in the data folder: a copy of that folder must not carry its own key. None when not set
    (then originals are not kept). Raises ValueError for a malformed key or one beside the data."""
    text = os.environ.get("HC_UPLOAD_KEY")
    source = "HC_UPLOAD_KEY"
    if not text and os.environ.get("HC_UPLOAD_KEY_FILE"):
        path = Path(os.environ["HC_UPLOAD_KEY_FILE"]).resolve()
        data = Path(os.environ.get("HC_DATA_DIR", ROOT / "var")).resolve()
        if path.is_relative_to(data):
            raise ValueError(f"HC_UPLOAD_KEY_FILE {path} is inside the data folder {data}: keep the key elsewhere")
        text, source = path.read_text().strip(), str(path)
    if not text:
        return None
    try:
        key = base64.urlsafe_b64decode(text.strip())
    except ValueError as exc:
        raise ValueError(f"{source} is not URL-safe base64") from exc
    if len(key) != 32:
        raise ValueError(f"{source} must be 32 bytes (256 bits) in URL-safe base64; it has {len(key)}")
    return key


def new_upload_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def salt() -> str:
    """The salt for hashing ID numbers and phones: HC_SALT, else a file made on first run.
    Losing it means people can no longer be matched across weeks, so it lives next to the database."""
    if os.environ.get("HC_SALT"):
        return os.environ["HC_SALT"]
    path = data_dir() / "salt.txt"
    if not path.exists():
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # owner-only from the start
        except FileExistsError:
            pass  # another thread or process made it first: use theirs
        else:
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_hex(32))
    return path.read_text().strip()


def policy_override_path() -> Path | None:
    env = os.environ.get("HC_POLICY_OVERRIDES")
    if env:
        return Path(env)
    default = ROOT / "config" / "policy.override.toml"
    return default if default.exists() else None
