# SPDX-License-Identifier: GPL-2.0-or-later
"""`citygrid demo PATH [--scale small|city] [--seed N] [--force]`: write a demo centre GeoPackage."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from .. import demo
from ..demo import history as demo_history
from ..demo import org as demo_org
from ..store import blobs, db

QGIS_LAYERS = "grids, components, cases, basemap_roads, basemap_blocks, basemap_water"


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("demo", help="write a demo centre (a synthetic Suzhou Gusu district)")
    parser.add_argument("path", metavar="PATH", help="the GeoPackage to write, e.g. var/demo/center.gpkg")
    parser.add_argument("--scale", choices=tuple(demo.SCALES), default="small",
                        help="small: ~130 grids and two months of cases, in seconds; "
                             "city: ~8,500 grids, 417,000 components, 5 years of cases (minutes)")
    parser.add_argument("--seed", type=int, default=1, help="the same seed writes the same database")
    parser.add_argument("--force", action="store_true", help="overwrite an existing file")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    progress = None if args.scale == "small" else (lambda text: print(text, file=sys.stderr, flush=True))
    counts = demo.build(args.path, scale=demo.scale(args.scale), seed=args.seed, force=args.force,
                        progress=progress)
    print(f"citygrid demo: wrote {args.path} ({args.scale}, seed {args.seed}) "
          f"in {time.perf_counter() - started:.1f} s")
    _print_counts(counts)
    _print_accounts(Path(args.path))
    return 0


def _print_counts(counts: dict) -> None:
    tables = {k: v for k, v in counts.items() if not k.startswith("cases.")}
    width = max(map(len, tables))
    print("\nrows per table:")
    for table, n in tables.items():
        print(f"  {table:<{width}}  {n:>10,}")
    statuses = ", ".join(f"{k[6:]} {v:,}" for k, v in counts.items() if k.startswith("cases."))
    print(f"cases by status: {statuses}")


def _print_accounts(path: Path) -> None:
    conn = db.open_centre(path)
    try:
        users = conn.execute("SELECT username, role FROM users ORDER BY fid").fetchall()
        mine = dict(conn.execute("SELECT kind, count(*) FROM tasks WHERE assignee = 'collector01' "
                                 "AND status = 'open' GROUP BY kind").fetchall())
    finally:
        conn.close()
    collectors = [u for u, role in users if role == "collector"]
    units = [u for u, role in users if role == "unit"]
    print(f"\ndemo accounts (password {demo_org.PASSWORD}):")
    print("  " + ", ".join(u for u, role in users if role not in ("collector", "unit")))
    print(f"  collectors {collectors[0]} … {collectors[-1]} ({len(collectors)}); collector01 has "
          f"{mine.get('check', 0)} open 核查 and {mine.get('verify', 0)} open 核实 tasks")
    print(f"  units: {', '.join(units[:4])} … ({len(units)}, one per unit)")
    print(f"  Open311 API key: {demo.OPEN311_KEY}")
    print(f"\nphotos: {blobs.store_for(path).root}")
    end = demo_history.NOW.astimezone(demo_history.SUZHOU)
    print(f"the history ends at {end:%Y-%m-%d %H:%M} (Asia/Shanghai)")
    print(f"\nopen it in QGIS: Layer ▸ Add Layer ▸ Add Vector Layer… ▸ {path} and pick the layers "
          f"{QGIS_LAYERS} (EPSG:4549, CGCS2000 3-degree Gauss-Krüger CM 120E); "
          "or drag the file onto the map.")
