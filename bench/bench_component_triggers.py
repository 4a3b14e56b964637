# SPDX-License-Identifier: GPL-2.0-or-later
"""What schema 5's component triggers cost an insert, against the same inserts without them, in one run.

    .venv/bin/python bench/bench_component_triggers.py [--rows 50000]

Three loads of `--rows` components into fresh centres, one transaction each:
- baseline: every field given, schema 5's citygrid_components_* triggers dropped (sync and R-tree kept);
- import: every field given, triggers in place (an importer's path: they only test their WHEN);
- editor: ObjID, BGID and ORDate left empty (QGIS's path: the triggers allocate and mark every row).
Prints rows/s and the ratio of each to the baseline.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "shared"))

from citygrid.loop import dictionaries  # noqa: E402
from citygrid.store import db, gpkg  # noqa: E402

X0, Y0 = 500_000.0, 3_460_000.0


def _centre(folder: Path, name: str, drop: bool):
    conn = db.create_centre(folder / name, county_code="320508")
    dictionaries.install(conn)
    with db.transaction(conn):
        ring = [[(X0, Y0), (X0 + 10_000, Y0), (X0 + 10_000, Y0 + 10_000), (X0, Y0 + 10_000), (X0, Y0)]]
        conn.execute("INSERT INTO grids (geom, code, street_code, community_code) VALUES (?, ?, ?, ?)",
                     (gpkg.polygon(ring, 4549), "320508001001001", "320508001", "320508001001"))
        if drop:
            for (trig,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                                        "AND name LIKE 'citygrid_components_%'").fetchall():
                conn.execute(f'DROP TRIGGER "{trig}"')
    return conn


def _load(conn, rows: int, full: bool) -> float:
    def row(i):
        geom = gpkg.point(X0 + (i * 7919) % 10_000, Y0 + (i * 104_729) % 10_000, 4549)
        if full:
            return (geom, f"3205080101{i + 1:06d}", "上水井盖", "320508001001001", "2019-05-01")
        return (geom, None, "上水井盖", None, None)
    data = [row(i) for i in range(rows)]
    start = time.perf_counter()
    with db.transaction(conn):
        conn.executemany("INSERT INTO components (geom, ObjID, ObjName, BGID, ORDate) VALUES (?, ?, ?, ?, ?)", data)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=50_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        base = _load(_centre(folder, "base.gpkg", True), args.rows, True)
        imp = _load(_centre(folder, "import.gpkg", False), args.rows, True)
        edit = _load(_centre(folder, "editor.gpkg", False), args.rows, False)
    for label, secs in (("baseline (no schema-5 triggers)", base), ("import path (fields given)", imp),
                        ("editor path (ObjID/BGID/ORDate empty)", edit)):
        print(f"{label:40s} {args.rows / secs:10,.0f} rows/s  {secs:6.2f} s  ratio {secs / base:5.2f}")


if __name__ == "__main__":
    main()
