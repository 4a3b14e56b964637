# SPDX-License-Identifier: GPL-2.0-or-later
"""The task detail's screen: a thin shell over TaskDetailVM with the offline map put in by code (it
needs the data folder's basemap) and one labelled strip of tiles a photo stage (上报照片 / 处置照片)."""

from __future__ import annotations

from kivy.properties import ListProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.relativelayout import RelativeLayout
from kivy.uix.screenmanager import Screen


class PhotoTile(RelativeLayout):
    """A photo: its picture, or a 'not downloaded yet' tile while the device has neither file nor thumbnail."""
    source = StringProperty("")
    sha256 = StringProperty("")


class PhotoStrip(BoxLayout):
    """One stage's photos under its title ('Report photos (2)'); an empty strip says so."""
    stage = StringProperty("")
    title = StringProperty("")
    empty = StringProperty("")
    photos = ListProperty()

    def __init__(self, photos=(), **kw):
        super().__init__(**kw)  # the tiles' layout exists from here on
        self.photos = list(photos)

    def on_photos(self, _strip, photos) -> None:
        show_tiles(self.ids.tiles, photos)


def show_tiles(layout, photos) -> None:
    """Fill a StackLayout with one tile a photo: dicts with `source`/`sha256`, or prepared photos."""
    layout.clear_widgets()
    for p in photos:
        source, sha = (p["source"], p["sha256"]) if isinstance(p, dict) else (p.path, p.sha256)
        layout.add_widget(PhotoTile(source=source, sha256=sha))


class TaskDetailScreen(Screen):
    vm = ObjectProperty()
    map_status = StringProperty("")

    def __init__(self, basemaps=None, **kw):
        from .basemap_watch import BasemapWatch
        from .map_view import FieldMap  # the map's imports wait until the detail is first shown

        super().__init__(**kw)
        self.basemaps = basemaps or BasemapWatch(self.vm.store.dir)
        self.basemap = self.basemaps.current()
        self.map = FieldMap(self.basemap)
        self.basemaps.bind(basemap=self._use)
        self.ids.map_box.add_widget(self.map)
        self.vm.bind(strips=self._strips, point=self._markers, components=self._markers, fix=self._markers)
        self.vm.language.bind(lang=self._status)
        self._status()

    def _use(self, _watch, basemap) -> None:
        """A new offline map was downloaded: the map shows it now."""
        self.basemap = basemap
        self.map.use(basemap)
        self._status()
        self.centre()

    def _status(self, *_):
        self.map_status = self.basemap.status(self.vm.language)

    def _strips(self, *_):
        box = self.ids.strips
        box.clear_widgets()
        for strip in self.vm.strips:
            box.add_widget(PhotoStrip(**strip))

    def _markers(self, *_):
        point = self.vm.point
        self.map.show([point] if point else [], list(self.vm.components), self.vm.fix)

    def on_pre_enter(self, *_):
        self._strips()
        self._markers()

    def on_enter(self, *_):
        """Centre once the map has its size (mapview centres on the size it has when asked)."""
        self.centre()

    def centre(self) -> None:
        point = self.vm.point or ((self.vm.fix.lat, self.vm.fix.lon) if self.vm.fix else None)
        if point is not None:
            self.map.center_on(*point)
