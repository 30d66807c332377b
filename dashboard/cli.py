"""Headless command line for scheduled jobs: `python -m dashboard …`.

Exit codes: 0 all files accepted (or a clean dry run); 1 at least one file rejected (the others
are still loaded, each on its own); 2 bad usage; 3 the database is busy (another process holds it).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from dashboard import config, store, weeks

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
    con = store.connect(args.db)
    worst = EXIT_OK
    for path in paths:
        result = loading.load_path(path, dataset=args.dataset, week=args.week, user=args.user,
                                   dry_run=args.dry_run, con=con)
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
    con.close()
    return worst


def cmd_log(args) -> int:
    con = store.connect(args.db)
    rows = con.execute(
        """select load_id, loaded_at, user_name, dataset, week, file_name, rows, outcome, errors, warnings
           from load_log order by load_id desc limit $n""", {"n": args.limit}).fetchall()
    print("id\tloaded_at\tuser\tdataset\tweek\tfile\trows\toutcome\terrors\twarnings")
    for row in rows:
        print("\t".join("" if v is None else str(v)[:19] if i == 1 else str(v) for i, v in enumerate(row)))
    con.close()
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
    con = store.connect(args.db)
    row = con.execute("select stored_path from load_log where load_id = $id", {"id": args.load_id}).fetchone()
    con.close()
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

    con = store.connect(args.db)
    print(demo.ensure_demo(con, force=args.force))
    con.close()
    return EXIT_OK


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m dashboard", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--db", help="database file (default: HC_DB_PATH or var/dashboard.duckdb)")
    p.add_argument("--lang", choices=["zh", "en"], default="zh", help="language of messages (default zh)")
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
    except store.StoreBusy as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BUSY
