"""scripts/benchmark.py runs end to end at a tiny scale and writes the report's keys (no timings asserted:
speed is measured by the script, never in tests)."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from dashboard import config

sys.path.insert(0, str(config.ROOT / "scripts"))
import benchmark  # noqa: E402
from benchmark import PAGES  # noqa: E402

SCRIPT = config.ROOT / "scripts" / "benchmark.py"


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    """One run at 0.001x (3,139 register rows) with the pandas peers, no browser: (report, stdout)."""
    pytest.importorskip("pandas")  # a benchmark-only install (requirements-bench.txt)
    out = tmp_path_factory.mktemp("bench") / "report.json"
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--scales", "0.001", "--repeat", "1", "--no-browser", "--transfers", "0",
         "--out", str(out)],
        cwd=config.ROOT, capture_output=True, text=True, timeout=1800)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(out.read_text(encoding="utf-8")), proc.stdout


def test_benchmark_writes_its_report(tiny_run):
    report, stdout = tiny_run
    assert {"command", "machine", "week", "one_x_rows", "scales", "ratios", "skipped"} <= report.keys()
    entry = report["scales"]["0.001x"]
    assert entry["rows"] == round(3_138_918 * 0.001) == 3139
    load = entry["load"]
    assert {"product", "duckdb_floor", "duckdb_with_hashes", "pandas"} <= load.keys()
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
    assert "0.001x" in stdout and "load: product / floor" in stdout


def test_benchmark_load_only_keeps_the_original_and_notes_the_load_average(tmp_path):
    """--load-only measures the product's load (through load_path, with an upload key) and its DuckDB
    floors, and nothing else; each measurement carries the machine's load average. --load-repeat 3:
    three rounds of every peer, the median run reported with the seconds of all three."""
    out = tmp_path / "report.json"
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--scales", "0.001", "--load-only", "--no-pandas", "--load-repeat", "3",
         "--out", str(out)],
        cwd=config.ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    entry = json.loads(out.read_text(encoding="utf-8"))["scales"]["0.001x"]
    product = entry["load"]["product"]
    assert (product["via"], product["original_kept_encrypted"], product["stored"]) == ("path", True, 3139)
    assert all(len(v["load_average"]["before"]) == 3 for v in entry["load"].values())
    assert set(entry["load"]) == {"product", "duckdb_floor", "duckdb_with_hashes"}
    for run in entry["load"].values():
        assert len(run["runs_seconds"]) == 3 and run["seconds"] == sorted(run["runs_seconds"])[1]
    assert proc.stdout.count("load product") == 3
    assert entry["load_quiet"]["steps"] == 9  # every load started once the machine was at rest (or waited its most)
    assert "queries" not in entry and "browser" not in entry


def test_median_run_is_the_middle_one_with_every_time_and_the_highest_peak():
    runs = [{"seconds": 3.0, "peak_rss_mb": 500}, {"seconds": 1.0, "peak_rss_mb": 700}, {"seconds": 2.0, "peak_rss_mb": 600}]
    chosen = benchmark.median_run(runs)
    assert (chosen["seconds"], chosen["runs_seconds"], chosen["peak_rss_mb"]) == (2.0, [3.0, 1.0, 2.0], 700)
    assert benchmark.median_run(runs[:2])["seconds"] == 1.0  # an even count: the lower middle
    assert "runs_seconds" not in benchmark.median_run(runs[:1])


def test_benchmark_pandas_peers_give_the_products_figures(tiny_run):
    """Every page has a pandas peer at equal data size, and the ICU, stock, fever, staff, follow-up,
    scorecard and data-quality peers give the product's key figures on the same rows (the run records a
    mismatch; here there is none)."""
    report, stdout = tiny_run
    peers = report["scales"]["0.001x"]["queries"]["pandas"]
    assert set(peers) == {slug for _, slug, _ in PAGES}
    for name in ("icu", "stock", "fever", "staff", "followup", "scorecard", "data_quality"):
        assert peers[name]["check"]["equal"], (name, peers[name]["check"]["mismatches"])
    # the demo's ICU week: hospitals owing the report are counted, reported or not
    icu = peers["icu"]["check"]["pandas"]
    assert icu["hospitals"] >= icu["reported"] > 0
    overview = peers["overview"]
    assert overview["topics"] == ["labelling", "referrals", "icu", "stock", "fever", "staff", "followup", "scorecard"]
    assert "topics_without_peer" not in overview
    assert overview["check"]["equal"] and overview["check"]["topics_checked"] == [
        "icu", "stock", "fever", "staff", "followup", "scorecard"]
    ratios = report["ratios"]["0.001x"]
    for _, slug, _ in PAGES:  # every page now has a peer and its ratio
        assert ratios[f"queries_pandas_over_product_{slug}"] > 0, slug
    for name in ("icu", "stock", "fever", "staff", "followup", "scorecard", "data_quality", "overview"):
        assert ratios[f"pandas_peer_equal_{name}"] == 1, name
    assert "queries icu: pandas / product (>= 5)" in stdout
    assert "followup: pandas peer result = product's" in stdout


def test_benchmark_topic_peers_check_every_headline_figure(tiny_run):
    """The fever, staff, follow-up and scorecard peers check every figure of the product's headline
    (`raw`), on a week where each has something to count: the blanks the demo leaves in the reports are
    counted apart in both, and the follow-up week has patients judged, unjudged and not yet due."""
    report, _ = tiny_run
    peers = report["scales"]["0.001x"]["queries"]["pandas"]
    for name in ("fever", "staff", "followup", "scorecard"):
        check = peers[name]["check"]
        assert check["unchecked"] == [] and check["mismatches"] == {}, name
        assert peers[name]["rows"] > 0 and peers[name]["product_with_metrics_seconds_median"] > 0, name
    fever = peers["fever"]["check"]["pandas"]
    assert report["week"] <= fever["day"] and fever["owed"] >= fever["reported"] > 0
    assert fever["set_up"] + fever["set_up_blank"] <= fever["reported"]
    staff = peers["staff"]["check"]["pandas"]
    assert staff["met"] + staff["below"] + staff["blank"] >= staff["primary_reported"] > 0
    follow = peers["followup"]["check"]["pandas"]
    assert follow["met"] > 0 and follow["short"] > 0 and follow["no_category"] > 0 and follow["not_due"] > 0
    assert 0 < follow["made"] <= follow["owed"]
    score = peers["scorecard"]["check"]["pandas"]
    assert score["consortia"] == score["ranked"] + score["unranked"] and score["ranked"] > 0
    assert score["worst"] and score["worst_points"] > 0


def test_peer_check_tells_a_blank_from_zero():
    """A peer's check fails when it reads a blank as 0 (the product keeps None), when a count differs,
    or when the day differs; numbers equal to 1e-9 agree."""
    import datetime as dt

    from benchmark import _check

    product = {"visits": None, "reported": 868, "set_up_rate": 845 / 861, "day": dt.date(2023, 1, 8), "worst": "甲"}
    keys = list(product)
    assert _check(dict(product), product, keys) == {}
    assert _check({**product, "set_up_rate": 845 / 861 + 1e-12}, product, keys) == {}
    assert _check({**product, "visits": 0}, product, keys) == {"visits": {"pandas": 0, "product": None}}
    assert set(_check({**product, "reported": 867, "day": dt.date(2023, 1, 7), "worst": "乙"}, product, keys)) == {
        "reported", "day", "worst"}


def test_first_start_findings_tell_the_register_apart():
    """benchmark_demo's reading of a page while the demo loads: the loading notice (which itself says
    "not counted as unreported") is not a finding; other datasets' missing reports are listed but are
    not the register's; a share of zero and a register not-reported line are."""
    from benchmark_demo import findings

    text = ("演示台账载入中：已载入 0/5 周\n2023年第1周的重点人群台账正在载入，完成后即显示（不按未报送处理）。\n"
            "本周未报送：重症床位与人员周报 10 家\n风险标识率 0.0%\n重点人群台账未报送 693 家\n覆盖率 10.0%")
    f = findings(text)
    assert f["not_reported"] == ["本周未报送：重症床位与人员周报 10 家", "重点人群台账未报送 693 家"]
    assert f["not_reported_register"] == ["重点人群台账未报送 693 家"]
    assert f["zero_share"] == ["风险标识率 0.0%"]
    assert len(f["loading"]) == 2


def test_quiet_waits_for_rest_and_counts_a_machine_that_found_none(monkeypatch):
    """Each timed browser step starts on a machine at rest: with every CPU kept busy, quiet() gives up
    after its timeout and counts the step as one that found no rest; once the bar is one that any
    moment passes, it returns after one sampling window and counts a wait."""
    import os
    import time

    import benchmark

    if not os.path.exists("/proc/stat"):
        pytest.skip("quiet() reads /proc/stat, which this system does not have")
    monkeypatch.setattr(benchmark, "QUIET_WAITS", [])
    monkeypatch.setattr(benchmark, "QUIET_TIMEOUTS", [])
    monkeypatch.setattr(benchmark, "QUIET_TIMEOUT_S", 0.6)
    spinners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(os.cpu_count() or 1)]
    try:
        started = time.perf_counter()
        waited = benchmark.quiet()
        assert 0.6 <= waited < 5 and time.perf_counter() - started >= 0.6
    finally:
        for s in spinners:
            s.kill()
            s.wait()
    assert benchmark.quiet_summary()["found_no_rest"] == 1 and benchmark.QUIET_WAITS == []
    monkeypatch.setattr(benchmark, "QUIET_BUSY", 1.0)
    assert benchmark.quiet() < 0.6
    summary = benchmark.quiet_summary()
    assert summary["steps"] == 2 and summary["found_no_rest"] == 1 and len(benchmark.QUIET_WAITS) == 1
