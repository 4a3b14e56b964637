# SPDX-License-Identifier: GPL-2.0-or-later
"""The monthly report to PDF on the city demo (opened read-only; the PDFs go to a temporary folder),
against exporting the same layout with the map alone in the same run: the core's figures for the
month (gather), the full report (build + export), and page 1's map item alone (build + export).

Usage: python bench/bench_monthly_report.py [--centre PATH] [--month YYYY-MM] (python3-qgis visible,
QT_QPA_PLATFORM=offscreen). Prints seconds (best of 3), pages, and the report / map-alone ratio.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "shared"), str(ROOT / "qgis_plugin")]

from qgis.core import QgsApplication  # noqa: E402

CITY = "/work/city/center.gpkg"
RUNS = 3


def best(fn) -> tuple[float, object]:
    times, out = [], None
    for _ in range(RUNS):
        began = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - began)
    return min(times), out


def map_alone(data, centre: str, output: str) -> int:
    """Page 1's map item with the same layers and extent, nothing else, exported the same way."""
    from citygrid_desk import report_build, report_fill, report_layout, report_maps

    project = report_maps.report_project()
    layout = report_layout.new_layout(project, "map alone")
    layers = report_maps.map_layers(project, centre, data.results["grid"])
    from qgis.core import QgsLayoutItemMap

    item = report_layout.place(layout, QgsLayoutItemMap(layout), 0, report_layout.MARGIN, 100,
                               report_layout.INNER, 140, "map")
    report_fill.fill_map(item, layers)
    return report_build.export(layout, output)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--centre", default=CITY)
    parser.add_argument("--month", default="2026-10")
    args = parser.parse_args()
    app = QgsApplication([], False)
    app.initQgis()
    from citygrid_desk import report_build, report_data
    from citygrid_desk.core import db

    conn = db.open_centre(args.centre, readonly=True)
    gather, data = best(lambda: report_data.gather(conn, args.centre, args.month))
    conn.close()
    sizes = {name: len(results) for name, results in data.results.items()}
    print(f"month {args.month}: objects {sizes}; totals {data.totals}")
    print(f"core figures (gather, 5 evaluations): {gather:.2f} s")
    with tempfile.TemporaryDirectory() as scratch:
        report, pages = best(lambda: report_build.write_report(data, args.centre, f"{scratch}/report.pdf"))
        alone, _ = best(lambda: map_alone(data, args.centre, f"{scratch}/map.pdf"))
        size = Path(scratch, "report.pdf").stat().st_size
    print(f"report build + export: {report:.2f} s, {pages} pages, {size / 1e6:.1f} MB")
    print(f"map alone build + export: {alone:.2f} s")
    print(f"report / map alone: {report / alone:.2f}")
    app.exitQgis()
    return 0


if __name__ == "__main__":
    sys.exit(main())
