# SPDX-License-Identifier: GPL-2.0-or-later
"""What importing the carried core costs: time and resident memory in fresh interpreters (issue 9 asks
< 80 ms and < 6 MB for `citygrid.loop` with `citygrid.sync.protocol`).

    .venv/bin/python bench/bench_import.py [--runs 11] [--path DIR] [--modules a,b,...] [--importtime]
                                           [--no-caches]

Each run starts a fresh interpreter for `python -c pass` (the baseline, measured in the same run) and
one that imports the modules; the figures are medians over the runs:
- import: time spent in the import statements, measured inside the interpreter;
- process: the whole interpreter's wall time, and that minus the baseline's;
- RSS: resident memory added by the imports (VmRSS after minus before, inside the interpreter), and the
  peak RSS of the process minus the baseline's (`wait4`'s ru_maxrss);
- text_us: ns per call of `citygrid.times.text_us` (the bulk writers' clock formatting).
`--path` measures another tree (e.g. an older commit's `shared/`); a module that tree lacks is
reported missing. `--importtime` adds the slowest citygrid modules by `-X importtime` self time.
Bytecode caches are written to a temporary directory first, as an installed package has them;
`--no-caches` measures compiling every source instead.
Figures only; the budget is printed beside them.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CARRIED = "citygrid.loop,citygrid.loop.workflow,citygrid.sync.protocol"
BUDGET_MS, BUDGET_MB = 80.0, 6.0

# runs in the child: imports the modules between two readings of the clock and of VmRSS
PROBE = """
import json, sys, time
def rss_kb():
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("VmRSS:"))
missing = []
r0, t0, c0 = rss_kb(), time.perf_counter(), time.process_time()
for name in sys.argv[1].split(","):
    try:
        __import__(name)
    except ModuleNotFoundError as exc:
        if exc.name != name:
            raise
        missing.append(name)
t1, c1, r1 = time.perf_counter(), time.process_time(), rss_kb()
demo = sorted(m for m in sys.modules if m.startswith("citygrid.demo"))
print(json.dumps({"ms": (t1 - t0) * 1e3, "cpu_ms": (c1 - c0) * 1e3, "rss_kb": r1 - r0, "missing": missing,
                  "demo": demo}))
"""

# runs in the child: best-of-rounds ns per call of times.text_us over five years of seeded instants
TEXT_US = """
import json, random, time
from citygrid import times
rng = random.Random(9)
xs = [1_600_000_000_000_000 + rng.randrange(5 * 365 * 86_400 * 10**6) for _ in range(5_000)]
f, best = times.text_us, float("inf")
for _ in range(200):
    t = time.perf_counter_ns()
    for x in xs:
        f(x)
    best = min(best, (time.perf_counter_ns() - t) / len(xs))
print(json.dumps({"ns": best}))
"""


def run(args: list[str], path: str) -> tuple[float, int, str]:
    """(wall ms, peak RSS kB, stdout) of one fresh interpreter with `path` first on its module path."""
    env = dict(os.environ, PYTHONPATH=path)
    t = time.perf_counter()
    proc = subprocess.Popen([sys.executable, *args], stdout=subprocess.PIPE, env=env, text=True)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)  # wait4: this child's own peak RSS
    wall = (time.perf_counter() - t) * 1e3
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"{' '.join(args)[:60]}… exited {proc.returncode}")
    return wall, usage.ru_maxrss, out


def measure(modules: str, path: str, runs: int) -> dict:
    """Medians over `runs` rounds, each a `python -c pass` and an import in fresh interpreters."""
    run(["-c", PROBE, modules], path)  # writes the bytecode caches (see main)
    rows = []
    for _ in range(runs):
        base_wall, base_peak, _ = run(["-c", "pass"], path)
        wall, peak, out = run(["-c", PROBE, modules], path)
        rows.append(dict(json.loads(out), wall=wall, base_wall=base_wall, peak_kb=peak - base_peak))
    keys = ("ms", "cpu_ms", "wall", "base_wall", "rss_kb", "peak_kb")
    med = {k: statistics.median(r[k] for r in rows) for k in keys}
    return dict(med, missing=rows[0]["missing"], demo=rows[0]["demo"])


def text_us_ns(path: str, runs: int) -> float:
    """Median over a few fresh interpreters of TEXT_US's best round."""
    rounds = max(3, runs // 3)
    return statistics.median(json.loads(run(["-c", TEXT_US], path)[2])["ns"] for _ in range(rounds))


def slowest(modules: str, path: str, top: int = 12) -> list[str]:
    """The citygrid modules with the largest self time under `-X importtime` (one run)."""
    env = dict(os.environ, PYTHONPATH=path)
    code = f"for m in {modules.split(',')!r}:\n    try: __import__(m)\n    except ModuleNotFoundError: pass"
    err = subprocess.run([sys.executable, "-X", "importtime", "-c", code], env=env, capture_output=True,
                         text=True, check=True).stderr
    rows = [line.split("|") for line in err.splitlines() if line.startswith("import time:")]
    rows = sorted(((int(s.split(":")[1]), int(c), n.strip()) for s, c, n in rows
                   if n.strip().startswith("citygrid")), reverse=True)
    return [f"  {n:34s} self {s / 1e3:5.1f} ms  cumulative {c / 1e3:5.1f} ms" for s, c, n in rows[:top]]


def report(modules: str, path: str, m: dict, ns: float) -> None:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    missing = f"   (missing: {', '.join(m['missing'])})" if m["missing"] else ""
    print(f"tree {path}   (load average {load} on {os.cpu_count()} cores)\nimport {modules}{missing}")
    rows = [("python -c pass", f"{m['base_wall']:7.1f} ms", "wall"),
            ("import (in-process)", f"{m['ms']:7.1f} ms", f"budget {BUDGET_MS:.0f} ms"),
            ("import CPU time", f"{m['cpu_ms']:7.1f} ms", "less disturbed by other load"),
            ("process wall", f"{m['wall']:7.1f} ms", f"{m['wall'] - m['base_wall']:+.1f} ms over -c pass"),
            ("RSS added (in-process)", f"{m['rss_kb'] / 1024:7.2f} MB", f"budget {BUDGET_MB:.0f} MB"),
            ("peak RSS over -c pass", f"{m['peak_kb'] / 1024:7.2f} MB", "its start-up peak hides some"),
            ("text_us", f"{ns:7.0f} ns", "per call"),
            ("demo modules imported", f"{len(m['demo']):7d}", ", ".join(m["demo"]))]
    for label, value, note in rows:
        print(f"  {label:24s} {value}   {note}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=11)
    ap.add_argument("--path", default=str(ROOT / "shared"), help="the directory holding the citygrid package")
    ap.add_argument("--modules", default=CARRIED, help="comma-separated modules imported together")
    ap.add_argument("--importtime", action="store_true")
    ap.add_argument("--no-caches", action="store_true", help="compile every source at every import, as the "
                    "test scripts run (PYTHONDONTWRITEBYTECODE)")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-import-") as cache:
        # bytecode caches as an installed package has them, kept out of the tree (the test scripts
        # set PYTHONDONTWRITEBYTECODE, and compiling every source would be most of what is measured)
        if a.no_caches:  # the stdlib keeps its own caches; citygrid's sources are compiled every time
            os.environ["PYTHONDONTWRITEBYTECODE"] = "1"
        else:
            os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
            os.environ["PYTHONPYCACHEPREFIX"] = cache
        report(a.modules, a.path, measure(a.modules, a.path, a.runs), text_us_ns(a.path, a.runs))
        if a.importtime:
            print("slowest citygrid modules (-X importtime, one run):", *slowest(a.modules, a.path), sep="\n")


if __name__ == "__main__":
    main()
