# SPDX-License-Identifier: GPL-2.0-or-later
"""The evaluation dock's recompute for one month, per object type, against the core's `evaluate` alone
in the same run (default: the city demo, opened read-only). The dock's path is what `recompute` does:
the core call, the ranking model filled and every cell's text read (what the table paints), the chart's
ranking; for grids also the choropleth layer (7,568 grids with their geometry, Jenks classes).
Also the months combo (`periods.log_months`) and the trend of one object (6 months, in a QgsTask).

Usage: python bench/bench_desk_evaluation.py [--centre PATH] [--month YYYY-MM] (python3-qgis visible,
QT_QPA_PLATFORM=offscreen). Prints seconds (best of 3) and the dock / core ratio.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "shared"), str(ROOT / "qgis_plugin")]

from qgis.core import QgsApplication, QgsVectorLayer  # noqa: E402

CITY = "/work/city/center.gpkg"
RUNS = 3


def best(fn) -> float:
    times = []
    for _ in range(RUNS):
        began = time.perf_counter()
        fn()
        times.append(time.perf_counter() - began)
    return min(times)


def dock_path(conn, object_type, start, end, grids):
    from citygrid_desk import evaluation_map, evaluation_words
    from citygrid_desk.core import evaluation
    from citygrid_desk.evaluation_chart import EvaluationChart
    from citygrid_desk.evaluation_model import RankingModel

    by, level = evaluation_words.OBJECTS[object_type]
    results = evaluation.evaluate(conn, start, end, by, level=level)
    model = RankingModel()
    model.set_results(object_type, results)
    [model.text(r, c) for r in model.results for c in model.columns]
    EvaluationChart().set_ranking(results)
    if object_type == "grid" and grids is not None:
        evaluation_map.build(grids, results)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--centre", default=CITY)
    parser.add_argument("--month", default="2026-10")
    args = parser.parse_args()
    app = QgsApplication([], False)
    app.initQgis()
    from citygrid_desk import evaluation_trend, evaluation_words
    from citygrid_desk.core import db, evaluation, periods

    conn = db.open_centre(args.centre, readonly=True)
    start, end = periods.parse_period(args.month)
    grids = QgsVectorLayer(f"{args.centre}|layername=grids", "grids", "ogr")
    began = time.perf_counter()
    months = periods.log_months(conn)
    print(f"months combo: {len(months)} months in {time.perf_counter() - began:.3f} s")
    print(f"{'type':10} {'objects':>8} {'core s':>8} {'dock s':>8} {'dock/core':>9}")
    for object_type, (by, level) in evaluation_words.OBJECTS.items():
        core = best(lambda by=by, level=level: evaluation.evaluate(conn, start, end, by, level=level))
        dock = best(lambda t=object_type: dock_path(conn, t, start, end, grids))
        count = len(evaluation.evaluate(conn, start, end, by, level=level))
        print(f"{object_type:10} {count:8d} {core:8.3f} {dock:8.3f} {dock / core:9.2f}")
    unit = evaluation.evaluate(conn, start, end, "unit")[0].id
    began = time.perf_counter()
    evaluation_trend.scores(conn, "unit", None, unit, evaluation_trend.months_up_to(args.month))
    print(f"trend of unit {unit} over 6 months (off the UI thread): {time.perf_counter() - began:.2f} s")
    conn.close()
    app.exitQgis()
    return 0


if __name__ == "__main__":
    sys.exit(main())
