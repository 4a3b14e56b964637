# SPDX-License-Identifier: GPL-2.0-or-later
"""The evaluation's grid choropleth: a memory layer "评价：网格" in the centre's group, one feature per
unit grid with the period's registered cases (the core's grid evaluation), the grid's area, the case
density per km², score and grade, drawn by a graduated renderer (5 Jenks classes) with its legend."""

from __future__ import annotations

from qgis.core import (
    QgsClassificationJenks,
    QgsFeature,
    QgsField,
    QgsGraduatedSymbolRenderer,
    QgsProject,
    QgsStyle,
    QgsSymbol,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QVariant

from .texts import tr

CLASSES = 5
FIELD = "density"
MARKER = "citygrid/evaluation_map"  # custom property: the layer is the dock's, replaced on each update
FIELDS = (("code", QVariant.String), ("name", QVariant.String), ("cases", QVariant.Int),
          ("area_km2", QVariant.Double), (FIELD, QVariant.Double), ("score", QVariant.Double),
          ("grade", QVariant.String))


def title() -> str:
    return tr("Evaluation: grids")


def build(grids: QgsVectorLayer, results) -> QgsVectorLayer:
    """A new memory layer: every grid of `grids` joined with its grid evaluation result (by code)."""
    layer = QgsVectorLayer(f"Polygon?crs={grids.crs().authid()}", title(), "memory")
    provider = layer.dataProvider()
    provider.addAttributes([QgsField(name, kind) for name, kind in FIELDS])
    layer.updateFields()
    by_code = {r.id: r for r in results}
    provider.addFeatures([_feature(layer, grid, by_code.get(str(grid["code"]))) for grid in grids.getFeatures()])
    layer.updateExtents()
    layer.setCustomProperty(MARKER, True)
    style(layer)
    return layer


def _feature(layer: QgsVectorLayer, grid, result) -> QgsFeature:
    feature = QgsFeature(layer.fields())
    geometry = grid.geometry()
    area = geometry.area() / 1e6
    cases = result.counts.get("registered", 0) if result is not None else 0
    feature.setGeometry(geometry)
    feature.setAttributes([str(grid["code"]), result.name if result else grid["name"], cases, area,
                           cases / area if area > 0 else None, result.score if result else None,
                           result.grade if result else None])
    return feature


def style(layer: QgsVectorLayer) -> None:
    renderer = QgsGraduatedSymbolRenderer(FIELD)
    renderer.setSourceSymbol(QgsSymbol.defaultSymbol(layer.geometryType()))
    renderer.setSourceColorRamp(QgsStyle.defaultStyle().colorRamp("Reds"))
    method = QgsClassificationJenks()
    method.setLabelPrecision(0)  # cases per km²: "107 - 213", not "106.558 - 213.4124"
    renderer.setClassificationMethod(method)
    distinct = {f[FIELD] for f in layer.getFeatures() if f[FIELD] is not None}
    renderer.updateClasses(layer, max(1, min(CLASSES, len(distinct))))  # Jenks misplaces breaks on fewer values
    layer.setRenderer(renderer)
    layer.setOpacity(0.75)


def show(layer: QgsVectorLayer, beside: QgsVectorLayer) -> None:
    """Put the layer on top of the group holding `beside` (the centre's grids), legend expanded."""
    project = QgsProject.instance()
    node = project.layerTreeRoot().findLayer(beside.id())
    group = node.parent() if node is not None else project.layerTreeRoot()
    project.addMapLayer(layer, False)
    group.insertLayer(0, layer).setExpanded(True)


def remove(layer: QgsVectorLayer | None) -> None:
    """Take the layer out of the project (it is the dock's, derived from one evaluation)."""
    project = QgsProject.instance()
    if layer is not None and project.mapLayer(layer.id()) is not None:
        project.removeMapLayer(layer.id())
