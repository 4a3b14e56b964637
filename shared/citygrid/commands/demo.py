# SPDX-License-Identifier: GPL-2.0-or-later
"""`citygrid demo PATH [--scale small|city] [--seed N] [--force]`: write a demo centre GeoPackage."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from .. import demo, i18n
from ..demo import history as demo_history
from ..demo import org as demo_org
from ..demo import shift as demo_shift
from ..i18n import _
from ..loop import accounts
from ..store import blobs, db
from ..sync import review

QGIS_LAYERS = "grids, components, cases, basemap_roads, basemap_blocks, basemap_water"


def add_parser(subparsers) -> None:
    text = _("write a demo centre (a synthetic Suzhou Gusu district)")
    parser = subparsers.add_parser("demo", help=text, description=text)
    parser.add_argument("path", metavar="PATH", help=_("the GeoPackage to write, e.g. var/demo/center.gpkg"))
    parser.add_argument("--scale", choices=tuple(demo.SCALES), default="small",
                        help=_("small: ~130 grids and two months of cases, in seconds; "
                               "city: ~8,500 grids, 417,000 components, 5 years of cases (minutes)"))
    parser.add_argument("--seed", type=int, default=1, help=_("the same seed writes the same database"))
    parser.add_argument("--force", action="store_true", help=_("overwrite an existing file"))
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    progress = None if args.scale == "small" else (lambda text: print(text, file=sys.stderr, flush=True))
    counts = demo.build(args.path, scale=demo.scale(args.scale), seed=args.seed, force=args.force,
                        progress=progress)
    print(_("citygrid demo: wrote {path} ({scale}, seed {seed}) in {seconds} s").format(
        path=args.path, scale=args.scale, seed=args.seed, seconds=f"{time.perf_counter() - started:.1f}"))
    _print_counts(counts)
    _print_accounts(Path(args.path))
    return 0


def _print_counts(counts: dict) -> None:
    tables = {k: v for k, v in counts.items() if not k.startswith("cases.")}
    print("\n" + _("rows per table:"))
    rows = [(table, f"{n:,}") for table, n in tables.items()]
    print("\n".join("  " + line for line in i18n.table(("", ""), rows, right=(1,)).splitlines()[1:]))
    statuses = ", ".join(f"{k[6:]} {v:,}" for k, v in counts.items() if k.startswith("cases."))
    print(_("cases by status: {statuses}").format(statuses=statuses))


def _print_accounts(path: Path) -> None:
    conn = db.open_centre(path)
    try:
        users = conn.execute("SELECT username, role FROM users ORDER BY fid").fetchall()
        mine = dict(conn.execute("SELECT kind, count(*) FROM tasks WHERE assignee = 'collector01' "
                                 "AND status = 'open' GROUP BY kind").fetchall())
        shift = _shift(conn)
    finally:
        conn.close()
    collectors = [u for u, role in users if role == "collector"]
    units = [u for u, role in users if role == "unit"]
    print("\n" + _("demo accounts (password {password}):").format(password=demo_org.PASSWORD))
    print("  " + ", ".join(u for u, role in users if role not in ("collector", "unit")))
    print("  " + _("collectors {first} … {last} ({count}); collector01 has {check} open 核查 and {verify} "
                   "open 核实 tasks").format(first=collectors[0], last=collectors[-1], count=len(collectors),
                                             check=mine.get("check", 0), verify=mine.get("verify", 0)))
    print("  " + _("units: {units} … ({count}, one per unit)").format(units=", ".join(units[:4]),
                                                                       count=len(units)))
    print("  " + _("Open311 API key: {key}").format(key=demo.OPEN311_KEY))
    print("\n" + _("photos: {folder}").format(folder=blobs.store_for(path).root))
    end = demo_history.NOW.astimezone(demo_history.SUZHOU)
    print(_("the history ends at {end} (Asia/Shanghai)").format(end=f"{end:%Y-%m-%d %H:%M}"))
    if shift["devices"]:
        print(_("the shift to review ({day}, day shift): {items} items in {batches} batches from {devices} devices, "
                "{decide} to decide; sign in as supervisor or leader (Shift review dock)").format(
                    day=f"{end:%Y-%m-%d}", items=sum(d["items"] for d in shift["devices"]),
                    batches=sum(len(d["batches"]) for d in shift["devices"]), devices=len(shift["devices"]),
                    decide=len(shift["items"])))
    print("\n" + _("open it in the desk: citygrid desk {path} (QGIS with the citygrid desk plugin, "
                   "signed in with an account above); or in plain QGIS: Layer ▸ Add Layer ▸ Add Vector "
                   "Layer… ▸ {path} and pick the layers {layers} (EPSG:4549, CGCS2000 3-degree "
                   "Gauss-Krüger CM 120E).").format(path=path, layers=QGIS_LAYERS))


def _shift(conn) -> dict:
    """The supervisor's review of the demo's last shift (`demo.shift`)."""
    since, until = demo_shift.window()
    return review.shift_review(conn, accounts.actor(conn, "supervisor"), since, until)
