# SPDX-License-Identifier: GPL-2.0-or-later
"""citygrid:export_basemap — an offline basemap (.mbtiles) of one collector's unit grids, for the field app.

The extent is the collector's grids (`collector_grids`) plus a margin; the map is the centre's
basemap layers (blocks, water, roads) under the grid outlines, in the centre's CRS, rendered into
XYZ tiles by QGIS's own MBTiles algorithm, looked up by name at run time (`qgis:tilesxyzmbtiles` in
3.22, `native:` later) and run as a child algorithm over a project of its own (3.22's algorithm
draws the visible layers of its context's project, whose CRS the extent is in). The tiles are
written to a temporary file renamed at the end: a failed export leaves no half-written basemap.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from qgis.core import (
    QgsApplication,
    QgsProcessingContext,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
    QgsProject,
    QgsRectangle,
    QgsReferencedRectangle,
    QgsVectorLayer,
)
from qgis.PyQt.QtGui import QColor

from ..core import Problem, coverage, crs
from .algorithm import CENTRE, CentreAlgorithm, centre_connection, centre_crs, centre_parameter, failure
from .basemap_style import LAYERS, style

TILES_ALGORITHMS = ("native:tilesxyzmbtiles", "qgis:tilesxyzmbtiles")  # newest name first
MIN_ZOOM = 12  # a district at a glance; lower zooms are blank country for one collector
BACKGROUND = "#e6e2d9"  # the ground between blocks


def tiles_algorithm() -> str:
    """The id of this QGIS's XYZ-tiles MBTiles algorithm."""
    registry = QgsApplication.processingRegistry()
    for algorithm_id in TILES_ALGORITHMS:
        if registry.algorithmById(algorithm_id) is not None:
            return algorithm_id
    raise failure(Problem("desk.no_tiles_algorithm", names=", ".join(TILES_ALGORITHMS)))


def basemap_project(path: str, centre_crs_, *, plain: bool = False) -> QgsProject:
    """A project of its own with the centre's basemap layers and grid outlines, styled, in the
    centre's CRS (plain=True: one plain symbol per layer, the bench's baseline)."""
    project = QgsProject()
    project.setCrs(centre_crs_)
    for name in reversed(LAYERS):  # the layer tree lists the top layer first
        layer = QgsVectorLayer(f"{path}|layername={name}", name, "ogr")
        if not layer.isValid():
            raise failure(Problem("desk.layer_unreadable", layer=name, path=path))
        style(layer, name, plain=plain)
        project.addMapLayer(layer, False)
        project.layerTreeRoot().addLayer(layer)
    return project


def run_tiles(project: QgsProject, extent: QgsReferencedRectangle, zooms: tuple[int, int], output: str,
              context, feedback) -> dict:
    """QGIS's MBTiles algorithm over `project` as a child algorithm: `extent` in the project's CRS."""
    import processing  # QGIS's Processing plugin: present in the desktop, qgis_process and tests

    child = QgsProcessingContext()
    child.copyThreadSafeSettings(context)
    child.setProject(project)
    parameters = {"EXTENT": extent, "ZOOM_MIN": zooms[0], "ZOOM_MAX": zooms[1], "DPI": 96,
                  "BACKGROUND_COLOR": QColor(BACKGROUND), "TILE_FORMAT": 0, "QUALITY": 75, "METATILESIZE": 4,
                  "OUTPUT_FILE": output}
    return processing.run(tiles_algorithm(), parameters, context=child, feedback=feedback,
                          is_child_algorithm=True)


def finish(path: str, name: str, description: str) -> int:
    """Name the written MBTiles a base layer (the tiles algorithm names it after the temporary file);
    its tile count."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        for key, value in (("name", name), ("description", description), ("type", "baselayer")):
            conn.execute("UPDATE metadata SET value = ? WHERE name = ?", (value, key))
        return conn.execute("SELECT count(*) FROM tiles").fetchone()[0]
    finally:
        conn.close()


def collector_area(path: str, username: str):
    """(centre CRS, extent of the collector's grids with a margin as a QgsRectangle)."""
    with centre_connection(path) as conn:
        target = centre_crs(conn)
        extent = coverage.with_margin(coverage.collector_extent(conn, username),
                                      geographic=crs.is_geographic(crs.centre_srs_id(conn)))
    return target, QgsRectangle(*extent)


class ExportBasemap(CentreAlgorithm):
    NAME = "export_basemap"
    COLLECTOR, MAX_ZOOM, OUTPUT = "COLLECTOR", "MAX_ZOOM", "OUTPUT"

    def displayName(self) -> str:  # noqa: N802 (QGIS's name)
        return self.tr("Export a collector's offline basemap (MBTiles)")

    def shortHelpString(self) -> str:  # noqa: N802 (QGIS's name)
        return self.tr("Renders the centre's basemap (blocks, water, roads) and the unit grid outlines "
                       "over the collector's grids plus a margin into XYZ tiles, from zoom 12 to the "
                       "maximum zoom, as one MBTiles file for the field app.")

    def initAlgorithm(self, config=None):  # noqa: N802 (QGIS's name)
        self.addParameter(centre_parameter())
        self.addParameter(QgsProcessingParameterString(self.COLLECTOR, self.tr("Collector (user name)")))
        self.addParameter(QgsProcessingParameterNumber(self.MAX_ZOOM, self.tr("Maximum zoom"),
                                                       minValue=0, maxValue=20, defaultValue=17))
        self.addParameter(QgsProcessingParameterFileDestination(self.OUTPUT, self.tr("Offline basemap"),
                                                                self.tr("MBTiles (*.mbtiles)")))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802 (QGIS's name)
        path = self.parameterAsFile(parameters, CENTRE, context)
        username = self.parameterAsString(parameters, self.COLLECTOR, context).strip()
        max_zoom = self.parameterAsInt(parameters, self.MAX_ZOOM, context)
        output = self.parameterAsFileOutput(parameters, self.OUTPUT, context)
        target, rect = collector_area(path, username)  # the core's connection is closed before GDAL opens
        project = basemap_project(path, target)
        part = str(Path(output).with_name(f".{Path(output).stem}.part.mbtiles"))
        try:
            run_tiles(project, QgsReferencedRectangle(rect, target), (min(MIN_ZOOM, max_zoom), max_zoom), part,
                      context, feedback)
            if feedback.isCanceled():
                return {}
            tiles = finish(part, Path(output).stem, self.tr("Offline basemap of {collector}").format(
                collector=username))
            os.replace(part, output)
        finally:
            project.clear()
            for leftover in (part, f"{part}-wal", f"{part}-shm", f"{part}-journal"):
                if os.path.exists(leftover):
                    os.remove(leftover)
        feedback.pushInfo(self.tr("{tiles} tiles written to {path}").format(tiles=tiles, path=output))
        return {self.OUTPUT: output}
