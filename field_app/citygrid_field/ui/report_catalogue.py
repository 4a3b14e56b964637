# SPDX-License-Identifier: GPL-2.0-or-later
"""What a new report can name: the classes the centre sent (retired ones left out), grouped by major and
searched by typing, and the components held on the device near a point. Pure: no Kivy, no window."""

from __future__ import annotations

from dataclasses import dataclass

from ..store import Store
from .tasks_vm import distance_m

NEARBY_M = 50.0  # a component further than this from the report's point is not offered
NEARBY_MAX = 20


@dataclass(frozen=True)
class ReportClass:
    code: str  # major_code + minor_code, e.g. "0101"
    kind: str  # "component" (部件) or "event" (事件)
    major_code: str
    major_name: str
    minor_name: str

    @property
    def label(self) -> str:
        return f"{self.code} {self.major_name} / {self.minor_name}"


def live_classes(store: Store) -> list[ReportClass]:
    """The pulled classes a collector may still report, by code; a malformed row is skipped, not fatal."""
    out = []
    for row in store.records("class"):
        if row.get("retired") or not isinstance(row.get("code"), str) or row.get("kind") not in KINDS:
            continue
        out.append(ReportClass(row["code"], row["kind"], str(row.get("major_code") or row["code"][:2]),
                               str(row.get("major_name") or ""), str(row.get("minor_name") or "")))
    return sorted(out, key=lambda c: c.code)


KINDS = ("component", "event")


def majors(classes: list[ReportClass], kind: str) -> list[tuple[str, str]]:
    """(major code, major name) of one kind's classes, in code order, each once."""
    return list(dict.fromkeys((c.major_code, c.major_name) for c in classes if c.kind == kind))


def search(classes: list[ReportClass], text: str, kind: str | None = None,
           major: str | None = None) -> list[ReportClass]:
    """Classes whose code starts with `text` or whose major or minor name contains it (any case)."""
    words = text.strip().lower().split()
    return [c for c in classes if (kind is None or c.kind == kind) and (major is None or c.major_code == major)
            and all(_matches(c, w) for w in words)]


def _matches(c: ReportClass, word: str) -> bool:
    return c.code.startswith(word) or word in c.minor_name.lower() or word in c.major_name.lower()


def component_class(obj_id: str) -> str:
    """The class code inside a component's ObjID (GB/T 30428: 6 digits of area, then major and minor)."""
    return obj_id[6:10]


def nearby_components(store: Store, lat: float, lon: float, class_code: str | None = None,
                      radius_m: float = NEARBY_M) -> list[dict]:
    """Components on the device within `radius_m` of the point, nearest first, each with its distance."""
    near = []
    for row in store.records("component"):
        obj_id, c_lat, c_lon = row.get("ObjID"), row.get("lat"), row.get("lon")
        if not isinstance(obj_id, str) or not _is_number(c_lat) or not _is_number(c_lon):
            continue
        if class_code and component_class(obj_id) != class_code:
            continue
        d = distance_m(lat, lon, c_lat, c_lon)
        if d <= radius_m:
            near.append({**row, "distance_m": d})
    return sorted(near, key=lambda r: r["distance_m"])[:NEARBY_MAX]


def _is_number(v) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)
