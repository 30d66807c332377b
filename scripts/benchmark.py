"""Benchmark: load a province's weekly key-population register through the real pipeline.

    .venv/bin/python scripts/benchmark.py                 # 3,138,918 rows (Inner Mongolia's 65+, 2020 census)
    .venv/bin/python scripts/benchmark.py --rows 310000   # a quick run

Generates a facility register and a register of N people (valid 18-character ID numbers with check
digits, phones, names; vectorised, no Python loops over rows), writes the register as UTF-8 CSV and as
GBK CSV, then loads each with `loading.load_bytes` into a fresh temporary database (facility register
first). Every load runs in its own child process, so the peak RSS reported is that load's alone.
A second, ten-times smaller register gives the size ratio. The machine is shared and noisy: read the
ratios, not just the seconds. Timings are never asserted in tests.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WEEK = "2022-W51"
INNER_MONGOLIA_65_PLUS = 3_138_918
FACILITIES = 1_200
ID_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
CHECK_CHARS = np.array(list("10X98765432"))


def facility_csv(n: int = FACILITIES) -> bytes:
    i = np.arange(n)
    county = 150102 + (i % 60)
    frame = pl.DataFrame({
        "机构编码": [f"F{k:05d}" for k in range(n)],  # n is small: a comprehension is fine here
        "机构名称": [f"第{k}社区卫生服务中心" for k in range(n)],
        "层级": "基层医疗卫生机构",
        "基层机构类型": "社区卫生服务中心",
        "盟市代码": "150100",
        "旗县代码": county.astype(str),
        "医联体名称": "测试医联体",
        "纬度": np.round(40.0 + (i % 100) * 0.01, 4).astype(str),
        "经度": np.round(111.0 + (i % 100) * 0.01, 4).astype(str),
        "服务人口": "20000",
    })
    return frame.write_csv().encode("utf-8")


def register_frame(n: int, seed: int = 7) -> pl.DataFrame:
    """n people with unique, valid ID numbers, aged 65-100 at the benchmark week."""
    rng = np.random.default_rng(seed)
    i = np.arange(n, dtype=np.int64)
    region = 150102 + (i % 60)
    births = np.datetime64("1922-12-20", "D") + (i // 60) % 12_775  # ~35 years of birth days
    seq = i // (60 * 12_775)  # (region, birth day, seq) is unique up to ~766M rows
    years = births.astype("datetime64[Y]").astype(np.int64) + 1970
    months = births.astype("datetime64[M]").astype(np.int64) % 12 + 1
    days = (births - births.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64) + 1
    body = (region * 10**11 + (years * 10_000 + months * 100 + days) * 1_000 + seq)  # 17 digits
    digits = (body[:, None] // 10 ** np.arange(16, -1, -1, dtype=np.int64)) % 10
    check = CHECK_CHARS[(digits @ ID_WEIGHTS) % 11]
    ids = pl.Series(body).cast(pl.Utf8) + pl.Series(check)
    age = ((np.datetime64("2022-12-19", "D") - births).astype(np.int64) // 365.2425).astype(np.int64)
    disease = np.array(["无基础疾病", "基础疾病稳定", "基础疾病不稳定"])[rng.integers(0, 3, n)]
    vacc = np.array(["未接种", "未全程接种", "全程接种"])[rng.integers(0, 3, n)]
    label = np.array(["绿色", "黄色", "红色", ""])[rng.integers(0, 4, n)]
    return pl.DataFrame({
        "身份证号": ids,
        "姓名": pl.Series(np.array(["张", "王", "李", "赵"])[i % 4]) + "某" + pl.Series(i % 1000).cast(pl.Utf8),
        "联系电话": pl.Series(13_800_000_000 + i).cast(pl.Utf8),
        "档案编号": pl.Series(i).cast(pl.Utf8).str.zfill(10),
        "管理机构编码": "F" + pl.Series(i % FACILITIES).cast(pl.Utf8).str.zfill(5),
        "年龄": pl.Series(age).cast(pl.Utf8),
        "性别": pl.Series(np.array(["男", "女"])[i % 2]),
        "基础疾病状态": pl.Series(disease),
        "疫苗接种": pl.Series(vacc),
        "风险标识": pl.Series(label),
        "家庭医生签约": pl.Series(np.array(["是", "否"])[rng.integers(0, 2, n)]),
        "本周联系次数": pl.Series(rng.integers(0, 5, n)).cast(pl.Utf8),
        "养老机构居住": pl.Series(np.array(["否", "否", "否", "是"])[i % 4]),
    })


def load_one(db: Path, files: list[tuple[str, Path]]) -> dict:
    """Child process: load the files in order into db; time the last one by stage."""
    from dashboard import loading, store

    con = store.connect(db)
    stages: dict[str, float] = {}
    out = {}
    for dataset, path in files:
        marks: list[tuple[str, float]] = []
        data = path.read_bytes()
        started = time.perf_counter()
        result = loading.load_bytes(data, path.name, dataset=dataset, week=WEEK, con=con,
                                    progress=lambda f, stage: marks.append((stage, time.perf_counter())))
        total = time.perf_counter() - started
        if result.outcome != "accepted":
            raise SystemExit(f"{path.name}: {result.outcome}: {[f.message_en for f in result.errors][:5]}")
        stages = {}
        previous = started
        names = {"read": "start", "validate": "read", "write": "validate", "done": "write"}
        for stage, when in marks:
            stages[names.get(stage, stage)] = round(when - previous, 2)
            previous = when
        out = {"dataset": dataset, "rows": result.rows, "seconds": round(total, 2), "stages": stages,
               "encoding": result.encoding, "warnings": result.warning_count,
               "stored": con.execute(f"select count(*) from {dataset}").fetchall()[0][0]}
    con.close()
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return out


def run_child(workdir: Path, label: str, files: list[tuple[str, Path]]) -> dict:
    db = workdir / f"{label}.duckdb"
    env = {**os.environ, "HC_DATA_DIR": str(workdir / f"data_{label}"), "HC_SALT": "benchmark"}
    spec = json.dumps({"db": str(db), "files": [(d, str(p)) for d, p in files]})
    proc = subprocess.run([sys.executable, __file__, "--child", spec], env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"{label} failed:\n{proc.stdout}\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rows", type=int, default=INNER_MONGOLIA_65_PLUS)
    p.add_argument("--no-small", action="store_true", help="skip the ten-times smaller comparison run")
    p.add_argument("--no-gbk", action="store_true", help="skip the GBK run")
    p.add_argument("--child", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        spec = json.loads(args.child)
        print(json.dumps(load_one(Path(spec["db"]), [(d, Path(f)) for d, f in spec["files"]])))
        return

    with tempfile.TemporaryDirectory(prefix="hc_bench_") as tmp:
        work = Path(tmp)
        facility = work / "facility.csv"
        facility.write_bytes(facility_csv())
        sizes = [args.rows] + ([] if args.no_small else [max(1, args.rows // 10)])
        results = {}
        for n in sizes:
            t = time.perf_counter()
            frame = register_frame(n)
            utf8 = work / f"register_{n}_utf8.csv"
            frame.write_csv(utf8)
            del frame
            generated = time.perf_counter() - t
            runs = [("utf-8", utf8)]
            if not args.no_gbk:
                gbk = work / f"register_{n}_gbk.csv"
                gbk.write_bytes(utf8.read_text(encoding="utf-8").encode("gbk"))
                runs.append(("gbk", gbk))
            print(f"generated {n:,} rows in {generated:.1f} s ({utf8.stat().st_size / 1e6:.0f} MB as UTF-8)",
                  flush=True)
            for encoding, path in runs:
                r = run_child(work, f"{encoding}_{n}", [("facility", facility), ("register", path)])
                results[(encoding, n)] = r
                print(f"  {encoding:6} {n:>10,} rows: {r['seconds']:6.2f} s total, "
                      f"{n / r['seconds']:>10,.0f} rows/s, peak RSS {r['peak_rss_mb']:,.0f} MB, "
                      f"stages {r['stages']}, stored {r['stored']:,}, warnings {r['warnings']}", flush=True)
                path.unlink()
        big = args.rows
        print(f"\ncores: {os.cpu_count()}, python {sys.version.split()[0]}")
        if ("gbk", big) in results:
            print(f"GBK / UTF-8 load time at {big:,} rows: "
                  f"{results[('gbk', big)]['seconds'] / results[('utf-8', big)]['seconds']:.2f}")
        if len(sizes) > 1:
            small = sizes[1]
            ratio = results[("utf-8", big)]["seconds"] / results[("utf-8", small)]["seconds"]
            print(f"{big:,} / {small:,} rows UTF-8 load time: {ratio:.2f} (10 would be linear)")


if __name__ == "__main__":
    main()
