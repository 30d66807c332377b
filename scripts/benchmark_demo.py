"""Benchmark of a new user's first start (issue 14): `streamlit run app.py` on an EMPTY data folder, as
the README's quick start does, measured until the whole demo is loaded. Not a test: figures to read.

    .venv/bin/python scripts/benchmark_demo.py --out bench/report-demo.json
    .venv/bin/python scripts/benchmark.py --demo-only --out bench/report-demo.json   # the same, from benchmark.py

It records, in seconds from the server's start:

- `server_answers_s`: Streamlit's health endpoint answers;
- a browser (Playwright, /usr/bin/chromium) opens the overview at once, as a user would: the first page
  run calls `serving.bootstrap`, which loads the latest demo week of every dataset but the register
  (facilities, ICU, stock, transfers, ...; the follow-up list every week, as its weeks read each other)
  and starts the demo's background thread (`serving.demo_in_background`: the latest register week, then
  the other datasets' older weeks, then the older register weeks, newest first);
- `quick_datasets_s`: the database says it is the demo (`demo.demo_status(...)["is_demo"]`);
- `latest_week_complete_s`: nothing of the latest demo week is still loading
  (`demo.datasets_loading(con, latest week) == ()`: the week the pages open on is whole);
- `full_demo_s`: every demo week of every dataset is loaded (`weeks_complete == weeks_total`);
- the peak RSS of the server's process tree (the sum of the RSS of the server and its children, read
  from /proc every 0.2 s), and /usr/bin/time -v's maximum resident set of the server, which it runs
  under;
- while the latest week loads, the overview and the labelling page are opened again and again (a new
  browser context each time; rendered = title shown and the script state "notRunning"), and their
  text is searched for what must not show for a week still loading: 未报送 / did not report / not
  reported, "0.0%", nan, None; and for what must: 载入 / loading. Every visit's findings are in the
  report (with the lines they are on), and whether the latest week was complete at the time.
- then the same first start again with one visitor (`server_one_visitor`): the overview opened once
  and left open until the latest week is complete, as a new user waits; the load then shares the
  machine with no other page run or browser.

The database is read (every second) through `dashboard.store.access.reading`, a short read-only
session like a page run's, so it never holds the file. With --cli it also times
`/usr/bin/time -v python -m dashboard demo` (the command-line build of the whole demo) on another empty
folder, after the server run. The machine's load average is recorded beside every figure.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

TIME = "/usr/bin/time"
CHROMIUM = "/usr/bin/chromium"
# what a page must not show for a week whose register is still loading, and what it should show
BAD = {"not_reported": re.compile(r"未报送|did not report|not reported", re.I), "zero_share": re.compile(r"(?<![\d.])0\.0%"),
       "nan": re.compile(r"\bnan\b|\bNone\b|\bNaT\b")}
LOADING = re.compile(r"载入|loading", re.I)
# a not-reported line about the register itself (the banner lists other datasets' missing reports,
# which the demo has on purpose: those are right while the register loads)
REGISTER = re.compile(r"重点人群|风险标识|key-population|register|label", re.I)


def tree_rss_mb(root: int) -> float:
    """Sum of VmRSS of `root` and all its descendants (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(")") + 2:].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, []))
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


class Sampler(threading.Thread):
    """Peak RSS of a process tree, sampled every `every` seconds; a timeline kept once a second."""

    def __init__(self, root: int, started: float, every: float = 0.2):
        super().__init__(daemon=True)
        self.root, self.started, self.every = root, started, every
        self.peak, self.peak_at, self.timeline, self.stop = 0.0, None, [], threading.Event()

    def run(self) -> None:
        last = -1.0
        while not self.stop.is_set():
            mb = tree_rss_mb(self.root)
            t = time.perf_counter() - self.started
            if mb > self.peak:
                self.peak, self.peak_at = mb, round(t, 1)
            if t - last >= 1.0:
                self.timeline.append((round(t, 1), round(mb)))
                last = t
            self.stop.wait(self.every)


class Status(threading.Thread):
    """The demo's state, read every second through a short read-only session (as a page run reads)."""

    def __init__(self, db: Path, started: float):
        super().__init__(daemon=True)
        self.db, self.started = db, started
        self.events: dict[str, float] = {}
        self.weeks: list[tuple[float, int]] = []
        self.stop = threading.Event()
        self.errors: list[str] = []

    def read(self) -> dict | None:
        from dashboard import demo, store
        from dashboard.store import access

        if not self.db.exists():
            return None
        try:
            with access.reading(self.db, wait_s=5):
                con = store.cursor()
                names = {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()}
                if "meta" not in names or "load_log" not in names:
                    return None
                status = demo.demo_status(con)
                status["latest_loading"] = demo.datasets_loading(con, demo.DEMO_WEEKS[-1])
                return status
        except Exception as exc:  # a write being published, a file being created: try again
            self.errors.append(f"{time.perf_counter() - self.started:.1f}: {type(exc).__name__}: {str(exc)[:120]}")
            return None

    def run(self) -> None:
        while not self.stop.is_set():
            s = self.read()
            t = round(time.perf_counter() - self.started, 2)
            if s and s["is_demo"]:
                self.events.setdefault("quick_datasets_s", t)
                if not self.weeks or self.weeks[-1][1] != s["register_weeks_loaded"]:
                    self.weeks.append((t, s["register_weeks_loaded"]))
                if not s["latest_loading"]:
                    self.events.setdefault("latest_week_complete_s", t)
                if s["weeks_complete"] == s["weeks_total"]:
                    self.events.setdefault("full_demo_s", t)
                    return
            self.stop.wait(1.0)


def page_text(browser, url: str, timeout_s: float = 300) -> tuple[float, str]:
    from benchmark import opened

    with opened(browser, url, False, timeout_s, polling=100) as (tab, seconds):
        return seconds, tab.inner_text("[data-testid='stApp']")


def findings(text: str) -> dict:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    out = {name: [line[:160] for line in lines if rx.search(line) and not LOADING.search(line)][:8]
           for name, rx in BAD.items()}
    out["not_reported_register"] = [line for line in out["not_reported"] if REGISTER.search(line)]
    out["loading"] = [line[:160] for line in lines if LOADING.search(line)][:4]
    return out


def measure_server(work: Path, timeout_s: float, browser_on: bool, busy: bool = True) -> dict:
    """The server's first start. busy: the two pages opened again and again while the latest week loads
    (the wording check, and the load sharing the machine with page runs and browsers); else one
    visitor: the overview opened once (it starts the demo), then left open until the latest week is
    complete, then the two pages once each."""
    from benchmark import free_port

    data = work / "server_data"
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if k != "HC_DB_PATH"}
    env["HC_DATA_DIR"] = str(data)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    streamlit = ROOT / ".venv" / "bin" / "streamlit"
    command = [str(streamlit)] if streamlit.exists() else [sys.executable, "-m", "streamlit"]
    command += ["run", "app.py", "--server.port", str(port), "--server.headless", "true",
                "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"]
    timed = Path(TIME).exists()
    time_log = work / "server_time.txt"
    if timed:
        command = [TIME, "-v", "-o", str(time_log), *command]
    log = open(work / "server.log", "w")
    out: dict = {"command": " ".join(command), "load_average_start": os.getloadavg(), "visits": []}
    started = time.perf_counter()
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    sampler = Sampler(proc.pid, started)
    sampler.start()
    db = data / "dashboard.duckdb"
    status = Status(db, started)
    try:
        import urllib.request

        deadline = time.time() + 120
        while True:
            if proc.poll() is not None:
                raise RuntimeError("streamlit exited: " + (work / "server.log").read_text()[-2000:])
            try:
                if urllib.request.urlopen(url + "/_stcore/health", timeout=2).status == 200:
                    break
            except OSError:
                if time.time() > deadline:
                    raise RuntimeError("streamlit did not answer")
                time.sleep(0.05)  # polling the health endpoint
        out["server_answers_s"] = round(time.perf_counter() - started, 2)
        status.start()
        if browser_on:
            from playwright.sync_api import sync_playwright

            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
                    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"])
                # the first visit triggers the bootstrap; then alternate the two pages while the latest
                # week loads, and once more each after it is complete
                after_complete = 0
                k = 0
                while status.is_alive() and after_complete < 2 and time.perf_counter() - started < timeout_s:
                    if not busy and k == 1:  # one visitor: the first page stays open while the week loads
                        while status.is_alive() and "latest_week_complete_s" not in status.events:
                            status.stop.wait(0.2)
                    slug = ("overview", "labelling")[k % 2]
                    k += 1
                    complete_before = "latest_week_complete_s" in status.events
                    t = round(time.perf_counter() - started, 2)
                    try:
                        seconds, text = page_text(browser, f"{url}/{slug}")
                        f = findings(text)
                    except Exception as exc:  # a visit that does not render is a finding too
                        seconds, f = None, {"error": f"{type(exc).__name__}: {str(exc)[:200]}"}
                    complete_after = "latest_week_complete_s" in status.events
                    f.update({"page": slug, "at_s": t, "render_s": None if seconds is None else round(seconds, 2),
                              "latest_week_complete": complete_before and complete_after,
                              "latest_week_loading": not complete_before and not complete_after})
                    out["visits"].append(f)
                    if complete_before:
                        after_complete += 1
                browser.close()
        status.join(timeout=max(1.0, timeout_s - (time.perf_counter() - started)))
    finally:
        status.stop.set()
        out.update(status.events)
        out["register_weeks_loaded_at"] = status.weeks
        out["status_read_errors"] = status.errors[:10]
        out["peak_tree_rss_mb"] = round(sampler.peak)
        out["peak_tree_rss_at_s"] = sampler.peak_at
        stop_tree(proc)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        sampler.stop.set()
        sampler.join()
        out["rss_timeline_mb"] = sampler.timeline
        log.close()
        out["load_average_end"] = os.getloadavg()
    if timed and time_log.exists():
        out["time_v_max_rss_mb"] = _time_v_max_rss(time_log.read_text())
    out["server_log_demo_lines"] = [line for line in (work / "server.log").read_text().splitlines()
                                    if "demo register" in line][:10]
    loading_visits = [v for v in out["visits"] if v.get("latest_week_loading")]
    out["while_loading"] = {
        "visits": len(loading_visits),
        "showing_not_reported_register": sum(bool(v.get("not_reported_register")) for v in loading_visits),
        "showing_not_reported_any_dataset": sum(bool(v.get("not_reported")) for v in loading_visits),
        "showing_zero_share": sum(bool(v.get("zero_share")) for v in loading_visits),
        "showing_nan": sum(bool(v.get("nan")) for v in loading_visits),
        "saying_loading": sum(bool(v.get("loading")) for v in loading_visits),
    }
    if "latest_week_complete_s" in out:
        out["latest_week_complete_after_answer_s"] = round(out["latest_week_complete_s"] - out["server_answers_s"], 2)
    return out


def stop_tree(proc: subprocess.Popen) -> None:
    """SIGTERM to the server (the child of /usr/bin/time, so time writes its report), else to proc."""
    import signal

    kids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat[stat.rindex(")") + 2:].split()[1]) == proc.pid:
                kids.append(int(entry))
    for pid in kids or [proc.pid]:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass


def _time_v_max_rss(text: str) -> float | None:
    for line in text.splitlines():
        if "Maximum resident set size" in line:
            return round(int(line.split(":")[1]) / 1024, 1)
    return None


def _time_v_elapsed(text: str) -> float | None:
    for line in text.splitlines():
        if "Elapsed (wall clock) time" in line:
            parts = [float(x) for x in line.rsplit(" ", 1)[1].split(":")]
            return round(sum(x * 60 ** k for k, x in enumerate(reversed(parts))), 2)
    return None


def measure_cli(work: Path) -> dict:
    """`/usr/bin/time -v .venv/bin/python -m dashboard demo` on an empty data folder."""
    data = work / "cli_data"
    shutil.rmtree(data, ignore_errors=True)
    env = {k: v for k, v in os.environ.items() if k != "HC_DB_PATH"}
    env["HC_DATA_DIR"] = str(data)
    command = [TIME, "-v", sys.executable, "-m", "dashboard", "demo"]
    before = os.getloadavg()
    proc = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    return {"command": "/usr/bin/time -v .venv/bin/python -m dashboard demo", "returncode": proc.returncode,
            "output": proc.stdout.strip()[-600:], "elapsed_s": _time_v_elapsed(proc.stderr),
            "max_rss_mb": _time_v_max_rss(proc.stderr), "load_average_before": before,
            "load_average_after": os.getloadavg()}


def measure(work: Path, timeout_s: float = 900, browser_on: bool = True, cli: bool = False) -> dict:
    from dashboard import demo

    report = {"started": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
              "latest_week": demo.DEMO_WEEKS[-1].isoformat(), "demo_scale": demo.scale(),
              "targets": {"latest_week_complete_after_answer_s": 30, "full_demo_s": 180, "peak_mb": 1536}}
    browser_on = browser_on and Path(CHROMIUM).exists()
    report["server"] = measure_server(work / "busy", timeout_s, browser_on)
    if browser_on:
        report["server_one_visitor"] = measure_server(work / "one", timeout_s, browser_on, busy=False)
    if cli:
        report["cli"] = measure_cli(work)
    return report


def summary(report: dict) -> str:
    s = report["server"]
    lines = [f"first start (demo scale {report['demo_scale']:g}, load average {s['load_average_start'][0]:.1f} -> "
             f"{s['load_average_end'][0]:.1f}):",
             f"  server answers                          {s.get('server_answers_s', '-')} s",
             f"  quick datasets loaded                   {s.get('quick_datasets_s', '-')} s",
             f"  latest week complete after answer       {s.get('latest_week_complete_after_answer_s', '-')} s (target <= 30)",
             f"  full demo loaded                        {s.get('full_demo_s', '-')} s (target <= 180)",
             f"  peak RSS of the server's process tree   {s.get('peak_tree_rss_mb', '-')} MB (target <= 1536);"
             f" /usr/bin/time -v: {s.get('time_v_max_rss_mb', '-')} MB",
             f"  visits while the latest week loaded     {s['while_loading']}"]
    if "server_one_visitor" in report:
        o = report["server_one_visitor"]
        lines += [f"one visitor (the overview opened once, load average {o['load_average_start'][0]:.1f}):",
                  f"  latest week complete after answer       {o.get('latest_week_complete_after_answer_s', '-')} s (target <= 30)",
                  f"  full demo loaded                        {o.get('full_demo_s', '-')} s; peak RSS "
                  f"{o.get('peak_tree_rss_mb', '-')} MB"]
    if "cli" in report:
        c = report["cli"]
        lines.append(f"  python -m dashboard demo                {c['elapsed_s']} s, peak {c['max_rss_mb']} MB "
                     f"(load average {c['load_average_before'][0]:.1f})")
    return "\n".join(lines)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", default="bench/report-demo.json")
    p.add_argument("--work", help="working folder (default: a temporary one, removed at the end)")
    p.add_argument("--timeout", type=float, default=900, help="give up on the full demo after this many seconds")
    p.add_argument("--no-browser", action="store_true")
    p.add_argument("--cli", action="store_true", help="also time `python -m dashboard demo` on an empty folder")
    args = p.parse_args()
    work = Path(args.work or tempfile.mkdtemp(prefix="hc_bench_demo_"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        report = measure(work, args.timeout, not args.no_browser, args.cli)
        report["command"] = " ".join([".venv/bin/python", "scripts/benchmark_demo.py", *sys.argv[1:]])
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    out = ROOT / args.out if not Path(args.out).is_absolute() else Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(summary(report))
    print(f"report: {out}")


if __name__ == "__main__":
    main()
