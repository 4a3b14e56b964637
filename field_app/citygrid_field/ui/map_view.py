# SPDX-License-Identifier: GPL-2.0-or-later
"""The offline map: `kivy_garden.mapview` over the MBTiles basemap in the data folder
(`<data>/basemap.mbtiles`, made by the desk's `citygrid:export_basemap`), with tasks, nearby components
and the device's position as markers, and a tap reported as a point (the new report's place).

Never a network tile server: without a readable MBTiles the map says so and draws the markers on a
blank background (`BlankSource` loads no tile at all), and mapview's cache folder is put in the data
folder instead of the working directory."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from kivy_garden.mapview import MapMarker, MapSource, MapView
from kivy_garden.mapview.mbtsource import MBTilesMapSource

from citygrid.problems import Problem

from ..platform.location import Fix
from .language import Language

BASEMAP = "basemap.mbtiles"
TAP_SLOP = 12  # px a finger may move and still be a tap, not a drag
COLOURS = {"task": (0.85, 0.15, 0.15, 1), "component": (0.15, 0.35, 0.85, 1), "device": (0.1, 0.65, 0.25, 1),
           "report": (0.95, 0.55, 0.05, 1)}


class BlankSource(MapSource):
    """A source with no tiles: the map's background colour and the markers, nothing downloaded."""

    def fill_tile(self, tile):
        tile.state = "done"


@dataclass(frozen=True)
class Basemap:
    source: MapSource
    path: Path | None  # the MBTiles read, or None (blank)
    problem: Problem | None  # why a present MBTiles could not be read

    def status(self, language: Language) -> str:
        if self.problem is not None:
            return language.problem(self.problem)
        if self.path is None:
            return language.tr("no offline map on this device: markers on a blank background")
        return language.tr("offline map: {name}", name=self.path.name)


def open_basemap(data_dir: str | Path) -> Basemap:
    """The data folder's MBTiles as a tile source, or a blank source saying why (never the network)."""
    path, cache = Path(data_dir) / BASEMAP, str(Path(data_dir) / "map-cache")
    if not path.is_file():
        return Basemap(BlankSource(cache_dir=cache), None, None)
    try:
        _check_mbtiles(path)
        return Basemap(MBTilesMapSource(str(path), cache_dir=cache), path, None)
    except (sqlite3.Error, KeyError, ValueError, TypeError) as e:
        problem = Problem("field_report.bad_basemap", path=str(path), reason=str(e) or type(e).__name__)
        return Basemap(BlankSource(cache_dir=cache), None, problem)


def _check_mbtiles(path: Path) -> None:
    """Open read-only (mapview's own connect would create an empty file) and read what mapview needs."""
    cx = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        meta = dict(cx.execute("SELECT name, value FROM metadata").fetchall())
        int(meta["minzoom"]), int(meta["maxzoom"])
        if meta.get("format", "png") not in ("png", "jpg", "jpeg"):
            raise ValueError(f"tiles in {meta.get('format')} format")
        cx.execute("SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles LIMIT 1").fetchall()
    finally:
        cx.close()


def _or(value, default):
    return default if value is None else value


class FieldMap(MapView):
    """The map widget: `show(...)` places the markers; a tap (not a drag) dispatches `on_tap(lat, lon)`."""

    __events__ = ("on_tap",)

    def __init__(self, basemap: Basemap, **kw):
        source = basemap.source
        kw.setdefault("zoom", _or(getattr(source, "default_zoom", None), 17) if basemap.path else 17)
        kw.setdefault("lat", _or(getattr(source, "default_lat", None), 0.0))  # a source may say None
        kw.setdefault("lon", _or(getattr(source, "default_lon", None), 0.0))
        super().__init__(map_source=source, cache_dir=source.cache_dir, background_color=(0.93, 0.93, 0.9, 1), **kw)
        self.basemap, self.markers = basemap, []

    def use(self, basemap: Basemap) -> None:
        """Switch to another basemap (a new download): its tiles from now on, the markers kept."""
        self.basemap = basemap
        self.map_source = basemap.source  # mapview drops the old tiles and loads the new source's

    def show(self, tasks: list[tuple[float, float]] = (), components: list[tuple[float, float]] = (),
             fix: Fix | None = None, report: tuple[float, float] | None = None) -> None:
        """Replace the markers: tasks' cases, components (lat, lon), the device, the report's place."""
        for marker in self.markers:
            self.remove_marker(marker)
        points = [("task", p) for p in tasks] + [("component", p) for p in components]
        if fix is not None:
            points.append(("device", (fix.lat, fix.lon)))
        if report is not None:
            points.append(("report", report))
        self.markers = [self._marker(kind, lat, lon) for kind, (lat, lon) in points]

    def _marker(self, kind: str, lat: float, lon: float) -> MapMarker:
        marker = MapMarker(lat=lat, lon=lon, color=COLOURS[kind])
        marker.kind = kind
        self.add_marker(marker)
        return marker

    def on_touch_down(self, touch):
        if self.collide_point(*touch.pos):
            touch.ud[self._key] = touch.pos
        return super().on_touch_down(touch)

    def on_touch_up(self, touch):
        start = touch.ud.pop(self._key, None)  # a grabbed touch comes up twice: one tap
        if start is not None and abs(touch.x - start[0]) + abs(touch.y - start[1]) <= TAP_SLOP:
            x, y = self.to_widget(*touch.pos)
            where = self.get_latlon_at(x - self.x, y - self.y)  # mapview counts from the widget's corner
            self.dispatch("on_tap", where.lat, where.lon)
        return super().on_touch_up(touch)

    @property
    def _key(self) -> str:
        return f"fieldmap-{id(self)}"

    def on_tap(self, lat: float, lon: float) -> None:
        pass
