# SPDX-License-Identifier: GPL-2.0-or-later
"""The report's map layers, read from the centre's GeoPackage itself (the report runs from
`qgis_process` too, without the desk): the grid choropleth of the month over the basemap, in a
project of the report's own so the user's project is never touched."""

from __future__ import annotations

from qgis.core import QgsProject, QgsVectorLayer

from . import evaluation_map, layers
from .core import Problem

BASEMAP = ("basemap_roads", "basemap_water", "basemap_blocks")  # top to bottom, under the choropleth


def report_project() -> QgsProject:
    return QgsProject()


def map_layers(project: QgsProject, path: str, grid_results) -> list[QgsVectorLayer]:
    """[choropleth, roads, water, blocks] added to `project` (top first); the grids must open."""
    grids = QgsVectorLayer(f"{path}|layername=grids", "grids", "ogr")
    if not grids.isValid():
        raise Problem("desk.layer_invalid", path=path, layers="grids")
    choropleth = evaluation_map.build(grids, grid_results)
    out = [choropleth]
    for table in BASEMAP:
        layer = QgsVectorLayer(f"{path}|layername={table}", table, "ogr")
        if layer.isValid():
            layers.load_style(layer, table)
            out.append(layer)
    project.setCrs(grids.crs())
    project.addMapLayers(out)
    return out
