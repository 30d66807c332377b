"""Headless command line for operators on the server (scheduled loads, accounts, the audit trail):
`python -m dashboard …`. Whoever can run it can read and change the database directly, so it asks
for no account: it is for the server's operators, and the audit trail names their login.

Exit codes: 0 all files accepted (or a clean dry run); 1 at least one file rejected (the others
are still loaded, each on its own); 2 bad usage; 3 the database is busy (another process holds it).
"""
from __future__ import annotations

import argparse
import contextlib
import getpass
import json
import os
import sys
from pathlib import Path

from dashboard import auth, config, store, weeks
from dashboard.store import access

from dashboard.ingest import contracts, loading, messages

EXIT_OK, EXIT_REJECTED, EXIT_USAGE, EXIT_BUSY = 0, 1, 2, 3
# CSV (and .txt exports), Excel old and new, WPS Spreadsheets, LibreOffice/OpenOffice Calc.
SUFFIXES = (".csv", ".txt", ".xlsx", ".xls", ".et", ".ods")


def _files(target: Path) -> list[Path]:
    if target.is_dir():
        return sorted(p for p in target.iterdir() if p.suffix.lower() in SUFFIXES and not p.name.startswith("."))
    return [target]


def _order(paths: list[Path], dataset: str | None) -> list[Path]:
    """In the contracts' dependency order (contracts.load_order: a dataset after those its columns refer
    to, so the facility register comes before the files naming its facilities), each file's dataset as
    chosen or as its headers say; files of no known dataset last (they are refused, with the reason)."""
    rank = {name: i for i, name in enumerate(contracts.load_order())}

    def key(path: Path) -> tuple[int, str]:
        name = dataset or loading.sniff_dataset(path)
        return rank.get(name, len(rank)), path.name
    return sorted(paths, key=key)


def cmd_load(args) -> int:
    target = Path(args.path)
    if not target.exists():
        print(f"error: no such file or folder: {target}", file=sys.stderr)
        return EXIT_USAGE
    paths = _order(_files(target), args.dataset)
    if not paths:
        print(f"error: no CSV or spreadsheet files ({', '.join(SUFFIXES)}) in {target}", file=sys.stderr)
        return EXIT_USAGE
    who = args.user or auth.operator()
    if len(paths) == 1:
        # One file: staged outside the write lock, published under it (loading.stage_and_publish),
        # so pages of other processes wait only for the insert, not for reading and checking.
        publication, con = None, None
    else:
        # A folder is one publication: pages see the database before this command or after it, never
        # half of it (a week's register without its reports), and each file is checked against the
        # files before it (the facility register first): loaded in place, under the lock throughout.
        publication = contextlib.ExitStack()
        con = publication.enter_context(access.writing(args.db, wait_s=args.wait, on_wait=_say_waiting))
    worst = EXIT_OK
    for path in paths:
        options = dict(dataset=args.dataset, week=args.week, user=args.user, dry_run=args.dry_run)
        if con is None:
            result = loading.stage_and_publish(
                path, db=args.db, wait_s=args.wait, on_wait=_say_waiting,
                after=lambda c, r: auth.record_load(c, who, "operator (cli)", r), **options)
        else:
            result = loading.load_path(path, con=con, **options)
            auth.record_load(con, who, "operator (cli)", result)
        if args.json:
            print(json.dumps({
                "file": str(path), "outcome": result.outcome, "dataset": result.dataset,
                "week": result.week.isoformat() if result.week else None, "rows": result.rows,
                "errors": result.error_count, "warnings": result.warning_count,
                "replaced_rows": result.replaced_rows, "load_id": result.load_id,
                "findings": [{"severity": f.severity, "row": f.row, "column": f.column, "code": f.code,
                              "message": f.message(args.lang)} for f in result.findings],
            }, ensure_ascii=False))
        else:
            print(result.summary(args.lang))
            for finding in result.findings[: args.max_messages]:
                print(f"  [{finding.severity}] {finding.message(args.lang)}")
            hidden = len(result.findings) - args.max_messages
            if hidden > 0:
                print(f"  … {hidden} more")
        # A dry run that finds errors fails too, so a scheduled `check` can gate the real load.
        if result.outcome == "rejected" or result.error_count:
            worst = EXIT_REJECTED
    if publication is not None:
        publication.close()
    return worst


def cmd_log(args) -> int:
    with access.reading(args.db, wait_s=args.wait, on_wait=_say_waiting):
        rows = _read(args.db).execute(
        """select load_id, loaded_at, user_name, dataset, week, file_name, rows, outcome, errors, warnings
           from load_log order by load_id desc limit $n""", {"n": args.limit}).fetchall()
    print("id\tloaded_at\tuser\tdataset\tweek\tfile\trows\toutcome\terrors\twarnings")
    for row in rows:
        print("\t".join("" if v is None else str(v)[:19] if i == 1 else str(v) for i, v in enumerate(row)))
    return EXIT_OK


def _say_waiting(what: str) -> None:
    zh, en = access.WAIT_MESSAGES[what]
    print(f"{zh} / {en}", file=sys.stderr, flush=True)


def _read(db: str | None):
    """A cursor on the read session just opened: a database that does not exist yet is created
    first (through the write lock), so `log` on a new installation prints an empty log."""
    target = db or str(config.db_path())
    if not Path(target).exists():
        with access.writing(target):
            pass
    return store.cursor()


def _password(args) -> str | None:
    if args.identity_provider:
        return None
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("密码 / password: ")
    if first != getpass.getpass("再次输入 / again: "):
        raise ValueError("the two passwords differ")
    return first


def cmd_user(args) -> int:
    """Accounts: add, list, role, disable, enable, passwd (the first administrator is made here)."""
    try:
        if args.action == "list":
            with access.reading(args.db, wait_s=args.wait, on_wait=_say_waiting):
                rows = auth.users(_read(args.db))
            print("user\trole\tsigns_in_with\tcreated\tdisabled")
            for name, role, has_pw, created, off in rows:
                print(f"{name}\t{role}\t{'password' if has_pw else 'identity provider'}\t{str(created)[:19]}\t{off}")
            return EXIT_OK
        if not args.name:
            print("error: a user name is needed", file=sys.stderr)
            return EXIT_USAGE
        password = _password(args) if args.action in ("add", "passwd") else None
        by = auth.operator() + " (cli)"
        with access.writing(args.db, wait_s=args.wait, on_wait=_say_waiting) as con:
            if args.action == "add":
                auth.add_user(con, args.name, args.role, password, by=by)
            elif args.action == "role":
                auth.set_role(con, args.name, args.role, by=by)
            elif args.action in ("disable", "enable"):
                auth.set_disabled(con, args.name, args.action == "disable", by=by)
            elif args.action == "passwd":
                auth.set_password(con, args.name, password, by=by)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(f"{args.action}: {args.name} done")
    return EXIT_OK


def cmd_audit(args) -> int:
    """The audit trail, newest first: tab-separated, or a CSV file with --csv."""
    with access.reading(args.db, wait_s=args.wait, on_wait=_say_waiting):
        _read(args.db)
        trail = auth.audit_rows(store.cursor(), args.limit)
    if args.csv:
        Path(args.csv).write_bytes(trail.write_csv().encode("utf-8-sig"))
        print(f"{trail.height} lines written to {args.csv}")
        return EXIT_OK
    print("\t".join(auth.AUDIT_COLUMNS))
    for row in trail.iter_rows():
        print("\t".join("" if v is None else str(v)[:19] if i == 1 else str(v) for i, v in enumerate(row)))
    return EXIT_OK


def cmd_templates(args) -> int:
    from dashboard.ingest import templates

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for name in contracts.DATASETS:
        (out / f"{name}_template.xlsx").write_bytes(templates.xlsx(name))
        (out / f"{name}_template.csv").write_bytes(templates.csv(name))
    print(f"templates written to {out}")
    return EXIT_OK


def cmd_keygen(args) -> int:
    print(config.new_upload_key())
    print("Set it as HC_UPLOAD_KEY (or put it in a file named by HC_UPLOAD_KEY_FILE) outside the data folder; "
          "keep a copy with your backups of the key, not of the data.", file=sys.stderr)
    return EXIT_OK


def cmd_original(args) -> int:
    """Write the original bytes of a kept upload (decrypted with the configured key)."""
    with access.reading(args.db, wait_s=args.wait, on_wait=_say_waiting):
        row = _read(args.db).execute("select stored_path from load_log where load_id = $id",
                                     {"id": args.load_id}).fetchone()
    if not row or not row[0]:
        print(f"error: load {args.load_id} kept no original", file=sys.stderr)
        return EXIT_USAGE
    try:
        data = loading.read_original(row[0])
    except (ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    fd = os.open(args.out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # personal data: owner only
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    return EXIT_OK


def cmd_demo(args) -> int:
    from dashboard import demo

    with access.writing(args.db, wait_s=args.wait, on_wait=_say_waiting) as con:
        print(demo.ensure_demo(con, force=args.force))
    return EXIT_OK


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m dashboard", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--db", help="database file (default: HC_DB_PATH or var/dashboard.duckdb)")
    p.add_argument("--lang", choices=["zh", "en"], default="zh", help="language of messages (default zh)")
    p.add_argument("--wait", type=float, default=access.WRITE_WAIT_S,
                   help="seconds to wait for another load or for pages being opened (default %(default)g)")
    sub = p.add_subparsers(dest="command", required=True)

    load = sub.add_parser("load", help="load a file or every CSV/spreadsheet file in a folder")
    load.add_argument("path")
    load.add_argument("--dataset", choices=contracts.DATASETS, help="default: detected from the headers")
    load.add_argument("--week", help="ISO week (2022-W51) or a date in it; default: from the file name")
    load.add_argument("--user", help="who is loading (default: the login name)")
    load.add_argument("--dry-run", action="store_true", help="validate and report, write nothing but the log")
    load.add_argument("--json", action="store_true", help="one JSON object per file on stdout")
    load.add_argument("--max-messages", type=int, default=20)
    load.set_defaults(func=cmd_load)

    dry = sub.add_parser("check", help="same as load --dry-run")
    for action in load._actions[1:]:
        if action.dest not in ("dry_run", "help"):
            dry._add_action(action)
    dry.set_defaults(func=cmd_load, dry_run=True)

    log = sub.add_parser("log", help="show the load log, newest first")
    log.add_argument("--limit", type=int, default=30)
    log.set_defaults(func=cmd_log)

    tpl = sub.add_parser("templates", help="write every upload template (xlsx and csv), one per dataset")
    tpl.add_argument("out")
    tpl.set_defaults(func=cmd_templates)

    key = sub.add_parser("keygen", help="print a new key for encrypting kept uploads (HC_UPLOAD_KEY)")
    key.set_defaults(func=cmd_keygen)

    original = sub.add_parser("original", help="decrypt the kept original of a load into a file (owner-only)")
    original.add_argument("load_id", type=int)
    original.add_argument("out")
    original.set_defaults(func=cmd_original)

    user = sub.add_parser("user", help="accounts: add, list, role, disable, enable, passwd")
    user.add_argument("action", choices=["add", "list", "role", "disable", "enable", "passwd"])
    user.add_argument("name", nargs="?")
    user.add_argument("--role", choices=auth.ROLES, default="commissioner")
    user.add_argument("--password-stdin", action="store_true", help="read the password from one line of stdin")
    user.add_argument("--identity-provider", action="store_true",
                      help="the account signs in through the identity provider (its name is the e-mail address)")
    user.set_defaults(func=cmd_user)

    audit = sub.add_parser("audit", help="the audit trail: who loaded, replaced or was refused what, and when")
    audit.add_argument("--limit", type=int, default=1000)
    audit.add_argument("--csv", help="write it to this CSV file instead")
    audit.set_defaults(func=cmd_audit)

    demo = sub.add_parser("demo", help="load the embedded demo data into an empty database")
    demo.add_argument("--force", action="store_true", help="load even if the database has data")
    demo.set_defaults(func=cmd_demo)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if getattr(args, "week", None):
        try:
            weeks.parse_week(args.week)
        except ValueError:
            zh, en = messages.week_error(args.week)
            print(f"错误：{zh}\nerror: {en}", file=sys.stderr)  # both languages: --lang may come after it
            return EXIT_USAGE
    try:
        return args.func(args)
    except (store.StoreBusy, access.Timeout) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BUSY
