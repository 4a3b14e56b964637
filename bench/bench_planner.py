# SPDX-License-Identifier: GPL-2.0-or-later
"""The demo planner's cost per event: plan the last `--days` report days of city×`--fraction`.

    .venv/bin/python bench/bench_planner.py [--fraction 0.05] [--days 60] [--setup-only] [--hash]

Builds the world the bulk writer's planners see (the history itself is not written), plans one day to
warm the imports and caches, then every day with `demo.write.day_rows` as a planner process does (the
cyclic GC off, photos off: their JPEG encoding is no planning). Prints the events planned and the CPU
time per event; `--hash` also a digest of every planned row, to show two trees plan the same rows.

CPU time moves with the machine's load. For instructions run it under callgrind twice (this VM has
no hardware counters for `perf stat -e instructions`) and divide the difference by the events:

    PYTHONHASHSEED=0 valgrind --tool=callgrind --callgrind-out-file=/dev/null \\
        .venv/bin/python bench/bench_planner.py [--setup-only]
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import hashlib
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "shared"))

from citygrid import demo  # noqa: E402
from citygrid.demo import write as demo_write  # noqa: E402


def world_and_days(fraction: float, days: int) -> tuple:
    """The planners' world and report days of a city demo built without its history."""
    captured = {}

    def grab(_conn, world, days, _say, _workers, meanwhile=None):
        captured.update(world=world, days=days)

    real = demo.generate._bulk_history
    demo.generate._bulk_history = grab
    try:
        scale = dataclasses.replace(demo.scale("city", fraction=fraction), days=days)
        with tempfile.TemporaryDirectory() as tmp:
            demo.build(Path(tmp) / "c.gpkg", scale=scale, bulk=True)
    finally:
        demo.generate._bulk_history = real
    world = captured["world"]
    world.keep_actions, world.photos = False, None
    return world, captured["days"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fraction", type=float, default=0.05)
    ap.add_argument("--days", type=int, default=60)
    ap.add_argument("--setup-only", action="store_true", help="stop after the warm-up day")
    ap.add_argument("--hash", action="store_true", help="print a digest of every planned row")
    args = ap.parse_args()
    world, days = world_and_days(args.fraction, args.days)
    gc.disable()  # as in the planner processes
    demo_write.day_rows(world, days[0])
    if args.setup_only:
        return
    digest, events = hashlib.sha256(), 0
    start = time.process_time()
    for day in days:
        rows = demo_write.day_rows(world, day)
        events += sum(len(v) for v in rows[2].values())
        if args.hash:
            digest.update(repr(rows).encode())
    cpu = time.process_time() - start
    print(f"{events} events planned, {cpu:.2f} s CPU, {cpu / events * 1e6:.1f} µs an event"
          + (f", rows {digest.hexdigest()[:16]}" if args.hash else ""))


if __name__ == "__main__":
    main()
