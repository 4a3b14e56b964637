# SPDX-License-Identifier: GPL-2.0-or-later
"""`citygrid demo --scale city` against a plain executemany of the same number of rows, in one run.

    .venv/bin/python bench/bench_demo.py [--fraction 0.1] [--seed 1] [--workers N] [--keep PATH] [--floor]

Prints the rows written per table, wall and CPU time of both (CPU includes the planner's worker
processes), their ratio (target: within 3x) and the peak memory of this process and its workers;
then times the overdue-cases query on the city just built (target: < 100 ms).
`--floor` builds once more with every day planned before the first is written and prints what the
writing alone took (build minus planning): the limit that faster or more planner processes approach.
It holds the whole planned history in memory (about 3 GB for the full city): use it with a fraction.
"""

from __future__ import annotations

import argparse
import itertools
import os
import resource
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "shared"))
sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench_evaluation beside this file

from bench_evaluation import measure_overdue  # noqa: E402

from citygrid import demo  # noqa: E402
from citygrid.demo import history as demo_history  # noqa: E402
from citygrid.demo import write as demo_write  # noqa: E402
from citygrid.store import db  # noqa: E402

SAMPLE = 2000  # distinct real rows cycled through by the baseline


def cpu_seconds() -> float:
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def timed(fn) -> tuple[float, float]:
    """(wall, CPU) seconds of fn(), started with no dirty pages left by what ran before: the kernel's
    write-back of one run's gigabytes would otherwise slow the next (the baseline ran 3.3-4.9 s at
    city x0.1 depending on what came before it)."""
    os.sync()
    wall, cpu = time.perf_counter(), cpu_seconds()
    fn()
    return time.perf_counter() - wall, cpu_seconds() - cpu


def written(path: Path) -> dict:
    """table -> (row count, column names, a sample of rows) for every table the demo filled."""
    conn = sqlite3.connect(path)
    names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                        "AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    rtrees = [n for n in names if n.startswith("rtree_")]
    shadow = {f"{r}_{s}" for r in rtrees for s in ("node", "rowid", "parent")}
    out = {}
    for name in names:
        if name in shadow:
            continue
        count = conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
        if count:
            cur = conn.execute(f'SELECT * FROM "{name}" LIMIT {SAMPLE}')
            out[name] = (count, [d[0] for d in cur.description], cur.fetchall())
    conn.close()
    return out


def baseline(path: Path, tables: dict) -> None:
    """The same number of rows per table, same columns, no constraints, indexes or triggers."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = MEMORY")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("BEGIN")
    for name, (count, columns, sample) in tables.items():
        cols = ", ".join(f'"{c}"' for c in columns)
        conn.execute(f'CREATE TABLE "{name}" ({cols})')
        rows = itertools.islice(itertools.cycle(sample), count)
        conn.executemany(f'INSERT INTO "{name}" VALUES ({", ".join("?" * len(columns))})', rows)
    conn.execute("COMMIT")
    conn.close()


def writer_floor(path: Path, scale, seed: int, workers) -> float:
    """Seconds a build spends on everything but planning: the history planned in full first, then written."""
    real, spent = demo_write.planned_days, {}

    def planned_first(world, days, n, meanwhile=None, **kwargs):
        started = time.perf_counter()
        rows = list(real(world, days, n, **kwargs))
        spent["planning"] = time.perf_counter() - started
        if meanwhile:
            meanwhile()
        yield from rows

    demo_write.planned_days = planned_first
    try:
        wall, _cpu = timed(lambda: demo.build(path, scale=scale, seed=seed, force=True, workers=workers))
    finally:
        demo_write.planned_days = real
    return wall - spent["planning"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fraction", type=float, default=1.0, help="run this share of the city (e.g. 0.1)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, help="planner processes (default: one per CPU)")
    parser.add_argument("--keep", metavar="PATH", help="write the demo here and keep it")
    parser.add_argument("--floor", action="store_true", help="also measure the writing alone (see above)")
    args = parser.parse_args()
    scale = demo.scale("city", args.fraction)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(args.keep) if args.keep else Path(tmp) / "center.gpkg"
        started = time.perf_counter()

        def say(text: str) -> None:
            print(f"{time.perf_counter() - started:8.1f} s  {text}", flush=True)

        wall, cpu = timed(lambda: demo.build(path, scale=scale, seed=args.seed, force=True,
                                             workers=args.workers, progress=say))
        tables = written(path)
        conn = db.open_centre(path)
        try:
            measure_overdue(conn, demo_history.NOW, "collector01")
        finally:
            conn.close()
        base_wall, base_cpu = timed(lambda: baseline(Path(tmp) / "plain.db", tables))
        floor = writer_floor(Path(tmp) / "floor.gpkg", scale, args.seed, args.workers) if args.floor else None
    total = sum(t[0] for t in tables.values())
    print(f"\n{scale.name}: {total:,} rows in {len(tables)} tables")
    for name, (count, _cols, _sample) in sorted(tables.items(), key=lambda t: -t[1][0])[:12]:
        print(f"  {name:<28} {count:>12,}")
    print(f"demo generation    {wall:8.1f} s wall  {cpu:8.1f} s CPU")
    print(f"plain executemany  {base_wall:8.1f} s wall  {base_cpu:8.1f} s CPU")
    print(f"ratio              {wall / base_wall:8.1f} x wall  {cpu / base_cpu:6.1f} x CPU"
          "   (target: within 3x)")
    if floor is not None:
        print(f"writing alone      {floor:8.1f} s wall = {floor / base_wall:.1f} x the plain executemany"
              "   (planning excluded)")
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak memory        {own:8.0f} MB (this process), {kids:.0f} MB (largest worker)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
