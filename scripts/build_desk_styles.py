# SPDX-License-Identifier: GPL-2.0-or-later
"""Write the desk's layer styles, qgis_plugin/citygrid_desk/resources/<table>.qml, with PyQGIS.

The QML files are committed (the plugin loads them with `loadNamedStyle`); this script is how they
are made, so a change of colour or rule is made here and the files rebuilt:

    python scripts/build_desk_styles.py CENTRE.gpkg     (any centre: the layers give the fields)

Legend labels are English; the desk shows them in the user's language (layers.legend_labels).

The traffic light of a case follows loop/deadlines.py (`light`, `lights_for_cases`) as closely as a
style can. Red (past the due time) is the core's rule exactly. Where it differs:
- yellow ("from 80 % of the step's time") counts elapsed time, the core working time for working-time
  limits: across a lunch break, a night or a weekend the style turns yellow at a different moment;
- a step other than dispatched is taken to have opened one *default* step limit before step_due_at
  (the core: when the case entered its status; a centre's step_limits override is not seen);
- a dispatched case's step opens at dispatched_at (the core: the last event that entered dispatched);
- now() is read when the map is drawn: a map left alone does not change colour until it is redrawn.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "shared"))

from qgis.core import (
    QgsApplication,
    QgsCategorizedSymbolRenderer,
    QgsFillSymbol,
    QgsLineSymbol,
    QgsMapLayer,
    QgsMarkerSymbol,
    QgsPalLayerSettings,
    QgsProperty,
    QgsRendererCategory,
    QgsRuleBasedRenderer,
    QgsSimpleMarkerSymbolLayerBase,
    QgsSymbolLayer,
    QgsTextBufferSettings,
    QgsTextFormat,
    QgsVectorLayer,
    QgsVectorLayerSimpleLabeling,
)
from qgis.PyQt.QtGui import QColor

from citygrid.loop import deadlines  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "qgis_plugin" / "citygrid_desk" / "resources"
Shape = QgsSimpleMarkerSymbolLayerBase

# the scales (denominators) below which detail appears: components, closed cases, grid codes, road names
# (a street office's whole street is about 1:9,000 on a desk screen: there it shows open cases and components,
# and the history of closed cases, tens of thousands of dots there, waits until a few blocks fill the screen)
COMPONENTS_FROM, CLOSED_FROM, GRID_LABELS_FROM, ROAD_LABELS_FROM = 10_000, 5_000, 5_000, 8_000

# A case's current step (deadlines._case_light): dispatched runs from dispatched_at to deadline_at (the
# condition's limit), every other open status to step_due_at, opened one step limit before it. Only
# these three DATETIME columns are read: each one QGIS reads costs about as much per case as drawing
# it, and the layer reads them for every case it draws, closed ones too.
# OGR hands DATETIME text ('...Z') to QGIS 3.22 as a local time with UTC's wall clock: _utc reads it as UTC.
DUE = """CASE WHEN "status" = 'dispatched' THEN "deadline_at" ELSE "step_due_at" END"""


def _utc(expr: str) -> str:
    return f"to_datetime(format_date({expr}, 'yyyy-MM-ddTHH:mm:ss.zzz') || 'Z')"


def _step_limit_ms() -> str:
    """The default step limit of the case's status in ms (working hours taken as elapsed hours)."""
    hours = {s: v * {"working_hours": 1, "calendar_hours": 1, "working_days": 8, "calendar_days": 24}[unit]
             for s, (v, unit) in deadlines.DEFAULT_STEP_LIMITS.items()}
    arms = " ".join(f"WHEN \"status\" = '{s}' THEN {h * 3_600_000:.0f}" for s, h in hours.items())
    return f"CASE {arms} ELSE 0 END"  # QGIS 3.22 knows only CASE WHEN (no CASE expr WHEN)


DISPATCHED_AT = _utc('"dispatched_at"')
LEFT = f"(epoch({_utc(DUE)}) - epoch(now()))"  # ms to the due time
CASE_LIGHT = {  # deadlines.light: red past the due time, yellow from 80 % of the step's time, else green
    "untimed": f"({DUE}) IS NULL",
    "red": f"{_utc(DUE)} < now()",
    # no with_variable(): QGIS 3.22 then asks the provider for every column of every case it draws
    "yellow": (f"{LEFT} >= 0 AND CASE WHEN \"status\" = 'dispatched' "
               f"THEN {LEFT} * 5 <= epoch({_utc(DUE)}) - epoch({DISPATCHED_AT}) "
               f"ELSE {LEFT} * 5 <= {_step_limit_ms()} END"),
}
LIGHT_COLOURS = {"red": "#d7191c", "yellow": "#f2b701", "green": "#1a9641", "untimed": "#8c96a0"}
CASE_GROUPS = [  # (legend label, statuses, marker shape, outline)
    ("Reported, verifying, to register", ("reported", "verifying", "pending_register"), Shape.Circle, "#2b5797"),
    ("Registered, to dispatch", ("registered", "returned"), Shape.Square, "#2b5797"),
    ("Dispatched, being handled", ("dispatched",), Shape.Triangle, "#202020"),
    ("Handled, to check and close", ("disposed", "checking", "check_passed"), Shape.Diamond, "#2b5797"),
]
COMPONENT_CLASSES = [("01", "#1f78b4"), ("02", "#6a3d9a"), ("03", "#b15928"), ("04", "#33a02c"),
                     ("05", "#e6550d"), ("06", "#636363")]
GONE = "'丢失', '废弃', '移除'"


def _in(values) -> str:
    return ", ".join(f"'{v}'" for v in values)


def _marker(shape, colour: str, size: float, outline: str = "#ffffff", width: float = 0.2) -> QgsMarkerSymbol:
    symbol = QgsMarkerSymbol.createSimple({"name": "circle", "color": colour, "size": str(size),
                                           "outline_color": outline, "outline_width": str(width)})
    symbol.symbolLayer(0).setShape(shape)
    return symbol


def _rule(label: str, symbol=None, expr: str | None = None, *, max_denominator: float = 0,
          is_else: bool = False) -> QgsRuleBasedRenderer.Rule:
    # the constructor's elseRule, not setIsElse(): in QGIS 3.22 setIsElse(False) turns the filter into ELSE
    return QgsRuleBasedRenderer.Rule(symbol, 0, int(max_denominator), expr or "", label, "", is_else)


def cases_renderer() -> QgsRuleBasedRenderer:
    """Open cases at every scale, by status group then light; closed ones only close up, under an ELSE
    rule: active, it makes the layer's request filter TRUE, so QGIS fetches a street's cases through the
    R-tree alone (a status filter covering every status would send SQLite through idx_cases_status over
    the whole table); inactive (city scale), the filter is the open statuses, which that index serves."""
    root = _rule("")
    for label, statuses, shape, outline in CASE_GROUPS:
        group = _rule(label, None, f'"status" IN ({_in(statuses)})')
        for light, text in (("untimed", "no time limit"), ("red", "overdue"), ("yellow", "due soon")):
            group.appendChild(_rule(text, _marker(shape, LIGHT_COLOURS[light], 3.4, outline, 0.3), CASE_LIGHT[light]))
        group.appendChild(_rule("on time", _marker(shape, LIGHT_COLOURS["green"], 3.4, outline, 0.3), is_else=True))
        root.appendChild(group)
    root.appendChild(_rule("Parked", _marker(Shape.Circle, "#ffffff", 1.8, "#8073ac", 0.35), "\"status\" = 'parked'"))
    history = _rule("History", None, max_denominator=CLOSED_FROM, is_else=True)
    history.appendChild(_rule("Closed", _marker(Shape.Circle, "#9e9e9e", 1.4, "#9e9e9e", 0), "\"status\" = 'closed'"))
    history.appendChild(_rule("Voided, not registered", _marker(Shape.Cross2, "#b0b0b0", 1.6, "#b0b0b0", 0.3),
                              is_else=True))
    root.appendChild(history)
    return QgsRuleBasedRenderer(root)


COMPONENT_KEY = (f"CASE WHEN \"ObjState\" IN ({GONE}) THEN 'gone' WHEN \"ObjState\" = '破损' THEN 'damaged' "
                 "ELSE substr(\"ObjID\", 7, 2) END")


def components_renderer() -> QgsCategorizedSymbolRenderer:
    """One key per component (class, or its state when damaged or gone): a hash lookup, not a rule each."""
    categories = [QgsRendererCategory(code, _marker(Shape.Circle, colour, 1.8, "#ffffff", 0.15), code)
                  for code, colour in COMPONENT_CLASSES]
    categories += [
        QgsRendererCategory("damaged", _marker(Shape.Circle, "#fbb4b4", 2.2, "#d7191c", 0.45), "Damaged"),
        QgsRendererCategory("gone", _marker(Shape.Cross2, "#7f7f7f", 2.0, "#7f7f7f", 0.35),
                            "Lost, scrapped or removed"),
        QgsRendererCategory("", _marker(Shape.Circle, "#bdbdbd", 1.8, "#ffffff", 0.15), "Other classes")]
    return QgsCategorizedSymbolRenderer(COMPONENT_KEY, categories)


def _text_format(size: float, colour: str) -> QgsTextFormat:
    fmt = QgsTextFormat()
    fmt.setSize(size)
    fmt.setColor(QColor(colour))
    buffer = QgsTextBufferSettings()
    buffer.setEnabled(True)
    buffer.setSize(0.8)
    buffer.setColor(QColor("#ffffff"))
    fmt.setBuffer(buffer)
    return fmt


def _labels(field: str, size: float, colour: str, max_denominator: float, placement) -> QgsVectorLayerSimpleLabeling:
    settings = QgsPalLayerSettings()
    settings.fieldName = field
    settings.placement = placement
    settings.setFormat(_text_format(size, colour))
    settings.scaleVisibility = True
    settings.maximumScale = 0
    settings.minimumScale = max_denominator
    return QgsVectorLayerSimpleLabeling(settings)


def style_cases(layer):
    layer.setRenderer(cases_renderer())
    layer.renderer().setUsingSymbolLevels(False)
    layer.setDisplayExpression('"case_no"')


def style_components(layer):
    layer.setRenderer(components_renderer())
    layer.setScaleBasedVisibility(True)  # the layer is skipped at city scale, not its 417k features one by one
    layer.setMinimumScale(COMPONENTS_FROM)
    layer.setMaximumScale(0)
    layer.setDisplayExpression('"ObjID" || \' \' || "ObjName"')


def style_grids(layer):
    symbol = QgsFillSymbol.createSimple({"style": "no", "outline_color": "#a98cc8", "outline_width": "0.25"})
    layer.renderer().setSymbol(symbol)
    layer.setLabeling(_labels("code", 8, "#7b3294", GRID_LABELS_FROM, QgsPalLayerSettings.OverPoint))
    layer.setLabelsEnabled(True)
    layer.setDisplayExpression('"code" || \' \' || coalesce("name", \'\')')


def style_blocks(layer):
    symbol = QgsFillSymbol.createSimple({"color": "#efebe4", "outline_style": "no"})
    symbol.symbolLayer(0).setDataDefinedProperty(QgsSymbolLayer.PropertyFillColor, QgsProperty.fromExpression(
        "CASE WHEN \"landuse\" = '公园绿地' THEN '#dcead2' ELSE '#efebe4' END"))
    layer.renderer().setSymbol(symbol)


def style_water(layer):
    layer.renderer().setSymbol(QgsFillSymbol.createSimple({"color": "#c5dcee", "outline_style": "no"}))


def style_roads(layer):
    symbol = QgsLineSymbol.createSimple({"line_color": "#ffffff", "line_width": "0.6", "capstyle": "round",
                                         "joinstyle": "round"})
    symbol.symbolLayer(0).setDataDefinedProperty(QgsSymbolLayer.PropertyStrokeWidth, QgsProperty.fromExpression(
        "CASE WHEN \"road_class\" = '主干道' THEN 1.4 WHEN \"road_class\" = '次干道' THEN 1.0 ELSE 0.6 END"))
    outline = QgsLineSymbol.createSimple({"line_color": "#c8c2b8", "line_width": "0.9", "capstyle": "round",
                                          "joinstyle": "round"})
    casing = outline.symbolLayer(0).clone()
    casing.setDataDefinedProperty(QgsSymbolLayer.PropertyStrokeWidth, QgsProperty.fromExpression(
        "CASE WHEN \"road_class\" = '主干道' THEN 1.8 WHEN \"road_class\" = '次干道' THEN 1.35 ELSE 0.9 END"))
    symbol.insertSymbolLayer(0, casing)
    layer.renderer().setSymbol(symbol)
    layer.setLabeling(_labels("name", 7.5, "#6b6257", ROAD_LABELS_FROM, QgsPalLayerSettings.Line))
    layer.setLabelsEnabled(True)


CATEGORIES = QgsMapLayer.Symbology | QgsMapLayer.Labeling | QgsMapLayer.Rendering
STYLES = {"cases": style_cases, "components": style_components, "grids": style_grids,
          "basemap_blocks": style_blocks, "basemap_water": style_water, "basemap_roads": style_roads}


def main(path: str) -> None:
    OUT.mkdir(exist_ok=True)
    for table, style in STYLES.items():
        layer = QgsVectorLayer(f"{path}|layername={table}", table, "ogr")
        assert layer.isValid(), table
        style(layer)
        message, ok = layer.saveNamedStyle(str(OUT / f"{table}.qml"), categories=CATEGORIES)
        assert ok, message
        print(OUT / f"{table}.qml")


if __name__ == "__main__":
    app = QgsApplication([], False)
    app.initQgis()
    main(sys.argv[1])
    app.exitQgis()
