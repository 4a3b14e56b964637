# SPDX-License-Identifier: GPL-2.0-or-later
"""Shift review dock: the shift of bench_review.py (50 devices x 40 items through the real push path,
all flagged) opened in the desk's dock in a real QgsApplication: time to a filled dock (both tables,
every reason in words) against `review.shift_review` alone in the same run (target: under 1 s).

Run: QT_QPA_PLATFORM=offscreen PYTHONPATH=shared:tests:qgis_plugin python bench/bench_review_dock.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]
for extra in (ROOT / "tests", ROOT / "qgis_plugin", ROOT / "bench"):
    sys.path.insert(0, str(extra))

import bench_review  # noqa: E402
import centre_fixture as cf  # noqa: E402
import review_shift as rs  # noqa: E402
from qgis.core import QgsApplication  # noqa: E402
from qgis.PyQt.QtWidgets import QMainWindow  # noqa: E402

from citygrid.sync import review  # noqa: E402


def best(fn, runs=5) -> float:
    spent = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        spent.append(time.perf_counter() - t0)
    return min(spent)


def main() -> None:
    app = QgsApplication([], False)
    app.initQgis()
    from citygrid_desk.review_dock import ReviewDock
    from citygrid_desk.session import DeskSession

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "center.gpkg"
        conn = bench_review.build(path)
        sup = cf.actor(conn, "supervisor")
        window = QMainWindow()
        iface = SimpleNamespace(mainWindow=lambda: window)
        session = DeskSession(str(path), conn, sup)
        docks = []

        def open_dock():
            docks.append(ReviewDock(iface, session))

        t_dock = best(open_dock)
        dock = docks[-1]
        t_refresh = best(dock.refresh)
        t_core = best(lambda: review.shift_review(conn, sup, *rs.window()))
        print(f"shift: {bench_review.DEVICES} devices x {bench_review.ITEMS} items; dock lists "
              f"{dock.model.rowCount()} items, {dock.devices.rowCount()} device rows")
        print(f"open the dock (filled): {t_dock * 1000:.0f} ms (target < 1000 ms)")
        print(f"refresh: {t_refresh * 1000:.0f} ms")
        print(f"review.shift_review alone: {t_core * 1000:.0f} ms; dock/core ratio {t_dock / t_core:.1f}x")
        for d in docks:
            d.deleteLater()
        conn.close()
    app.exitQgis()


if __name__ == "__main__":
    main()
