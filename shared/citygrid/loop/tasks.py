# SPDX-License-Identifier: GPL-2.0-or-later
"""Work items of the case loop (verify, dispose, check): pure row builders and the few queries.

A task row is a dict whose keys are the `tasks` columns (except `fid`), so the step-by-step workflow
and a bulk writer insert exactly the same rows.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from .. import times
from ..problems import Problem

KINDS = ("verify", "check", "dispose")
REASSIGNABLE = ("verify", "check")  # a unit's disposal moves by return and dispatch instead
COLUMNS = ("id", "kind", "case_no", "assignee", "unit_code", "status", "created_at", "due_at",
           "done_at", "outcome", "created_by")


def new(task_id: str, kind: str, case_no: str, *, at: datetime | str, due: datetime | str | None, by: str,
        assignee: str | None = None, unit_code: str | None = None) -> dict:
    """A new open task row: a collector's verify/check task or a unit's dispose task.

    Times are aware datetimes or already the stored text (`times.to_db`), here and below (the text is
    taken as it is: the demo's planner makes millions of these rows).
    """
    return {"id": task_id, "kind": kind, "case_no": case_no, "assignee": assignee, "unit_code": unit_code,
            "status": "open", "created_at": at if at.__class__ is str else times.to_db(at),
            "due_at": due if due.__class__ is str else times.to_db(due), "done_at": None,
            "outcome": None, "created_by": by}


def finish(task: Mapping, at: datetime | str, outcome: str) -> tuple[str, dict]:
    """(task id, columns to set) marking an open task done with an outcome."""
    return task["id"], {"status": "done", "done_at": at if at.__class__ is str else times.to_db(at),
                        "outcome": outcome}


def cancel(task: Mapping, at: datetime | str, why: str) -> tuple[str, dict]:
    """(task id, columns to set) cancelling an open task; the outcome names the action that did it."""
    return task["id"], {"status": "cancelled", "done_at": at if at.__class__ is str else times.to_db(at),
                        "outcome": why}


def open_ones(tasks: Iterable[Mapping], kind: str | None = None) -> list[Mapping]:
    """The open tasks, optionally of one kind, in creation order."""
    return [t for t in tasks if t["status"] == "open" and (kind is None or t["kind"] == kind)]


def held(tasks: Sequence[Mapping], task_id: str | None, kind: str, username: str) -> Mapping:
    """The open `kind` task `task_id` of this case held by `username`, else a task.* Problem."""
    if not task_id:
        raise Problem("case.bad_param", param="task_id", reason="required")
    found = next((t for t in tasks if t["id"] == task_id and t["kind"] == kind), None)
    if found is None:
        raise Problem("task.not_found", task=task_id, kind=kind)
    if found["assignee"] != username:
        raise Problem("task.not_yours", task=task_id, assignee=found["assignee"], actor=username)
    if found["status"] != "open":
        raise Problem("task.not_open", task=task_id, status=found["status"])
    return found


def reassignable(task: Mapping | None, task_id: str | None) -> Mapping:
    """`task` when another collector may take it over (an open 核实/核查 task), else task.not_found /
    task.not_open (`task_id`: what the caller asked for; None asked for the case's open one)."""
    if task is None:
        raise Problem("task.not_found", task="open" if task_id is None else str(task_id), kind="collector")
    if task["status"] != "open" or task["kind"] not in REASSIGNABLE:
        raise Problem("task.not_open", task=task["id"], status=task["status"])
    return task


def _select(conn: sqlite3.Connection, where: str, args: tuple) -> list[dict]:
    cur = conn.execute(f"SELECT {', '.join(COLUMNS)} FROM tasks WHERE {where}", args)
    return [dict(zip(COLUMNS, r, strict=True)) for r in cur]


def one(conn: sqlite3.Connection, task_id: str) -> dict | None:
    """The task row with this id, if there is one."""
    found = _select(conn, "id = ?", (task_id,))
    return found[0] if found else None


def for_case(conn: sqlite3.Connection, case_no: str) -> list[dict]:
    """Every task of a case as row dicts, oldest first."""
    return _select(conn, "case_no = ? ORDER BY fid", (case_no,))


def open_for_collector(conn: sqlite3.Connection, username: str) -> list[dict]:
    """A collector's open verify and check tasks, the earliest due first."""
    return _select(conn, "assignee = ? AND status = 'open' ORDER BY due_at IS NULL, due_at, fid", (username,))


def open_for_unit(conn: sqlite3.Connection, unit_code: str) -> list[dict]:
    """A unit's open dispose tasks, the earliest due first."""
    return _select(conn, "unit_code = ? AND status = 'open' ORDER BY due_at IS NULL, due_at, fid", (unit_code,))
