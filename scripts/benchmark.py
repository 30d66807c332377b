"""Benchmark: the weekly register load, every page's queries and its render in a browser, cold start,
and peak memory, at several register sizes, next to their peers, in one run. Not a test: figures to read.

    .venv/bin/python scripts/benchmark.py --scales 1,3,10 --out bench/report.json
    .venv/bin/python scripts/benchmark.py --scales 0.1                      # a quick run (~2 min)
    .venv/bin/python scripts/benchmark.py --scales 0.002 --no-browser --no-pandas --transfers 0

1x = 3,138,918 register rows: Inner Mongolia's people aged 65+ (2020 census). At each scale:

1. A register of that many people is generated (vectorised, in chunks: valid 18-character ID numbers
   with check digits, phones, names, the demo's facility codes) and written once as UTF-8 CSV.
2. load: `dashboard.ingest.loading.load_bytes` loads it into a copy of a database holding the demo's
   facilities, transfers, ICU and stock (the file's week is the demo's latest). Next to it, on the same
   file, in the same run: DuckDB's bare `read_csv` into a table (the floor), the same with the two
   salted SHA-256 keys, and pandas (read + hashlib salted SHA-256 of ID and phone + write to DuckDB).
   Every load runs in its own child process, so its peak RSS (getrusage) is that load's alone.
   A load whose projected peak (per row, from a smaller scale of this run) exceeds the memory
   available is skipped and the report says so; the pages then run on a database whose register is
   the largest loaded one replicated in DuckDB up to the rows wanted.
3. queries: each page is rendered once with Streamlit's AppTest to record the queries it runs
   (names and parameters); that set is then replayed with `dashboard.store.queries.run` (median of
   --repeat). A pandas peer of every page at equal data size (the same rows, fetched from DuckDB
   beforehand, aggregated as the page's query and its headline's metric functions do) gives the ratio
   pandas / product; the ICU, stock, fever, staff, follow-up, scorecard and data-quality peers (and so
   the overview's) also check their key figures against the product's (a mismatch is reported).
4. browser: `streamlit run app.py` on a free localhost port against that database, driven by
   Playwright with /usr/bin/chromium, until the page is fully drawn: its title and metrics visible,
   everything on screen drawn (Plotly's SVG, maps' and tables' canvas, no skeleton) and the app's script state
   "notRunning" (conditions, no fixed sleeps). Three ways in: a new browser each time (first visit,
   then warm: the front end downloads and starts again), one browser kept open (its cache holds the
   front end, as a commissioner's does), and a click on the page's sidebar link in an open session
   (from the overview). Next to them a hello-world page visited the same ways. Cold start = process start to a rendered overview, next to a hello-world
   Streamlit app written to a temporary folder, measured alternately in the same harness.
5. With --transfers N (default 1,600,000) the referral page is also measured on a week of N
   transfers (the demo's generator, loaded through `load_bytes`) at the first scale >= 1.

The machine may be shared: read medians and ratios. Timings are never asserted in tests.
pandas is not a product dependency: `.venv/bin/pip install -r requirements-bench.txt`.
"""
from __future__ import annotations

import argparse
import base64
import contextlib
import datetime as dt
import json
import math
import os
import platform
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

INNER_MONGOLIA_65_PLUS = 3_138_918
SALT = "benchmark"
CHUNK = 500_000
CHROMIUM = "/usr/bin/chromium"
TIME = "/usr/bin/time"
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]
# (app page file, url path, shows st.metric when rendered)
PAGES = [("pages/overview.py", "overview", True), ("pages/labelling.py", "labelling", True),
         ("pages/referrals.py", "referrals", True), ("pages/icu.py", "icu", True),
         ("pages/stock.py", "stock", True), ("pages/fever.py", "fever", True), ("pages/staff.py", "staff", True),
         ("pages/followup.py", "followup", True), ("pages/scorecard.py", "scorecard", True),
         ("pages/data_quality.py", "data_quality", False)]
INSTALL_HINT = "pandas is missing: .venv/bin/pip install -r requirements-bench.txt (benchmark only)"


def say(*parts) -> None:
    print(*parts, flush=True)


def available_mb() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) / 1024
    return float("inf")


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def week():
    from dashboard import demo
    return demo.DEMO_WEEKS[-1]  # the week the pages open on


# --- the register generator ------------------------------------------------------------------------------
def facilities():
    """The demo's register-keeping facilities (codes and sizes), the county of each and its rank
    within the county (for unique ID numbers)."""
    import numpy as np
    from dashboard import demo

    fac = demo.register_facilities(1.0)
    codes = fac["facility_code"].to_numpy()
    county = np.array([int(c[1:7]) for c in codes], dtype=np.int64)
    rank = np.zeros(len(codes), dtype=np.int64)
    seen: dict[int, int] = {}
    for k, c in enumerate(county):
        rank[k] = seen.get(c, 0)
        seen[c] = rank[k] + 1
    weights = fac["people"].to_numpy().astype(np.float64)
    return codes, county, rank, weights


def write_register(path: Path, rows: int, seed: int = 7) -> dict:
    """`rows` people with unique, valid ID numbers (aged 60-99 on the week's Monday) as UTF-8 CSV with
    the contract's Chinese headers, written in chunks (memory stays flat at any size)."""
    import numpy as np
    import polars as pl
    from dashboard import demo

    codes, county, rank, weights = facilities()
    bounds = np.round(np.cumsum(weights) / weights.sum() * rows).astype(np.int64)
    starts = np.r_[0, bounds[:-1]]
    per_facility = int((bounds - starts).max())
    days_span = 14_600  # 40 years of birth days
    layers = math.ceil(per_facility / days_span)
    if int(rank.max() + 1) * layers > 500:
        raise SystemExit(f"{rows:,} rows do not fit unique ID numbers; use a smaller scale")
    monday = np.datetime64(week(), "D")
    first_birth = monday - np.timedelta64(int(100 * 365.2425), "D")
    names = pl.Series([s + g for s in demo.SURNAMES[:40] for g in demo.GIVEN_M[:25]])
    diseases = pl.Series([None, *demo.DISEASES.tolist()], dtype=pl.Utf8)
    started = time.perf_counter()
    with open(path, "wb") as out:
        for a in range(0, rows, CHUNK):
            i = np.arange(a, min(rows, a + CHUNK), dtype=np.int64)
            n = len(i)
            rng = np.random.default_rng([seed, a])
            f = np.searchsorted(bounds, i, side="right")
            j = i - starts[f]
            birth = first_birth + (j % days_span).astype("timedelta64[D]")
            # seq: odd for men, unique per (county, birth day) through the facility's rank in its county
            seq = 2 * (rank[f] * layers + j // days_span)
            male = rng.random(n) < 0.47
            seq = seq + male
            ymd = pl.Series(birth).dt.strftime("%Y%m%d").cast(pl.Int64).to_numpy()
            body = county[f] * 10**11 + ymd * 1000 + seq
            digits = (body[:, None] // 10 ** np.arange(16, -1, -1, dtype=np.int64)) % 10
            check = demo.CHECK_CHARS[(digits @ demo.ID_WEIGHTS) % 11]
            by = birth.astype("datetime64[Y]").astype(np.int64)
            my = monday.astype("datetime64[Y]").astype(np.int64)
            age = my - by - ((birth - birth.astype("datetime64[Y]")) > (monday - monday.astype("datetime64[Y]")))
            state = rng.integers(0, 3, n)
            label = rng.integers(0, 4, n)  # 3: blank
            frame = pl.DataFrame({
                "身份证号": pl.Series(body).cast(pl.Utf8) + pl.Series(check),
                "姓名": names.gather(pl.Series(i % len(names), dtype=pl.UInt32)),
                "联系电话": pl.Series(13_800_000_000 + i).cast(pl.Utf8),
                "档案编号": pl.Series(codes[f]).str.slice(1) + pl.Series(j).cast(pl.Utf8).str.zfill(6),
                "管理机构编码": pl.Series(codes[f]),
                "年龄": pl.Series(age),
                "性别": pl.Series(np.where(male, "男", "女")),
                "基础疾病": diseases.gather(pl.Series(np.where(state == 0, 0, 1 + i % 8), dtype=pl.UInt32)),
                "基础疾病状态": pl.Series(np.array(demo.DISEASE_STYLES[0])[state]),
                "疫苗接种": pl.Series(np.array(demo.VACCINATION_ZH)[rng.integers(0, 3, n)]),
                "风险标识": pl.Series(np.array([*demo.LABEL_STYLES[0], ""])[label]).replace("", None),
                "家庭医生签约": pl.Series(np.where(rng.random(n) < 0.9, "是", "否")),
                "本周联系次数": pl.Series(rng.integers(0, 5, n)),
                "养老机构居住": pl.Series(np.where(rng.random(n) < 0.03, "是", "否")),
            })
            frame.write_csv(out, include_header=a == 0, null_value="")
    return {"rows": rows, "bytes": path.stat().st_size, "seconds": round(time.perf_counter() - started, 2)}


# --- child processes -------------------------------------------------------------------------------------
def child_base(spec: dict) -> dict:
    """A database with the demo's facilities, transfers, ICU and stock (no register), marked as not
    the demo so the server does not start loading the demo register's other weeks."""
    from dashboard import demo, store

    con = store.connect(spec["db"])
    started = time.perf_counter()
    text = demo.ensure_demo(con, register=False)
    con.execute("delete from meta where key in ('demo', 'demo_scale')")
    con.close()
    return {"seconds": round(time.perf_counter() - started, 2), "text": text}


def child_product(spec: dict) -> dict:
    """loading.load_bytes of one register file, as an analyst's upload (the original is kept)."""
    from dashboard.ingest import loading
    from dashboard import store

    con = store.connect(spec["db"])
    marks: list[tuple[str, float]] = []
    started = time.perf_counter()
    progress = lambda fraction, stage: marks.append((stage, time.perf_counter()))  # noqa: E731
    if spec.get("via") == "bytes":  # as an upload through the page: the bytes in memory
        data = Path(spec["file"]).read_bytes()
        result = loading.load_bytes(data, Path(spec["file"]).name, dataset=spec.get("dataset", "register"),
                                    week=spec["week"], con=con, progress=progress)
    else:  # as the command line loads a file (`python -m dashboard load`)
        result = loading.load_path(spec["file"], dataset=spec.get("dataset", "register"), week=spec["week"],
                                   con=con, progress=progress)
    seconds = time.perf_counter() - started
    if result.outcome != "accepted":
        raise SystemExit(f"{result.summary('en')}: {[f.message_en for f in result.errors][:5]}")
    stages, previous = {}, started
    names = {"read": "read_bytes", "validate": "read_and_check_headers", "write": "validate_and_type", "done": "write"}
    for stage, when in marks:
        stages[names.get(stage, stage)] = round(when - previous, 2)
        previous = when
    dataset = spec.get("dataset", "register")
    kept = result.stored_path is not None and Path(result.stored_path).exists()
    stored = con.execute(f"select count(*) from {dataset} where week = $w", {"w": result.week}).fetchone()[0]
    con.close()
    return {"seconds": round(seconds, 2), "stages": stages, "rows": result.rows, "stored": stored,
            "warnings": result.warning_count, "original_kept_encrypted": kept, "via": spec.get("via", "path"),
            "peak_rss_mb": peak_rss_mb()}


def child_duckdb(spec: dict) -> dict:
    """The floor: DuckDB's bare read_csv into a table (and, apart, with the two salted hashes)."""
    import duckdb

    con = duckdb.connect(spec["db"])
    started = time.perf_counter()
    if spec.get("hash"):
        con.execute("""create table register as
                       select sha256($salt || "身份证号") as person_key, sha256($salt || "联系电话") as phone_key,
                              * exclude ("身份证号", "联系电话", "姓名")
                       from read_csv($path, all_varchar = true)""", {"salt": SALT, "path": spec["file"]})
    else:
        con.execute("create table register as select * from read_csv($path)", {"path": spec["file"]})
    con.execute("checkpoint")
    seconds = time.perf_counter() - started
    rows = con.execute("select count(*) from register").fetchone()[0]
    con.close()
    return {"seconds": round(seconds, 2), "rows": rows, "peak_rss_mb": peak_rss_mb()}


def child_pandas(spec: dict) -> dict:
    """pandas: read as text, hashlib salted SHA-256 of ID and phone, drop the name, write to DuckDB."""
    import hashlib

    import duckdb
    import pandas as pd

    started = time.perf_counter()
    frame = pd.read_csv(spec["file"], dtype=str, keep_default_na=False)
    salt = SALT.encode()

    def key(values):
        return [hashlib.sha256(salt + v.encode()).hexdigest() if v else None for v in values]

    frame["person_key"] = key(frame.pop("身份证号"))
    frame["phone_key"] = key(frame.pop("联系电话"))
    frame = frame.drop(columns=["姓名"])
    con = duckdb.connect(spec["db"])
    con.register("frame", frame)
    con.execute("create table register as select * from frame")
    con.execute("checkpoint")
    seconds = time.perf_counter() - started
    rows = con.execute("select count(*) from register").fetchone()[0]
    con.close()
    return {"seconds": round(seconds, 2), "rows": rows, "peak_rss_mb": peak_rss_mb(), "pandas": pd.__version__}


def child_replicate(spec: dict) -> dict:
    """The register of the week copied in DuckDB (new person keys) up to `rows`, aggregate rebuilt."""
    from dashboard import policy, store

    con = store.connect(spec["db"])
    started = time.perf_counter()
    w = dt.date.fromisoformat(spec["week"])
    have = con.execute("select count(*) from register where week = $w", {"w": w}).fetchone()[0]
    copies = math.ceil(spec["rows"] / have) - 1
    con.execute("begin transaction")
    con.execute("""insert into register
                   select r.* replace (hash(r.person_key, t.k) as person_key)
                   from register r, range(1, $copies + 1) t(k) where r.week = $w
                   limit $extra""", {"copies": copies, "w": w, "extra": spec["rows"] - have})
    con.execute("delete from agg_register where week = $week", {"week": w})
    con.execute(store.AGG_REGISTER_INSERT, {"week": w, **policy.params("risk.age_young_below")})
    con.execute("commit")
    rows = con.execute("select count(*) from register where week = $w", {"w": w}).fetchone()[0]
    con.close()
    return {"seconds": round(time.perf_counter() - started, 2), "rows": rows}


def child_transfers(spec: dict) -> dict:
    """The demo's transfer generator at N transfers for the week, as CSV (the load is timed apart)."""
    from dashboard import demo

    i = demo.DEMO_WEEKS.index(dt.date.fromisoformat(spec["week"]))
    demo.TRANSFERS_PER_WEEK = tuple(spec["n"] if k == i else v for k, v in enumerate(demo.TRANSFERS_PER_WEEK))
    started = time.perf_counter()
    Path(spec["file"]).write_bytes(demo.generate(demo.DEMO_WEEKS[i], ("transfer",))["transfer"])
    return {"seconds": round(time.perf_counter() - started, 2)}


def child_queries(spec: dict) -> dict:
    """Record each page's queries (AppTest render), replay them with queries.run; pandas peers."""
    import polars as pl
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from dashboard.store import queries

    from dashboard import store

    real = queries.run
    calls: list[tuple[str, dict]] = []

    def recording(name, con=None, **params):
        calls.append((name, params))
        return real(name, con=con, **params)

    queries.run = recording
    out: dict = {"pages": {}}
    for page_file, slug, _ in PAGES:
        if spec.get("pages") and slug not in spec["pages"]:
            continue
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
        at.session_state["lang"] = "zh"
        at.run()
        st.cache_data.clear()
        st.cache_resource.clear()  # query results and headlines are resource-cached (dashboard/ui)
        calls.clear()
        at.switch_page(page_file)
        t0 = time.perf_counter()
        at.run()
        script_first = time.perf_counter() - t0
        errors = [str(e.value)[:200] for e in at.exception]
        recorded = list(calls)
        script_warm = page_script_runs(at, spec["repeat"])
        seen, unique = set(), []
        for name, params in recorded:
            k = (name, tuple(sorted((p, str(v)) for p, v in params.items())))
            if k not in seen:
                seen.add(k)
                unique.append((name, params))
        runs, per_query = [], {}
        for r in range(spec["repeat"] + 1):  # the first pass warms DuckDB's buffers and is left out
            total = 0.0
            for name, params in unique:
                t0 = time.perf_counter()
                rows = real(name, con=store.cursor(), **params).height
                spent = time.perf_counter() - t0
                total += spent
                if r:
                    per_query.setdefault(name, []).append(spent)
            if r:
                runs.append(total)
        out["pages"][slug] = {
            "queries": len(unique), "calls_in_render": len(recorded), "errors": errors,
            "seconds_median": round(statistics.median(runs), 4), "seconds_runs": [round(x, 4) for x in runs],
            "per_query_median": {k: round(statistics.median(v), 4) for k, v in sorted(per_query.items())},
            "script_first_s": round(script_first, 3), "script_warm_s": round(statistics.median(script_warm), 3),
            "load_average": os.getloadavg(),
        }
    queries.run = real
    w = dt.date.fromisoformat(spec["week"])
    con = store.cursor()
    out["register_rows"] = con.execute("select count(*) from register where week = $w", {"w": w}).fetchone()[0]
    out["transfer_rows"] = con.execute("select count(*) from transfer where week = $w", {"w": w}).fetchone()[0]
    out["agg_transfer_rows"] = con.execute("select count(*) from agg_transfer where week = $w", {"w": w}).fetchall()[0][0]
    if spec.get("pandas"):
        out["pandas"] = pandas_peers(con, w, spec["repeat"])
    out["peak_rss_mb"] = peak_rss_mb()
    del pl
    return out


def page_script_runs(at, repeat: int) -> list[float]:
    """The page's whole Python script (queries from the app's caches, metric functions, figure
    building, Streamlit's serialisation into protobuf), warm: what the server spends before the
    browser draws anything."""
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        at.run()
        runs.append(time.perf_counter() - t0)
    return runs


def pandas_peers(con, w, repeat: int) -> dict:
    """pandas on the same rows the product aggregates, inputs fetched beforehand (not timed)."""
    import numpy as np
    import pandas as pd

    facility = con.execute("select * from facility where week = (select max(week) from facility where week <= $w)",
                           {"w": w}).df()
    census = con.execute("select * from census").df() if _has(con, "census") else None
    register = con.execute("""select facility_code, age, recorded_label, rule_label, family_doctor_signed,
                                     contacts_week, care_home from register where week = $w""", {"w": w}).df()
    transfer = con.execute("select * from transfer where week = $w", {"w": w}).df()

    def labelling() -> int:
        r = register
        rank = {"green": 1, "yellow": 2, "red": 3}
        rec, rule = r["recorded_label"].map(rank), r["rule_label"].map(rank)
        contacts = r["contacts_week"]
        enough = np.where(r["rule_label"] == "yellow", contacts >= 2, np.where(r["rule_label"] == "red", contacts >= 3, False))
        signed = r["family_doctor_signed"].fillna(False).astype(bool)
        flags = pd.DataFrame({
            "facility_code": r["facility_code"], "persons": 1, "persons_65": (r["age"] >= 65).astype(int),
            "labelled": r["recorded_label"].notna().astype(int),
            "green": (r["recorded_label"] == "green").astype(int), "yellow": (r["recorded_label"] == "yellow").astype(int),
            "red": (r["recorded_label"] == "red").astype(int), "under": (rec < rule).astype(int),
            "over": (rec > rule).astype(int), "signed": signed.astype(int),
            "rule_yellow": (r["rule_label"] == "yellow").astype(int), "rule_red": (r["rule_label"] == "red").astype(int),
            "contacted": enough.astype(int), "managed": (enough & signed).astype(int),
            "rule_unknown": r["rule_label"].isna().astype(int), "signed_unknown": r["family_doctor_signed"].isna().astype(int),
            "contacts_unknown": contacts.isna().astype(int),
        })
        per_facility = flags.groupby("facility_code", sort=False).sum()
        joined = facility.merge(per_facility, left_on="facility_code", right_index=True, how="left")
        by_county = joined.groupby("county_code")[["persons", "persons_65", "labelled", "managed"]].sum(min_count=1)
        return len(joined) + len(by_county)

    def referrals() -> int:
        t = transfer
        f = facility[["facility_code", "tier", "consortium"]]
        both = (t.merge(f.add_prefix("from_"), left_on="from_code", right_on="from_facility_code", how="left")
                 .merge(f.add_prefix("to_"), left_on="to_code", right_on="to_facility_code", how="left"))
        order = {"primary": 0, "sub_designated": 1, "designated": 2, "lead": 3, "partner": 4}
        up = both["to_tier"].map(order) > both["from_tier"].map(order)
        severe = both["severity"].isin(["severe", "critical"])
        expected = np.select([both["haemodialysis"].fillna(False).astype(bool), severe & (both["main_problem"] == "covid"),
                              severe | both["beyond_capacity"].fillna(False).astype(bool),
                              both["severity"] == "ordinary"],
                             ["designated", "designated", "lead", "sub_designated"], default="home")
        both["assessed"] = up & (both["from_tier"] == "primary")
        both["compliant"] = both["assessed"] & (both["to_tier"] == expected)
        both["hours"] = (pd.to_datetime(both["received_at"]) - pd.to_datetime(both["requested_at"])).dt.total_seconds() / 3600
        matrix = both.groupby(["from_tier", "to_tier"]).size()
        by_consortium = both.groupby("from_consortium")[["assessed", "compliant"]].sum()
        reception = both.groupby("to_tier")["hours"].median()
        return len(matrix) + len(by_consortium) + len(reception)

    out = {}
    product = product_referral_aggregations(w)
    for name, fn in (("labelling", labelling), ("referrals", referrals)):
        runs = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            fn()
            runs.append(time.perf_counter() - t0)
        out[name] = {"seconds_median": round(statistics.median(runs), 4),
                     "rows": len(register) if name == "labelling" else len(transfer)}
    out.update(more_pandas_peers(con, w, repeat))
    out.update(topic_pandas_peers(con, w, repeat))
    out["overview"] = overview_peer(out, w, {"league_code": None, "county_code": None, "consortium": None}, repeat)
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        product()
        runs.append(time.perf_counter() - t0)
    out["referrals"]["product_with_metrics_seconds_median"] = round(statistics.median(runs), 4)
    return out


def _median_time(fn, repeat: int):
    """(median seconds over `repeat` runs, the last run's result)."""
    runs, result = [], None
    for _ in range(max(1, repeat)):
        t0 = time.perf_counter()
        result = fn()
        runs.append(time.perf_counter() - t0)
    return round(statistics.median(runs), 4), result


def _same(a, b) -> bool:
    """Equal key figures: None only equals None (a blank is not 0); numbers to 1e-9."""
    if a is None or b is None:
        return a is None and b is None
    return abs(float(a) - float(b)) <= 1e-9 * max(1.0, abs(float(a)))


def more_pandas_peers(con, w, repeat: int) -> dict:
    """pandas peers of the ICU, stock, data quality and overview pages at equal data sizes: the same
    rows the product's queries read (fetched from DuckDB beforehand, not timed), the same aggregation
    (the page's query and the metric functions its headline uses), timed next to the product doing
    it uncached (`queries.run` + the metric functions). Each peer's key figures are compared with the
    product's: a mismatch is recorded in `check`, never hidden."""
    import numpy as np
    import pandas as pd

    from dashboard import policy, store
    from dashboard.metrics import headlines, icu as icu_m, labelling as labelling_m, stock as stock_m
    from dashboard.store import queries

    area_args = {"league_code": None, "county_code": None, "consortium": None}
    area = con.execute("select * from area_facilities(null, null, null)").df()
    duty = con.execute("select dataset, facility_code, must_report from reporting_duty").df()
    icu_rows = con.execute("select * from icu where week = $w", {"w": w}).df()
    stock_rows = con.execute("select * from stock where week = $w", {"w": w}).df()
    reported = con.execute("select dataset, day, facility_code from reported where week = $w", {"w": w}).df()
    load_log = con.execute("select * from load_log").df()
    ip = icu_m.params()
    sp = stock_m.params()

    def ceil6(x):
        return np.ceil(np.round(x, 6))

    def icu_pd() -> dict:
        d = duty[duty["dataset"] == "icu"][["facility_code", "must_report"]]
        h = area[area["tier"] != "primary"].merge(d, on="facility_code")
        j = h.merge(icu_rows.drop(columns=["week"], errors="ignore"), on="facility_code", how="left",
                    suffixes=("", "_r"), indicator=True)
        j["reported"] = j["_merge"] == "both"
        j = j[(j["must_report"] != False) | j["reported"]]  # noqa: E712 (null must_report kept)
        beds = j["icu_beds"].astype("Float64")
        doctors_req = ceil6(beds * ip["icu_doctors_per_bed"])
        nurses_req = ceil6(beds * ip["icu_nurses_per_bed"])
        reserve_staff = j["reserve_doctors"].astype("Float64") + j["reserve_nurses"].astype("Float64")
        reserve_req = ceil6((doctors_req + nurses_req) * ip["icu_reserve_share"])
        rep = j["reported"].to_numpy()
        doctor_gap = (doctors_req - j["icu_doctors"].astype("Float64")).clip(lower=0).where(rep)
        nurse_gap = (nurses_req - j["icu_nurses"].astype("Float64")).clip(lower=0).where(rep)
        reserve_gap = (reserve_req - reserve_staff).clip(lower=0)

        def total(series):  # null when no hospital has a figure (missing is not zero)
            return float(series.sum()) if series.notna().any() else None
        return {"hospitals": len(j), "reported": int(j["reported"].sum()), "icu_beds": total(beds),
                "doctor_gap": total(doctor_gap), "nurse_gap": total(nurse_gap), "reserve_gap": total(reserve_gap)}

    def stock_pd() -> dict:
        d = duty[(duty["dataset"] == "stock") & (duty["must_report"] == True)][["facility_code"]]  # noqa: E712
        f = area.merge(d, on="facility_code")
        long = pd.concat([stock_rows[["facility_code"]].assign(item=item, on_hand=stock_rows[f"{item}_on_hand"],
                                                                  used=stock_rows[f"{item}_used"])
                          for item in stock_m.ITEMS if f"{item}_on_hand" in stock_rows] if len(stock_rows) else
                         [pd.DataFrame(columns=["facility_code", "item", "on_hand", "used"])])
        grid = f[["facility_code", "service_population"]].merge(pd.DataFrame({"item": list(stock_m.ITEMS)}), how="cross")
        j = grid.merge(long, on=["facility_code", "item"], how="left", indicator=True)
        j["reported"] = j["_merge"] == "both"
        pop = j["service_population"].astype("Float64")
        target = ceil6(pop * sp["share"])
        target_low = ceil6(pop * sp["share_low"])
        on_hand = j["on_hand"].astype("Float64")
        j["shortfall"] = (target - on_hand).clip(lower=0).where(j["reported"] & target.notna())
        j["below_low"] = j["reported"] & pop.notna() & (on_hand < target_low).fillna(False)
        j["target_r"] = target.where(j["reported"])
        a = j[j["item"] == "antigen"]
        shortfall = float(a["shortfall"].sum())
        t = float(a["target_r"].sum())
        return {"facilities": int(a["facility_code"].nunique()),
                "missing": int(a.loc[~a["reported"], "facility_code"].nunique()),
                "shortfall": shortfall, "below_low": int(a["below_low"].sum()),
                "share_of_target": (t - shortfall) / t if t > 0 else None}

    def quality_pd() -> dict:
        e = duty[duty["must_report"] != False].merge(area[["facility_code"]], on="facility_code")  # noqa: E712
        judged = reported.groupby("dataset", as_index=False)["day"].max()
        r = reported.merge(judged, on="dataset", how="inner", suffixes=("", "_judged"))
        delivered = r[r["day"].isna() | (r["day"] == r["day_judged"])][["dataset", "facility_code"]].drop_duplicates()
        gaps = e.merge(delivered, on=["dataset", "facility_code"], how="left", indicator=True)
        gaps = gaps[gaps["_merge"] == "left_only"]
        history = load_log.sort_values("load_id", ascending=False).head(500)
        return {"gaps": len(gaps), "gaps_by_dataset": {k: int(v) for k, v in gaps.groupby("dataset").size().items()},
                "loads": len(history)}

    def product_icu() -> dict:
        return headlines.icu_headline(queries.run, w, area_args).raw

    def product_stock() -> dict:
        return headlines.stock_headline(queries.run, w, area_args).raw

    def product_quality() -> dict:
        gaps = queries.run("reporting_gaps", week=w, **area_args)
        history = queries.run("load_history", limit=500)
        return {"gaps": gaps.height, "gaps_by_dataset": dict(gaps.group_by("dataset").len().iter_rows()),
                "loads": history.height}

    out: dict = {}
    cases = {
        "icu": (icu_pd, product_icu, ("hospitals", "reported", "icu_beds", "doctor_gap", "nurse_gap", "reserve_gap"),
                len(icu_rows)),
        "stock": (stock_pd, product_stock, ("facilities", "missing", "shortfall", "below_low", "share_of_target"),
                  len(stock_rows)),
        "data_quality": (quality_pd, product_quality, ("gaps", "loads"), len(reported) + len(load_log)),
    }
    for name, (peer, product, keys, rows) in cases.items():
        try:
            seconds, mine = _median_time(peer, repeat)
            product_s, theirs = _median_time(product, repeat)
            mismatches = {k: {"pandas": mine.get(k), "product": theirs.get(k)} for k in keys
                          if not _same(mine.get(k), theirs.get(k))}
            if name == "data_quality" and mine["gaps_by_dataset"] != theirs["gaps_by_dataset"]:
                mismatches["gaps_by_dataset"] = {"pandas": mine["gaps_by_dataset"], "product": theirs["gaps_by_dataset"]}
            out[name] = {"seconds_median": seconds, "rows": rows, "product_with_metrics_seconds_median": product_s,
                         "check": {"keys": list(keys), "equal": not mismatches, "mismatches": mismatches,
                                   "pandas": {k: mine.get(k) for k in keys}}}
        except Exception as exc:  # a peer that fails is reported, never silently left out
            out[name] = {"failed": f"{type(exc).__name__}: {str(exc)[:300]}"}
    del labelling_m, policy, store
    return out


def _check(mine: dict, theirs: dict, keys) -> dict:
    """The key figures that differ: numbers compared with `_same` (None only equals None), text and
    dates as they are."""
    import numbers

    def same(a, b) -> bool:
        if isinstance(a, numbers.Real) and isinstance(b, numbers.Real) or a is None or b is None:
            return _same(a, b)
        return a == b
    return {k: {"pandas": _plain(mine.get(k)), "product": _plain(theirs.get(k))} for k in keys
            if not same(mine.get(k), theirs.get(k))}


def _plain(x):
    """A key figure as JSON can hold it (a date as its ISO text)."""
    return x.isoformat() if isinstance(x, (dt.date, dt.datetime)) else x


def topic_pandas_peers(con, w, repeat: int) -> dict:
    """pandas peers of the fever, staff, follow-up and scorecard pages, in the style of
    `more_pandas_peers`: the rows each page's query reads (fetched from DuckDB beforehand, not timed),
    then pandas doing what the query does (queries/fever_clinic_days.sql, staff_on_duty.sql,
    followup_patient_weeks.sql, scorecard_members.sql, each mirrored rule by rule over every day or
    week the query returns) and what the headline's metric functions do (dashboard/metrics/headlines.py:
    fever_headline, staff_headline, followup_headline, scorecard_headline), timed next to the product's
    headline function uncached (`queries.run` + its metric functions). A blank stays unknown
    (pandas' NA, counted apart), never 0 or "met". Each peer's key figures are compared with the
    product's `raw`: a mismatch is recorded in `check`, never hidden."""
    import numpy as np
    import pandas as pd

    from dashboard import policy
    from dashboard.metrics import fever as fever_m, followup as followup_m, headlines
    from dashboard.metrics import scorecard as scorecard_m, staff as staff_m
    from dashboard.store import queries

    area_args = {"league_code": None, "county_code": None, "consortium": None}
    week = pd.Timestamp(w)
    area = con.execute("select * from area_facilities(null, null, null)").df()
    current = con.execute("select * from facility_current").df()
    duty = con.execute("select dataset, facility_code, must_report from reporting_duty").df()
    fever_rows = con.execute("select * from fever where day < $w::date + 7", {"w": w}).df()
    staff_rows = con.execute("select * from staff where week <= $w", {"w": w}).df()
    discharge = con.execute("select * from discharge where week <= $w", {"w": w}).df()
    visits = con.execute("select * from visits where week = $w", {"w": w}).df()
    transfer = con.execute("select referral_id, from_code, to_code, direction_recorded from transfer where week = $w",
                           {"w": w}).df()
    fp, sp, dp = fever_m.params(), staff_m.params(), followup_m.params()
    unit_columns = ["facility_code", "facility_name", "tier", "primary_type", "league_code", "league_name",
                    "county_code", "county_name", "consortium"]

    def units(dataset: str, reports) -> "pd.DataFrame":
        """The area's facilities that owe the report (must_report true or unknown) or sent one."""
        d = duty.loc[duty["dataset"] == dataset, ["facility_code", "must_report"]]
        u = area[unit_columns].merge(d, on="facility_code", how="left")
        keep = u["must_report"].fillna(True).astype(bool) | u["facility_code"].isin(reports["facility_code"])
        return u[keep.to_numpy()]

    def count(mask) -> int:
        return int(pd.Series(mask).fillna(False).astype(bool).sum())

    def share(part, whole):
        return part / whole if whole else None

    # --- fever: queries/fever_clinic_days.sql, then fever.days / fever.on / fever.headline ----------------
    def fever_pd() -> dict:
        days = pd.DataFrame({"day": fever_rows["day"].drop_duplicates()})
        grid = units("fever", fever_rows).merge(days, how="cross")
        r = fever_rows.drop(columns=["week", "load_id"], errors="ignore").assign(_sent=True)
        rows = grid.merge(r, on=["facility_code", "day"], how="left")
        rows["reported"] = rows["_sent"].notna()
        peak = rows["peak_waiting"]
        rows["waiting_status"] = pd.Series(np.select(
            [peak.isna().to_numpy(), (peak >= fp["fever_clinic_waiting_alarm"]).fillna(False).to_numpy(),
             (peak >= fp["fever_clinic_waiting_warning"]).fillna(False).to_numpy(),
             (peak > fp["fever_clinic_waiting_normal"]).fillna(False).to_numpy()],
            [None, "alarm", "warning", "elevated"], default="normal"), index=rows.index, dtype=object)
        in_week = rows["day"][(rows["day"] >= week) & (rows["day"] < week + pd.Timedelta(days=7))]
        if in_week.empty:
            return {"day": None}
        day = in_week.max()
        t = rows[rows["day"] == day]
        owed = t[t["must_report"].fillna(False).astype(bool).to_numpy()]
        sent = owed[owed["reported"]]
        set_up_known = sent[sent["clinic_set_up"].notna().to_numpy()]
        set_up = set_up_known[set_up_known["clinic_set_up"].astype(bool).to_numpy()]
        open_known = set_up[set_up["open_today"].notna().to_numpy()]
        opened = count(open_known["open_today"])
        reported_all = t[t["reported"]]
        visits_known = reported_all["visits"].dropna()
        status = reported_all["waiting_status"]
        return {"owed": len(owed), "reported": len(sent), "not_reported": len(owed) - len(sent),
                "unknown_duty": int(t["must_report"].isna().sum()), "set_up": len(set_up),
                "set_up_blank": len(sent) - len(set_up_known), "set_up_rate": share(len(set_up), len(set_up_known)),
                "open": opened, "open_blank": len(set_up) - len(open_known), "open_rate": share(opened, len(open_known)),
                "visits": int(visits_known.sum()) if len(visits_known) else None,
                "visits_blank": len(reported_all) - len(visits_known),
                **{s: int((status == s).sum()) for s in fever_m.STATUSES},
                "waiting_blank": int(status.isna().sum()), "day": day.date()}

    # --- staff: queries/staff_on_duty.sql, then staff.of_week / staff.headline -------------------------
    def staff_pd() -> dict:
        weeks = pd.DataFrame({"week": staff_rows["week"].drop_duplicates()})
        grid = units("staff", staff_rows).merge(weeks, how="cross")
        r = staff_rows.drop(columns=["load_id"], errors="ignore").assign(_sent=True)
        rows = grid.merge(r, on=["facility_code", "week"], how="left")
        rows["reported"] = rows["_sent"].notna()
        rows["on_duty_rate"] = (rows["staff_on_duty"] / rows["staff_total"]).where(rows["staff_total"] > 0)
        rows["placed_share"] = (rows["new_doctors_to_primary"] / rows["new_doctors"]).where(rows["new_doctors"] > 0)
        for rate, minimum, status in (("on_duty_rate", sp["staff_on_duty_rate_min"], "on_duty_status"),
                                      ("placed_share", sp["staff_new_doctors_to_primary_share_min"], "placed_status")):
            rows[status] = pd.Series(np.where(rows[rate].isna(), None, np.where(rows[rate].fillna(0) >= minimum, "met", "below")),
                                     index=rows.index, dtype=object)
        wk = rows[rows["week"] == week]
        if wk.empty or not wk["reported"].any():
            return {}
        tier = wk["tier"]
        prim = wk[(tier == "primary").fillna(False).to_numpy()]
        hosp = wk[(tier.notna() & (tier != "primary")).to_numpy()]  # a blank tier is neither (polars' filter)
        owed_p = prim[prim["must_report"].fillna(False).astype(bool).to_numpy()]
        owed_h = hosp[hosp["must_report"].fillna(False).astype(bool).to_numpy()]
        known = prim[(prim["staff_on_duty"].notna() & prim["staff_total"].notna()).to_numpy()]
        recruited = hosp[(hosp["new_doctors_to_primary"].notna() & hosp["new_doctors"].notna()).to_numpy()]

        def ratio(part, whole):  # over the rows that gave both; none given or nobody on the roll: unknown
            den = whole.sum() if len(whole) else 0
            return float(part.sum()) / float(den) if den > 0 else None
        return {"primary_owed": len(owed_p), "primary_reported": int(owed_p["reported"].sum()),
                "on_duty_rate": ratio(known["staff_on_duty"], known["staff_total"]) if len(prim) else None,
                "staff_total": int(known["staff_total"].sum()) if len(known) else None,
                "staff_on_duty": int(known["staff_on_duty"].sum()) if len(known) else None,
                "below": int((prim["on_duty_status"] == "below").sum()), "met": int((prim["on_duty_status"] == "met").sum()),
                "blank": int((prim["reported"] & prim["on_duty_status"].isna()).sum()),
                "not_reported": int((~owed_p["reported"]).sum()), "unknown_duty": int(wk["must_report"].isna().sum()),
                "hospitals_owed": len(owed_h), "hospitals_reported": int(owed_h["reported"].sum()),
                "placed_share": ratio(recruited["new_doctors_to_primary"], recruited["new_doctors"]) if len(hosp) else None,
                "recruited": int(recruited["new_doctors"].sum()) if len(recruited) else None,
                "placed": int(recruited["new_doctors_to_primary"].sum()) if len(recruited) else None,
                "hospitals_below": int((hosp["placed_status"] == "below").sum())}

    # --- follow-up: queries/followup_patient_weeks.sql, then followup.of_week / followup.headline -------
    def followup_pd() -> dict:
        day = pd.Timedelta(days=1)
        listed = discharge
        weeks = pd.DataFrame({"week": listed["week"].drop_duplicates()})
        latest = listed.sort_values("week", ascending=False, kind="stable").drop_duplicates("record_no")
        first_listed = listed.groupby("record_no", as_index=False)["week"].min().rename(columns={"week": "first_listed"})
        d = duty.loc[duty["dataset"] == "discharge", ["facility_code", "must_report"]]
        p = (latest.drop(columns=["week", "load_id", "contacts_week"], errors="ignore")
             .merge(area[["facility_code", "facility_name", "league_code", "league_name", "county_code",
                          "county_name", "consortium"]], on="facility_code")
             .merge(d, on="facility_code", how="left").merge(first_listed, on="record_no"))
        release, discharged = p["release_date"], p["discharge_date"]
        p["window_end"] = discharged + pd.DateOffset(months=int(dp["discharge_followup_months"]))  # end of month kept
        p["observation_end"] = discharged + dp["discharge_observation_days"] * day
        p["signing_deadline"] = release + dp["discharge_signing_within_days"] * day
        # the first Monday on or after the release (isodow 1-7 = dayofweek 0-6)
        p["first_whole_week"] = release + ((7 - release.dt.dayofweek) % 7) * day
        ct, chronic, age = p["clinical_type"], p["chronic_disease"].astype("boolean"), p["age"].astype("Float64")
        older = dp["discharge_older_from_age"]
        # SQL's three-valued logic: a blank that could change the answer leaves it null
        weekly = ((ct == "ordinary").fillna(False).astype("boolean") | chronic | (age >= older)).fillna(False)
        biweekly = (~chronic & (age < older)).fillna(False)
        p["category"] = pd.Series(np.select(
            [ct.isin(["severe", "critical"]).to_numpy(), ct.isna().to_numpy(), weekly.to_numpy(dtype=bool),
             biweekly.to_numpy(dtype=bool)], ["severe", None, "weekly", "biweekly"], default=None), index=p.index, dtype=object)
        p["owed_per_span"] = p["category"].map({"severe": dp["discharge_severe_per_week"],
                                                "weekly": dp["discharge_standard_per_week"], "biweekly": 1}).astype("Float64")
        p["span_weeks"] = np.where(p["category"] == "biweekly", dp["discharge_mild_every_weeks"], 1)
        sunday = week + 6 * day
        t7, t14 = p["test_day7"], p["test_day14"]
        missing = ((t7.isna() & (sunday >= discharged + dp["discharge_first_test_day"] * day))
                   | (t14.isna() & (sunday >= discharged + dp["discharge_second_test_day"] * day)))
        p["test_status"] = np.select(
            [((t7 == "positive") | (t14 == "positive")).fillna(False).to_numpy(dtype=bool), missing.to_numpy(dtype=bool),
             ((t7 == "negative") & (t14 == "negative")).fillna(False).to_numpy(dtype=bool)],
            ["positive", "missing", "negative"], default="pending")
        p["released_early"] = (release < p["observation_end"]).astype("boolean").mask(release.isna())
        deadline = p["signing_deadline"]
        late = (p["signed_date"] > deadline) | (p["file_date"] > deadline)  # either date known and past it
        p["signing_status"] = np.select(
            [(release.isna() & (sunday < p["observation_end"])).to_numpy(), release.isna().to_numpy(), late.to_numpy(),
             (p["signed_date"].notna() & p["file_date"].notna()).to_numpy(), (sunday <= deadline).to_numpy()],
            ["not_due", "no_release", "late", "on_time", "not_due"], default="blank")
        # patient by week: every week with a register loaded, from the first listing to the window's end
        pw = p.merge(weeks, how="cross")
        pw = pw[((pw["week"] >= pw["first_listed"]) & (pw["week"] < pw["window_end"])).to_numpy()]
        pw = pw.merge(listed[["record_no", "week", "contacts_week"]].assign(listed_this_week=True),
                      on=["record_no", "week"], how="left")
        pw["listed_this_week"] = pw["listed_this_week"].notna()
        pw["whole_week"] = (pw["release_date"].notna() & (pw["week"] >= pw["first_whole_week"])
                            & (pw["week"] + 7 * day <= pw["window_end"]))
        offset = (pw["week"] - pw["first_whole_week"]).dt.days
        week_no = np.trunc(offset / 7)  # DuckDB's // truncates toward zero (only whole weeks, >= 0, are used)
        pw["span_no"] = np.trunc(week_no / pw["span_weeks"])
        pw["span_ends"] = pw["whole_week"] & ((week_no + 1) % pw["span_weeks"] == 0)
        # contacts made in the span so far and its weeks with no known count (whole weeks only)
        pw = pw.sort_values(["record_no", "week"], kind="stable")
        whole = pw[pw["whole_week"].to_numpy()]
        groups = [whole["record_no"], whole["span_no"]]
        known = whole["contacts_week"].notna().astype(int).groupby(groups).cumsum()
        made = whole["contacts_week"].fillna(0).astype("int64").groupby(groups).cumsum()
        pw["span_made"] = made.where(known > 0).astype("Float64")  # sum of nothing known: null, never 0
        pw["span_unknown"] = (whole["span_weeks"] - known).astype("Float64")
        rel = pw["release_date"]
        end6 = pw["week"] + 6 * day
        pw["week_status"] = np.select(
            [(rel.isna() & (end6 < pw["observation_end"])).to_numpy(), rel.isna().to_numpy(), (end6 < rel).to_numpy(),
             (~pw["whole_week"]).to_numpy(), pw["category"].isna().to_numpy(), (~pw["span_ends"]).to_numpy(),
             (pw["span_made"].fillna(0) >= pw["owed_per_span"]).fillna(False).to_numpy(dtype=bool),
             (~pw["listed_this_week"]).to_numpy(), (pw["span_unknown"] > 0).fillna(False).to_numpy(dtype=bool)],
            ["observation", "no_release", "observation", "partial", "no_category", "not_due", "met", "not_reported",
             "unknown"], default="short")
        pw["owed"] = pw["owed_per_span"].where(pw["whole_week"] & pw["span_ends"] & pw["category"].notna())
        rows = pw[pw["week"] == week]
        if rows.empty:
            return {}
        status, signing, test = rows["week_status"], rows["signing_status"], rows["test_status"]
        judged = rows[status.isin(followup_m.JUDGED).to_numpy()]
        signing_known = int((signing == "on_time").sum() + (signing == "late").sum())
        return {"patients": len(rows), "facilities": int(rows["facility_code"].nunique(dropna=False)),
                "observation": int((status == "observation").sum()),
                **{s: int((status == s).sum()) for s in (*followup_m.JUDGED, *followup_m.UNJUDGED, "partial", "not_due")},
                "owed": int(judged["owed"].sum()) if len(judged) else None,
                "made": int(np.minimum(judged["span_made"].fillna(0), judged["owed"]).sum()) if len(judged) else None,
                "met_share": int((status == "met").sum()) / len(judged) if len(judged) else None,
                **{f"signing_{s}": int((signing == s).sum()) for s in ("on_time", "late", "blank", "not_due", "no_release")},
                "signing_share": int((signing == "on_time").sum()) / signing_known if signing_known else None,
                **{f"test_{s}": int((test == s).sum()) for s in ("positive", "missing", "pending", "negative")},
                "released_early": count(rows["released_early"]),
                "unknown_duty": int(rows.loc[rows["must_report"].isna().to_numpy(), "facility_code"].nunique(dropna=False))}

    # --- scorecard: queries/scorecard_members.sql, the week's referral directions as
    # referral_classified.sql derives them, then scorecard.indicators / totals / headline ---------------
    def scorecard_pd() -> dict:
        chosen = area["consortium"].dropna().unique()
        d = duty.loc[duty["dataset"] == "visits", ["facility_code", "must_report"]]
        m = current.loc[current["consortium"].isin(chosen).to_numpy(), unit_columns].merge(d, on="facility_code", how="left")
        must = m["must_report"].astype("boolean")
        m["owes_primary"] = must & (m["tier"] == "primary").astype("boolean")  # null duty and not primary: false
        m["owes_sharing"] = must & (m["tier"] != "lead").astype("boolean")
        m = m.merge(visits.drop(columns=["week", "load_id"], errors="ignore").assign(reported=True),
                    on="facility_code", how="left")
        m["reported"] = m["reported"].notna()
        if m.empty or not m["reported"].any():
            return {}
        # referral_classified: in the region when either end is a current facility; direction as recorded,
        # else from the tiers (primary < sub-designated < designated < lead < partner)
        rank = {"primary": 1, "sub_designated": 2, "designated": 3, "lead": 4, "partner": 5}
        codes = set(area["facility_code"])
        t = transfer[(transfer["from_code"].isin(codes) | transfer["to_code"].isin(codes)).to_numpy()]
        f = current[["facility_code", "tier", "consortium"]]
        t = (t.merge(f.add_prefix("from_"), left_on="from_code", right_on="from_facility_code", how="left")
              .merge(f.add_prefix("to_"), left_on="to_code", right_on="to_facility_code", how="left"))
        fr, tr = t["from_tier"].map(rank).astype("Float64"), t["to_tier"].map(rank).astype("Float64")
        derived = pd.Series(np.select([(tr > fr).fillna(False).to_numpy(dtype=bool), (tr < fr).fillna(False).to_numpy(dtype=bool),
                                       (tr == fr).fillna(False).to_numpy(dtype=bool)], ["up", "down", "lateral"], default=None),
                            index=t.index, dtype=object)
        direction = t["direction_recorded"].astype(object).where(t["direction_recorded"].notna(), derived)
        up = t[(direction == "up").to_numpy()]
        down = t[(direction == "down").to_numpy()]
        ups = up.groupby("from_consortium").agg(up=("referral_id", "size"),
                                                up_primary=("from_tier", lambda s: int((s == "primary").sum())))
        downs = down.groupby("to_consortium").agg(down=("referral_id", "size"))
        refs = ups.join(downs, how="outer").fillna(0).astype("int64")
        # the six indicators per consortium, over the members owing each (all of whom must give it)
        m = m.sort_values("facility_code", kind="stable")
        by = m.groupby("consortium", sort=False)
        out = pd.DataFrame(index=pd.Index(m["consortium"].drop_duplicates(), name="consortium"))
        ref = refs.reindex(out.index).fillna(0)
        points_total = {}
        for ind in scorecard_m.INDICATORS:
            owing = m[ind.owed_by].fillna(False).astype(bool)
            gave = m["reported"] & m[list(ind.inputs)].notna().all(axis=1)
            owe = owing.groupby(m["consortium"], sort=False).sum().reindex(out.index)
            missing = (owing & ~gave).groupby(m["consortium"], sort=False).sum().reindex(out.index)
            unknown = m[ind.owed_by].isna().groupby(m["consortium"], sort=False).sum().reindex(out.index)

            def total(column, rows=owing):
                return m[column].where(rows, 0).fillna(0).astype(float).groupby(m["consortium"], sort=False).sum().reindex(out.index)
            if ind.key == "resource_sharing":
                num = (m[list(scorecard_m.SHARING)].fillna(0) > 0).sum(axis=1).where(owing, 0).groupby(
                    m["consortium"], sort=False).sum().reindex(out.index).astype(float)
                den = owe.astype(float) * len(scorecard_m.SHARING)
            elif ind.key == "first_visit":
                num, den = total("first_visits", owing & (m["tier"] == "primary").fillna(False)), total("first_visits")
            elif ind.key == "two_way_referral":
                num, den = (ref["up"] + ref["down"]).astype(float), total("outpatient_visits")
            elif ind.key == "capability_gain":
                num, den = total("conditions_treated"), total("conditions_baseline")
            elif ind.key == "gp_share":
                num, den = total("general_practitioners"), total("doctors")
            else:
                num, den = total("survey_satisfied"), total("survey_respondents")
            scored = (missing == 0) & (unknown == 0) & (owe > 0) & (den != 0)
            value = (num / den.where(den != 0)) - (1 if ind.key == "capability_gain" else 0)
            target = policy.value(ind.target)
            reached = (value / target).clip(lower=0, upper=1)
            if ind.key == "two_way_referral":
                both = ref["up"] + ref["down"]
                upward = (ref["up_primary"] / both.where(both > 0) / policy.value(scorecard_m.UPWARD)).clip(lower=0, upper=1)
                reached = np.minimum(reached, upward.fillna(0.0))
            points = (reached * scorecard_m.points_available(ind.key)).where(scored)
            out[f"{ind.key}_scored"] = scored
            out[f"{ind.key}_points"] = points
            out[f"{ind.key}_lost"] = (scorecard_m.points_available(ind.key) - points).where(scored & (reached < 1))
            points_total[ind.key] = points
        keys = [ind.key for ind in scorecard_m.INDICATORS]
        out["points"] = sum(points_total[k].fillna(0) for k in keys)  # polars' sum skips nulls
        out["complete"] = sum(out[f"{k}_scored"].astype(int) for k in keys) == len(keys)
        must_known = m["must_report"].fillna(False).astype(bool)
        out["members_silent"] = (must_known & ~m["reported"]).groupby(m["consortium"], sort=False).sum().reindex(out.index)
        out["members_owed"] = must_known.groupby(m["consortium"], sort=False).sum().reindex(out.index)
        ranked = out[out["complete"]].reset_index().sort_values(["points", "consortium"], kind="stable")
        worst = ranked.iloc[0] if len(ranked) else None
        behind = None
        if worst is not None:
            lost = [(worst[f"{k}_lost"], i, k) for i, k in enumerate(keys) if pd.notna(worst[f"{k}_lost"])]
            behind = sorted(lost, key=lambda x: (-x[0], x[1]))[0][2] if lost else None
        return {"consortia": len(out), "ranked": len(ranked), "unranked": len(out) - len(ranked),
                "worst": worst["consortium"] if worst is not None else None,
                "worst_points": float(worst["points"]) if worst is not None else None, "worst_behind": behind,
                "members_silent": int(out["members_silent"].sum()), "members_owed": int(out["members_owed"].sum()),
                "members_duty_unknown": int(m["must_report"].isna().sum())}

    def product(topic):
        return lambda: topic(queries.run, w, area_args).raw

    fever_keys = ("day", "owed", "reported", "not_reported", "unknown_duty", "set_up", "set_up_blank", "set_up_rate",
                  "open", "open_blank", "open_rate", "visits", "visits_blank", *fever_m.STATUSES, "waiting_blank")
    staff_keys = ("primary_owed", "primary_reported", "on_duty_rate", "staff_total", "staff_on_duty", "below", "met",
                  "blank", "not_reported", "unknown_duty", "hospitals_owed", "hospitals_reported", "placed_share",
                  "recruited", "placed", "hospitals_below")
    followup_keys = ("patients", "facilities", "observation", *followup_m.JUDGED, *followup_m.UNJUDGED, "partial",
                     "not_due", "owed", "made", "met_share",
                     *(f"signing_{s}" for s in ("on_time", "late", "blank", "not_due", "no_release")), "signing_share",
                     *(f"test_{s}" for s in ("positive", "missing", "pending", "negative")), "released_early", "unknown_duty")
    scorecard_keys = ("consortia", "ranked", "unranked", "worst", "worst_points", "worst_behind", "members_silent",
                      "members_owed", "members_duty_unknown")
    cases = {
        "fever": (fever_pd, product(headlines.fever_headline), fever_keys, len(fever_rows)),
        "staff": (staff_pd, product(headlines.staff_headline), staff_keys, len(staff_rows)),
        "followup": (followup_pd, product(headlines.followup_headline), followup_keys, len(discharge)),
        "scorecard": (scorecard_pd, product(headlines.scorecard_headline), scorecard_keys, len(visits) + len(transfer)),
    }
    out: dict = {}
    for name, (peer, product_fn, keys, rows) in cases.items():
        try:
            seconds, mine = _median_time(peer, repeat)
            product_s, theirs = _median_time(product_fn, repeat)
            mismatches = _check(mine, theirs, keys)
            out[name] = {"seconds_median": seconds, "rows": rows, "product_with_metrics_seconds_median": product_s,
                         "check": {"keys": list(keys), "equal": not mismatches, "mismatches": mismatches,
                                   "pandas": {k: _plain(mine.get(k)) for k in keys},
                                   # a figure the product's headline gained that no peer computes yet
                                   "unchecked": sorted(set(theirs) - set(keys))}}
        except Exception as exc:  # a peer that fails is reported, never silently left out
            out[name] = {"failed": f"{type(exc).__name__}: {str(exc)[:300]}"}
    return out


def overview_peer(peers: dict, w, area_args: dict, repeat: int) -> dict:
    """The overview's headline figures of all eight topics (labelling, referrals, ICU, stock, fever,
    staff, follow-up, scorecard): pandas = the sum of those topics' peers' medians; product = the eight
    headline functions (`headlines.TOPICS`, what the overview shows) uncached (queries.run + metric
    functions), timed together. Its check: every topic peer with a key-figure check agrees."""
    from dashboard.metrics import headlines
    from dashboard.store import queries

    names = ("labelling", "referrals", "icu", "stock", "fever", "staff", "followup", "scorecard")
    topics = headlines.TOPICS
    if tuple(t.__name__.removesuffix("_headline") for t in topics) != names:
        return {"failed": f"the overview's topics changed: {[t.__name__ for t in topics]}; give each a peer here"}

    def product():
        return [topic(queries.run, w, area_args) for topic in topics]
    try:
        product_s, _ = _median_time(product, repeat)
    except Exception as exc:
        return {"failed": f"{type(exc).__name__}: {str(exc)[:300]}"}
    parts = [peers.get(k, {}).get("seconds_median") for k in names]
    if any(p is None for p in parts):
        missing = [k for k, p in zip(names, parts) if p is None]
        return {"failed": f"a topic's pandas peer is missing or failed: {missing}", "product_with_metrics_seconds_median": product_s}
    checked = [k for k in names if "check" in peers[k]]
    return {"seconds_median": round(sum(parts), 4), "product_with_metrics_seconds_median": product_s,
            "topics": list(names),
            "check": {"equal": all(peers[k]["check"]["equal"] for k in checked), "topics_checked": checked,
                      "mismatches": {k: peers[k]["check"]["mismatches"] for k in checked if not peers[k]["check"]["equal"]},
                      "note": "the topic peers' key-figure checks (the labelling and referrals peers compute the "
                              "page's aggregations without one)"}}


def product_referral_aggregations(w):
    """The referral page's aggregations as the product does them: its queries (the counted rows of
    agg_transfer, the facilities' positions) and its polars metric functions, with no cache."""
    from dashboard.metrics import referrals
    from dashboard.store import queries
    from dashboard import store

    area = {"league_code": None, "county_code": None, "consortium": None}

    def run() -> int:
        con = store.cursor()
        q = lambda name, **p: queries.run(name, con=con, **p)  # noqa: E731
        sel = referrals.selection(area, w, w)
        queries.run("facility_locations", con=con, week=w, **area)
        referrals.indicators(q, sel)
        sizes = [referrals.flows(q, sel, level, 150).height for level in ("county", "facility")]
        sizes += [referrals.tier_matrix(q, sel).height, referrals.compliance(q, sel, "from_consortium").height,
                  referrals.compliance_cases(q, sel).height, referrals.reception(q, sel).height]
        return sum(sizes)
    return run


def _has(con, table: str) -> bool:
    return bool(con.execute("select count(*) from information_schema.tables where table_name = $t", {"t": table}).fetchone()[0])


CHILDREN = {"base": child_base, "product": child_product, "duckdb": child_duckdb, "pandas": child_pandas,
            "replicate": child_replicate, "transfers": child_transfers, "queries": child_queries}


def run_child(kind: str, spec: dict, env: dict) -> dict:
    """Run one measurement in a fresh process under /usr/bin/time: Linux keeps a process's peak RSS
    across fork and exec, so a child started straight from this (large) process would report this
    process's peak; time(1) forks it from a small process instead."""
    started = time.perf_counter()
    load_before = [round(x, 2) for x in os.getloadavg()]
    command = [sys.executable, __file__, "--child", kind, json.dumps(spec)]
    timed = Path(TIME).exists()
    if timed:
        command = [TIME, "-f", "MAXRSS_KB %M", *command]
    proc = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{kind} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["process_seconds"] = round(time.perf_counter() - started, 2)
    # The machine may be shared: its load average (1, 5, 15 minutes) before and after this measurement.
    result["load_average"] = {"before": load_before, "after": [round(x, 2) for x in os.getloadavg()]}
    if timed:
        kb = [line for line in proc.stderr.splitlines() if line.startswith("MAXRSS_KB ")][-1].split()[1]
        result["peak_rss_mb"] = round(int(kb) / 1024, 1)
        result["peak_rss_by"] = "/usr/bin/time"
    else:
        result["peak_rss_by"] = "getrusage (includes the parent's peak before exec: install Debian's time)"
    return result


# --- the browser -----------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# Each timed browser step starts on a machine at rest: the step before it (a page's last drawing, a
# closed browser context, a stopped server) keeps the CPUs busy for a few hundred milliseconds after
# its own measurement ends, and a click made at once would pay for it. A commissioner clicks seconds
# after a page has drawn, not within 50 ms. Checked on /proc/stat, the whole machine: every step, the
# product's and the hello-world peers' alike; how long each waited is in the report.
QUIET_BUSY = 0.10      # at most this share of all CPUs busy ...
QUIET_WINDOW_S = 0.2   # ... over one window this long
QUIET_TIMEOUT_S = 5.0  # a machine busy with something else: measured anyway, and counted
QUIET_WAITS: list[float] = []
QUIET_TIMEOUTS: list[float] = []


def _cpu_times() -> tuple[int, int]:
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    return sum(values), values[3] + values[4]  # all, idle + iowait


def quiet() -> float:
    """Wait until the machine is at rest (QUIET_BUSY over QUIET_WINDOW_S), at most QUIET_TIMEOUT_S;
    the seconds waited. Where /proc/stat is absent, no wait."""
    if not Path("/proc/stat").exists():
        return 0.0
    started = time.perf_counter()
    before = _cpu_times()
    while True:
        time.sleep(QUIET_WINDOW_S)  # a sampling window, not a wait for the page
        now = _cpu_times()
        busy = 1 - (now[1] - before[1]) / max(1, now[0] - before[0])
        waited = time.perf_counter() - started
        if busy <= QUIET_BUSY or waited >= QUIET_TIMEOUT_S:
            (QUIET_WAITS if busy <= QUIET_BUSY else QUIET_TIMEOUTS).append(round(waited, 2))
            return waited
        before = now


def quiet_reset() -> None:
    """Start counting the waits of a new set of timed steps (quiet_summary reports them)."""
    QUIET_WAITS.clear()
    QUIET_TIMEOUTS.clear()


def quiet_summary() -> dict:
    """How the timed steps so far started: their count, the waits, the steps that found no rest."""
    waits = QUIET_WAITS + QUIET_TIMEOUTS
    return {"busy_at_most": QUIET_BUSY, "window_s": QUIET_WINDOW_S, "timeout_s": QUIET_TIMEOUT_S,
            "steps": len(waits), "median_wait_s": round(statistics.median(waits), 2) if waits else None,
            "max_wait_s": max(waits, default=None), "found_no_rest": len(QUIET_TIMEOUTS)}


def ready_js(needs_metric: bool, title: str | None = None) -> str:
    """Fully rendered: the app's script has finished, the page's title is shown (`title`: that text, for
    a switch inside the app, where the last page's title is still up until the new one draws), its
    metrics are shown (where the page has them), and everything on screen is drawn: each visible
    Plotly chart holds its SVG, each visible deck.gl map and table its canvas, and no placeholder
    (Streamlit's skeleton, shown while an element's code loads) is left (what is in a closed tab is not
    on screen and not waited for). An exception box counts as rendered and is reported."""
    metric = "document.querySelector('[data-testid=\"stMetric\"]')" if needs_metric else "true"
    wanted = "true" if title is None else f"h.innerText.trim() === {json.dumps(title)}"
    return ("() => { const app = document.querySelector('[data-testid=\"stApp\"]');"
            " if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;"
            " if (document.querySelector('[data-testid=\"stException\"]')) return true;"
            " const h = document.querySelector('h1'); if (!h || !h.offsetParent) return false;"
            f" if (!({wanted})) return false;"
            f" if (!({metric})) return false;"
            " for (const c of document.querySelectorAll('[data-testid=\"stPlotlyChart\"]')) {"
            "   if (c.offsetParent && !c.querySelector('.main-svg')) return false; }"
            " for (const c of document.querySelectorAll('[data-testid=\"stDeckGlJsonChart\"]')) {"
            "   if (c.offsetParent && !c.querySelector('canvas')) return false; }"
            " for (const c of document.querySelectorAll('[data-testid=\"stDataFrame\"]')) {"
            "   if (c.offsetParent && !c.querySelector('canvas')) return false; }"
            " for (const c of document.querySelectorAll('[data-testid=\"stSkeleton\"]')) {"
            "   if (c.offsetParent) return false; }"
            " return true; }")


class Server:
    def __init__(self, script: Path, cwd: Path, env: dict, log: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(log, "w")
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(self.port),
             "--server.headless", "true", "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
            cwd=cwd, env=env, stdout=self.log, stderr=subprocess.STDOUT)

    def wait_healthy(self, timeout: float = 120) -> None:
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"streamlit exited: {Path(self.log.name).read_text()[-2000:]}")
            try:
                if urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2).status == 200:
                    return
            except OSError:
                time.sleep(0.02)  # polling the health endpoint, not waiting for the page
        raise RuntimeError("streamlit did not answer")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


@contextlib.contextmanager
def opened(browser, url: str, needs_metric: bool, timeout_s: float = 600, polling: int = 50, rest: bool = False):
    """`url` in a new browser context (nothing cached: the front end downloads and starts again), until
    the page is fully drawn: yields (the tab, seconds); the context is closed afterwards. rest: first
    wait for the machine to be at rest (quiet)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    try:
        tab = context.new_page()
        if rest:
            quiet()
        t0 = time.perf_counter()
        tab.goto(url, wait_until="commit")
        tab.wait_for_function(ready_js(needs_metric), timeout=timeout_s * 1000, polling=polling)
        yield tab, time.perf_counter() - t0
    finally:
        context.close()


def visit(browser, url: str, needs_metric: bool, timeout_s: float = 600, rest: bool = True) -> tuple[float, list[str]]:
    """A visit in a new browser context: seconds, and the text of any exception box. rest: start it on
    a machine at rest (quiet); False where the time counts from something started before (a cold start)."""
    with opened(browser, url, needs_metric, timeout_s, rest=rest) as (tab, seconds):
        return seconds, [e.inner_text()[:200] for e in tab.query_selector_all("[data-testid='stException']")]


def page_url(base: str, slug: str) -> str:
    """The page's address: the overview is the default page, at the root (/overview is not a page)."""
    return f"{base}/" if slug == "overview" else f"{base}/{slug}"


def revisit(tab, url: str, needs_metric: bool, timeout_s: float = 600) -> float:
    """A visit in a browser that has been here before (a commissioner's every morning): the front end's
    files come from the browser's cache, the page opens a new session on the server."""
    quiet()
    t0 = time.perf_counter()
    tab.goto(url, wait_until="commit")
    tab.wait_for_function(ready_js(needs_metric), timeout=timeout_s * 1000, polling=50)
    return time.perf_counter() - t0


def switch(tab, slug: str, title: str, needs_metric: bool, timeout_s: float = 600) -> float:
    """A click on the page's link in the sidebar of an open session, until the page is fully drawn."""
    link = tab.locator(f"[data-testid='stSidebarNavLink'][href$='/{slug}']").first
    quiet()
    t0 = time.perf_counter()
    link.click()
    tab.wait_for_function(ready_js(needs_metric, title), timeout=timeout_s * 1000, polling=50)
    return time.perf_counter() - t0


def measure_browser(db: Path, data_dir: Path, work: Path, repeat: int, pages: list[str] | None = None,
                    cold: bool = True) -> dict:
    from playwright.sync_api import sync_playwright

    env = {**os.environ, "HC_DB_PATH": str(db), "HC_DATA_DIR": str(data_dir), "HC_SALT": SALT}
    hello = work / "hello"
    hello.mkdir(exist_ok=True)
    (hello / "hello.py").write_text('import streamlit as st\n\nst.title("Hello, world")\nst.metric("x", 1)\n')
    # hello world that first imports the libraries the app's server warms up with (app.py's warm_up):
    # how much of the app's cold start is the libraries, not the app
    (hello / "hello_libraries.py").write_text(
        "import duckdb, numpy, pandas, plotly.graph_objects, polars, pyarrow, pydeck  # noqa: F401\n"
        'import streamlit as st\n\nst.title("Hello, world")\nst.metric("x", 1)\n')
    # hello world with one small Plotly chart and one small table: the floor under a page that shows
    # either on its first screen (the front end loads and starts each one's code in every new session)
    (hello / "hello_chart_table.py").write_text(
        "import plotly.graph_objects as go\nimport polars as pl\nimport streamlit as st\n\n"
        'st.title("Hello, world")\nst.metric("x", 1)\n'
        'st.plotly_chart(go.Figure(go.Bar(x=["a", "b", "c"], y=[1, 3, 2])))\n'
        'st.dataframe(pl.DataFrame({"a": list(range(50)), "b": [str(i) for i in range(50)]}))\n')
    out: dict = {"pages": {}, "load_average_start": os.getloadavg()}
    quiet_reset()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=BROWSER_ARGS)
        if cold:
            product, reference, libraries = [], [], []
            for k in range(repeat):  # alternately, so a busy moment hits all three
                for label, script, cwd, bucket in (("hello", hello / "hello.py", hello, reference),
                                                   ("libraries", hello / "hello_libraries.py", hello, libraries),
                                                   ("app", ROOT / "app.py", ROOT, product)):
                    quiet()
                    server = Server(script, cwd, env, work / f"cold_{label}_{k}.log")
                    try:
                        server.wait_healthy()
                        seconds, errors = visit(browser, server.url + "/", True, rest=False)  # timed from the server's start
                        bucket.append(time.perf_counter() - server.started)
                    finally:
                        server.stop()
            out["cold_start"] = {"app_overview_s": round(statistics.median(product), 2),
                                 "hello_world_s": round(statistics.median(reference), 2),
                                 "hello_world_with_libraries_s": round(statistics.median(libraries), 2),
                                 "libraries_runs": [round(x, 2) for x in libraries],
                                 "app_runs": [round(x, 2) for x in product], "hello_runs": [round(x, 2) for x in reference]}
        out["hello_world_visits"] = hello_world_visits(browser, hello, env, work, repeat)
        server = Server(ROOT / "app.py", ROOT, env, work / "pages.log")
        try:
            server.wait_healthy()
            wanted = [(slug, needs_metric) for _, slug, needs_metric in PAGES if not pages or slug in pages]
            titles: dict[str, str] = {}
            for slug, needs_metric in wanted:
                first, errors = visit(browser, page_url(server.url, slug), needs_metric)
                warm = []
                for _ in range(repeat):
                    seconds, more = visit(browser, page_url(server.url, slug), needs_metric)
                    warm.append(seconds)
                    errors += more
                out["pages"][slug] = {"first_s": round(first, 2), "warm_s": round(statistics.median(warm), 2),
                                      "warm_runs": [round(x, 2) for x in warm], "errors": sorted(set(errors))}
            # One browser kept open, as a commissioner's is: its cache holds the front end's files.
            context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
            tab = context.new_page()
            revisit(tab, server.url + "/", True)
            for slug, needs_metric in wanted:
                runs = [revisit(tab, page_url(server.url, slug), needs_metric) for _ in range(repeat)]
                titles[slug] = tab.locator("h1").first.inner_text().strip()
                out["pages"][slug]["cached_browser_s"] = round(statistics.median(runs), 2)
                out["pages"][slug]["cached_browser_runs"] = [round(x, 2) for x in runs]
            # Browsing inside one session: from the overview to the page by its sidebar link, and back.
            for slug, needs_metric in wanted:
                if slug == "overview":
                    continue
                runs = []
                for _ in range(repeat):
                    revisit(tab, page_url(server.url, "overview"), True)
                    runs.append(switch(tab, slug, titles[slug], needs_metric))
                out["pages"][slug]["switch_s"] = round(statistics.median(runs), 2)
                out["pages"][slug]["switch_runs"] = [round(x, 2) for x in runs]
            context.close()
            out["hello_world_visits"]["cached_browser_s"] = cached_hello(browser, hello, env, work, repeat)
            out["hello_world_visits"]["chart_table_cached_browser_s"] = cached_hello(
                browser, hello, env, work, repeat, "hello_chart_table.py")
        finally:
            server.stop()
        browser.close()
    out["load_average_end"] = os.getloadavg()
    out["quiet"] = quiet_summary()
    return out


def hello_world_visits(browser, hello: Path, env: dict, work: Path, repeat: int) -> dict:
    """The floor under every page's render: a hello-world Streamlit page visited the way the pages are
    (a new browser context each time, so the front end loads and connects again), first and warm."""
    server = Server(hello / "hello.py", hello, env, work / "hello_visits.log")
    try:
        server.wait_healthy()
        first, _ = visit(browser, server.url + "/", True)
        warm = [visit(browser, server.url + "/", True)[0] for _ in range(repeat)]
    finally:
        server.stop()
    return {"first_s": round(first, 2), "warm_s": round(statistics.median(warm), 2), "warm_runs": [round(x, 2) for x in warm]}


def cached_hello(browser, hello: Path, env: dict, work: Path, repeat: int, script: str = "hello.py") -> float:
    """The hello-world page revisited in one browser kept open (the floor under `cached_browser_s`);
    `script`: another reference page of the same folder."""
    server = Server(hello / script, hello, env, work / f"{Path(script).stem}_cached.log")
    try:
        server.wait_healthy()
        context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
        tab = context.new_page()
        revisit(tab, server.url + "/", True)
        runs = [revisit(tab, server.url + "/", True) for _ in range(repeat)]
        context.close()
    finally:
        server.stop()
    return round(statistics.median(runs), 2)


# --- the run ---------------------------------------------------------------------------------------------
def load_once(key: str, folder: Path, db: Path, base: Path, csv: Path, w, env: dict, args) -> dict:
    """One load of the scale's file by one peer, in its own child process (its peak RSS its own)."""
    kenv = {**env, "HC_DATA_DIR": str(folder / f"data_{key}")}
    if key == "product":  # an upload key, so the encrypted original is kept as in production
        kenv["HC_UPLOAD_KEY"] = base64.urlsafe_b64encode(os.urandom(32)).decode()
        shutil.rmtree(folder / "data_product", ignore_errors=True)  # a round before's kept original and log
        shutil.copy(base, db)
        r = run_child("product", {"db": str(db), "file": str(csv), "week": w.isoformat(), "via": args.load_via}, kenv)
    elif key == "pandas":
        r = run_child("pandas", {"db": str(folder / "pandas.duckdb"), "file": str(csv)}, kenv)
    else:
        r = run_child("duckdb", {"db": str(folder / f"{key}.duckdb"), "file": str(csv),
                                 "hash": key == "duckdb_with_hashes"}, kenv)
    for extra in folder.glob("*.duckdb"):
        if extra != db:
            extra.unlink()
    return r


def median_run(runs: list[dict]) -> dict:
    """The run with the median time (the lower middle of an even count), with every run's seconds and
    the highest peak RSS of them all."""
    chosen = dict(sorted(runs, key=lambda r: r["seconds"])[(len(runs) - 1) // 2])
    if len(runs) > 1:
        chosen["runs_seconds"] = [r["seconds"] for r in runs]
        chosen["peak_rss_mb"] = max(r["peak_rss_mb"] for r in runs)
    return chosen


def project(report: dict, key: str, rows: int) -> float | None:
    """Peak RSS (MB) a load of `rows` would need: linear through the two largest scales measured so
    far (through the one, less a process's ~150 MB baseline, when only one). DuckDB's own loads are
    never skipped: DuckDB bounds its memory itself (memory_limit) and spills."""
    if key.startswith("duckdb"):
        return None
    done = sorted((s for s in report["scales"].values() if s["load"].get(key, {}).get("peak_rss_mb")),
                  key=lambda s: s["rows"])
    if not done:
        return None
    if len(done) == 1:
        last = done[-1]
        return 150 + (last["load"][key]["peak_rss_mb"] - 150) * rows / last["rows"]
    a, b = done[-2], done[-1]
    slope = (b["load"][key]["peak_rss_mb"] - a["load"][key]["peak_rss_mb"]) / (b["rows"] - a["rows"])
    return b["load"][key]["peak_rss_mb"] + max(slope, 0) * (rows - b["rows"])


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--scales", default="1,3,10", help="register sizes as multiples of 3,138,918 rows")
    p.add_argument("--out", default="bench/report.json")
    p.add_argument("--repeat", type=int, default=3, help="warm runs per measurement (medians)")
    p.add_argument("--transfers", type=int, default=1_600_000, help="transfers in a week for the referral page (0: skip)")
    p.add_argument("--no-browser", action="store_true")
    p.add_argument("--no-pandas", action="store_true")
    p.add_argument("--no-hash-floor", action="store_true", help="skip DuckDB read_csv with the two hashes")
    p.add_argument("--load-only", action="store_true", help="only the load and its peers (no queries, browser, transfers)")
    p.add_argument("--load-repeat", type=int, default=1,
                   help="loads per peer and scale, the peers in turn (the median run is reported)")
    p.add_argument("--load-via", choices=["path", "bytes"], default="path",
                   help="the product loads the file as the command line does (path) or as an upload (bytes in memory)")
    p.add_argument("--memory-share", type=float, default=0.8, help="skip a load projected above this share of free memory")
    p.add_argument("--work", help="working folder (default: a temporary one, removed at the end)")
    p.add_argument("--demo", action="store_true",
                   help="also measure a new user's first start (scripts/benchmark_demo.py: the server on an empty "
                        "data folder until the whole demo is loaded, and `python -m dashboard demo`); minutes")
    p.add_argument("--demo-only", action="store_true", help="only the first-start measurement (--demo)")
    p.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        print(json.dumps(CHILDREN[args.child[0]](json.loads(args.child[1]))))
        return
    if args.demo_only:
        return run_demo(args, None)

    use_pandas = not args.no_pandas
    if use_pandas:
        try:
            import pandas  # noqa: F401
        except ImportError:
            raise SystemExit(INSTALL_HINT)
    browser = not args.no_browser and Path(CHROMIUM).exists()
    if not args.no_browser and not browser:
        say(f"no {CHROMIUM}: browser measurements skipped (bash scripts/setup.sh --test installs it)")
    scales = sorted(float(s) for s in args.scales.split(","))
    work = Path(args.work or tempfile.mkdtemp(prefix="hc_bench_"))
    work.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "HC_SALT": SALT}
    w = week()
    report = {
        "command": " ".join([".venv/bin/python", "scripts/benchmark.py", *sys.argv[1:]]),
        "started": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "machine": {"cores": os.cpu_count(), "memory_available_mb": round(available_mb()),
                    "python": platform.python_version(), "platform": platform.platform(),
                    "load_average": os.getloadavg()},
        "week": w.isoformat(), "one_x_rows": INNER_MONGOLIA_65_PLUS, "repeat": args.repeat,
        "skipped": [], "scales": {},
    }
    try:
        say(f"work folder {work}; week {w}; scales {scales}")
        base = work / "base.duckdb"
        report["base"] = run_child("base", {"db": str(base)}, {**env, "HC_DATA_DIR": str(work / "base_data")})
        say(f"base database (demo facilities, transfers, ICU, stock): {report['base']['process_seconds']} s")
        loaded_db: tuple[Path, int] | None = None
        transfers_done = False
        for s in scales:
            rows = max(1, round(INNER_MONGOLIA_65_PLUS * s))
            label = f"{s:g}x"
            folder = work / label
            folder.mkdir(exist_ok=True)
            entry = report["scales"][label] = {"scale": s, "rows": rows, "load": {}}
            csv = folder / "register.csv"
            entry["generated"] = write_register(csv, rows)
            os.sync()  # the new file's pages on disk now, not written back during the first load timed
            say(f"\n{label}: {rows:,} rows, {entry['generated']['bytes'] / 1e6:,.0f} MB CSV "
                f"(generated in {entry['generated']['seconds']} s)")
            budget = available_mb() * args.memory_share
            db = folder / "db.duckdb"
            peers = [("product", True), ("duckdb_floor", True), ("duckdb_with_hashes", not args.no_hash_floor), ("pandas", use_pandas)]
            measured = []
            for key, wanted in peers:
                need = project(report, key, rows) if wanted else None
                if need is not None and need > budget:
                    note = (f"{label} {key}: skipped, projected peak {need:,.0f} MB > {budget:,.0f} MB "
                            f"({args.memory_share:.0%} of the memory available)")
                    report["skipped"].append(note)
                    entry["load"][key] = {"skipped": note}
                    say("  " + note)
                elif wanted:
                    measured.append(key)
            runs: dict[str, list[dict]] = {}
            quiet_reset()
            # --load-repeat N: the peers in turn, N rounds (a slower moment of the machine falls on all of
            # them alike); the median run is reported, with every run's seconds and the highest peak.
            for _ in range(args.load_repeat):
                for key in measured:
                    quiet()  # each load starts on a machine at rest, as each browser step does
                    r = load_once(key, folder, db, base, csv, w, env, args)
                    runs.setdefault(key, []).append(r)
                    say(f"  load {key:20s} {r['seconds']:7.2f} s  peak RSS {r['peak_rss_mb']:8,.0f} MB"
                        f"  load average {r['load_average']['before'][0]:.1f} -> {r['load_average']['after'][0]:.1f}"
                        + (f"  stages {r['stages']}" if "stages" in r else ""))
            for key, done in runs.items():
                entry["load"][key] = median_run(done)
            entry["load_quiet"] = quiet_summary()
            csv.unlink()
            if args.load_only:
                write_report(report, args.out)
                continue
            page_db = db
            if "seconds" in entry["load"].get("product", {}):
                loaded_db = (db, rows)
                entry["database"] = "the product's load"
            elif loaded_db:
                shutil.copy(loaded_db[0], db)
                r = run_child("replicate", {"db": str(db), "week": w.isoformat(), "rows": rows}, env)
                entry["database"] = (f"the {loaded_db[1]:,}-row load's register replicated in DuckDB to "
                                     f"{r['rows']:,} rows ({r['seconds']} s)")
                say("  pages on " + entry["database"])
            else:
                entry["database"] = "none: no load completed"
                continue
            data_dir = folder / "data_product"
            data_dir.mkdir(exist_ok=True)
            qenv = {**env, "HC_DB_PATH": str(page_db), "HC_DATA_DIR": str(data_dir)}
            entry["queries"] = run_child("queries", {"week": w.isoformat(), "repeat": args.repeat, "pandas": use_pandas}, qenv)
            for slug, q in entry["queries"]["pages"].items():
                say(f"  queries {slug:13s} {q['queries']:3d} queries {q['seconds_median'] * 1000:8.1f} ms"
                    + (f"  ERRORS {q['errors']}" if q["errors"] else ""))
            for name, pq in entry["queries"].get("pandas", {}).items():
                if "failed" in pq:
                    say(f"  pandas  {name:13s} FAILED {pq['failed']}")
                    continue
                check = pq.get("check", {})
                say(f"  pandas  {name:13s} {pq.get('rows', 0):,} rows {pq['seconds_median'] * 1000:8.1f} ms"
                    + (f"  product with metrics {pq['product_with_metrics_seconds_median'] * 1000:8.1f} ms"
                       if "product_with_metrics_seconds_median" in pq else "")
                    + ("" if not check else "  same result" if check["equal"] else f"  MISMATCH {check.get('mismatches')}"))
            if browser:
                entry["browser"] = measure_browser(page_db, data_dir, folder, args.repeat)
                cs = entry["browser"]["cold_start"]
                say(f"  cold start: app {cs['app_overview_s']} s, hello world {cs['hello_world_s']} s, "
                    f"hello world importing the app's libraries {cs.get('hello_world_with_libraries_s', '-')} s")
                for slug, b in entry["browser"]["pages"].items():
                    say(f"  browser {slug:13s} first {b['first_s']:6.2f} s  warm {b['warm_s']:6.2f} s"
                        + (f"  ERRORS {b['errors']}" if b["errors"] else ""))
            if args.transfers and not transfers_done and (s >= 1 or s == scales[-1]):
                transfers_done = True
                try:
                    entry["transfers_week"] = measure_transfers(args, page_db, folder, env, w, browser, use_pandas)
                except RuntimeError as exc:
                    entry["transfers_week"] = {"transfers": args.transfers, "failed": str(exc)[-2000:]}
                    say(f"  transfers week failed: {str(exc)[-500:]}")
            write_report(report, args.out)  # after every scale: a long run that is stopped keeps its figures
        report["finished"] = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        report["ratios"] = ratios(report)
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    out = write_report(report, args.out)
    say("\n" + table(report))
    say(f"\nreport: {out}")
    if args.demo:
        run_demo(args, report)


def run_demo(args, report: dict | None) -> None:
    """The first start (scripts/benchmark_demo.py) in a fresh folder; into the report under "demo"."""
    import benchmark_demo

    work = Path(args.work or tempfile.mkdtemp(prefix="hc_bench_demo_")) / "demo"
    work.mkdir(parents=True, exist_ok=True)
    try:
        demo = benchmark_demo.measure(work, browser_on=not args.no_browser, cli=True)
    finally:
        if not args.work:
            shutil.rmtree(work.parent, ignore_errors=True)
    if report is None:
        report = {"command": " ".join([".venv/bin/python", "scripts/benchmark.py", *sys.argv[1:]]),
                  "machine": {"cores": os.cpu_count(), "memory_available_mb": round(available_mb()),
                              "load_average": os.getloadavg()}, "skipped": [], "scales": {}}
    report["demo"] = demo
    out = write_report(report, args.out)
    say("\n" + benchmark_demo.summary(demo))
    say(f"\nreport: {out}")


def write_report(report: dict, target: str) -> Path:
    report["ratios"] = ratios(report)
    out = ROOT / target if not Path(target).is_absolute() else Path(target)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return out


def measure_transfers(args, page_db: Path, folder: Path, env: dict, w, browser: bool, use_pandas: bool) -> dict:
    """The referral page on a week of args.transfers transfers, loaded through load_bytes."""
    n = args.transfers
    csv = folder / "transfer.csv"
    db = folder / "transfers.duckdb"
    shutil.copy(page_db, db)
    made = run_child("transfers", {"week": w.isoformat(), "n": n, "file": str(csv)}, env)
    data_dir = folder / "data_transfers"
    data_dir.mkdir(exist_ok=True)
    tenv = {**env, "HC_DATA_DIR": str(data_dir)}
    load = run_child("product", {"db": str(db), "file": str(csv), "week": w.isoformat(), "dataset": "transfer"}, tenv)
    csv.unlink()
    say(f"  transfers: {n:,} generated in {made['seconds']} s, loaded in {load['seconds']} s "
        f"(peak RSS {load['peak_rss_mb']:,.0f} MB)")
    out = {"transfers": n, "generated_s": made["seconds"], "load": load}
    out["queries"] = run_child("queries", {"week": w.isoformat(), "repeat": args.repeat, "pandas": use_pandas,
                                           "pages": ["referrals"]}, {**tenv, "HC_DB_PATH": str(db)})
    q = out["queries"]["pages"]["referrals"]
    say(f"  queries referrals@{n:,} {q['seconds_median'] * 1000:8.1f} ms")
    if browser:
        out["browser"] = measure_browser(db, data_dir, folder, args.repeat, pages=["referrals"], cold=False)
        b = out["browser"]["pages"]["referrals"]
        say(f"  browser referrals@{n:,} first {b['first_s']:6.2f} s  warm {b['warm_s']:6.2f} s")
    db.unlink()
    return out


def _div(a, b):
    return round(a / b, 2) if isinstance(a, (int, float)) and isinstance(b, (int, float)) and b else None


def ratios(report: dict) -> dict:
    """Every ratio the issue's targets are stated in."""
    out: dict = {}
    scales = report["scales"]
    for label, e in scales.items():
        load = e["load"]
        sec = {k: v.get("seconds") for k, v in load.items()}
        mem = {k: v.get("peak_rss_mb") for k, v in load.items()}
        r = {"load_product_over_duckdb_floor": _div(sec.get("product"), sec.get("duckdb_floor")),
             "load_product_over_duckdb_with_hashes": _div(sec.get("product"), sec.get("duckdb_with_hashes")),
             "load_pandas_over_product": _div(sec.get("pandas"), sec.get("product")),
             "load_product_peak_rss_mb": mem.get("product")}
        q = e.get("queries", {})
        for name, pq in q.get("pandas", {}).items():
            mine = q["pages"].get(name, {}).get("seconds_median")
            r[f"queries_pandas_over_product_{name}"] = _div(pq.get("seconds_median"), mine)
            if "product_with_metrics_seconds_median" in pq:
                r[f"pandas_over_product_with_metrics_{name}"] = _div(pq.get("seconds_median"), pq["product_with_metrics_seconds_median"])
            if "check" in pq:  # the peer's key figures equal the product's (1) or not (0)
                r[f"pandas_peer_equal_{name}"] = int(bool(pq["check"]["equal"]))
        if e.get("browser"):
            cs = e["browser"]["cold_start"]
            r["cold_start_app_over_hello_world"] = _div(cs["app_overview_s"], cs["hello_world_s"])
            r["slowest_page_warm_s"] = max(b["warm_s"] for b in e["browser"]["pages"].values())
            floor = e["browser"].get("hello_world_visits", {}).get("warm_s")
            kept = e["browser"].get("hello_world_visits", {}).get("cached_browser_s")
            for slug, b in e["browser"]["pages"].items():
                r[f"browser_warm_over_hello_world_{slug}"] = _div(b["warm_s"], floor)
                r[f"browser_kept_over_hello_world_{slug}"] = _div(b.get("cached_browser_s"), kept)
            r["slowest_page_kept_browser_s"] = max((b.get("cached_browser_s") or 0) for b in e["browser"]["pages"].values())
            r["slowest_page_sidebar_click_s"] = max((b.get("switch_s") or 0) for b in e["browser"]["pages"].values())
        out[label] = r
    labels = list(scales)
    if not labels:  # --demo-only: no scale measured
        return out
    reference = "1x" if "1x" in scales else labels[0]
    for label in labels:
        small, big = scales[reference], scales[label]
        if big["rows"] <= small["rows"]:
            continue
        key = f"{label}_over_{reference}"
        size = big["rows"] / small["rows"]
        cmp = {"rows": round(size, 2),
               "load_time": _div(big["load"].get("product", {}).get("seconds"), small["load"].get("product", {}).get("seconds")),
               "load_peak_rss": _div(big["load"].get("product", {}).get("peak_rss_mb"),
                                     small["load"].get("product", {}).get("peak_rss_mb"))}
        for slug, q in big.get("queries", {}).get("pages", {}).items():
            cmp[f"queries_{slug}"] = _div(q["seconds_median"], small.get("queries", {}).get("pages", {}).get(slug, {}).get("seconds_median"))
        for slug, b in big.get("browser", {}).get("pages", {}).items():
            cmp[f"browser_warm_{slug}"] = _div(b["warm_s"], small.get("browser", {}).get("pages", {}).get(slug, {}).get("warm_s"))
        out[key] = cmp
    return out


def table(report: dict) -> str:
    labels = list(report["scales"])
    lines = [f"{'':44s}" + "".join(f"{label:>12s}" for label in labels)]

    def row(name: str, get) -> None:
        cells = []
        for label in labels:
            try:
                v = get(report["scales"][label], report["ratios"].get(label, {}))
            except (KeyError, TypeError):
                v = None
            cells.append(f"{v:>12,.2f}" if isinstance(v, (int, float)) else f"{'-':>12s}")
        lines.append(f"{name:44s}" + "".join(cells))

    row("register rows (millions)", lambda e, r: e["rows"] / 1e6)
    row("load: product s", lambda e, r: e["load"]["product"]["seconds"])
    row("load: DuckDB read_csv (floor) s", lambda e, r: e["load"]["duckdb_floor"]["seconds"])
    row("load: DuckDB read_csv + 2 hashes s", lambda e, r: e["load"]["duckdb_with_hashes"]["seconds"])
    row("load: pandas s", lambda e, r: e["load"]["pandas"]["seconds"])
    row("load: product / floor (target <= 1.5)", lambda e, r: r["load_product_over_duckdb_floor"])
    row("load: pandas / product", lambda e, r: r["load_pandas_over_product"])
    row("load: product peak RSS MB (target <= 1024)", lambda e, r: r["load_product_peak_rss_mb"])
    row("load: floor peak RSS MB", lambda e, r: e["load"]["duckdb_floor"]["peak_rss_mb"])
    row("load: pandas peak RSS MB", lambda e, r: e["load"]["pandas"]["peak_rss_mb"])
    for _, slug, _ in PAGES:
        row(f"queries {slug} ms", lambda e, r, s=slug: e["queries"]["pages"][s]["seconds_median"] * 1000)
    for _, name, _ in PAGES:
        row(f"queries {name}: pandas / product (>= 5)", lambda e, r, n=name: r[f"queries_pandas_over_product_{n}"])
    for _, name, _ in PAGES:
        if name != "labelling":
            row(f"{name}: pandas / product queries + metrics (>= 5)", lambda e, r, n=name: r[f"pandas_over_product_with_metrics_{n}"])
    for name in ("icu", "stock", "fever", "staff", "followup", "scorecard", "data_quality", "overview"):
        row(f"{name}: pandas peer result = product's (1 yes, 0 no)", lambda e, r, n=name: r[f"pandas_peer_equal_{n}"])
    for _, slug, _ in PAGES:
        row(f"page script {slug} warm s", lambda e, r, s=slug: e["queries"]["pages"][s]["script_warm_s"])
    row("load average (1 min) at the browser run", lambda e, r: e["browser"]["load_average_start"][0])
    row("browser hello world, new browser s", lambda e, r: e["browser"]["hello_world_visits"]["warm_s"])
    row("browser hello world, kept browser s", lambda e, r: e["browser"]["hello_world_visits"]["cached_browser_s"])
    row("browser hello world + a chart and a table, kept browser s",
        lambda e, r: e["browser"]["hello_world_visits"].get("chart_table_cached_browser_s"))
    for _, slug, _ in PAGES:
        row(f"browser {slug} kept browser s (target <= 1)", lambda e, r, s=slug: e["browser"]["pages"][s]["cached_browser_s"])
        row(f"browser {slug} sidebar click s (target <= 1)", lambda e, r, s=slug: e["browser"]["pages"][s]["switch_s"])
        row(f"browser {slug} new browser warm s", lambda e, r, s=slug: e["browser"]["pages"][s]["warm_s"])
        row(f"browser {slug} first visit s", lambda e, r, s=slug: e["browser"]["pages"][s]["first_s"])
    for _, slug, _ in PAGES:
        row(f"browser {slug} warm / hello world warm", lambda e, r, s=slug: r[f"browser_warm_over_hello_world_{s}"])
        row(f"browser {slug} kept / hello world kept", lambda e, r, s=slug: r[f"browser_kept_over_hello_world_{s}"])
    row("cold start: app s", lambda e, r: e["browser"]["cold_start"]["app_overview_s"])
    row("cold start: hello world s", lambda e, r: e["browser"]["cold_start"]["hello_world_s"])
    row("cold start: app / hello (target <= 1.2)", lambda e, r: r["cold_start_app_over_hello_world"])
    row("cold start: hello world with the app's libraries s",
        lambda e, r: e["browser"]["cold_start"].get("hello_world_with_libraries_s"))
    for label in labels:
        t = report["scales"][label].get("transfers_week")
        if t and "failed" not in t:
            lines.append(f"\nreferral page at {t['transfers']:,} transfers a week ({label} register): load "
                         f"{t['load']['seconds']} s, queries {t['queries']['pages']['referrals']['seconds_median'] * 1000:.0f} ms"
                         + (f", browser warm {t['browser']['pages']['referrals']['warm_s']} s" if t.get("browser") else "")
                         + (f", pandas / product {_div(t['queries']['pandas']['referrals']['seconds_median'], t['queries']['pages']['referrals']['seconds_median'])}"
                            f" (with the page's polars aggregations: {_div(t['queries']['pandas']['referrals']['seconds_median'], t['queries']['pandas']['referrals'].get('product_with_metrics_seconds_median'))})"
                            if t["queries"].get("pandas") else "")
                         + f"; agg_transfer {t['queries'].get('agg_transfer_rows', 0):,} rows for the week")
    for key, cmp in report["ratios"].items():
        if "_over_" in key:
            lines.append(f"\n{key.replace('_over_', ' / ')}: " + ", ".join(f"{k} {v}" for k, v in cmp.items() if v is not None))
    for note in report["skipped"]:
        lines.append("skipped: " + note)
    return "\n".join(lines)


if __name__ == "__main__":
    main()
