# SPDX-License-Identifier: GPL-2.0-or-later
"""Outcomes: what became of the items a collector sent (pull item type `outcome`, id = the item's uuid).

An outcome is offered to every device of the account that sent the item, and to no other; it changes
when the shift review decides the item and when the item's case reaches a milestone (registered,
rejected, closed, voided, sent back for rework): `store.schema_v6` logs both in `sync_changes`.
Only outcomes whose last decision or milestone is at most `OUTCOME_DAYS` old are offered, so a new
device does not receive years of history.

The decision is the review's (`close`, `rework`, `merge`, `discard`) unless a later milestone of the
case overtook it (a reworked case closed later is `close`); with no review decision it is read from
the milestone (`close`, `rework`), else null and `case_status` says the rest (registered, rejected, …).
"""

from __future__ import annotations

import sqlite3
from datetime import timedelta

from .. import times
from ..loop import workflow
from ..store.schema_v6 import OUTCOME_ACTIONS
from .review_decisions import DECISIONS

OUTCOME_DAYS = 30  # outcomes older than this are not offered to a device
_ACTIONS = "(" + ", ".join(f"'{a}'" for a in OUTCOME_ACTIONS) + ")"
_FROM_EVENT = {"close": "close", "rework": "rework"}
# from the sender's own items (index on username), never a scan of the city's change log
CHANGED_SQL = ("SELECT sc.rev, si.* FROM sync_items si JOIN sync_changes sc ON sc.entity = 'outcome' "
               "AND sc.entity_id = si.uuid WHERE si.username = :user AND sc.rev > :after "
               "AND (si.resolved_at >= :cut OR EXISTS (SELECT 1 FROM case_events e WHERE e.case_no = si.case_no "
               f"AND e.action IN {_ACTIONS} AND e.at >= max(:cut, si.received_at))) ORDER BY sc.rev LIMIT :limit")


def cutoff(now=None) -> str:
    return times.to_db((now or times.now()) - timedelta(days=OUTCOME_DAYS))


def changed(conn: sqlite3.Connection, username: str, after: int, limit: int) -> list[sqlite3.Row]:
    """This account's sent items whose outcome changed after revision `after` (oldest first, at
    most `limit`), decided, or whose case reached a milestone after the item came, within the last
    `OUTCOME_DAYS` (a case registered before a check was sent is no news of that check)."""
    return conn.execute(CHANGED_SQL, {"user": username, "after": after, "cut": cutoff(), "limit": limit}).fetchall()


def outcome_data(conn: sqlite3.Connection, item) -> dict:
    """The wire data of one sent item's outcome (`item`: its sync_items row)."""
    case = _case(conn, item["case_no"])
    event = _last_milestone(conn, item["case_no"])
    decision, note = split_resolution(item["resolution"])
    if _reviewed_last(item, event):
        by_role, at = _role(conn, item["resolved_by"]), item["resolved_at"]
    elif event is not None:
        decision, note = _FROM_EVENT.get(event["action"]), event["note"]
        by_role, at = event["role"], event["at"]
    else:
        by_role = at = None
    flags = (case["flags"] or "") if case else ""
    merged = flags[len(workflow.DUPLICATE_FLAG):] if decision == "merge" and flags.startswith(
        workflow.DUPLICATE_FLAG) else None
    return {"uuid": item["uuid"], "item_type": item["type"], "case_no": item["case_no"],
            "case_status": case["status"] if case else None, "decision": decision, "note": note,
            "decided_by_role": by_role, "decided_at": at, "merged_into": merged or None}


def _reviewed_last(item, event) -> bool:
    """The review decided after the case's last milestone (the milestone a decision itself takes is
    written in the same millisecond by the same person)."""
    if item["resolved_at"] is None:
        return False
    if event is None or event["at"] < item["resolved_at"]:
        return True
    return event["at"] == item["resolved_at"] and event["actor"] == item["resolved_by"]


def split_resolution(text: str | None) -> tuple[str | None, str | None]:
    """`"rework: 未清理干净"` -> ("rework", "未清理干净"); what `review_decisions` wrote, else (None, None)."""
    if not text:
        return None, None
    head, _sep, rest = text.partition(":")
    if head not in DECISIONS:
        return None, None
    return head, rest.strip() or None


def _case(conn, case_no: str | None):
    if not case_no:
        return None
    return conn.execute("SELECT status, flags FROM cases WHERE case_no = ?", (case_no,)).fetchone()


def _last_milestone(conn, case_no: str | None):
    if not case_no:
        return None
    return conn.execute(f"SELECT action, actor, role, at, note FROM case_events WHERE case_no = ? AND action IN {_ACTIONS} "
                        "ORDER BY fid DESC LIMIT 1", (case_no,)).fetchone()


def _role(conn, username: str | None) -> str | None:
    row = conn.execute("SELECT role FROM users WHERE username = ?", (username,)).fetchone() if username else None
    return row[0] if row else None
