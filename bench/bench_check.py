# SPDX-License-Identifier: GPL-2.0-or-later
"""`citygrid check` step by step on a centre: what the component rules (ObjName against its class,
DeptCode against the units, the point inside its BGID grid) cost against the rest of the check,
measured in the same run. Figures only, no assertions.

Usage: python bench/bench_check.py [PATH] [--full]   (PATH e.g. a `citygrid demo --scale city` centre;
without one a small demo is built in a temporary folder; quick_check unless --full)
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "shared"))

from citygrid.store import gpkg, integrity  # noqa: E402

NEW_REFERENCES = {"DeptCode1", "DeptCode2", "DeptCode3"}


def _orphans(ctx, refs) -> None:
    for table, column, ref_table, ref_column in refs:
        c = integrity._q(column)
        integrity._counted(ctx.conn, "check.orphan", table,
                           f"{c} IS NOT NULL AND {c} != '' AND {c} NOT IN "
                           f"(SELECT {integrity._q(ref_column)} FROM {integrity._q(ref_table)})", c)


def _timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?")
    parser.add_argument("--full", action="store_true")
    args = parser.parse_args()
    if args.path is None:
        with tempfile.TemporaryDirectory() as tmp:
            from citygrid import demo

            demo.build(Path(tmp) / "center.gpkg")
            run(Path(tmp) / "center.gpkg", args.full)
    else:
        run(Path(args.path), args.full)


def run(path: Path, full: bool) -> None:
    conn = integrity._open(path)
    ctx = integrity._Context(path, conn, integrity._scheme(conn, []), quick=not full)
    components, grids = (conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("components", "grids"))
    print(f"{path}: {components:,} components, {grids:,} grids")
    old_refs = [r for r in integrity.REFERENCES if r[1] not in NEW_REFERENCES]
    new_refs = [r for r in integrity.REFERENCES if r[1] in NEW_REFERENCES]
    before = {s.__name__: s for s in integrity.STEPS if s not in (integrity._component_names,
                                                                  integrity._outside_grids,
                                                                  integrity._orphans)}
    times = {name: _timed(lambda s=step: s(ctx)) for name, step in before.items()}
    times["_orphans (before)"] = _timed(lambda: _orphans(ctx, old_refs))
    baseline = sum(times.values())
    new = {"DeptCode references": _timed(lambda: _orphans(ctx, new_refs)),
           "ObjName against class": _timed(lambda: integrity._component_names(ctx)),
           "point in BGID grid": _timed(lambda: integrity._outside_grids(ctx))}
    real = gpkg.convex_interior
    gpkg.convex_interior = lambda polygons, tol: None  # every point through the exact test alone
    try:
        exact_only = _timed(lambda: integrity._outside_grids(ctx))
    finally:
        gpkg.convex_interior = real
    for name, seconds in times.items():
        print(f"  {name:28s} {seconds:8.2f} s")
    print(f"  {'check before (sum)':28s} {baseline:8.2f} s")
    for name, seconds in new.items():
        print(f"  + {name:26s} {seconds:8.2f} s")
    added = sum(new.values())
    print(f"  new rules: {added:.2f} s, ×{(baseline + added) / baseline:.3f} the check before")
    print(f"  point in grid without the convex fast accept: {exact_only:.2f} s "
          f"(×{exact_only / new['point in BGID grid']:.2f} the rule as shipped)")
    conn.close()


if __name__ == "__main__":
    main()
