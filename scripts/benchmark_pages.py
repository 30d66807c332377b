"""How fast the mission pages' queries run on a province's data (not a test: figures to read).

    .venv/bin/python scripts/benchmark_pages.py [--db PATH]

Without --db it builds the full-scale demo (about 2.8 million people a week for five weeks, 45,000
referrals in the peak week; takes ~2 minutes and ~4.5 GB of memory) in a temporary folder. Prints the
median of 5 runs per query and each as a ratio to the cheapest, all measured in this one run.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="an existing database (default: build the full demo)")
    args = parser.parse_args()
    if not args.db:
        folder = tempfile.mkdtemp(prefix="hc-bench-")
        os.environ["HC_DATA_DIR"] = folder
    from dashboard import demo, icu, labelling, queries, referrals, stock, store

    con = store.connect(args.db) if args.db else store.connect(Path(os.environ["HC_DATA_DIR"]) / "bench.duckdb")
    if not args.db:
        print(demo.ensure_demo(con))
    peak = dt.date(2022, 12, 19)
    area = dict(league_code=None, county_code=None, consortium=None)
    people = con.execute("select count(*) from register").fetchall()[0][0]
    print(f"register rows: {people:,}")
    cases = {
        "labelling_by_facility (one week)": ("labelling_by_facility", dict(week=peak, **area, **labelling.params())),
        "labelling_by_facility (all weeks)": ("labelling_by_facility", dict(week=None, **area, **labelling.params())),
        "labelling_found_by_county": ("labelling_found_by_county", dict(week=peak, **area)),
        "labelling_correction_list": ("labelling_correction_list", dict(week=peak, facility_code="P150102001")),
        "referral_classified (peak week)": ("referral_classified", dict(week_from=peak, week_to=peak, **area, **referrals.params())),
        "icu_staffing_by_hospital": ("icu_staffing_by_hospital", dict(week=peak, **area, **icu.params())),
        "stock_by_facility": ("stock_by_facility", dict(week=peak, **area, **stock.params())),
    }
    timings = {}
    for label, (name, params) in cases.items():
        runs = []
        for _ in range(5):
            started = time.perf_counter()
            rows = queries.run(name, con=con.cursor(), **params).height
            runs.append(time.perf_counter() - started)
        timings[label] = (statistics.median(runs), rows)
    cheapest = min(t for t, _ in timings.values())
    for label, (seconds, rows) in timings.items():
        print(f"{label:38s} {rows:>7,} rows  {seconds * 1000:7.1f} ms  x{seconds / cheapest:5.1f}")


if __name__ == "__main__":
    main()
