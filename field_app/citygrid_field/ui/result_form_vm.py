# SPDX-License-Identifier: GPL-2.0-or-later
"""The check form (核查: pass / fail with a reason) and the verify form (核实: confirmed / not found).

A photo is taken through the camera facade into `capture/`, prepared (`photos.prepare`: downscaled,
stamped with the time and the current fix, hashed once) into the photo folder, and the raw capture is
removed. Saving validates the form, then writes ONE outbox item with the prepared photos in one
transaction. A kill before that leaves no item; the prepared photo no item keeps is swept at the next
start (`Outbox.sweep_unkept`), and taking the same photo again yields the same file (named by its hash).

No GPS fix does not refuse the form: a collector indoors or under trees must still record what is
seen. The result is saved without a position and the form warns, as it does when the collector is
farther than FAR_M from the case; the centre's supervisor sees both (no location / the distance).
"""

from __future__ import annotations

import os
import uuid as uuidlib
from pathlib import Path

from kivy.event import EventDispatcher
from kivy.properties import BooleanProperty, ListProperty, ObjectProperty, StringProperty

from citygrid import times
from citygrid.problems import Problem
from citygrid.sync.protocol import MAX_PHOTOS, CheckResult, Location, Outcome, VerifyResult

from .. import photos as prepared
from ..outbox import Outbox
from ..platform import Platform
from ..store import Store
from .case_place import case_distance, place_text
from .language import Language

FAR_M = 50.0
FORMS = {"check": (CheckResult, ("pass", "fail"), True), "verify": (VerifyResult, ("confirmed", "not_found"), False)}


class ResultFormVM(EventDispatcher):
    kind = StringProperty("check")
    task_id = StringProperty("")
    case_no = StringProperty("")
    outcome = StringProperty("")
    reason = StringProperty("")
    note = StringProperty("")
    photos = ListProperty()  # prepared photos.Photo, in the order taken
    fix = ObjectProperty(None, allownone=True)
    fix_text = StringProperty("")
    warning = StringProperty("")
    error = StringProperty("")
    saved = StringProperty("")  # the uuid of the item last written
    capturing = BooleanProperty(False)

    def __init__(self, store: Store, language: Language, platform: Platform, long_side: int = prepared.LONG_SIDE,
                 **kw):
        super().__init__(**kw)
        self.store, self.language, self.platform, self.long_side = store, language, platform, long_side
        self.bind(fix=self._situate)
        language.bind(lang=self._situate)

    @property
    def outcomes(self) -> tuple[str, ...]:
        return FORMS[self.kind][1]

    @property
    def needs_photo(self) -> bool:
        return FORMS[self.kind][2]

    def open(self, task_id: str) -> None:
        """A blank form for the task held on the device."""
        task = self.store.record("task", task_id)
        if task is None or task.get("kind") not in FORMS:
            raise Problem("field_forms.no_task", task_id=task_id)
        self.kind, self.task_id, self.case_no = task["kind"], task_id, task.get("case_no") or ""
        self.outcome = self.reason = self.note = self.error = self.saved = ""
        self.photos = []
        self._situate()

    # --- photos ---------------------------------------------------------------------------------------

    def take_photo(self) -> None:
        """Ask the camera for a photo; it arrives in `_captured` (now, or later on Android)."""
        self.error = ""
        try:
            if len(self.photos) >= MAX_PHOTOS:
                raise Problem("field_forms.too_many_photos", max=MAX_PHOTOS)
            self.platform.storage.check_space()
            capture = self.platform.storage.root / "capture"
            capture.mkdir(parents=True, exist_ok=True)
            self.capturing = True
            self.platform.camera.take(capture / f"{uuidlib.uuid4().hex}.jpg", self._captured)
        except Problem as e:
            self.capturing = False
            self.error = self.language.problem(e)

    def _captured(self, raw: str | Problem | None) -> None:
        self.capturing = False
        if raw is None:
            return  # the collector cancelled
        if isinstance(raw, Problem):
            self.error = self.language.problem(raw)
            return
        try:
            self.platform.storage.photos.mkdir(parents=True, exist_ok=True)
            photo = prepared.prepare(raw, self.platform.storage.photos, fix=self.fix, long_side=self.long_side)
        except Problem as e:
            self.error = self.language.problem(e)
            return
        finally:
            _remove(raw)
        if all(p.sha256 != photo.sha256 for p in self.photos):
            self.photos = [*self.photos, photo]

    def remove_photo(self, sha256: str) -> None:
        """Take a photo off the form (its file stays until the next start's sweep if nothing keeps it)."""
        self.photos = [p for p in self.photos if p.sha256 != sha256]

    # --- saving ---------------------------------------------------------------------------------------

    def refusal(self) -> Problem | None:
        """Why the form cannot be saved yet, or None."""
        if self.outcome not in self.outcomes:
            return Problem("field_forms.no_outcome")
        if self.outcome == "fail" and not (self.reason.strip() or self.note.strip()):
            return Problem("field_forms.no_reason")
        if self.needs_photo and not self.photos:
            return Problem("field_forms.no_photo")
        return None

    def save(self) -> str | None:
        """Write the form as one outbox item; -> its uuid, or None with `error` saying why not."""
        problem = self.refusal()
        try:
            if problem is not None:
                raise problem
            self.saved = Outbox(self.store).add(self._payload(), list(self.photos))
        except Problem as e:
            self.error = self.language.problem(e)
            return None
        self.error = ""
        return self.saved

    def _payload(self):
        cls = FORMS[self.kind][0]
        fix = self.fix
        location = None if fix is None else Location(fix.lon, fix.lat, fix.accuracy)
        return cls(self.task_id, Outcome(self.outcome), times.now(), self.reason.strip() or None,
                   self.note.strip() or None, location)

    # --- where the collector stands -------------------------------------------------------------------

    def distance(self) -> float | None:
        return case_distance(self.store.record("case", self.case_no) or {}, self.fix)

    def _situate(self, *_):
        fix, far = self.fix, self.distance()
        self.fix_text = place_text(self.language, fix, far)
        if fix is None:
            self.warning = self.language.problem(Problem("field_forms.no_fix"))
            return
        self.warning = "" if far is None or far <= FAR_M else self.language.problem(
            Problem("field_forms.far", distance=f"{far:.0f}", limit=f"{FAR_M:.0f}"))


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def sweep_captures(root) -> int:
    """Remove raw captures a killed capture left in `root`/capture (prepared copies are elsewhere)."""
    folder, swept = Path(root) / "capture", 0
    for path in folder.glob("*") if folder.is_dir() else ():
        path.unlink(missing_ok=True)
        swept += 1
    return swept
