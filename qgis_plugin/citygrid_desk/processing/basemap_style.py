# SPDX-License-Identifier: GPL-2.0-or-later
"""How an offline basemap looks: the desk's QML styles for the basemap layers when the plugin ships
them (`resources/basemap_*.qml`), else a quiet style of its own; the unit grids as plain outlines."""

from __future__ import annotations

from pathlib import Path

from qgis.core import QgsFillSymbol, QgsLineSymbol, QgsSingleSymbolRenderer, QgsVectorLayer

RESOURCES = Path(__file__).resolve().parents[1] / "resources"
# Bottom to top, each with its fallback: (symbol class, properties).
LAYERS = {
    "basemap_blocks": (QgsFillSymbol, {"color": "#f4f1ea", "outline_color": "#d6d0c4", "outline_width": "0.15"}),
    "basemap_water": (QgsFillSymbol, {"color": "#a5cfe0", "outline_style": "no"}),
    "basemap_roads": (QgsLineSymbol, {"color": "#f6c667", "width": "1.0", "capstyle": "round"}),
    "grids": (QgsFillSymbol, {"style": "no", "outline_color": "#c8553d", "outline_width": "0.4"}),
}
PLAIN = {"basemap_blocks": (QgsFillSymbol, {"color": "#cccccc"}), "basemap_water": (QgsFillSymbol, {"color": "#0000ff"}),
         "basemap_roads": (QgsLineSymbol, {"color": "#000000"}), "grids": (QgsFillSymbol, {"style": "no"})}


def qml(name: str) -> Path | None:
    """The plugin's QML style for a basemap layer, when it ships one."""
    path = RESOURCES / f"{name}.qml"
    return path if name.startswith("basemap_") and path.is_file() else None


def style(layer: QgsVectorLayer, name: str, *, plain: bool = False) -> str:
    """Style `layer` as the basemap layer `name`: 'qml', 'quiet' or 'plain' (the bench's baseline)."""
    found = None if plain else qml(name)
    if found is not None:
        _, ok = layer.loadNamedStyle(str(found))
        if ok:
            return "qml"
    symbol_class, properties = (PLAIN if plain else LAYERS)[name]
    layer.setRenderer(QgsSingleSymbolRenderer(symbol_class.createSimple(properties)))
    return "plain" if plain else "quiet"
