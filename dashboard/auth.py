"""Accounts, roles and the audit trail, kept in the database.

Roles, each including the one before: commissioner (reads every page), analyst (also uploads, checks
and replaces weeks), administrator (also manages accounts and the commission's policy overrides).
Passwords are hashed with Argon2id (argon2-cffi); only the hash is stored. With no account in the
database the dashboard runs as an open demo (every visitor is an analyst, and a banner says so); the
first account, an administrator, is made on the server: `python -m dashboard user add NAME --role
administrator`. From then on every visitor signs in.

Streamlit-free: the pages' side is dashboard/ui/auth.py.
"""
from __future__ import annotations

import datetime as dt
import getpass
import os

import duckdb
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

ROLES = ("commissioner", "analyst", "administrator")
OPEN_ROLE = "analyst"  # what everyone may do in the open demo (no account exists)
SESSION_HOURS = float(os.environ.get("HC_SESSION_HOURS", "8"))
MIN_PASSWORD = 10

SCHEMA = """
create table if not exists app_user (
    user_name varchar primary key,
    role varchar not null,             -- commissioner | analyst | administrator
    password_hash varchar,             -- Argon2id; null for an account that signs in through the identity provider
    created_at timestamp not null,
    disabled boolean not null default false
);
create sequence if not exists audit_id_seq start 1;
create table if not exists audit (
    audit_id bigint primary key,
    done_at timestamp not null,
    user_name varchar,
    role varchar,
    action varchar not null,           -- load | replace | check | refused | sign_in | sign_in_failed | user_add | user_role | user_disable | password | policy
    target varchar,                    -- what: the file and week, the account, the setting
    outcome varchar,                   -- accepted | rejected | dry_run | refused | ok | failed
    detail varchar
);
"""

_hasher = PasswordHasher()


class Refused(PermissionError):
    """The role does not allow this action."""


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(SCHEMA)


def allows(role: str | None, needed: str) -> bool:
    """True when `role` includes `needed` (commissioner < analyst < administrator)."""
    return role in ROLES and ROLES.index(role) >= ROLES.index(needed)


def require(role: str | None, needed: str, action: str = "") -> None:
    if not allows(role, needed):
        raise Refused(f"{action or 'this'} needs the {needed} role (has {role or 'none'})")


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"a password needs at least {MIN_PASSWORD} characters")
    return _hasher.hash(password)


def any_user(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether any account exists (none: the open demo)."""
    try:
        return con.execute("select count(*) from app_user").fetchall()[0][0] > 0
    except duckdb.CatalogException:
        return False  # a database from before accounts existed


def add_user(con, user_name: str, role: str, password: str | None, by: str) -> None:
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    name = user_name.strip()
    if not name:
        raise ValueError("a user name is needed")
    if con.execute("select count(*) from app_user where user_name = $u", {"u": name}).fetchall()[0][0]:
        raise ValueError(f"user {name} exists already")
    con.execute("insert into app_user values ($u, $r, $h, now()::timestamp, false)",
                {"u": name, "r": role, "h": hash_password(password) if password is not None else None})
    record(con, by, None, "user_add", name, "ok", role)


def set_role(con, user_name: str, role: str, by: str) -> None:
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    _must_exist(con, user_name)
    con.execute("update app_user set role = $r where user_name = $u", {"u": user_name, "r": role})
    record(con, by, None, "user_role", user_name, "ok", role)


def set_disabled(con, user_name: str, disabled: bool, by: str) -> None:
    _must_exist(con, user_name)
    con.execute("update app_user set disabled = $d where user_name = $u", {"u": user_name, "d": disabled})
    record(con, by, None, "user_disable" if disabled else "user_enable", user_name, "ok", None)


def set_password(con, user_name: str, password: str, by: str) -> None:
    _must_exist(con, user_name)
    con.execute("update app_user set password_hash = $h where user_name = $u",
                {"u": user_name, "h": hash_password(password)})
    record(con, by, None, "password", user_name, "ok", None)


def _must_exist(con, user_name: str) -> None:
    if not con.execute("select count(*) from app_user where user_name = $u", {"u": user_name}).fetchall()[0][0]:
        raise ValueError(f"no user {user_name}")


def users(con) -> list[tuple]:
    """(user_name, role, has_password, created_at, disabled), by name."""
    return con.execute("""select user_name, role, password_hash is not null, created_at, disabled
                          from app_user order by user_name""").fetchall()


def verify(con, user_name: str, password: str) -> str | None:
    """The account's role when the password is right and the account is enabled, else None (the
    same answer for an unknown name, a wrong password and a disabled account)."""
    rows = con.execute("select role, password_hash, disabled from app_user where user_name = $u",
                       {"u": user_name.strip()}).fetchall()
    if not rows:
        _hasher.hash("x" * MIN_PASSWORD)  # as slow as a real check: the time does not tell who exists
        return None
    role, stored, disabled = rows[0]
    if stored is None or disabled:
        return None
    try:
        _hasher.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    return role


def role_of_identity(con, email: str | None) -> str | None:
    """The role of someone signed in through the identity provider (st.login): the account named by
    their e-mail address, enabled; None when the commission has given them no role."""
    if not email:
        return None
    rows = con.execute("select role, disabled from app_user where lower(user_name) = lower($u)",
                       {"u": email.strip()}).fetchall()
    return rows[0][0] if rows and not rows[0][1] else None


def expires_at(now: dt.datetime | None = None) -> dt.datetime:
    return (now or dt.datetime.now()) + dt.timedelta(hours=SESSION_HOURS)


def record(con, user_name: str | None, role: str | None, action: str, target: str | None,
           outcome: str | None, detail: str | None) -> None:
    """One line of the audit trail (in the caller's write session)."""
    con.execute(
        """insert into audit values (nextval('audit_id_seq'), now()::timestamp, $u, $r, $a, $t, $o, $d)""",
        {"u": user_name, "r": role, "a": action, "t": target, "o": outcome, "d": detail})


def record_load(con, user_name: str, role: str | None, result) -> None:
    """A load's audit line: check, load, replace (a load that replaced rows) or a rejection."""
    action = ("check" if result.outcome == "dry_run"
              else "replace" if result.outcome == "accepted" and result.replaced_rows else "load")
    when = result.day.isoformat() if getattr(result, "day", None) else (result.week.isoformat() if result.week else None)
    target = " ".join(x for x in (result.dataset, when, result.file_name) if x)
    detail = f"load {result.load_id}: {result.rows} rows, {result.error_count} errors, replaced {result.replaced_rows or 0}"
    record(con, user_name, role, action, target, result.outcome, detail)


def operator() -> str:
    """Who runs the CLI: the server's login name (the CLI is for operators on the server)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "operator"


AUDIT_COLUMNS = ("audit_id", "done_at", "user_name", "role", "action", "target", "outcome", "detail")


def audit_rows(con, limit: int = 5000):
    """The audit trail, newest first, as a polars frame."""
    return con.sql(f"select {', '.join(AUDIT_COLUMNS)} from audit order by audit_id desc limit $n",
                   params={"n": limit}).pl()


def check_policy_override(text: str) -> None:
    """Raises ValueError unless `text` is a valid override file: TOML naming only rules of
    data/policy.toml and changing only their values (value, low, high, strict), numbers in range
    order. The same rules dashboard/policy.py applies when it reads the file."""
    import tomllib

    from dashboard import policy

    try:
        tree = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"not TOML: {exc}") from exc
    base = policy._flatten(tomllib.loads(policy.POLICY_FILE.read_text(encoding="utf-8")))
    try:
        overrides = policy._flatten(tree)
    except AttributeError as exc:
        raise ValueError("expected [group] tables of rules: [icu.nurses_per_bed] value = …") from exc
    for key, spec in overrides.items():
        if key not in base:
            raise ValueError(f"unknown rule {key}")
        if not isinstance(spec, dict) or set(spec) - {"value", "low", "high", "strict"}:
            raise ValueError(f"{key}: only value, low, high and strict may change")
        merged = {**base[key], **spec}
        for end in ("value", "low", "high"):
            if end in spec and not isinstance(spec[end], (int, float)):
                raise ValueError(f"{key}.{end} must be a number")
        if "low" in merged and "high" in merged and merged["low"] > merged["high"]:
            raise ValueError(f"{key}: low is above high")
