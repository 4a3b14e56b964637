# SPDX-License-Identifier: GPL-2.0-or-later
"""The one place that says "the basemap changed": the data folder's offline map as every open FieldMap
uses it.

Settings' download (`settings_map_vm.MapVM`, event `on_installed`) calls `changed()` once a new
MBTiles is in place; `basemap` is then opened again, and every screen holding a map (the report
screen, the task detail) is bound to it and switches its FieldMap (`FieldMap.use`). Nothing is opened
before a map screen asks (`current()`): a cold start imports no map code.
"""

from __future__ import annotations

from pathlib import Path

from kivy.event import EventDispatcher
from kivy.properties import ObjectProperty


class BasemapWatch(EventDispatcher):
    basemap = ObjectProperty(None, allownone=True)  # a map_view.Basemap once a map screen asked

    def __init__(self, data_dir: str | Path, **kw):
        super().__init__(**kw)
        self.data_dir = Path(data_dir)

    def current(self):
        """The basemap the maps show, opened on first use."""
        if self.basemap is None:
            self.basemap = self._open()
        return self.basemap

    def changed(self) -> None:
        """A new MBTiles is in the data folder: every map bound to `basemap` switches to it."""
        if self.basemap is not None:  # no map was built yet: the first one opens the new file
            self.basemap = self._open()

    def _open(self):
        from .map_view import open_basemap

        return open_basemap(self.data_dir)
