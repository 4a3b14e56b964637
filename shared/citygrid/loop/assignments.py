# SPDX-License-Identifier: GPL-2.0-or-later
"""Who patrols which grids: the collectors' load, and moving grids between collectors.

Who may move grids: the supervisor (督查, who oversees the collectors' field work), the shift leader
(值班长, who runs the centre's shift) and the admin (who manages accounts). Operators, dispatchers,
GIS technicians, collectors and units may not: a collector's grids decide who receives the 核实 and
核查 tasks, so moving them is a decision about people, not about the map or the case flow.

Grids are in a collector's scope on the sync service (their device pulls their grids and the
components in them): a move records those grids and components in the sync change log, so the next
pull of the receiving collector brings them even when they changed long before its cursor.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

from .. import codes
from ..problems import Problem
from ..store import db
from . import accounts

MANAGERS = ("supervisor", "leader", "admin")
_LOAD = ("SELECT u.username, u.display_name, u.active, "
         "(SELECT count(*) FROM collector_grids g WHERE g.username = u.username), "
         "(SELECT count(*) FROM tasks t WHERE t.assignee = u.username AND t.status = 'open') "
         "FROM users u WHERE u.role = 'collector' ORDER BY u.active DESC, u.username")


@dataclass(frozen=True)
class Load:
    """One collector's share: how many grids they patrol and how many tasks they have open."""

    username: str
    display_name: str
    active: bool
    grids: int
    open_tasks: int


def may_assign(actor: accounts.Actor | None) -> bool:
    """Whether this account may move grids between collectors."""
    return actor is not None and actor.role in MANAGERS


def check_manager(actor: accounts.Actor | None) -> None:
    """Problem assignment.forbidden_role unless the account may move grids."""
    if not may_assign(actor):
        raise Problem("assignment.forbidden_role", role=getattr(actor, "role", None) or "-",
                      allowed=", ".join(MANAGERS))


def collectors(conn: sqlite3.Connection) -> list[Load]:
    """Every collector with their grid and open-task counts, the active ones first, by user name."""
    return [Load(name, shown or name, bool(active), grids, open_tasks)
            for name, shown, active, grids, open_tasks in conn.execute(_LOAD)]


def holders(conn: sqlite3.Connection, grid_codes: Iterable[str], *, besides: str | None = None) -> dict[str, list[str]]:
    """The collectors (other than `besides`) who hold any of these grids: {username: [grid codes]}."""
    wanted = _codes(grid_codes)
    found: dict[str, list[str]] = {}
    for i in range(0, len(wanted), 500):
        chunk = wanted[i:i + 500]
        rows = conn.execute(f"SELECT username, grid_code FROM collector_grids WHERE grid_code IN "
                            f"({','.join('?' * len(chunk))}) ORDER BY username, grid_code", chunk)
        for username, code in rows:
            if username != besides:
                found.setdefault(username, []).append(code)
    return found


def move_grids(conn: sqlite3.Connection, actor: accounts.Actor | None, username: str,
               grid_codes: Iterable[str]) -> tuple[str, ...]:
    """Give these grids to `username`, taking them from any other collector who holds them, in one
    transaction; returns the receiver's grids. The grids and their components are logged for sync."""
    check_manager(actor)
    wanted = _codes(grid_codes)
    if not wanted:
        raise Problem("assignment.no_grids")
    receiver = accounts.user(conn, username)
    if receiver.role == "collector" and not receiver.active:
        raise Problem("assignment.inactive_collector", username=username)
    with db.transaction(conn):
        for other, taken in holders(conn, wanted, besides=username).items():
            accounts.change_grids(conn, other, remove=taken)
        now = accounts.change_grids(conn, username, add=wanted)
        _log_for_sync(conn, wanted)
    return now


def _codes(grid_codes: Iterable[str]) -> list[str]:
    if isinstance(grid_codes, str):
        grid_codes = [grid_codes]
    return list(dict.fromkeys(codes.normalize_grid_code(g) for g in grid_codes))


def _log_for_sync(conn: sqlite3.Connection, grid_codes: list[str]) -> None:
    """Move the grids and the components in them to the head of sync_changes (as the triggers do)."""
    for i in range(0, len(grid_codes), 500):
        chunk = grid_codes[i:i + 500]
        marks = ",".join("?" * len(chunk))
        objids = [r[0] for r in conn.execute(f"SELECT ObjID FROM components WHERE BGID IN ({marks})", chunk)]
        for entity, keys in (("grid", chunk), ("component", objids)):
            conn.executemany("DELETE FROM sync_changes WHERE entity = ? AND entity_id = ?", [(entity, k) for k in keys])
            conn.executemany("INSERT INTO sync_changes (entity, entity_id, deleted) VALUES (?, ?, 0)",
                             [(entity, k) for k in keys])
