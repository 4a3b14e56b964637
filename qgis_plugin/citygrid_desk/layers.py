# SPDX-License-Identifier: GPL-2.0-or-later
"""The centre's layers as the desk shows them: one group in a sensible order, styled from the QML
files in `resources/` (made by scripts/build_desk_styles.py), attribute forms with value maps from
the centre's dictionaries, and edits only where the loop allows them.

Top to bottom: cases, components, grids, then the basemap subgroup (roads, water, blocks). Cases are
read-only for everyone (every change of a case goes through the core's workflow); grids, components
and the basemap are editable for the `gis` role only.
"""

from __future__ import annotations

from pathlib import Path

from qgis.core import (
    QgsCategorizedSymbolRenderer,
    QgsEditorWidgetSetup,
    QgsLayerTreeGroup,
    QgsProject,
    QgsRuleBasedRenderer,
    QgsVectorLayer,
)

from . import case_words
from .core import Problem, casebook, dictionaries
from .texts import tr

RESOURCES = Path(__file__).resolve().parent / "resources"
FEATURES = ("cases", "components", "grids")                    # top to bottom
BASEMAP = ("basemap_roads", "basemap_water", "basemap_blocks")  # the basemap subgroup, top to bottom
TABLES = FEATURES + BASEMAP
EDITOR_ROLE = "gis"  # the one role that edits grids, components and the basemap in QGIS
TABLE_PROPERTY = "citygrid/table"  # custom property: the centre table a layer shows
CASE_TEXT_FIELDS = ("description", "address")  # the only case fields a form would offer (the layer is read-only)


def titles() -> dict[str, str]:
    """Layer names in the user's language, by table."""
    return {"cases": tr("Cases"), "components": tr("Components"), "grids": tr("Unit grids"),
            "basemap_roads": tr("Roads"), "basemap_water": tr("Water"), "basemap_blocks": tr("Blocks")}


def status_labels() -> dict[str, str]:
    """Case statuses in the user's language, as the case desk names them, in the loop's order."""
    return {code: case_words.status(code) for code in casebook.STATUSES}


def source_labels() -> dict[str, str]:
    return {code: case_words.source(code) for code in casebook.SOURCES}


def kind_labels() -> dict[str, str]:
    return {"component": tr("Component"), "event": tr("Event")}


def state_labels() -> dict[str, str]:
    """Component states (ObjState stores the standard's Chinese words) in the user's language."""
    return {"完好": tr("Intact"), "破损": tr("Damaged"), "丢失": tr("Lost"), "废弃": tr("Scrapped"),
            "移除": tr("Removed")}


def legend_labels() -> dict[str, str]:
    """The QML files' English legend labels in the user's language (class codes are named from the centre)."""
    return {"Reported, verifying, to register": tr("Reported, verifying, to register"),
            "Registered, to dispatch": tr("Registered, to dispatch"),
            "Dispatched, being handled": tr("Dispatched, being handled"),
            "Handled, to check and close": tr("Handled, to check and close"),
            "no time limit": tr("no time limit"), "overdue": tr("overdue"), "due soon": tr("due soon"),
            "on time": tr("on time"), "Parked": tr("Parked"), "Closed": tr("Closed"),
            "History": tr("History"), "Voided, not registered": tr("Voided, not registered"), "Other classes": tr("Other classes"),
            "Damaged": tr("Damaged"), "Lost, scrapped or removed": tr("Lost, scrapped or removed")}


# -- opening: GDAL reads every layer once, before the core's connection opens (see plugin._open) --

def open_layers(path: str) -> dict[str, QgsVectorLayer]:
    """{table: layer} for every table the desk shows, each read once; a layer QGIS cannot open is
    `desk.layer_invalid` (nothing is added to the project)."""
    layers = {table: QgsVectorLayer(f"{path}|layername={table}", table, "ogr") for table in TABLES}
    bad = [table for table, layer in layers.items() if not layer.isValid() or layer.featureCount() < 0]
    if bad:
        raise Problem("desk.layer_invalid", path=path, layers=", ".join(bad))
    return layers


def pin(path: str) -> QgsVectorLayer:
    """A layer kept open while the core's connection lives (GDAL must not close the file's last descriptor)."""
    layer = QgsVectorLayer(f"{path}|layername=grids", "citygrid-pin", "ogr")
    layer.featureCount()
    return layer


# -- dressing: styles, names, forms, who may edit ----------------------------------------------

def dress(layers: dict, centre, role: str | None) -> None:
    """Style, name and guard every layer for the signed-in `role`, with forms from the centre's dictionaries."""
    names = titles()
    for table, layer in layers.items():
        load_style(layer, table)
        layer.setName(names[table])
        layer.setCustomProperty(TABLE_PROPERTY, table)
    _name_component_classes(layers["components"], centre)
    set_forms(layers, centre)
    guard(layers, role)


def load_style(layer: QgsVectorLayer, table: str) -> None:
    """The table's QML style with its legend in the user's language; a style that fails is a Problem."""
    message, ok = layer.loadNamedStyle(str(RESOURCES / f"{table}.qml"))
    if not ok:
        raise Problem("desk.style_failed", table=table, reason=message)
    _relabel(layer.renderer(), legend_labels())


def _relabel(renderer, labels: dict) -> None:
    """Legend labels found in `labels` replaced (rules or categories); the others kept."""
    if isinstance(renderer, QgsRuleBasedRenderer):
        for rule in renderer.rootRule().descendants():
            rule.setLabel(labels.get(rule.label(), rule.label()))
    elif isinstance(renderer, QgsCategorizedSymbolRenderer):
        for index, category in enumerate(renderer.categories()):
            renderer.updateCategoryLabel(index, labels.get(category.label(), category.label()))


def _name_component_classes(layer: QgsVectorLayer, centre) -> None:
    """Categories labelled with a major class code ('01') get the centre's name for it ('01 公用设施')."""
    majors = {c.major_code: c.major_name for c in dictionaries.classes(centre, "component")}
    _relabel(layer.renderer(), {code: f"{code} {name}" for code, name in majors.items()})


def set_forms(layers: dict, centre) -> None:
    """Value maps from the dictionaries; every case field but the description and address read-only."""
    cases, units = layers["cases"], dictionaries.unit_names(centre)
    classes = {c.code: f"{c.major_name} / {c.minor_name}" for c in dictionaries.classes(centre)}
    for field, labels in (("status", status_labels()), ("parked_from", status_labels()),
                          ("source", source_labels()), ("kind", kind_labels()), ("class_code", classes),
                          ("unit_code", units)):
        value_map(cases, field, labels)
    components = layers["components"]
    value_map(components, "ObjState", state_labels())
    for n in (1, 2, 3):
        value_map(components, f"DeptCode{n}", units)
    config = cases.editFormConfig()
    for index, field in enumerate(cases.fields()):
        config.setReadOnly(index, field.name() not in CASE_TEXT_FIELDS)
    cases.setEditFormConfig(config)


def value_map(layer: QgsVectorLayer, field: str, labels: dict) -> None:
    """A ValueMap editor on `field`: stored value -> label, in the dict's order."""
    index = layer.fields().indexOf(field)
    if index < 0:
        return
    entries = [{label: value} for value, label in labels.items()]
    layer.setEditorWidgetSetup(index, QgsEditorWidgetSetup("ValueMap", {"map": entries}))


def guard(layers: dict, role: str | None) -> None:
    """Cases read-only for everyone; the rest editable for the gis role only."""
    for table, layer in layers.items():
        layer.setReadOnly(table == "cases" or role != EDITOR_ROLE)


def release(layers: dict) -> None:
    """When the centre closes its layers stay in the project, the user's: all but cases become editable
    again (cases stay read-only: their rows change through the loop, never from an attribute table)."""
    for table, layer in layers.items():
        layer.setReadOnly(table == "cases")


# -- the group ----------------------------------------------------------------------------------

def add_group(title: str, layers: dict) -> QgsLayerTreeGroup:
    """The centre's group on top of the layer tree: features, then the basemap subgroup."""
    project = QgsProject.instance()
    group = project.layerTreeRoot().insertGroup(0, tr("citygrid centre: {name}").format(name=title))
    for table in FEATURES:
        _add(project, group, layers[table])
    basemap = group.addGroup(tr("Basemap"))
    for table in BASEMAP:
        _add(project, basemap, layers[table])
    return group


def _add(project: QgsProject, group: QgsLayerTreeGroup, layer: QgsVectorLayer) -> None:
    project.addMapLayer(layer, False)
    group.addLayer(layer)
