# SPDX-License-Identifier: GPL-2.0-or-later
"""Reassigning a collector's open task to another collector (the old device drops it on its next pull)."""

from __future__ import annotations

import json
import sqlite3

from .. import times
from ..problems import Problem
from ..store import db
from . import accounts

REASSIGNERS = ("operator", "supervisor")


def reassign(conn: sqlite3.Connection, task_id: str, to_username: str, actor: accounts.Actor, *,
             at=None, note: str | None = None) -> dict:
    """Move an open 核实/核查 task to another active collector; logged on the case, status unchanged."""
    if actor.role not in REASSIGNERS:
        raise Problem("case.forbidden_role", action="reassign_task", role=actor.role)
    when = at or times.now()
    with db.transaction(conn):
        task = conn.execute("SELECT * FROM tasks WHERE id = ?", (task_id,)).fetchone()
        if task is None:
            raise Problem("task.not_found", task=task_id, kind="collector")
        if task["status"] != "open" or task["kind"] not in ("verify", "check"):
            raise Problem("task.not_open", task=task_id, status=task["status"])
        target = accounts.actor(conn, to_username)
        if target.role != "collector":
            raise Problem("task.bad_assignee", username=to_username, role=target.role)
        if target.username == task["assignee"]:
            raise Problem("task.same_assignee", username=to_username)
        conn.execute("UPDATE tasks SET assignee = ? WHERE id = ?", (target.username, task_id))
        status = conn.execute("SELECT status FROM cases WHERE case_no = ?", (task["case_no"],)).fetchone()[0]
        data = {"from": task["assignee"], "to": target.username, "kind": task["kind"]}
        fid = conn.execute(
            "INSERT INTO case_events (case_no, action, actor, role, from_status, to_status, at, task_id, note, data) "
            "VALUES (?, 'reassign_task', ?, ?, ?, ?, ?, ?, ?, ?)",
            (task["case_no"], actor.username, actor.role, status, status, times.to_db(when), task_id, note,
             json.dumps(data))).lastrowid
    return {"fid": fid, **data}
