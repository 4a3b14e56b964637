# SPDX-License-Identifier: GPL-2.0-or-later
"""The desk's styled layers against the same layers with QGIS's plain single symbol, in the same run:
(a) seconds to render the full extent and one street offscreen (targets: styled ≤ 1.5× plain),
(b) resident memory of a fresh python3-qgis process after opening each set (target < 1.5×).

Usage: python bench/bench_desk_render.py [PATH] [--size 1600x1000] [--rounds 2]
PATH defaults to the city demo /work/city/center.gpkg. The centre is only read: the layers through
GDAL, the dictionaries through a read-only SQLite connection; nobody signs in. Figures only.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "shared"), str(ROOT / "qgis_plugin")]

from qgis.core import (  # noqa: E402
    QgsApplication,
    QgsFeatureRequest,
    QgsMapRendererSequentialJob,
    QgsMapSettings,
    QgsRectangle,
)
from qgis.PyQt.QtCore import QSize  # noqa: E402
from qgis.PyQt.QtGui import QColor  # noqa: E402

DEFAULT = "/work/city/center.gpkg"


def open_set(path: str, styled: bool) -> dict:
    """{table: layer}: the desk's styled, named layers with forms, or the plain layers QGIS adds."""
    from citygrid_desk import layers as desk_layers

    layers = desk_layers.open_layers(path)
    if styled:
        centre = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            desk_layers.dress(layers, centre, None)
        finally:
            centre.close()
    return layers


def street_extent(grids) -> QgsRectangle:
    """The extent of the first street's grids (a street office's view)."""
    first = next(grids.getFeatures(QgsFeatureRequest().setLimit(1)))["street_code"]
    extent = QgsRectangle()
    extent.setMinimal()
    for feature in grids.getFeatures(QgsFeatureRequest().setFilterExpression(f"\"street_code\" = '{first}'")):
        extent.combineExtentWith(feature.geometry().boundingBox())
    return extent


def at_scale(extent: QgsRectangle, size: QSize, denominator: float) -> QgsRectangle:
    """The view of `size` pixels (96 dpi) at 1:`denominator` around `extent`'s centre."""
    metres_per_pixel = denominator * 0.0254 / 96
    centre = extent.center()
    half_w, half_h = size.width() * metres_per_pixel / 2, size.height() * metres_per_pixel / 2
    return QgsRectangle(centre.x() - half_w, centre.y() - half_h, centre.x() + half_w, centre.y() + half_h)


def render(layers: dict, extent: QgsRectangle, size: QSize, tables=None, save: Path | None = None) -> float:
    """Seconds to draw `layers` (top first; only `tables` when given) over `extent`; the picture to `save`."""
    from citygrid_desk import layers as desk_layers

    settings = QgsMapSettings()
    settings.setLayers([layers[t] for t in tables or desk_layers.TABLES])
    settings.setDestinationCrs(next(iter(layers.values())).crs())
    settings.setOutputSize(size)
    settings.setBackgroundColor(QColor("#ffffff"))
    settings.setExtent(extent)
    job = QgsMapRendererSequentialJob(settings)
    started = time.perf_counter()
    job.start()
    job.waitForFinished()
    seconds = time.perf_counter() - started
    if save is not None:
        save.parent.mkdir(parents=True, exist_ok=True)
        job.renderedImage().save(str(save))
    return seconds


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def memory_child(path: str, styled: bool, size: QSize) -> None:
    """One fresh process: RSS after QGIS starts, after opening the layers, after one full render."""
    figures = {"start": rss_mb()}
    layers = open_set(path, styled)
    figures["opened"] = rss_mb()
    extent = layers["grids"].extent()
    render(layers, extent, size)
    figures["rendered"] = rss_mb()
    print(json.dumps(figures))


def memory(path: str, size: str) -> dict:
    out = {}
    for mode in ("plain", "styled"):
        done = subprocess.run([sys.executable, __file__, path, "--size", size, "--memory-child", mode],
                              check=True, capture_output=True, text=True)
        out[mode] = json.loads(done.stdout.strip().splitlines()[-1])
    return out


def per_layer(sets: dict, extent: QgsRectangle, size: QSize) -> str:
    """Each layer alone, plain/styled seconds: where the time goes."""
    from citygrid_desk import layers as desk_layers

    return ", ".join(f"{t} {render(sets['plain'], extent, size, [t]):.2f}/{render(sets['styled'], extent, size, [t]):.2f}"
                     for t in desk_layers.TABLES)


def timings(path: str, size: QSize, rounds: int, layers_too: bool, images: Path | None) -> None:
    sets = {mode: open_set(path, mode == "styled") for mode in ("plain", "styled")}
    street = street_extent(sets["plain"]["grids"])
    views = {"full extent": sets["plain"]["grids"].extent(), "one street": street,
             "1:4,000": at_scale(street, size, 4_000)}
    render(sets["plain"], views["full extent"], size)  # warm the page cache once, untimed
    for view, extent in views.items():
        figures = {"plain": [], "styled": []}
        for _ in range(rounds):
            for mode in ("plain", "styled"):  # alternate, so a noisy neighbour hits both
                figures[mode].append(render(sets[mode], extent, size))
        plain, styled = min(figures["plain"]), min(figures["styled"])
        print(f"{view:12s} plain {_list(figures['plain'])} s, styled {_list(figures['styled'])} s; "
              f"best styled/plain = {styled / plain:.2f}x")
        if images is not None:
            for mode in ("plain", "styled"):
                render(sets[mode], extent, size, save=images / f"desk-render-{_slug(view)}-{mode}.png")
        if layers_too:
            print(f"{'':12s} each layer alone, plain/styled s: {per_layer(sets, extent, size)}")


def _slug(view: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in view.replace(",", "")).replace(":", "-")


def _list(values) -> str:
    return "/".join(f"{v:.2f}" for v in values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", default=DEFAULT)
    parser.add_argument("--size", default="1600x1000")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--memory-child", choices=("plain", "styled"))
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--per-layer", action="store_true", help="also time each layer alone")
    parser.add_argument("--images", type=Path, help="save each view's pictures (plain, styled) in this folder")
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.split("x"))
    app = QgsApplication([], False)
    app.initQgis()
    if args.memory_child:
        memory_child(args.path, args.memory_child == "styled", QSize(width, height))
        return
    counts = sqlite3.connect(f"file:{args.path}?mode=ro", uri=True)
    print(args.path + ": " + ", ".join(f"{counts.execute(f'SELECT count(*) FROM {t}').fetchone()[0]:,} {t}"
                                       for t in ("cases", "components", "grids")) + f"; {args.size} px")
    counts.close()
    timings(args.path, QSize(width, height), args.rounds, args.per_layer, args.images)
    if not args.skip_memory:
        figures = memory(args.path, args.size)
        for stage in ("opened", "rendered"):
            plain, styled = figures["plain"][stage], figures["styled"][stage]
            print(f"RSS {stage:8s} plain {plain:.0f} MB, styled {styled:.0f} MB; styled/plain = {styled / plain:.2f}x "
                  f"(QGIS alone {figures['plain']['start']:.0f} MB)")


if __name__ == "__main__":
    main()
