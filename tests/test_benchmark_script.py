"""scripts/benchmark.py runs end to end at a tiny scale and writes the report's keys (no timings asserted:
speed is measured by the script, never in tests)."""
from __future__ import annotations

import json
import subprocess
import sys

from dashboard import config

SCRIPT = config.ROOT / "scripts" / "benchmark.py"


def test_benchmark_writes_its_report(tmp_path):
    out = tmp_path / "report.json"
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--scales", "0.001", "--repeat", "1", "--no-browser", "--no-pandas",
         "--transfers", "0", "--out", str(out)],
        cwd=config.ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = json.loads(out.read_text(encoding="utf-8"))
    assert {"command", "machine", "week", "one_x_rows", "scales", "ratios", "skipped"} <= report.keys()
    entry = report["scales"]["0.001x"]
    assert entry["rows"] == round(3_138_918 * 0.001) == 3139
    load = entry["load"]
    assert {"product", "duckdb_floor", "duckdb_with_hashes"} <= load.keys() and "pandas" not in load
    # every row of the generated register was accepted and stored, and the floor read them all
    assert load["product"]["rows"] == load["product"]["stored"] == 3139
    assert load["duckdb_floor"]["rows"] == load["duckdb_with_hashes"]["rows"] == 3139
    assert all(v["peak_rss_mb"] > 0 for v in load.values())
    pages = entry["queries"]["pages"]
    assert set(pages) == {"overview", "labelling", "referrals", "icu", "stock", "fever", "staff", "followup", "scorecard", "data_quality"}
    for slug, page in pages.items():
        assert page["queries"] > 0 and page["errors"] == [], slug
    assert entry["queries"]["register_rows"] == 3139
    ratios = report["ratios"]["0.001x"]
    assert {"load_product_over_duckdb_floor", "load_product_peak_rss_mb"} <= ratios.keys()
    assert "0.001x" in proc.stdout and "load: product / floor" in proc.stdout


def test_benchmark_load_only_keeps_the_original_and_notes_the_load_average(tmp_path):
    """--load-only measures the product's load (through load_path, with an upload key) and its DuckDB
    floors, and nothing else; each measurement carries the machine's load average."""
    out = tmp_path / "report.json"
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--scales", "0.001", "--load-only", "--no-pandas", "--out", str(out)],
        cwd=config.ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    entry = json.loads(out.read_text(encoding="utf-8"))["scales"]["0.001x"]
    product = entry["load"]["product"]
    assert (product["via"], product["original_kept_encrypted"], product["stored"]) == ("path", True, 3139)
    assert all(len(v["load_average"]["before"]) == 3 for v in entry["load"].values())
    assert "queries" not in entry and "browser" not in entry
