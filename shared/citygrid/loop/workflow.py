# SPDX-License-Identifier: GPL-2.0-or-later
"""The case loop against the database: report a case, act on it, suggest its unit, write the rows.

Decisions are pure (`transitions.decide`, `transitions.report_changes`); this module loads what they
need, and `apply` writes the rows they return, one action per transaction with exactly one event.
It is the one writer of the case log: reports (with their possible-duplicate flag), actions,
reassignments and kept field results all go through `apply` (tests/test_one_writer.py holds that).
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime

from .. import codes, crs, times
from ..problems import Problem
from ..store import db, gpkg, schema_v1
from . import accounts, deadlines, dictionaries, geocode
from . import tasks as tasklib
from .transitions import (
    ACTIONS,
    OPEN_STATUSES,
    PARAMS,
    TRANSITIONS,
    Changes,
    Context,
    allowed_actions,
    decide,
    report_changes,
    roles_for,
)

__all__ = ["ACTIONS", "OPEN_STATUSES", "REPORT_SOURCES", "TRANSITIONS", "act", "allowed_actions", "apply", "calendar",
           "case_row", "context", "events", "keep_field_result", "possible_duplicate", "reassign", "report",
           "suggest_unit"]

# Who may open a case from which source; the server's Open311 and app intake act as `admin`.
REPORT_SOURCES = {
    "collector": ("collector",),
    "operator": ("hotline", "public", "video", "leader", "media", "app"),
    "leader": ("leader",),
    "admin": ("public", "app"),
}
_SHA256 = re.compile(r"[0-9a-f]{64}")
DUPLICATE_FLAG = "possible_duplicate:"  # + the number of the open case a new report may repeat
_CALENDARS: dict = {}  # built calendars, reused while the configuration is unchanged
_MAX_CALENDARS = 8


# -- reading -------------------------------------------------------------------------------------

def case_row(conn: sqlite3.Connection, case_no: str) -> dict:
    """The `cases` row as a dict (`case.not_found` otherwise)."""
    cur = conn.execute("SELECT * FROM cases WHERE case_no = ?", (case_no,))
    row = cur.fetchone()
    if row is None:
        raise Problem("case.not_found", case=str(case_no))
    return dict(zip([d[0] for d in cur.description], row, strict=True))


def events(conn: sqlite3.Connection, case_no: str) -> list[dict]:
    """The case's history, oldest first."""
    cur = conn.execute("SELECT * FROM case_events WHERE case_no = ? ORDER BY fid", (case_no,))
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur]


def calendar(conn: sqlite3.Connection) -> deadlines.WorkCalendar:
    """The centre's work calendar; an unchanged configuration reuses the already built one."""
    fresh = deadlines.WorkCalendar.from_db(conn)
    built = _CALENDARS.get(fresh)
    if built is None:
        if len(_CALENDARS) >= _MAX_CALENDARS:
            _CALENDARS.clear()
        built = _CALENDARS[fresh] = fresh
    return built


def _moment(at) -> datetime:
    if at is None:
        return times.now()
    value = times.parse(at) if isinstance(at, str) else at
    if not isinstance(value, datetime):
        raise Problem("time.malformed", value=str(at))
    times.to_db(value)  # refuses a naive time
    return value


def _photo_list(photos: Iterable[str]) -> tuple[str, ...]:
    """sha256 hex digests, each once, in order; anything else is case.bad_param."""
    if isinstance(photos, str):
        photos = (photos,)
    out = tuple(dict.fromkeys(photos))
    for sha in out:
        if not isinstance(sha, str) or not _SHA256.fullmatch(sha):
            raise Problem("case.bad_param", param="photos", reason="expected sha256 hex digests",
                          value=str(sha))
    return out


# -- context -------------------------------------------------------------------------------------

def context(conn: sqlite3.Connection, case: Mapping, action: str, params: Mapping | None = None, *,
            new_id: Callable[[], str] | None = None) -> Context:
    """The decision context for `action` on `case`, loading only what that action uses."""
    params = params or {}
    extra: dict = {"new_id": new_id} if new_id else {}
    if action in ("register", "dispatch", "check_fail", "rework", "restore"):
        # a new registration may use only conditions the current code table has (retired ones
        # stay for the cases registered under them: their deadlines, rework, restore)
        found = dictionaries.conditions_for(conn, case["kind"], case["class_code"],
                                            active_only=action == "register")
        extra["conditions"] = {c.condition_id: c for c in found}
    if action in ("send_verify", "send_check"):
        extra["collectors"] = _collectors(conn, case["grid_code"], params.get("collector"))
    if action == "dispatch":
        extra["units"] = _active_units(conn)
        extra["default_unit"] = None if params.get("unit_code") else _suggest(conn, case)
    if action == "check_pass":
        extra["auto_close"] = db.meta(conn, "auto_close_on_check_pass", "0") == "1"
    if action == "reassign_task" and isinstance(params.get("assignee"), str):
        target = accounts.actor(conn, params["assignee"])  # account.unknown / account.inactive
        extra["accounts"] = {target.username: target.role}
    return Context(calendar(conn), deadlines.step_limits(conn), **extra)


def _collectors(conn: sqlite3.Connection, grid_code: str | None, wanted) -> tuple[str, ...]:
    """The grid's collectors, plus a named active collector from elsewhere (operators may choose)."""
    found = accounts.collectors_for_grid(conn, grid_code) if grid_code else []
    if isinstance(wanted, str) and wanted not in found:
        row = conn.execute("SELECT 1 FROM users WHERE username = ? AND role = 'collector' AND active = 1",
                           (wanted,)).fetchone()
        found = found + [wanted] if row else found
    return tuple(found)


def _active_units(conn: sqlite3.Connection) -> frozenset:
    return frozenset(r[0] for r in conn.execute("SELECT code FROM units WHERE active = 1"))


# -- responsibility ------------------------------------------------------------------------------

def suggest_unit(conn: sqlite3.Connection, case_no: str) -> str:
    """The unit to dispatch to: components owner first, events territory first (先属主后属地 / 先属地后属主)."""
    unit = _suggest(conn, case_row(conn, case_no))
    if unit is None:
        raise Problem("case.no_unit", case=case_no)
    return unit


def _suggest(conn: sqlite3.Connection, case: Mapping) -> str | None:
    territory = _territorial_unit(conn, case["street_code"], case["community_code"])
    owners = _owners(conn, case)
    order = owners + [territory] if case["kind"] == "component" else [territory] + owners
    active = _active_units(conn)
    return next((u for u in order if u and u in active), None)


def _owners(conn: sqlite3.Connection, case: Mapping) -> list:
    """The component's 权属单位, 主管部门, 养护单位 (in that order), then the class's owner unit."""
    found = []
    if case["ObjID"]:
        row = conn.execute("SELECT DeptCode2, DeptCode1, DeptCode3 FROM components WHERE ObjID = ?",
                           (case["ObjID"],)).fetchone()
        found.extend(row or ())
    row = conn.execute("SELECT owner_unit_code FROM classes WHERE kind = ? AND code = ?",
                       (case["kind"], case["class_code"])).fetchone()
    return found + [row[0]] if row else found


def _territorial_unit(conn: sqlite3.Connection, street: str | None, community: str | None) -> str | None:
    """The active territorial unit of the street (else of the community)."""
    row = conn.execute("SELECT code FROM units WHERE kind = 'territorial' AND active = 1 "
                       "AND region_code IN (?, ?) ORDER BY region_code = ? DESC, code LIMIT 1",
                       (street, community, street)).fetchone()
    return row[0] if row else None


# -- writing -------------------------------------------------------------------------------------

def _insert(conn: sqlite3.Connection, table: str, row: Mapping) -> int:
    cols = ", ".join(f'"{c}"' for c in row)
    cur = conn.execute(f"INSERT INTO {table} ({cols}) VALUES ({', '.join('?' * len(row))})",
                       tuple(row.values()))
    return cur.lastrowid


def _update(conn: sqlite3.Connection, table: str, cols: Mapping, where: str, *args) -> int:
    sets = ", ".join(f'"{c}" = ?' for c in cols)
    return conn.execute(f"UPDATE {table} SET {sets} WHERE {where}", (*cols.values(), *args)).rowcount


def apply(conn: sqlite3.Connection, changes: Changes) -> int:
    """Write one decision's rows in one transaction; returns the event's fid.

    The case must still be in the status the decision started from (`case.conflict` otherwise).
    """
    with db.transaction(conn):
        if changes.created:
            _insert(conn, "cases", changes.case)
        elif not _still_in(conn, changes):
            raise Problem("case.conflict", case=changes.case_no, status=changes.event["from_status"])
        for row in changes.task_inserts:
            _insert(conn, "tasks", row)
        for task_id, cols in changes.task_updates:
            _update(conn, "tasks", cols, "id = ?", task_id)
        fid = _insert(conn, "case_events", changes.event)
        conn.executemany("INSERT OR IGNORE INTO case_photos (case_no, sha256, event_fid) VALUES (?, ?, ?)",
                         [(changes.case_no, sha, fid) for sha in changes.photos])
    return fid


def _still_in(conn: sqlite3.Connection, changes: Changes) -> bool:
    """Set the case's columns if it is still in the status the decision started from; an action that
    changes no column (a reassignment, a kept result) only looks, so the row and its sync revision stay."""
    no, status = changes.case_no, changes.event["from_status"]
    if changes.case:
        return _update(conn, "cases", changes.case, "case_no = ? AND status = ?", no, status) == 1
    return conn.execute("SELECT 1 FROM cases WHERE case_no = ? AND status = ?", (no, status)).fetchone() is not None


# -- the public actions --------------------------------------------------------------------------

def act(conn: sqlite3.Connection, case_no: str, action: str, actor: accounts.Actor, *, at=None,
        note: str | None = None, photos: Iterable[str] = (), task_id: str | None = None,
        new_id: Callable[[], str] | None = None, **params) -> dict:
    """Take `action` on a case as `actor`; returns the event written (with its fid).

    Params by action: register `condition_id`; dispatch `unit_code` (default `suggest_unit`);
    extend `hours` (on the case's clock) or `until`; request_extension the same, optional;
    send_verify / send_check `collector` (default the grid's first); reassign_task `assignee` (the
    case's open 核实/核查 task unless `task_id` names one); field_result `type`, `outcome`, `uuid`,
    `conflict`, `location` (see `keep_field_result`). Collectors pass `task_id`, the task they act on.
    `new_id` makes the ids of new tasks (default: time-ordered version-7 UUIDs; the demo passes a seeded factory).
    """
    when, shas = _moment(at), _photo_list(photos)
    if task_id is not None and "task_id" in PARAMS.get(action, ()):  # the task the action is about
        params["task_id"] = task_id
    with db.transaction(conn):
        case = case_row(conn, case_no)
        changes = decide(case, action, actor, when, context(conn, case, action, params, new_id=new_id),
                         tasks=tasklib.for_case(conn, case_no), params=params, note=note, photos=shas,
                         task_id=task_id)
        fid = apply(conn, changes)
    return {"fid": fid, **changes.event}


def reassign(conn: sqlite3.Connection, task_id: str, to_username: str, actor: accounts.Actor, *,
             at=None, note: str | None = None) -> dict:
    """Move an open 核实/核查 task to another active collector, logged on the case, status unchanged
    (the old device drops the task on its next pull); -> {"fid", "from", "to", "kind"}."""
    if actor.role not in roles_for("reassign_task"):  # refused before anything is looked up
        raise Problem("case.forbidden_role", action="reassign_task", role=actor.role)
    with db.transaction(conn):
        task = tasklib.reassignable(tasklib.one(conn, task_id), task_id)
        event = act(conn, task["case_no"], "reassign_task", actor, at=at, note=note, task_id=task_id,
                    assignee=to_username)
    return {"fid": event["fid"], **json.loads(event["data"])}


def keep_field_result(conn: sqlite3.Connection, task_id: str, actor: accounts.Actor, *, at, kind: str,
                      outcome: str, uuid: str, conflict: str, location: Mapping | None = None,
                      note: str | None = None, photos: Iterable[str] = ()) -> dict:
    """Keep a collector's 核实/核查 (`kind` verify/check) result that no longer fits its case on the
    case's history as a `field_result` event with its photos, status unchanged (`conflict`: the code
    that stopped it, e.g. the task was reassigned or the case voided); -> the event written (with its fid)."""
    with db.transaction(conn):
        task = tasklib.one(conn, task_id)
        if task is None:
            raise Problem("task.not_found", task=str(task_id), kind=str(kind))
        return act(conn, task["case_no"], "field_result", actor, at=at, note=note, photos=photos,
                   task_id=task_id, uuid=uuid, type=kind, outcome=outcome, conflict=conflict, location=location)


def _check_source(actor: accounts.Actor, source: str) -> None:
    if source not in schema_v1.SOURCES:
        raise Problem("case.bad_param", param="source", reason="unknown source", value=str(source))
    if source not in REPORT_SOURCES.get(actor.role, ()):
        raise Problem("case.forbidden_role", action="report", role=actor.role, source=source)


def _component_xy(conn: sqlite3.Connection, kind: str, class_code: str, objid) -> tuple | None:
    """Check a reported ObjID (shape, kind, class, existence); -> the component's (x, y) or None."""
    parsed = codes.parse_objid(objid, db.meta(conn, "code_scheme", codes.DEFAULT_SCHEME))
    if kind != "component":
        raise Problem("case.bad_param", param="ObjID", reason="only component cases name a component")
    if parsed.class_code != class_code:
        raise Problem("case.component_class_mismatch", ObjID=objid, class_code=class_code,
                      component_class=parsed.class_code)
    row = conn.execute("SELECT geom FROM components WHERE ObjID = ?", (objid,)).fetchone()
    if row is None:
        raise Problem("case.unknown_component", ObjID=objid)
    shape, coords, _srs = gpkg.decode(row[0]) if row[0] else (None, None, None)
    return tuple(coords) if shape == "POINT" else None


def _floats(x, y) -> tuple[float, float]:
    xy = geocode.finite_xy(x, y)
    if xy is None:
        raise Problem("case.bad_param", param="location", reason="x and y must be numbers",
                      value=f"{x}, {y}")
    return xy


def _position(transform: crs.CentreTransform, lon, lat, x, y, fallback: tuple | None) -> tuple[float, float]:
    """The point in the centre CRS: from lon/lat, from x/y, or the component's own position."""
    geographic, projected = (lon, lat) != (None, None), (x, y) != (None, None)
    if geographic and projected:
        raise Problem("case.bad_param", param="location", reason="give lon/lat or x/y, not both")
    if geographic:
        return transform.forward(lon, lat)
    if projected:
        return _floats(x, y)
    if fallback is None:
        raise Problem("case.bad_param", param="location", reason="required")
    return fallback


def report(conn: sqlite3.Connection, actor: accounts.Actor, *, kind: str, class_code: str,
           lon: float | None = None, lat: float | None = None, x: float | None = None,
           y: float | None = None, description: str = "", source: str = "collector", at=None,
           ObjID: str | None = None, photos: Iterable[str] = (), reporter: str | None = None,
           address: str | None = None, flag_duplicates: bool = False) -> str:
    """Open a case in `reported` (its `report` event and photos with it); returns the case number.

    `flag_duplicates`: flag the case `possible_duplicate:<case_no>` when `possible_duplicate` finds one."""
    when, shas = _moment(at), _photo_list(photos)
    _check_source(actor, source)
    with db.transaction(conn):
        dictionaries.active_class(conn, kind, class_code)  # retired classes: history only
        transform = crs.centre_transform(conn)
        srs_id = transform.srs_id
        fallback = _component_xy(conn, kind, class_code, ObjID) if ObjID is not None else None
        px, py = _position(transform, lon, lat, x, y, fallback)
        grid = geocode.grid_for(conn, px, py)
        ctx = Context(calendar(conn), deadlines.step_limits(conn))
        near = possible_duplicate(conn, kind, class_code, px, py) if flag_duplicates else None
        changes = report_changes(geocode.next_case_no(conn, when), actor, when, ctx, kind=kind,
                                 class_code=class_code, grid=grid, geom=gpkg.point(px, py, srs_id),
                                 source=source, ObjID=ObjID, description=description or "",
                                 address=address, reporter=reporter, photos=shas,
                                 flags=None if near is None else f"{DUPLICATE_FLAG}{near}")
        apply(conn, changes)
    return changes.case_no


def possible_duplicate(conn: sqlite3.Connection, kind: str, class_code: str, x: float, y: float) -> str | None:
    """An open case of the same class within `duplicate_radius_m` of (x, y) in the centre CRS, if any."""
    radius = float(db.meta(conn, "duplicate_radius_m", "30") or 30)
    sql = ("SELECT c.case_no, c.geom FROM rtree_cases_geom r JOIN cases c ON c.fid = r.id "
           "WHERE r.minx >= ? AND r.maxx <= ? AND r.miny >= ? AND r.maxy <= ? "
           "AND c.kind = ? AND c.class_code = ? AND c.status NOT IN ('closed', 'voided', 'rejected') "
           "ORDER BY c.case_no")
    for near, geom in conn.execute(sql, (x - radius, x + radius, y - radius, y + radius, kind, class_code)):
        ox, oy = gpkg.decode(geom)[1]
        if crs.distance_m(x, y, ox, oy) <= radius:
            return near
    return None
