# SPDX-License-Identifier: GPL-2.0-or-later
"""The new report's screen: a thin shell over ReportVM with the offline map put in by code (the map
needs the data folder's basemap, which a .kv rule cannot open)."""

from __future__ import annotations

from kivy.properties import ObjectProperty, StringProperty
from kivy.uix.screenmanager import Screen

from .basemap_watch import BasemapWatch
from .map_view import FieldMap


class ReportScreen(Screen):
    vm = ObjectProperty()
    map_status = StringProperty("")

    def __init__(self, tasks_points=lambda: [], basemaps: BasemapWatch | None = None, **kw):
        super().__init__(**kw)
        self.tasks_points = tasks_points  # -> [(lat, lon)] of the tasks' cases, for markers
        self.basemaps = basemaps or BasemapWatch(self.vm.store.dir)
        self.basemap = self.basemaps.current()
        self.map = FieldMap(self.basemap, **self._start())
        self.basemaps.bind(basemap=self._use)
        self.map.bind(on_tap=lambda _m, lat, lon: self.vm.use_tap(lat, lon))
        self.ids.map_box.add_widget(self.map)
        self.vm.bind(location=self._markers, components=self._markers)
        self.vm.language.bind(lang=self._status)
        self._status()

    def _start(self) -> dict:
        """Where the map opens: the basemap's centre, else the first task's case, else the fix."""
        if self.basemap.path is not None:
            return {}
        points = self.tasks_points()
        if points:
            return {"lat": points[0][0], "lon": points[0][1], "zoom": 17}
        return {"zoom": 17}

    def _use(self, _watch, basemap) -> None:
        """A new offline map was downloaded: the map shows it now, centred as on entering."""
        self.basemap = basemap
        self.map.use(basemap)
        self._status()
        self.on_enter()

    def _status(self, *_):
        self.map_status = self.basemap.status(self.vm.language)

    def on_pre_enter(self, *_):
        self.vm.refresh()
        self._markers()

    def on_enter(self, *_):
        """Centre once the map has its size (mapview centres on the size it has when asked)."""
        loc, start = self.vm.location, self._start()
        if loc is not None:
            self.map.center_on(loc.lat, loc.lon)
        elif "lat" in start:
            self.map.center_on(start["lat"], start["lon"])
        elif self.basemap.path is not None:
            source = self.basemap.source
            self.map.center_on(source.default_lat, source.default_lon)

    def _markers(self, *_):
        loc = self.vm.location
        comps = [(r["lat"], r["lon"]) for r in self.vm.component_points()]
        self.map.show(self.tasks_points(), comps, self.vm.fix, (loc.lat, loc.lon) if loc else None)
        if loc is not None and self.vm.location_source == "gps":
            self.map.center_on(loc.lat, loc.lon)

    def pick(self, code: str) -> None:
        self.vm.choose(code)

    def pick_component(self, obj_id: str) -> None:
        self.vm.pick_component(obj_id)
