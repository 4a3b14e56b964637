# SPDX-License-Identifier: GPL-2.0-or-later
"""The task list: the 核查 checks and 核实 verifications held on the device, for a RecycleView.

Sorted by due time (the default) or, when the collector picks 按距离 and the device has a position fix,
by distance (unplaced tasks after); the choice is kept in the store's meta (`task_order`) across
restarts. Without a fix the distance order is disabled and a hint says why; a kept choice of distance
waits for the first fix. Overdue and due-soon are marked; counts on top. Read from the store only: it
works with no network at all.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime, timedelta

from kivy.event import EventDispatcher
from kivy.properties import BooleanProperty, ListProperty, ObjectProperty, OptionProperty, StringProperty

from citygrid import times
from citygrid.problems import Problem

from ..platform.location import Fix
from ..store import Store
from .language import Language

SOON = timedelta(hours=2)
KINDS = {"check": "check (核查)", "verify": "verification (核实)"}
EARTH_M = 6_371_008.8
ORDERS = ("due", "distance")
NEEDS_FIX = "Distance order needs a position fix: sorted by due time until there is one."
COUNTS = "{checks} checks · {verifies} verifications · {overdue} overdue · {soon} due soon"


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_M * math.asin(min(1.0, math.sqrt(a)))


def due_of(task: dict) -> datetime | None:
    try:
        return times.from_db(task.get("due_at"))
    except Problem:
        return None  # a malformed time from a newer centre: listed last, never a crash


class TasksVM(EventDispatcher):
    rows = ListProperty()
    counts = StringProperty("")
    fix = ObjectProperty(None, allownone=True)
    order = OptionProperty("due", options=list(ORDERS))  # what the collector chose (kept in meta)
    has_fix = BooleanProperty(False)  # the distance order can be chosen
    by_distance = BooleanProperty(False)  # what the list is sorted by now: distance needs a fix too
    order_hint = StringProperty("")

    def __init__(self, store: Store, language: Language, now: Callable[[], datetime] = times.now, **kw):
        super().__init__(**kw)
        self.store, self.language, self.now = store, language, now
        saved = store.get("task_order")
        self.order = saved if saved in ORDERS else "due"
        language.bind(lang=lambda *_: self.refresh())
        self.bind(fix=lambda *_: self.refresh())

    def set_order(self, order: str) -> None:
        """The collector's choice, kept across restarts; an unknown order is ignored."""
        if order in ORDERS and order != self.order:
            self.order = order
            self.store.put(task_order=order)
            self.refresh()

    def refresh(self) -> None:
        now, tasks = self.now(), self.store.tasks()
        self.has_fix = self.fix is not None
        self.by_distance = self.order == "distance" and self.has_fix
        self.order_hint = "" if self.fix is not None else self.language.tr(NEEDS_FIX)
        rows = [self._row(t, now) for t in tasks]
        rows.sort(key=self._order)
        self.rows = rows
        flags = [r["flag"] for r in rows]
        self.counts = self.language.tr(COUNTS, checks=sum(t["kind"] == "check" for t in tasks),
                                       verifies=sum(t["kind"] == "verify" for t in tasks),
                                       overdue=flags.count("overdue"), soon=flags.count("soon"))

    def _order(self, row: dict):
        due = row["due_ts"] if row["due_ts"] is not None else math.inf
        if not self.by_distance:
            return (0, due, row["case_no"])
        if row["distance_m"] is not None:
            return (0, row["distance_m"], due)
        return (1, due, row["case_no"])

    def _row(self, task: dict, now: datetime) -> dict:
        case = self.store.record("case", task.get("case_no") or "") or {}
        due = due_of(task)
        flag = "" if due is None else "overdue" if due < now else "soon" if due - now <= SOON else ""
        dist = self._distance(case)
        return {"task_id": task["id"], "case_no": task.get("case_no") or "", "flag": flag,
                "due_ts": due.timestamp() if due else None, "distance_m": dist,
                "title": f"{self.language.tr(KINDS.get(task.get('kind'), 'task'))}  {task.get('case_no') or ''}",
                "detail": case.get("address") or case.get("description") or "",
                "due_text": self._due_text(due, flag, dist)}

    def _distance(self, case: dict) -> float | None:
        fix: Fix | None = self.fix
        if fix is None or case.get("lat") is None or case.get("lon") is None:
            return None
        return distance_m(fix.lat, fix.lon, case["lat"], case["lon"])

    def _due_text(self, due: datetime | None, flag: str, dist: float | None) -> str:
        tr = self.language.tr
        text = tr("no due time") if due is None else tr("due {when}", when=due.astimezone(times.zone())
                                                         .strftime("%m-%d %H:%M"))
        if flag:
            text += " · " + tr({"overdue": "overdue", "soon": "due soon"}[flag])
        if dist is not None:
            text += " · " + (f"{dist:.0f} m" if dist < 1000 else f"{dist / 1000:.1f} km")
        return text
