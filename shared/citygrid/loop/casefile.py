# SPDX-License-Identifier: GPL-2.0-or-later
"""One case as a desk reads it: names for its codes, its photos, whom an action may name, and what an
action would set (its deadline) before anyone confirms it.

Reads only: every write still goes through `workflow.act`. A preview is the same decision `act` takes
(`transitions.decide` with `workflow.context`), so what it shows is what then lands.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

from .. import times
from ..problems import Problem
from . import accounts, deadlines, dictionaries, transitions, workflow
from . import tasks as tasklib

__all__ = ["collector_choices", "dry_run", "light", "names", "photos", "preview_deadline", "preview_register",
           "unit_choices"]

DUPLICATE_FLAG = workflow.DUPLICATE_FLAG


def names(conn: sqlite3.Connection, case: dict) -> dict:
    """Names for a case's codes: class, grid, unit, condition (text and limit), and the case it may repeat."""
    out = {"class_name": None, "grid_name": None, "unit_name": None, "condition": None, "duplicate_of": None}
    try:
        entry = dictionaries.class_entry(conn, case["kind"], case["class_code"])
        out["class_name"] = f"{entry.major_name} / {entry.minor_name}"
    except Problem:
        pass  # a class the code table no longer has: the desk shows the code
    out["grid_name"] = _one(conn, "SELECT name FROM grids WHERE code = ?", case["grid_code"])
    out["unit_name"] = _one(conn, "SELECT name FROM units WHERE code = ?", case["unit_code"])
    if case["condition_id"] is not None:
        found = [c for c in dictionaries.conditions_for(conn, case["kind"], case["class_code"])
                 if c.condition_id == case["condition_id"]]
        out["condition"] = found[0] if found else None
    flags = case.get("flags") or ""
    if flags.startswith(DUPLICATE_FLAG):
        out["duplicate_of"] = flags[len(DUPLICATE_FLAG):] or None
    return out


def _one(conn: sqlite3.Connection, sql: str, arg):
    if arg is None:
        return None
    row = conn.execute(sql, (arg,)).fetchone()
    return row[0] if row else None


def light(conn: sqlite3.Connection, case_no: str, now: datetime | None = None) -> str | None:
    """The traffic light of the case's current step ('green', 'yellow', 'red'; None: untimed or closed)."""
    now = now or times.now()
    found = deadlines.lights_for_cases(conn, now, workflow.calendar(conn), [case_no])
    return found.get(case_no)


def photos(conn: sqlite3.Connection, case_no: str) -> list[dict]:
    """The case's photos in the order they came: sha256, and the event that brought each (action, at)."""
    rows = conn.execute(
        "SELECT p.sha256, p.event_fid, e.action, e.at FROM case_photos p "
        "LEFT JOIN case_events e ON e.fid = p.event_fid WHERE p.case_no = ? ORDER BY p.event_fid, p.fid",
        (case_no,))
    return [{"sha256": r[0], "event_fid": r[1], "action": r[2], "at": r[3]} for r in rows]


def collector_choices(conn: sqlite3.Connection, grid_code: str | None) -> list[str]:
    """Whom a 核实/核查 may go to: the grid's active collectors first (the default first), then every
    other active collector (an operator may choose one from elsewhere; `act` accepts them)."""
    own = accounts.collectors_for_grid(conn, grid_code) if grid_code else []
    rest = [r[0] for r in conn.execute(
        "SELECT username FROM users WHERE role = 'collector' AND active = 1 ORDER BY username")]
    return own + [u for u in rest if u not in own]


def unit_choices(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    """(code, name) of the units a case may be dispatched to (the active ones), by code."""
    return [(r[0], r[1]) for r in conn.execute("SELECT code, name FROM units WHERE active = 1 ORDER BY code")]


def dry_run(conn: sqlite3.Connection, case_no: str, action: str, actor: accounts.Actor, *, at=None,
            note: str | None = None, **params) -> dict:
    """The `cases` columns `workflow.act` would set now (`at`), written nowhere; its Problem otherwise."""
    when = times.now() if at is None else at
    case = workflow.case_row(conn, case_no)  # reads only: no write lock for a preview
    ctx = workflow.context(conn, case, action, params)
    changes = transitions.decide(case, action, actor, when, ctx, tasks=tasklib.for_case(conn, case_no),
                                 params=params, note=note)
    return dict(changes.case)


def preview_deadline(conn: sqlite3.Connection, case_no: str, condition_id: int | None = None,
                     at: datetime | None = None) -> datetime:
    """The disposal deadline a dispatch at `at` sets under `condition_id` (default: the case's own
    condition), exactly as dispatch computes it on the centre's calendar."""
    case = workflow.case_row(conn, case_no)
    wanted = case["condition_id"] if condition_id is None else condition_id
    found = {c.condition_id: c for c in dictionaries.conditions_for(conn, case["kind"], case["class_code"])}
    if wanted not in found:
        raise Problem("case.unknown_condition", case=case_no, class_code=case["class_code"],
                      condition_id=str(wanted))
    cond, start = found[wanted], times.to_us(times.now() if at is None else at)
    return times.from_db(times.text_us(workflow.calendar(conn).add_us(start, cond.limit, cond.unit)))


def preview_register(conn: sqlite3.Connection, case_no: str, condition_id: int, actor: accounts.Actor,
                     at: datetime | None = None) -> dict:
    """What registering under `condition_id` at `at` means, before it is confirmed: the condition, when
    the case must be dispatched (`step_due`, None when untimed) and its disposal `deadline` were it
    dispatched at that moment; the register decision's Problem (role, status, condition) otherwise."""
    at = times.now() if at is None else at
    cols = dry_run(conn, case_no, "register", actor, at=at, condition_id=condition_id)
    case = workflow.case_row(conn, case_no)
    cond = dictionaries.condition(conn, case["kind"], case["class_code"], int(cols["condition_id"]))
    return {"condition": cond, "step_due": times.from_db(cols.get("step_due_at")),
            "deadline": preview_deadline(conn, case_no, cond.condition_id, at)}


def preview_rework(conn: sqlite3.Connection, case_no: str, actor: accounts.Actor, at: datetime | None = None) -> dict:
    """Where a leader's 返工 at `at` sends the case, before the reason is typed: the `cases` columns it
    sets (the same `unit_code`, the new `deadline_at`, `rework_count`); its Problem (role, status, no
    unit or condition) otherwise. The reason the action requires is checked when it is taken."""
    return dry_run(conn, case_no, "rework", actor, at=at, note=_PREVIEW_REASON)


_PREVIEW_REASON = "(preview)"  # stands in for the reason the leader has not typed yet
