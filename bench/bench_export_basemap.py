# SPDX-License-Identifier: GPL-2.0-or-later
"""citygrid:export_basemap for one collector's grids of a centre (default: the city demo, read only)
against QGIS's own XYZ-tiles MBTiles algorithm run directly on the same layers and extent with one
plain symbol per layer, in the same run. Prints seconds, tile count and MBTiles size, and the ratio.

Usage: python bench/bench_export_basemap.py [--centre PATH] [--collector NAME] [--max-zoom 17]
(run with Debian's python3-qgis visible, e.g. the project venv, under QT_QPA_PLATFORM=offscreen).
Figures only, no assertions. The centre is only read; the tiles go to a temporary folder.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "shared"), str(ROOT / "qgis_plugin"), "/usr/share/qgis/python/plugins"]

from qgis.core import (  # noqa: E402
    QgsApplication,
    QgsProcessingContext,
    QgsProcessingFeedback,
    QgsReferencedRectangle,
)
from qgis.PyQt.QtGui import QColor  # noqa: E402

CITY = "/work/city/center.gpkg"


def args_():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--centre", default=CITY)
    parser.add_argument("--collector", default=None, help="default: the collector with the most grids")
    parser.add_argument("--max-zoom", type=int, default=17)
    parser.add_argument("--rounds", type=int, default=1, help="each round runs both twice, in both orders")
    parser.add_argument("--keep", metavar="DIR", help="write the two MBTiles there instead of a temporary folder")
    return parser.parse_args()


def busiest_collector(path: str) -> tuple[str, int]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT username, count(*) c FROM collector_grids GROUP BY username "
                            "ORDER BY c DESC, username LIMIT 1").fetchone()
    finally:
        conn.close()


def mbtiles(path: Path) -> tuple[int, int]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT count(*) FROM tiles").fetchone()[0], path.stat().st_size
    finally:
        conn.close()


def _fresh(path: Path) -> Path:
    path.unlink(missing_ok=True)
    return path


def desk(path: str, collector: str, max_zoom: int, out: Path) -> float:
    import processing

    start = time.perf_counter()
    processing.run("citygrid:export_basemap", {"CENTRE": path, "COLLECTOR": collector, "MAX_ZOOM": max_zoom,
                                               "OUTPUT": str(out)}, feedback=QgsProcessingFeedback())
    return time.perf_counter() - start


def baseline(path: str, collector: str, max_zoom: int, out: Path) -> float:
    """QGIS's MBTiles algorithm directly, over the same layers and extent with plain symbols."""
    import processing
    from citygrid_desk.processing import export_basemap as eb

    start = time.perf_counter()
    target, rect = eb.collector_area(path, collector)
    project = eb.basemap_project(path, target, plain=True)
    context = QgsProcessingContext()
    context.setProject(project)
    processing.run(eb.tiles_algorithm(), {
        "EXTENT": QgsReferencedRectangle(rect, target), "ZOOM_MIN": min(eb.MIN_ZOOM, max_zoom), "ZOOM_MAX": max_zoom,
        "DPI": 96, "BACKGROUND_COLOR": QColor("white"), "TILE_FORMAT": 0, "QUALITY": 75, "METATILESIZE": 4,
        "OUTPUT_FILE": str(out)}, context=context, feedback=QgsProcessingFeedback())
    elapsed = time.perf_counter() - start
    project.clear()
    return elapsed


def main() -> int:
    args = args_()
    app = QgsApplication([], False)
    app.initQgis()
    from citygrid_desk.processing.provider import CitygridProvider
    from processing.core.Processing import Processing

    Processing.initialize()
    provider = CitygridProvider()  # kept: the registry does not keep a Python provider alive
    QgsApplication.processingRegistry().addProvider(provider)
    collector, grids = (args.collector, None) if args.collector else busiest_collector(args.centre)
    print(f"centre {args.centre}, collector {collector}" + (f" ({grids} grids)" if grids else "")
          + f", zoom 12-{args.max_zoom}")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(args.keep or tmp)
        plain_s, desk_s = [], []
        for _ in range(args.rounds):  # alternate which goes first: the file cache favours the second
            plain_s.append(baseline(args.centre, collector, args.max_zoom, _fresh(out / "plain.mbtiles")))
            desk_s.append(desk(args.centre, collector, args.max_zoom, _fresh(out / "desk.mbtiles")))
            desk_s.append(desk(args.centre, collector, args.max_zoom, _fresh(out / "desk.mbtiles")))
            plain_s.append(baseline(args.centre, collector, args.max_zoom, _fresh(out / "plain.mbtiles")))
        for name, seconds, file in (("qgis:tilesxyzmbtiles, plain styles", plain_s, "plain.mbtiles"),
                                    ("citygrid:export_basemap", desk_s, "desk.mbtiles")):
            tiles, size = mbtiles(out / file)
            print(f"{name:<38} {min(seconds):7.2f} s (best of {len(seconds)}, worst {max(seconds):.2f})"
                  f"  {tiles:6d} tiles  {size / 1e6:7.2f} MB")
    print(f"ratio export_basemap / baseline (best times): {min(desk_s) / min(plain_s):.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
