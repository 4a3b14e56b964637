# SPDX-License-Identifier: GPL-2.0-or-later
"""citygrid:assign_grids on a centre's components (default: the city demo's 417,000, read only)
against QGIS's own "Join attributes by location" (native:joinattributesbylocation, grid code of the
first intersecting grid) on the same layers, in the same run. Both write to memory layers.

Usage: python bench/bench_assign_grids.py [--centre PATH] (with Debian's python3-qgis visible, under
QT_QPA_PLATFORM=offscreen). Prints seconds, points per second, points outside and the ratio.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "shared"), str(ROOT / "qgis_plugin"), "/usr/share/qgis/python/plugins"]

from qgis.core import QgsApplication, QgsProcessingFeedback, QgsVectorLayer  # noqa: E402

CITY = "/work/city/center.gpkg"


def timed(algorithm: str, parameters: dict) -> tuple[float, dict]:
    import processing

    start = time.perf_counter()
    result = processing.run(algorithm, parameters, feedback=QgsProcessingFeedback())
    return time.perf_counter() - start, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--centre", default=CITY)
    args = parser.parse_args()
    app = QgsApplication([], False)
    app.initQgis()
    from citygrid_desk.processing.provider import CitygridProvider
    from processing.core.Processing import Processing

    Processing.initialize()
    provider = CitygridProvider()  # kept: the registry does not keep a Python provider alive
    QgsApplication.processingRegistry().addProvider(provider)
    components = QgsVectorLayer(f"{args.centre}|layername=components", "components", "ogr")
    grids = QgsVectorLayer(f"{args.centre}|layername=grids", "grids", "ogr")
    count = components.featureCount()
    join_s, joined = timed("native:joinattributesbylocation", {
        "INPUT": components, "JOIN": grids, "PREDICATE": [0], "JOIN_FIELDS": ["code"], "METHOD": 2,
        "DISCARD_NONMATCHING": False, "PREFIX": "grid_", "OUTPUT": "memory:"})
    desk_s, assigned = timed("citygrid:assign_grids", {"INPUT": components, "CENTRE": args.centre,
                                                       "OUTPUT": "memory:"})
    print(f"centre {args.centre}: {count} components, {grids.featureCount()} grids")
    print(f"{'native:joinattributesbylocation':<34} {join_s:7.2f} s  {count / join_s:9.0f} points/s  "
          f"{joined.get('JOINED_COUNT', '?')} joined")
    print(f"{'citygrid:assign_grids':<34} {desk_s:7.2f} s  {count / desk_s:9.0f} points/s  "
          f"{assigned['OUTSIDE']} outside every grid")
    print(f"ratio assign_grids / join by location: {desk_s / join_s:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
