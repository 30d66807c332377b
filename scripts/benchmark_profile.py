"""Where the register load spends its wall time: py-spy samples `loading.load_bytes` on a generated
register and prints each product function's inclusive share of the samples (the main thread, idle
waits included, so time spent inside DuckDB counts for the Python line that called it).

    .venv/bin/pip install py-spy          # profiling only: not a product dependency
    .venv/bin/python scripts/benchmark_profile.py --scale 1
    .venv/bin/python scripts/benchmark_profile.py --pages DB   # each page's server-side script time

The register is the one scripts/benchmark.py generates; the database holds the demo's other datasets.
"""
from __future__ import annotations

import argparse
import collections
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT))

import benchmark  # noqa: E402

FRAME = re.compile(r"^(?P<func>[^ ]+) \((?P<file>[^:]+)(?::\d+)?\)$")


def shares(raw: Path) -> tuple[int, list[tuple[str, float]]]:
    """Inclusive share of samples per product function (each counted once per stack)."""
    total, counts = 0, collections.Counter()
    for line in raw.read_text().splitlines():
        stack, _, n = line.rpartition(" ")
        if not n.isdigit() or "load_bytes" not in stack:
            continue
        total += int(n)
        seen = set()
        for frame in stack.split(";"):
            m = FRAME.match(frame.strip())
            if m and "dashboard/" in m["file"]:
                seen.add(f"{Path(m['file']).stem}.{m['func']}")
        for name in seen:
            counts[name] += int(n)
    return total, [(k, v / total) for k, v in counts.most_common(25)] if total else []


def page_times(db: Path, repeat: int = 3) -> None:
    """Each page's Python script run (AppTest, no browser): the first run with empty caches, then the
    median of warm runs. The browser's render time minus this is the front end's share."""
    import os
    import statistics
    import time

    os.environ.update(HC_DB_PATH=str(db), HC_DATA_DIR=str(db.parent / "data_product"), HC_SALT=benchmark.SALT)
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    for page_file, slug, _ in benchmark.PAGES:
        st.cache_data.clear()
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
        at.session_state["lang"] = "zh"
        at.run()
        at.switch_page(page_file)
        runs = []
        for _ in range(repeat + 1):
            t0 = time.perf_counter()
            at.run()
            runs.append(time.perf_counter() - t0)
        print(f"  {slug:13s} script first {runs[0]:6.2f} s  warm {statistics.median(runs[1:]):6.2f} s"
              f"  charts {len(at.get('plotly_chart'))} maps {len(at.get('deck_gl_json_chart'))}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--scale", type=float, default=1.0)
    p.add_argument("--rate", type=int, default=50, help="samples a second")
    p.add_argument("--pages", help="a benchmark database: time each page's script instead")
    args = p.parse_args()
    if args.pages:
        page_times(Path(args.pages))
        return
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(spy).exists():
        raise SystemExit("py-spy is missing: .venv/bin/pip install py-spy (profiling only)")
    with tempfile.TemporaryDirectory(prefix="hc_profile_") as tmp:
        work = Path(tmp)
        rows = round(benchmark.INNER_MONGOLIA_65_PLUS * args.scale)
        csv = work / "register.csv"
        benchmark.write_register(csv, rows)
        db = work / "db.duckdb"
        env = {**benchmark.os.environ, "HC_SALT": benchmark.SALT, "HC_DATA_DIR": str(work / "data")}
        benchmark.run_child("base", {"db": str(db)}, env)
        spec = json.dumps({"db": str(db), "file": str(csv), "week": benchmark.week().isoformat()})
        raw = work / "profile.txt"
        subprocess.run([spy, "record", "--idle", "--rate", str(args.rate), "--format", "raw", "-o", str(raw), "--",
                        sys.executable, str(ROOT / "scripts" / "benchmark.py"), "--child", "product", spec],
                       env=env, cwd=ROOT, check=True, capture_output=True)
        total, top = shares(raw)
        print(f"{rows:,} rows, {total:,} samples in load_bytes (main thread, inclusive shares):")
        for name, share in top:
            print(f"  {share:6.1%}  {name}")


if __name__ == "__main__":
    main()
