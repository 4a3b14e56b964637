# SPDX-License-Identifier: GPL-2.0-or-later
"""The task detail: what a collector needs on site before judging a case, from the device's store only.

Case number, class (major / minor), the registration condition and the closure standard the check is
judged by, address and description, and the case's photos (the report's and the unit's disposal
photos, in the order the centre keeps them: the pull gives one list of hashes without their stage).
A photo shows from a local file when the device has one, else from a cached thumbnail; `fetch` gets
the missing thumbnails from the centre in the background when there is a network.
"""

from __future__ import annotations

from kivy.event import EventDispatcher
from kivy.properties import BooleanProperty, ListProperty, StringProperty

from citygrid.problems import Problem

from ..session import signed_in_api
from ..store import Store
from ..thumbs import Thumbs
from .background import in_background
from .language import Language

KINDS = {"check": "check (核查)", "verify": "verification (核实)"}


class TaskDetailVM(EventDispatcher):
    task_id = StringProperty("")
    kind = StringProperty("")
    title = StringProperty("")
    case_no = StringProperty("")
    class_text = StringProperty("")
    condition = StringProperty("")
    close_standard = StringProperty("")
    address = StringProperty("")
    description = StringProperty("")
    photos = ListProperty()  # [{"sha256": ..., "source": a file path or ""}]
    photos_text = StringProperty("")
    fetching = BooleanProperty(False)

    def __init__(self, store: Store, language: Language, **kw):
        super().__init__(**kw)
        self.store, self.language, self.thumbs = store, language, Thumbs(store)
        language.bind(lang=lambda *_: self.task_id and self.open(self.task_id))

    def open(self, task_id: str) -> None:
        task = self.store.record("task", task_id)
        if task is None:
            raise Problem("field_forms.no_task", task_id=task_id)
        case = self.store.record("case", task.get("case_no") or "") or {}
        tr, unknown = self.language.tr, self.language.tr("not known")
        self.task_id, self.kind, self.case_no = task_id, task.get("kind") or "", task.get("case_no") or ""
        self.title = f"{tr(KINDS.get(self.kind, 'task'))}  {self.case_no}"
        self.class_text = self._class_text(case) or unknown
        self.condition = case.get("condition") or unknown
        self.close_standard = case.get("close_standard") or unknown
        self.address = case.get("address") or unknown
        self.description = case.get("description") or ""
        self._show_photos(case)

    def _class_text(self, case: dict) -> str:
        cls = self.store.record("class", f"{case.get('kind')}:{case.get('class_code')}") or {}
        names = [n for n in (cls.get("major_name"), cls.get("minor_name")) if n]
        return " / ".join(names) or (case.get("class_code") or "")

    def _show_photos(self, case: dict) -> None:
        hashes = [h for h in case.get("photos") or () if isinstance(h, str)]
        self.photos = [{"sha256": h, "source": self.thumbs.local(h) or ""} for h in hashes]
        self.photos_text = self.language.tr("Photos of the case ({n})", n=len(hashes))

    def missing(self) -> list[str]:
        return [p["sha256"] for p in self.photos if not p["source"]]

    def fetch(self) -> bool:
        """Fetch the missing thumbnails off the UI thread; False when there is nothing to do or no session."""
        hashes = self.missing()
        if not hashes or self.fetching:
            return False
        try:
            api = signed_in_api(self.store, self.language.lang)
        except Problem:
            return False
        self.fetching = True

        def work():
            own = Store(self.store.dir)  # a connection of this thread's own
            try:
                return Thumbs(own).fetch_missing(api, hashes)
            finally:
                own.close()
                api.close()
        in_background(work, self._fetched)
        return True

    def _fetched(self, _got, _error) -> None:
        self.fetching = False
        if self.task_id:
            self.open(self.task_id)
