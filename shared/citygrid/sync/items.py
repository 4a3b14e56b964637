# SPDX-License-Identifier: GPL-2.0-or-later
"""What a device pushes: the item, its three payloads, and the validation of each.

`PushItem.from_wire` is *the* item validation: the centre runs it on every pushed item, a device
before it queues one. Every malformed value is a coded Problem (`sync.bad_uuid`, `sync.bad_item` with
a `reason`, `blob.bad_digest`, `time.*`). Unknown fields are ignored (the centre keeps the item as
sent); `to_wire` writes the normal form, which `from_wire` reads back as the same value.
Part of `citygrid.sync.protocol`, which the field app carries: standard library and base modules only.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from .. import times
from ..problems import Problem

# patterns are used with fullmatch: `$` would let a trailing newline through
UUID = re.compile(r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}")
SHA256 = re.compile(r"[0-9a-f]{64}")
MAX_DEPTH = 32  # nesting of an item's JSON; a real payload has 3 levels
MAX_TASK_ID = 128
MAX_PHOTOS = 20


class ItemType(StrEnum):
    CHECK = "check"    # 核查
    VERIFY = "verify"  # 核实
    REPORT = "report"  # 上报


class Outcome(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    CONFIRMED = "confirmed"
    NOT_FOUND = "not_found"


class ReportKind(StrEnum):
    COMPONENT = "component"  # 部件
    EVENT = "event"          # 事件


ITEM_TYPES = tuple(ItemType)
OUTCOMES = {ItemType.CHECK: (Outcome.PASS, Outcome.FAIL),
            ItemType.VERIFY: (Outcome.CONFIRMED, Outcome.NOT_FOUND)}


@dataclass(frozen=True)
class Location:
    lon: float  # WGS 84 / CGCS2000 degrees
    lat: float
    accuracy_m: float | None = None

    def to_wire(self) -> dict:
        out = {"lon": self.lon, "lat": self.lat}
        if self.accuracy_m is not None:
            out["accuracy_m"] = self.accuracy_m
        return out

    @classmethod
    def from_wire(cls, loc) -> Location:
        """Numbers may come as text ("120.5"); a NaN, an infinity or a point off the globe is refused."""
        if not isinstance(loc, dict) or "lon" not in loc or "lat" not in loc:
            raise Problem("sync.bad_item", reason="location")
        lon, lat = _number(loc["lon"], "location.lon"), _number(loc["lat"], "location.lat")
        acc = _number(loc["accuracy_m"], "location.accuracy_m") if loc.get("accuracy_m") is not None else None
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise Problem("sync.bad_item", reason="location")
        return cls(lon, lat, acc)


@dataclass(frozen=True)
class _Result:
    """A field result on a task: the payload of a check or a verify item."""
    TYPE = None  # the item type it is the payload of (not annotated: not a field)
    task_id: str
    outcome: Outcome
    observed_at: datetime
    reason: str | None = None
    note: str | None = None
    location: Location | None = None

    def to_wire(self) -> dict:
        out = {"task_id": self.task_id, "outcome": self.outcome.value,
               "observed_at": self.observed_at.isoformat(), **_present(reason=self.reason, note=self.note)}
        if self.location is not None:
            out["location"] = self.location.to_wire()
        return out

    @classmethod
    def from_wire(cls, payload: dict) -> _Result:
        observed = _time(payload.get("observed_at"), "observed_at")
        location = _optional_location(payload.get("location"))
        task_id, outcome = _task_id(payload.get("task_id")), _outcome(cls.TYPE, payload.get("outcome"))
        reason, note = _text(payload, "reason"), _text(payload, "note")
        if outcome is Outcome.FAIL and not (reason or note):
            raise Problem("sync.bad_item", reason="a failed check needs a reason")
        return cls(task_id, outcome, observed, reason, note, location)


@dataclass(frozen=True)
class CheckResult(_Result):
    """核查: whether a case's problem is gone; a failed check needs a reason or a note."""
    TYPE = ItemType.CHECK


@dataclass(frozen=True)
class VerifyResult(_Result):
    """核实: whether a reported problem was found on site (a reason joins the note, as for a check)."""
    TYPE = ItemType.VERIFY


@dataclass(frozen=True)
class Report:
    """上报: a new problem found in the field."""
    TYPE = ItemType.REPORT
    kind: ReportKind
    class_code: str
    observed_at: datetime
    location: Location
    description: str = ""
    ObjID: str | None = None  # the component, for a component report (the wire spells it so)

    def to_wire(self) -> dict:
        return {"kind": self.kind.value, "class_code": self.class_code, "description": self.description,
                "observed_at": self.observed_at.isoformat(), "location": self.location.to_wire(),
                **_present(ObjID=self.ObjID)}

    @classmethod
    def from_wire(cls, payload: dict) -> Report:
        observed = _time(payload.get("observed_at"), "observed_at")
        location = Location.from_wire(payload.get("location"))
        kind = payload.get("kind")
        if not isinstance(kind, str) or kind not in tuple(ReportKind):
            raise Problem("sync.bad_item", reason="kind")
        if not isinstance(payload.get("class_code"), str):
            raise Problem("sync.bad_item", reason="class_code")
        obj_id = _text(payload, "ObjID")
        description = payload.get("description", "")
        if not isinstance(description, str):
            raise Problem("sync.bad_item", reason="description")
        return cls(ReportKind(kind), payload["class_code"], observed, location, description, obj_id)


PAYLOADS = {cls.TYPE: cls for cls in (CheckResult, VerifyResult, Report)}


@dataclass(frozen=True)
class PushItem:
    uuid: str  # made on the device, never reused; lower case, hyphenated
    payload: CheckResult | VerifyResult | Report
    created_at: datetime | None = None
    photos: tuple[str, ...] = ()  # SHA-256 hex digests of photos sent by tus, lower case, each once

    @property
    def type(self) -> ItemType:
        return self.payload.TYPE

    def to_wire(self) -> dict:
        out = {"uuid": self.uuid, "type": self.type.value, "payload": self.payload.to_wire(),
               "photos": list(self.photos)}
        if self.created_at is not None:
            out["created_at"] = self.created_at.isoformat()
        return out

    @classmethod
    def from_wire(cls, item) -> PushItem:
        """Checked in the order the centre has always checked, so an item's first fault names its code."""
        uuid = item_uuid(item)
        _check_plain(item)
        kind, payload = item.get("type"), item.get("payload")
        if not isinstance(kind, str) or kind not in ITEM_TYPES:
            raise Problem("sync.bad_item", reason="type", value=times.shown(kind, 32))
        if not isinstance(payload, dict):
            raise Problem("sync.bad_item", reason="payload")
        created = _time(item["created_at"], "created_at") if item.get("created_at") is not None else None
        body = PAYLOADS[ItemType(kind)].from_wire(payload)
        return cls(uuid, body, created, _photos(item.get("photos", [])))


def canonical_uuid(value) -> str | None:
    """The stored spelling of an item uuid (lower case, hyphenated), or None when it is not one."""
    if not isinstance(value, str) or not UUID.fullmatch(value):
        return None
    # what str(uuid.UUID(hex=value)) gives for what UUID matches (the uuid module costs 5 ms to import)
    h = value.replace("-", "").lower()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def item_uuid(item) -> str:
    """The uuid of a pushed item, canonical; an item that is not an object has none either."""
    sent = item.get("uuid") if isinstance(item, dict) else None
    canon = canonical_uuid(sent)
    if canon is None:
        raise Problem("sync.bad_uuid", uuid=times.shown(sent, 64))
    return canon


# --- validation of single values ------------------------------------------------------------------

def _check_plain(value, depth: int = 0) -> None:
    """Only what strict JSON carries: UTF-8 text (no lone surrogates), finite numbers, modest nesting."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise Problem("sync.bad_item", reason="text that is not valid UTF-8") from None
    elif isinstance(value, float) and not math.isfinite(value):
        raise Problem("sync.bad_item", reason="NaN or Infinity")
    elif isinstance(value, dict | list):
        if depth >= MAX_DEPTH:
            raise Problem("sync.bad_item", reason="nested too deeply")
        for part in (*value, *value.values()) if isinstance(value, dict) else value:
            _check_plain(part, depth + 1)


def _time(value, field: str) -> datetime:
    if not isinstance(value, str):
        raise Problem("sync.bad_item", reason=field)
    return times.parse(value)


def _photos(photos) -> tuple[str, ...]:
    if not isinstance(photos, list) or len(photos) > MAX_PHOTOS:
        raise Problem("sync.bad_item", reason="photos")
    shas = tuple(p.lower() if isinstance(p, str) else p for p in photos)
    for sha in shas:
        if not isinstance(sha, str) or not SHA256.fullmatch(sha):
            raise Problem("blob.bad_digest", sha256=times.shown(sha, 80))
    return tuple(dict.fromkeys(shas))


def _optional_location(loc) -> Location | None:
    return None if loc is None else Location.from_wire(loc)


def _number(value, field: str) -> float:
    """A finite number (or its text); a 400-digit integer or a boolean is not a coordinate."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise Problem("sync.bad_item", reason=field)
    try:
        number = float(value)
    except (OverflowError, ValueError):
        raise Problem("sync.bad_item", reason=field) from None
    if not math.isfinite(number):
        raise Problem("sync.bad_item", reason=field)
    return number


def _task_id(value) -> str:
    if not isinstance(value, str) or not 0 < len(value) <= MAX_TASK_ID:
        raise Problem("sync.bad_item", reason="task_id")
    return value


def _outcome(kind: ItemType, value) -> Outcome:
    if not isinstance(value, str) or value not in OUTCOMES[kind]:
        raise Problem("sync.bad_item", reason="outcome", value=times.shown(value, 32))
    return Outcome(value)


def _text(payload: dict, field: str) -> str | None:
    """An optional text field: absent, null or a string."""
    value = payload.get(field)
    if value is not None and not isinstance(value, str):
        raise Problem("sync.bad_item", reason=field)
    return value


def _present(**fields) -> dict:
    """The optional fields that have a value (absent ones are left off the wire)."""
    return {k: v for k, v in fields.items() if v is not None}
