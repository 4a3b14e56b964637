# SPDX-License-Identifier: GPL-2.0-or-later
"""The case desk on the city demo: first rows of the unfiltered table and filter responses.

Opens the centre READ-ONLY (sqlite `mode=ro`; nothing is written) and times, for each case:
the desk's table model from construction (or a new filter) to its first page, and the count label's
`casebook.count`. Baselines in the same run: a plain `SELECT * FROM cases ORDER BY reported_at DESC
LIMIT 200` (rows only, no names, no lights) and QGIS reading the first 200 features of the cases layer
(QgsFeatureRequest with a limit). Lights are taken at the demo's "now" (2026-11-20 17:30 Suzhou).
Targets (issue 11): first rows < 300 ms; status + unit + period < 200 ms. Figures only.

Usage: python bench/bench_case_desk.py [PATH] [--repeat N]     (PATH: /work/city/center.gpkg)
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "shared"), str(ROOT / "qgis_plugin")]

from citygrid_desk import case_dock  # noqa: E402
from qgis.core import QgsApplication, QgsFeatureRequest, QgsVectorLayer  # noqa: E402

from citygrid.demo import history  # noqa: E402
from citygrid.loop import casebook  # noqa: E402


def ms(fn, repeat: int) -> tuple[float, float, object]:
    """(median, min) milliseconds of `repeat` calls, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), min(times), result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", default="/work/city/center.gpkg")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    app = QgsApplication([], False)
    app.initQgis()
    layer = QgsVectorLayer(f"{args.path}|layername=cases", "cases", "ogr")  # before SQLite (plugin.py)
    conn = sqlite3.connect(f"file:{args.path}?mode=ro", uri=True)
    from citygrid_desk.case_model import CaseModel
    from citygrid_desk.session import DeskSession
    session = DeskSession(args.path, conn)
    now = history.NOW
    print(f"{args.path}: {conn.execute('SELECT count(*) FROM cases').fetchone()[0]:,} cases, "
          f"lights at {now.isoformat()}, median (min) of {args.repeat}")
    base = baselines(conn, layer, args.repeat)
    print(f"  baseline plain SELECT ... LIMIT 200:        {base[0]:7.1f} ms")
    print(f"  baseline QGIS first 200 features of layer:  {base[1]:7.1f} ms")

    def first_rows():
        model = CaseModel(session)
        model.now = now
        model.reload()
        return model

    med, low, model = ms(first_rows, args.repeat)
    print(f"  first rows, unfiltered (model to page 1):   {med:7.1f} ms ({low:.1f})  x{med / base[0]:.1f} plain"
          f"  x{med / base[1]:.1f} QGIS   target < 300 ms   rows {model.rowCount()}")
    for name, f in filters(conn, now):
        show(session, model, name, f, now, base[0], args.repeat)
    del model, layer  # Qt objects go before QGIS does (else a crash at exit)
    app.exitQgis()
    return 0


def baselines(conn, layer, repeat) -> tuple[float, float]:
    plain = ms(lambda: conn.execute("SELECT * FROM cases ORDER BY reported_at DESC LIMIT 200").fetchall(),
               repeat)[0]
    request = QgsFeatureRequest().setLimit(200)
    qgis = ms(lambda: list(layer.getFeatures(request)), repeat)[0]
    return plain, qgis


def filters(conn, now) -> list:
    unit = conn.execute("SELECT unit_code FROM cases WHERE unit_code IS NOT NULL AND reported_at > ? "
                        "GROUP BY unit_code ORDER BY count(*) DESC LIMIT 1",
                        (casebook.times.to_db(now - timedelta(days=30)),)).fetchone()[0]
    grid = conn.execute("SELECT grid_code FROM cases ORDER BY fid DESC LIMIT 1").fetchone()[0]
    month = {"reported_from": now - timedelta(days=30), "reported_to": now}
    return [
        (f"status closed + unit {unit} + 30 days", casebook.Filter(statuses=("closed",), unit_code=unit, **month)),
        (f"open statuses + unit {unit} + 30 days", casebook.Filter(
            statuses=("dispatched", "disposed", "checking", "registered"), unit_code=unit, **month)),
        ("status closed + 30 days", casebook.Filter(statuses=("closed",), **month)),
        (f"grid {grid}", casebook.Filter(grid_code=grid)),
        ("light red", casebook.Filter(lights=("red",))),
        ("light yellow", casebook.Filter(lights=("yellow",))),
        ("light green", casebook.Filter(lights=("green",))),
        ("light none (closed, untimed)", casebook.Filter(lights=("none",))),
        ("text 垃圾 (common)", casebook.Filter(text="垃圾")),
        ("text 不存在的词 (no match, whole city)", casebook.Filter(text="不存在的词")),
        ("text 不存在的词 + 30 days", casebook.Filter(text="不存在的词", **month)),
        ("case number prefix 20261120", casebook.Filter(text="20261120")),
    ]


def show(session, model, name, f, now, plain, repeat) -> None:
    def apply():
        model.set_filter(f)
        return model.rowCount()

    med, low, rows = ms(apply, repeat)
    cap = case_dock.COUNT_CAP if f.text else None  # as the dock counts free text
    cmed, clow, total = ms(lambda: casebook.count(session.centre, f, now=now, cap=cap), repeat)
    print(f"  {name:42s} page {med:7.1f} ms ({low:.1f}) x{med / plain:.1f}  count {cmed:7.1f} ms ({clow:.1f})"
          f"  rows {rows} of {total:,}{'+' if cap and total >= cap else ''}")


if __name__ == "__main__":
    sys.exit(main())
