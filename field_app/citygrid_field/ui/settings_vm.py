# SPDX-License-Identifier: GPL-2.0-or-later
"""Settings kept in the store's meta table: the language (switched live), the server URL the sign-in
screen offers, the long side photos are made at (`photos.prepare`), and the offline map's download
(`self.map`, a `settings_map_vm.MapVM`)."""

from __future__ import annotations

from kivy.event import EventDispatcher
from kivy.properties import NumericProperty, StringProperty

from citygrid import i18n
from citygrid.problems import Problem

from ..store import Store
from .language import Language
from .settings_map_vm import MapVM

LONG_SIDE = 1600
LONG_SIDE_RANGE = (320, 4096)


class SettingsVM(EventDispatcher):
    server = StringProperty("")
    long_side = NumericProperty(LONG_SIDE)
    error = StringProperty("")

    def __init__(self, store: Store, language: Language, **kw):
        super().__init__(**kw)
        self.store, self.language = store, language
        self.server = store.get("ui_server") or store.get("server") or ""
        self.long_side = _int(store.get("photo_long_side")) or LONG_SIDE
        saved = store.get("ui_lang")
        if saved in i18n.LANGUAGES:
            language.lang = saved
        self.map = MapVM(store, language)

    def set_language(self, lang: str) -> None:
        lang = i18n.normalize(lang)
        self.store.put(ui_lang=lang)
        self.language.lang = lang

    def set_server(self, url: str) -> bool:
        url = url.strip().rstrip("/")
        if not url.startswith(("http://", "https://")):
            self.error = self.language.problem(Problem("field_ui.bad_server", url=url))
            return False
        self.server, self.error = url, ""
        self.store.put(ui_server=url)  # offered at the next sign-in; the session's server changes there
        return True

    def set_long_side(self, value) -> bool:
        side = _int(value)
        low, high = LONG_SIDE_RANGE
        if side is None or not low <= side <= high:
            self.error = self.language.problem(Problem("field_ui.bad_long_side", value=value, low=low, high=high))
            return False
        self.long_side, self.error = side, ""
        self.store.put(photo_long_side=str(side))
        return True


def _int(value) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None
