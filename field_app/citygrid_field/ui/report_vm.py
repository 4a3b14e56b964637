# SPDX-License-Identifier: GPL-2.0-or-later
"""The new report (上报): a class picked by major/minor or found by typing, a place from the GPS fix or a
tap on the map, a nearby component for a component report, photos and a description; `submit()` writes
one `report` item through `Outbox.add` (validated as the centre will) and clears the form.

Everything is read from the device's store: it works with no network. Mistakes are coded problems shown
in the user's language, and nothing typed or taken is lost when one is shown."""

from __future__ import annotations

import uuid as uuidlib
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from kivy.event import EventDispatcher
from kivy.properties import ListProperty, ObjectProperty, OptionProperty, StringProperty

from citygrid import times
from citygrid.problems import Problem
from citygrid.sync.protocol import Location, Report, ReportKind

from .. import photos as photo_files
from ..outbox import Outbox
from ..platform import Platform
from ..platform.location import Fix
from ..store import Store
from . import report_catalogue as catalogue
from .language import Language

KIND_NAMES = {"event": "event (事件)", "component": "component (部件)"}


class ReportVM(EventDispatcher):
    kind = OptionProperty("event", options=list(catalogue.KINDS))
    query = StringProperty("")
    major = StringProperty("")  # "" means every major of the kind
    majors = ListProperty()  # [{"code", "text"}]
    class_rows = ListProperty()  # [{"code", "text"}] for the picker
    chosen = ObjectProperty(None, allownone=True)  # a ReportClass
    location = ObjectProperty(None, allownone=True)  # a protocol Location
    location_source = StringProperty("")  # "gps" or "map"
    components = ListProperty()  # [{"obj_id", "text"}] near the location
    obj_id = StringProperty("")
    photos = ListProperty()  # prepared photo paths, in order taken
    description = StringProperty("")
    problem = StringProperty("")  # the last mistake, in the user's language
    notice = StringProperty("")  # what the last action did
    chosen_text = StringProperty("")
    location_text = StringProperty("")

    def __init__(self, store: Store, language: Language, platform: Platform,
                 now: Callable[[], datetime] = times.now, **kw):
        super().__init__(**kw)
        self.store, self.language, self.platform, self.now = store, language, platform, now
        self.fix: Fix | None = None
        self._classes: list[catalogue.ReportClass] = []
        self._near: list[dict] = []
        language.bind(lang=lambda *_: self._relist())
        self.bind(kind=self._kind_changed, query=lambda *_: self._relist(), major=lambda *_: self._relist(),
                  chosen=self._texts, location=self._texts, location_source=self._texts)
        language.bind(lang=self._texts)
        self._texts()

    # --- the class -----------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Read the classes and components again (after a sync)."""
        self._classes = catalogue.live_classes(self.store)
        self._relist()
        self._find_components()

    def _kind_changed(self, *_):
        self.major, self.chosen, self.obj_id = "", None, ""
        self._relist()
        self._find_components()

    def _relist(self) -> None:
        self.majors = [{"code": code, "text": f"{code} {name}"} for code, name in
                       catalogue.majors(self._classes, self.kind)]
        found = catalogue.search(self._classes, self.query, self.kind, self.major or None)
        self.class_rows = [{"code": c.code, "text": c.label} for c in found]

    def choose(self, code: str, kind: str | None = None) -> None:
        """Choose the class `code` of `kind` (default: the form's kind; an event and a component class
        may share a code)."""
        kind = kind or self.kind
        chosen = next((c for c in self._classes if c.code == code and c.kind == kind), None)
        if chosen is None:
            raise Problem("field_report.unknown_class", class_code=code)
        self.kind, self.chosen, self.problem = chosen.kind, chosen, ""
        if self.obj_id and catalogue.component_class(self.obj_id) != code:
            self.obj_id = ""
        self._find_components()


    # --- the place -----------------------------------------------------------------------------------

    def on_fix(self, fix: Fix) -> None:
        """The device's latest position; it becomes the report's place unless the map was tapped."""
        self.fix = fix
        if self.location_source != "map":
            self.use_fix(fix)

    def use_fix(self, fix: Fix | None = None) -> None:
        fix = fix or self.fix
        if fix is None:
            self.problem = self.language.problem(Problem("field_report.no_fix"))
            return
        self._place(Location(fix.lon, fix.lat, fix.accuracy), "gps")

    def use_tap(self, lat: float, lon: float) -> None:
        """A point tapped on the map: the report's place (its accuracy is the collector's eye)."""
        self._place(Location.from_wire({"lon": lon, "lat": lat}), "map")

    def _place(self, location: Location, source: str) -> None:
        self.location, self.location_source, self.problem = location, source, ""
        self._find_components()

    def _texts(self, *_) -> None:
        self.chosen_text = self.chosen.label if self.chosen else self.language.tr("no class chosen yet")
        self.location_text = self._location_text()

    def _location_text(self) -> str:
        loc = self.location
        if loc is None:
            return self.language.tr("no place yet: use the GPS fix or tap the map")
        where = f"{loc.lat:.6f}, {loc.lon:.6f}"
        if self.location_source == "gps" and loc.accuracy_m is not None:
            return self.language.tr("GPS {where} (±{accuracy} m)", where=where, accuracy=f"{loc.accuracy_m:.0f}")
        return self.language.tr("tapped on the map {where}", where=where)

    # --- the component -------------------------------------------------------------------------------

    def _find_components(self) -> None:
        if self.location is None or self.kind != "component":
            self.components, self._near = [], []
            return
        code = self.chosen.code if self.chosen else None
        rows = catalogue.nearby_components(self.store, self.location.lat, self.location.lon, code)
        self._near = rows
        self.components = [{"obj_id": r["ObjID"], "text": f"{r['ObjID']} {r.get('ObjName') or ''} · "
                            f"{r['distance_m']:.0f} m"} for r in rows]

    def component_points(self) -> list[dict]:
        """The offered components with their lat/lon, for the map's markers."""
        return list(self._near)

    def pick_component(self, obj_id: str) -> None:
        """The component the report is about; its class becomes the report's class."""
        if obj_id not in {r["obj_id"] for r in self.components}:
            raise Problem("field_report.unknown_component", obj_id=obj_id)
        self.obj_id = obj_id
        code = catalogue.component_class(obj_id)
        if self.chosen is None or self.chosen.code != code or self.chosen.kind != "component":
            self.choose(code, "component")

    # --- photos --------------------------------------------------------------------------------------

    def take_photo(self) -> None:
        """Ask the camera for a photo; it is prepared (checked, downscaled, stamped, hashed) when it comes."""
        storage = self.platform.storage
        try:
            storage.check_space()
            raw = storage.root / "capture" / f"{uuidlib.uuid4().hex}.jpg"
            raw.parent.mkdir(parents=True, exist_ok=True)
            storage.photos.mkdir(parents=True, exist_ok=True)
            self.platform.camera.take(raw, self._taken)
        except (Problem, OSError) as e:
            self.problem = self.language.problem(e if isinstance(e, Problem) else
                                                 Problem("storage.failed", path=str(storage.root), reason=str(e)))

    def _taken(self, raw: str | Problem | None) -> None:
        if raw is None:
            return  # cancelled: nothing changes
        if isinstance(raw, Problem):
            self.problem = self.language.problem(raw)
            return
        try:
            photo = photo_files.prepare(raw, self.platform.storage.photos, fix=self.fix)
            self.photos = [*self.photos, photo.path]
            self.problem = ""
        except Problem as e:
            self.problem = self.language.problem(e)
        finally:
            Path(raw).unlink(missing_ok=True)

    def drop_photo(self, path: str) -> None:
        self.photos = [p for p in self.photos if p != path]

    # --- submit --------------------------------------------------------------------------------------

    def missing(self) -> Problem | None:
        """The first required thing the form lacks, as a coded problem (None: ready to send)."""
        if self.chosen is None:
            return Problem("field_report.no_class")
        if self.location is None:
            return Problem("field_report.no_location")
        if self.chosen.kind == "component" and not self.obj_id:
            return Problem("field_report.no_component")
        if not self.photos:
            return Problem("field_report.no_photo")
        return None

    def submit(self) -> str | None:
        """Queue the report in the outbox -> its uuid; or None with `problem` saying what is missing."""
        problem = self.missing()
        if problem is None:
            try:
                uuid = Outbox(self.store).add(self._payload(), list(self.photos))
            except Problem as e:
                problem = e
        if problem is not None:
            self.problem = self.language.problem(problem)
            return None
        self._clear()
        self.notice = self.language.tr("the report waits in the outbox")
        return uuid

    def _payload(self) -> Report:
        return Report(ReportKind(self.chosen.kind), self.chosen.code, self.now(), self.location,
                      self.description.strip(), self.obj_id or None)

    def _clear(self) -> None:
        self.chosen, self.obj_id, self.photos, self.description, self.problem = None, "", [], "", ""
        self.query, self.major = "", ""
        if self.location_source == "map" and self.fix is not None:
            self.use_fix(self.fix)
