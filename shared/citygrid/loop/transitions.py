# SPDX-License-Identifier: GPL-2.0-or-later
"""The case loop as data (DOMAIN.md §2) and the pure decision of what one action changes.

`decide(case, action, actor, at, ctx, ...)` reads nothing but its arguments and returns `Changes`:
plain dicts keyed by column name for the `cases` row, the one `case_events` row, new `tasks` rows and
task updates. `workflow.apply` writes them; a bulk writer (the demo generator) reuses them unchanged:

    state, tasks = case_row, []
    for action, actor, at, params in history:
        ch = decide(state, action, actor, at, ctx, tasks=tasks, params=params)
        events.append(ch.event)                      # executemany into case_events, keys as columns
        state, tasks = evolve(state, tasks, ch)      # the rows as the database would now hold them
    # then insert `state` into cases and `tasks` into tasks; ch.photos become case_photos rows
    # (case_no, sha256, event_fid). Only fid and recorded_at are left to the database.

Pass `Context(new_id=...)` a seeded id factory so task ids are deterministic.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from .. import times
from ..problems import Problem
from ..store.schema_v1 import STATUSES
from . import deadlines
from . import tasks as tasklib

ROLES = ("operator", "leader", "dispatcher", "unit", "collector", "supervisor")
OPEN_STATUSES = ("reported", "verifying", "pending_register", "registered", "dispatched", "returned",
                 "disposed", "checking", "check_passed", "parked")
PREVIOUS = "parked_from"  # the `to` of restore: the status recorded when the case was parked
PARKABLE = ("registered", "dispatched", "returned")
STAMPS = {"registered": "registered_at", "dispatched": "dispatched_at", "disposed": "disposed_at",
          "closed": "closed_at"}
PARAMS = {"register": {"condition_id"}, "dispatch": {"unit_code"}, "extend": {"hours", "until"},
          "request_extension": {"hours", "until"}, "send_verify": {"collector"},
          "send_check": {"collector"}, "reassign_task": {"task_id", "assignee"},
          "field_result": {"task_id", "uuid", "type", "outcome", "conflict", "location"},
          "merge_duplicate": {"duplicate"}}
NEEDS_REASON = ("reject", "void", "rework")
# Actions that only add to the case's history: the `cases` row is left as it is (not even updated_at),
# and the event is the row these actions have always written (no unit, data as sent).
RECORDS = ("reassign_task", "field_result", "merge_duplicate")
FIELD_RESULT = ("uuid", "type", "outcome", "conflict", "location")  # a kept result's data, in this order


@dataclass(frozen=True)
class Transition:
    """Where an action leads from one status and who may take it."""

    to: str
    roles: frozenset
    task: str | None = None  # the kind of open task the acting collector must hold


def _t(to: str, *roles: str, task: str | None = None) -> Transition:
    return Transition(to, frozenset(roles), task)


TRANSITIONS: dict[tuple[str, str], Transition] = {
    ("reported", "accept"): _t("pending_register", "operator"),
    ("reported", "send_verify"): _t("verifying", "operator"),
    ("verifying", "verify_confirmed"): _t("pending_register", "collector", task="verify"),
    ("verifying", "verify_not_found"): _t("rejected", "collector", task="verify"),
    ("reported", "reject"): _t("rejected", "operator", "leader"),
    ("pending_register", "reject"): _t("rejected", "operator", "leader"),
    ("pending_register", "register"): _t("registered", "leader"),
    ("registered", "dispatch"): _t("dispatched", "dispatcher"),
    ("returned", "dispatch"): _t("dispatched", "dispatcher"),
    ("dispatched", "request_return"): _t("dispatched", "unit"),
    ("dispatched", "request_extension"): _t("dispatched", "unit"),
    ("dispatched", "return"): _t("returned", "dispatcher"),
    ("dispatched", "extend"): _t("dispatched", "dispatcher"),
    ("dispatched", "report_disposal"): _t("disposed", "unit"),
    ("disposed", "send_check"): _t("checking", "operator"),
    ("checking", "check_pass"): _t("check_passed", "collector", task="check"),
    ("checking", "check_fail"): _t("dispatched", "collector", task="check"),
    ("check_passed", "close"): _t("closed", "leader"),
    ("check_passed", "rework"): _t("dispatched", "leader"),  # the leader refuses closure: 返工, same unit
    **{(s, "park"): _t("parked", "dispatcher") for s in PARKABLE},
    ("parked", "restore"): _t(PREVIOUS, "dispatcher"),
    **{(s, "void"): _t("voided", "leader") for s in OPEN_STATUSES},
    # where a 核实/核查 task is out: another collector takes it over (the old device drops it)
    **{(s, "reassign_task"): _t(s, "operator", "supervisor") for s in ("verifying", "checking")},
    # a collector's result that no longer fits (task reassigned, case closed or voided meanwhile)
    **{(s, "field_result"): _t(s, "collector") for s in STATUSES},
    # shift review: a duplicate report merged into this open case (the duplicate is voided; its photos join)
    **{(s, "merge_duplicate"): _t(s, "leader") for s in OPEN_STATUSES},
}
ACTIONS = tuple(dict.fromkeys(a for _, a in TRANSITIONS))


def allowed_actions(status: str, role: str) -> list[str]:
    """The actions `role` may take on a case in `status`, in table order."""
    return [a for (s, a), t in TRANSITIONS.items() if s == status and role in t.roles]


def roles_for(action: str) -> frozenset:
    """Every role that may take `action` from some status."""
    return frozenset().union(*(t.roles for (_, a), t in TRANSITIONS.items() if a == action))


def _new_id() -> str:
    """A time-ordered UUID (RFC 9562 version 7: milliseconds since 1970, then 74 random bits), so new
    tasks' ids land at the end of the `tasks.id` unique index instead of anywhere in it."""
    return str(uuid.UUID(int=uuid7_int(time.time_ns() // 1_000_000, int.from_bytes(os.urandom(10), "big"))))


def uuid7_int(ms: int, bits: int) -> int:
    """The 128-bit value of a version-7 UUID: `ms` in the top 48 bits, then the version, 12 bits of
    `bits`, the variant and 62 more bits of `bits` (its lowest 74 bits are used, high to low)."""
    return ((ms & 0xFFFF_FFFF_FFFF) << 80 | 7 << 76 | (bits >> 62 & 0xFFF) << 64 | 2 << 62
            | bits & 0x3FFF_FFFF_FFFF_FFFF)


@dataclass(frozen=True)
class Context:
    """What a decision needs beside the case: the clock rules and the reference rows it may name."""

    calendar: deadlines.WorkCalendar
    step_limits: Mapping
    conditions: Mapping = field(default_factory=dict)  # condition_id -> dictionaries.Condition of the class
    auto_close: bool = False  # citygrid_meta.auto_close_on_check_pass
    collectors: Sequence[str] = ()  # who may get the case's verify/check task, the default first
    units: Collection[str] = ()  # active unit codes a case may be dispatched to
    default_unit: str | None = None  # used when dispatch names no unit (workflow.suggest_unit)
    new_id: Callable[[], str] = _new_id  # task ids; inject a seeded factory for a repeatable demo
    accounts: Mapping = field(default_factory=dict)  # username -> role of the active accounts an action names


class Changes(NamedTuple):
    """The rows one action writes, keyed by column name, values as stored."""

    case_no: str
    case: dict  # cases columns to set; the whole row when `created`
    event: dict  # the case_events row (fid and recorded_at are left to the database)
    task_inserts: tuple = ()  # whole tasks rows
    task_updates: tuple = ()  # (tasks.id, columns to set)
    photos: tuple = ()  # sha256 digests -> case_photos (case_no, sha256, event_fid)
    created: bool = False


def authorize(case: Mapping, action: str, actor, tasks: Sequence[Mapping] = (),
              task_id: str | None = None) -> tuple[Transition, Mapping | None]:
    """The transition and the task the actor holds, or the Problem that forbids the action."""
    status, no = case["status"], case["case_no"]
    trans = TRANSITIONS.get((status, action))
    if trans is None:
        if action not in ACTIONS:
            raise Problem("case.unknown_action", case=no, action=action)
        raise Problem("case.illegal_transition", case=no, status=status, action=action)
    role = actor.role
    if role not in trans.roles:
        raise Problem("case.forbidden_role", case=no, action=action, role=role)
    if role == "unit" and (not actor.unit_code or case["unit_code"] != actor.unit_code):
        raise Problem("case.not_your_unit", case=no, unit=actor.unit_code, case_unit=case["unit_code"])
    held = tasklib.held(tasks, task_id, trans.task, actor.username) if trans.task else None
    return trans, held


class _Move:
    """One decision in progress: effects add case fields, event data and task rows to it.

    Its times are µs since the epoch (`at_us`) and stored text (`stamp`, `step_due`): a decision makes
    no datetimes. A plain class with slots: the demo's planner makes millions of these."""

    __slots__ = ("case", "actor", "ctx", "params", "tasks", "held", "to", "at_us", "stamp", "fields", "data",
                 "inserts", "updates", "event_task", "_due")

    def __init__(self, case: Mapping, actor, ctx: Context, params: Mapping, tasks: Sequence[Mapping],
                 held: Mapping | None, to: str, at_us: int, stamp: str):
        self.case, self.actor, self.ctx, self.params, self.tasks, self.held = case, actor, ctx, params, tasks, held
        self.to, self.at_us, self.stamp = to, at_us, stamp  # `stamp`: `at` as stored
        self.fields, self.data, self.inserts, self.updates = {}, {}, [], []  # cases columns, event data, tasks
        self.event_task: str | None = None
        self._due = (None, None)  # (status, step due): asked twice by the moves that open a step's task

    @property
    def at(self) -> datetime:
        """The moment as an aware datetime (UTC), made only when an effect asks."""
        return times.from_us(self.at_us)

    def step_due(self, status: str) -> str | None:
        """The due time (stored text) of a step opened now in `status`; None when it is untimed."""
        if self._due[0] != status:  # deadlines.step_due_us, one call less (the planner asks millions)
            limit = self.ctx.step_limits.get(status)
            self._due = (status, None if limit is None else
                         times.text_us(self.ctx.calendar.add_us(self.at_us, limit[0], limit[1])))
        return self._due[1]

    def open_task(self, kind: str, due: str | None, **who) -> None:
        row = tasklib.new(self.ctx.new_id(), kind, self.case["case_no"], at=self.stamp, due=due,
                          by=self.actor.username, **who)
        self.inserts.append(row)
        self.event_task = row["id"]

    def finish_held(self, outcome: str) -> None:
        self.updates.append(tasklib.finish(self.held, self.stamp, outcome))
        self.event_task = self.held["id"]

    def cancel_open(self, why: str, kind: str | None = None) -> None:
        self.updates.extend(tasklib.cancel(t, self.stamp, why) for t in tasklib.open_ones(self.tasks, kind))

    def dispose_for(self, unit: str) -> None:
        """Start the disposal step for `unit`: a deadline from the condition's limit and a task."""
        cond = self.ctx.conditions.get(self.case["condition_id"])
        if cond is None:
            raise Problem("case.no_condition", case=self.case["case_no"], condition_id=self.case["condition_id"])
        deadline = times.text_us(self.ctx.calendar.add_us(self.at_us, cond.limit, cond.unit))
        self.fields.update(unit_code=unit, deadline_at=deadline)
        self.open_task("dispose", deadline, unit_code=unit)


def decide(case: Mapping, action: str, actor, at: datetime | int, ctx: Context, *,
           tasks: Sequence[Mapping] = (), params: Mapping | None = None, note: str | None = None,
           photos: Sequence[str] = (), task_id: str | None = None) -> Changes:
    """What `actor` taking `action` on `case` at `at` changes, or the Problem that forbids it.

    `at` is an aware datetime or µs since the epoch (what a bulk planner holds: no datetime to make)."""
    trans, held = authorize(case, action, actor, tasks, task_id)
    params = dict(params) if params else {}
    if params and not params.keys() <= PARAMS.get(action, _NO_PARAMS):
        unknown = sorted(set(params) - PARAMS.get(action, set()))
        raise Problem("case.bad_param", case=case["case_no"], param=unknown[0], reason="unknown")
    if action in NEEDS_REASON and not (note or "").strip():
        raise Problem("case.reason_required", case=case["case_no"], action=action)
    to = trans.to
    if to == PREVIOUS:
        to = case[PREVIOUS]
        if to not in PARKABLE:  # parked_from missing or edited by hand
            raise Problem("case.illegal_transition", case=case["case_no"], status=case["status"], action=action)
    try:  # µs since the epoch and the stored text; a datetime is refused as `times.to_db` refuses it
        at_us = at if at.__class__ is int else times.to_us(at)
        stamp = times.text_us(at_us)
    except OverflowError:
        times.check_range(at)
        raise
    move = _Move(case, actor, ctx, params, tasks, held, to, at_us, stamp)
    EFFECTS[action](move)
    return _changes(move, action, note, tuple(photos) if photos else ())


_NO_PARAMS = frozenset()


def _changes(m: _Move, action: str, note: str | None, photos: tuple) -> Changes:
    if action in RECORDS:
        return _record(m, action, note, photos)
    case, to, at = m.case, m.to, m.stamp
    frm = case["status"]
    fields = {"status": to, **m.fields, "updated_at": at}
    completed_due = None
    if to != frm:
        fields["step_due_at"] = fields["deadline_at"] if to == "dispatched" else m.step_due(to)
        if to in STAMPS and action != "restore":
            fields[STAMPS[to]] = at
        completed_due = case["deadline_at" if frm == "dispatched" else "step_due_at"]
    actor, no = m.actor, case["case_no"]
    event = {"case_no": no, "action": action, "actor": actor.username, "role": actor.role,
             "from_status": frm, "to_status": to, "at": at, "due_at": completed_due,
             "unit_code": fields.get("unit_code", case["unit_code"]), "task_id": m.event_task, "note": note,
             "photos": as_json(photos) if photos else "[]", "data": as_json(m.data) if m.data else "{}"}
    return Changes(no, fields, event, tuple(m.inserts) if m.inserts else (),
                   tuple(m.updates) if m.updates else (), photos)


def _record(m: _Move, action: str, note: str | None, photos: tuple) -> Changes:
    """The rows of an action that only adds to the history: its event and task updates, no case columns."""
    status = m.case["status"]
    event = {"case_no": m.case["case_no"], "action": action, "actor": m.actor.username, "role": m.actor.role,
             "from_status": status, "to_status": status, "at": m.stamp, "due_at": None,
             "unit_code": None, "task_id": m.event_task, "note": note, "photos": json.dumps(list(photos)),
             "data": json.dumps(m.data, ensure_ascii=False)}
    return Changes(m.case["case_no"], {}, event, tuple(m.inserts), tuple(m.updates), photos)


def report_changes(case_no: str, actor, at: datetime | int, ctx: Context, *, kind: str, class_code: str,
                   grid: Mapping, geom: bytes, source: str, ObjID: str | None = None, description: str = "",
                   address: str | None = None, reporter: str | None = None,
                   photos: Sequence[str] = (), flags: str | None = None) -> Changes:
    """The rows a new case writes: the whole `cases` row and its `report` event (NULL -> reported).

    `at`: an aware datetime or µs since the epoch, as for `decide`.
    `flags`: what the case is flagged with from the start, e.g. `possible_duplicate:<case_no>`."""
    at_us = at if at.__class__ is int else times.to_us(at)
    stamp, due = times.text_us(at_us), deadlines.step_due_us(ctx.calendar, ctx.step_limits, "reported", at_us)
    row = {"geom": geom, "case_no": case_no, "kind": kind, "class_code": class_code, "status": "reported",
           "grid_code": grid["code"], "ObjID": ObjID, "source": source, "description": description,
           "address": address, "reporter": reporter or actor.username, "condition_id": None, "urgent": 0,
           "unit_code": None, "street_code": grid["street_code"], "community_code": grid["community_code"],
           "reported_at": stamp, "registered_at": None, "dispatched_at": None, "deadline_at": None,
           "step_due_at": None if due is None else times.text_us(due),
           "disposed_at": None, "closed_at": None, PREVIOUS: None, "rework_count": 0, "flags": flags,
           "updated_at": stamp}
    event = {"case_no": case_no, "action": "report", "actor": actor.username, "role": actor.role,
             "from_status": None, "to_status": "reported", "at": stamp, "due_at": None, "unit_code": None,
             "task_id": None, "note": None, "photos": as_json(list(photos)), "data": as_json({"source": source})}
    return Changes(case_no, row, event, photos=tuple(photos), created=True)


_EMPTY = {list: "[]", tuple: "[]", dict: "{}"}
_SCALARS = (str, int, bool, float)
_ONE: dict = {}  # (key, type, value) -> JSON of a one-item dict (the type keeps True apart from 1)
_ENCODER = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def as_json(value) -> str:
    """Compact JSON with sorted keys (`[]` and `{}` without the encoder: most events carry nothing)."""
    if not value and value.__class__ in _EMPTY:
        return _EMPTY[value.__class__]
    if value.__class__ is dict and len(value) == 1:  # most event data: {"source": ...}, {"condition_id": ...}
        ((key, item),) = value.items()
        if item.__class__ in _SCALARS:
            text = _ONE.get((key, item.__class__, item))
            if text is None:
                text = _ENCODER.encode(value)
                if len(_ONE) < 4096:
                    _ONE[(key, item.__class__, item)] = text
            return text
    return _ENCODER.encode(value)


def evolve(case: Mapping, tasks: Sequence[Mapping], changes: Changes) -> tuple[dict, list[dict]]:
    """The case row and its task rows after `changes`, exactly as the database then holds them."""
    updates = dict(changes.task_updates)
    after = [{**t, **updates.get(t["id"], {})} for t in tasks] + [dict(r) for r in changes.task_inserts]
    return {**case, **changes.case}, after


# -- the effects of each action ------------------------------------------------------------------

def _bad(m: _Move, param: str, reason: str, **more) -> Problem:
    return Problem("case.bad_param", case=m.case["case_no"], param=param, reason=reason, **more)


def _collector(m: _Move) -> str:
    wanted = m.params.get("collector")
    if wanted is not None:
        if wanted not in m.ctx.collectors:
            raise _bad(m, "collector", "not a collector", value=str(wanted))
        return wanted
    if not m.ctx.collectors:
        raise Problem("case.no_collector", case=m.case["case_no"], grid=m.case["grid_code"])
    return m.ctx.collectors[0]


def _send_verify(m: _Move) -> None:
    m.open_task("verify", m.step_due("verifying"), assignee=_collector(m))


def _send_check(m: _Move) -> None:
    m.open_task("check", m.step_due("checking"), assignee=_collector(m))


def _register(m: _Move) -> None:
    raw = m.params.get("condition_id")
    try:
        cid = int(raw) if not isinstance(raw, bool) else None
    except (TypeError, ValueError):
        cid = None
    if cid is None or cid not in m.ctx.conditions:
        raise Problem("case.unknown_condition", case=m.case["case_no"], class_code=m.case["class_code"],
                      condition_id=str(raw))
    m.fields.update(condition_id=cid, urgent=int(bool(m.ctx.conditions[cid].urgent)))
    m.data["condition_id"] = cid


def _dispatch(m: _Move) -> None:
    unit = m.params.get("unit_code") or m.ctx.default_unit
    if not unit:
        raise Problem("case.no_unit", case=m.case["case_no"])
    if unit not in m.ctx.units:
        raise Problem("case.unknown_unit", case=m.case["case_no"], unit=str(unit))
    previous = m.case["unit_code"]
    if m.case["status"] == "returned" and previous and previous != unit:
        m.data.update(redispatch=True, previous_unit=previous)
    m.dispose_for(unit)


def _return(m: _Move) -> None:
    m.cancel_open("return", "dispose")
    m.data["erroneous_dispatch"] = True


def _requested_time(m: _Move) -> dict:
    """{'hours': h} or {'until': text} from the params (both optional; not both)."""
    if "hours" in m.params and "until" in m.params:
        raise _bad(m, "until", "give hours or until, not both")
    if "hours" in m.params:
        hours = m.params["hours"]
        if isinstance(hours, bool) or not isinstance(hours, int | float) or not 0 < hours < 10_000:
            raise _bad(m, "hours", "expected a positive number", value=str(hours))
        return {"hours": hours}
    if "until" in m.params:
        until = m.params["until"]
        moment = times.parse(until) if isinstance(until, str) else until
        if not isinstance(moment, datetime):
            raise _bad(m, "until", "expected an ISO 8601 time", value=str(until))
        return {"until": times.to_db(moment)}
    return {}


def _request_extension(m: _Move) -> None:
    m.data.update(_requested_time(m))


def _extend(m: _Move) -> None:
    wanted, old = _requested_time(m), m.case["deadline_at"]
    if not wanted:
        raise _bad(m, "hours", "required")
    if "hours" in wanted:  # on the case's own clock: urgent limits run on calendar time
        unit = "calendar_hours" if m.case["urgent"] else "working_hours"
        new = times.text_us(m.ctx.calendar.add_us(times.to_us(times.from_db(old)), wanted["hours"], unit))
    else:
        new = wanted["until"]
    if new <= old:
        raise _bad(m, "until", "not later than the deadline", deadline=old, value=new)
    m.fields.update(deadline_at=new, step_due_at=new)
    m.updates.extend((t["id"], {"due_at": new}) for t in tasklib.open_ones(m.tasks, "dispose"))
    m.data.update(previous_deadline=old, deadline=new)


def _report_disposal(m: _Move) -> None:
    for task in tasklib.open_ones(m.tasks, "dispose"):
        m.updates.append(tasklib.finish(task, m.stamp, "disposed"))
        m.event_task = task["id"]


def _check_pass(m: _Move) -> None:
    m.finish_held("pass")
    if m.ctx.auto_close:
        m.to = "closed"
        m.data["auto_closed"] = True


def _send_back(m: _Move) -> None:
    """返工: another disposal round for the case's own unit, the condition's full limit from now."""
    unit = m.case["unit_code"]
    if not unit:  # a case checked or passed without a unit was edited by hand
        raise Problem("case.no_unit", case=m.case["case_no"])
    rework = m.case["rework_count"] + 1
    m.fields["rework_count"] = rework
    m.dispose_for(unit)
    m.data.update(rework=rework, dispose_task=m.event_task)


def _check_fail(m: _Move) -> None:
    m.finish_held("fail")
    check_task = m.event_task
    _send_back(m)
    m.event_task = check_task


def _rework(m: _Move) -> None:
    """The leader refuses to close a passed case: 返工 (the event names the new disposal task)."""
    m.cancel_open("rework")
    _send_back(m)


def _park(m: _Move) -> None:
    m.cancel_open("park")
    m.fields[PREVIOUS] = m.case["status"]


def _restore(m: _Move) -> None:
    """Back to the parked-from status; a restored disposal gets a fresh task and the full limit."""
    m.fields[PREVIOUS] = None
    if m.to == "dispatched":
        m.dispose_for(m.case["unit_code"])


def _void(m: _Move) -> None:
    m.cancel_open("void")


def _reassign_task(m: _Move) -> None:
    """Hand the named (else the case's) open 核实/核查 task to another active collector."""
    task_id, to = m.params.get("task_id"), m.params.get("assignee")
    task = tasklib.reassignable(_task_named(m.tasks, task_id), task_id)
    if to not in m.ctx.accounts:
        raise Problem("account.unknown", username=str(to))
    if m.ctx.accounts[to] != "collector":
        raise Problem("task.bad_assignee", username=to, role=m.ctx.accounts[to])
    if to == task["assignee"]:
        raise Problem("task.same_assignee", username=to)
    m.updates.append((task["id"], {"assignee": to}))
    m.event_task = task["id"]
    m.data.update({"from": task["assignee"], "to": to, "kind": task["kind"]})


def _task_named(tasks: Sequence[Mapping], task_id: str | None) -> Mapping | None:
    """The case's task `task_id`; without one, its newest open 核实/核查 task."""
    if task_id is not None:
        return next((t for t in tasks if t["id"] == task_id), None)
    out = [t for t in tasklib.open_ones(tasks) if t["kind"] in tasklib.REASSIGNABLE]
    return out[-1] if out else None


def _field_result(m: _Move) -> None:
    """Keep a collector's result on its case as sent: the task it names must be this case's, of its type."""
    task_id, kind = m.params.get("task_id"), m.params.get("type")
    if not any(t["id"] == task_id and t["kind"] == kind for t in m.tasks):
        raise Problem("task.not_found", task=str(task_id), kind=str(kind))
    m.event_task = task_id
    m.data.update({k: m.params.get(k) for k in FIELD_RESULT})


def _merge_duplicate(m: _Move) -> None:
    """Name the duplicate case merged into this one (it is voided by its own `void` event)."""
    other = m.params.get("duplicate")
    if not isinstance(other, str) or not other or other == m.case["case_no"]:
        raise _bad(m, "duplicate", "the number of another case")
    m.data["duplicate"] = other


def _nothing(m: _Move) -> None:
    """Only the status (if any) and the event change."""


EFFECTS: dict[str, Callable[[_Move], None]] = {
    "accept": _nothing, "send_verify": _send_verify, "verify_confirmed": lambda m: m.finish_held("confirmed"),
    "verify_not_found": lambda m: m.finish_held("not_found"), "reject": _nothing, "register": _register,
    "dispatch": _dispatch, "request_return": _nothing, "request_extension": _request_extension,
    "return": _return, "extend": _extend, "report_disposal": _report_disposal, "send_check": _send_check,
    "check_pass": _check_pass, "check_fail": _check_fail, "rework": _rework, "close": _nothing, "park": _park,
    "restore": _restore, "void": _void, "reassign_task": _reassign_task, "field_result": _field_result,
    "merge_duplicate": _merge_duplicate,
}
