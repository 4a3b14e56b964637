# SPDX-License-Identifier: GPL-2.0-or-later
"""The task detail: what a collector needs on site before judging a case, from the device's store only.

Case number, class (major / minor), the registration condition and the closure standard the check is
judged by, address and description, where the case is (a map with the case, the device and nearby
components; the distance from the device), and the case's photos in strips by stage: what was reported
(上报照片) apart from what the unit says it fixed (处置照片), which is the point of 核查. The stage comes
from the pull's `photo_stages`; a case from an older centre without it shows one strip of all photos.
A photo shows from a local file when the device has one, else from a cached thumbnail; `fetch` gets
the missing thumbnails from the centre in the background when there is a network.
"""

from __future__ import annotations

from kivy.event import EventDispatcher
from kivy.properties import BooleanProperty, ListProperty, ObjectProperty, StringProperty

from citygrid.problems import Problem

from ..session import signed_in_api
from ..store import Store
from ..thumbs import Thumbs
from .background import in_background
from .case_place import case_distance, case_point, place_text
from .language import Language
from .report_catalogue import nearby_components

KINDS = {"check": "check (核查)", "verify": "verification (核实)"}
# stage -> the strip's title; report and disposal always show (an empty one says so), the others when used
STRIPS = {"report": "Report photos ({n})", "disposal": "Disposal photos ({n})", "check": "Check photos ({n})",
          "": "Photos of the case ({n})"}
ALWAYS = ("report", "disposal")


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
    photos = ListProperty()  # every photo: [{"sha256": ..., "source": a file path or "", "stage": ...}]
    strips = ListProperty()  # [{"stage", "title", "empty", "photos"}] in the order shown
    point = ObjectProperty(None, allownone=True)  # (lat, lon) of the case, or None
    components = ListProperty()  # [(lat, lon)] of the components near the case
    fix = ObjectProperty(None, allownone=True)
    distance_text = StringProperty("")
    fetching = BooleanProperty(False)

    def __init__(self, store: Store, language: Language, **kw):
        super().__init__(**kw)
        self.store, self.language, self.thumbs = store, language, Thumbs(store)
        self._case: dict = {}
        language.bind(lang=lambda *_: self.task_id and self.open(self.task_id))
        self.bind(fix=self._situate)

    def open(self, task_id: str) -> None:
        task = self.store.record("task", task_id)
        if task is None:
            raise Problem("field_forms.no_task", task_id=task_id)
        case = self._case = self.store.record("case", task.get("case_no") or "") or {}
        tr, unknown = self.language.tr, self.language.tr("not known")
        self.task_id, self.kind, self.case_no = task_id, task.get("kind") or "", task.get("case_no") or ""
        self.title = f"{tr(KINDS.get(self.kind, 'task'))}  {self.case_no}"
        self.class_text = self._class_text(case) or unknown
        self.condition = case.get("condition") or unknown
        self.close_standard = case.get("close_standard") or unknown
        self.address = case.get("address") or unknown
        self.description = case.get("description") or ""
        self._show_photos(case)
        self._place(case)

    def _class_text(self, case: dict) -> str:
        cls = self.store.record("class", f"{case.get('kind')}:{case.get('class_code')}") or {}
        names = [n for n in (cls.get("major_name"), cls.get("minor_name")) if n]
        return " / ".join(names) or (case.get("class_code") or "")

    # --- photos by stage ------------------------------------------------------------------------------

    def _show_photos(self, case: dict) -> None:
        stages = case.get("photo_stages") if isinstance(case.get("photo_stages"), dict) else None
        hashes = list(dict.fromkeys(h for h in case.get("photos") or () if isinstance(h, str)))
        self.photos = [{"sha256": h, "source": self.thumbs.local(h) or "", "stage": _stage(stages, h)}
                       for h in hashes]
        shown = ALWAYS if stages is not None else ()
        used = [s for s in STRIPS if s in shown or any(p["stage"] == s for p in self.photos)]
        self.strips = [self._strip(stage) for stage in used]

    def _strip(self, stage: str) -> dict:
        photos = [p for p in self.photos if p["stage"] == stage]
        empty = self.language.tr("no photos yet") if not photos else ""
        return {"stage": stage, "title": self.language.tr(STRIPS[stage], n=len(photos)), "empty": empty,
                "photos": photos}

    def missing(self) -> list[str]:
        return [p["sha256"] for p in self.photos if not p["source"]]

    # --- where: the case, the device, components nearby ----------------------------------------------

    def _place(self, case: dict) -> None:
        self.point = case_point(case)
        near = nearby_components(self.store, *self.point) if self.point else []
        self.components = [(r["lat"], r["lon"]) for r in near]
        self._situate()

    def distance(self) -> float | None:
        return case_distance(self._case, self.fix)

    def _situate(self, *_):
        if self.point is None:
            self.distance_text = self.language.tr("the case has no position")
            return
        self.distance_text = place_text(self.language, self.fix, self.distance())

    # --- thumbnails -----------------------------------------------------------------------------------

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


def _stage(stages: dict | None, sha256: str) -> str:
    """The photo's stage from the pull, "" when the centre did not say (an older centre) or said nonsense."""
    stage = stages.get(sha256) if stages is not None else None
    return stage if isinstance(stage, str) and stage in STRIPS and stage else ""
