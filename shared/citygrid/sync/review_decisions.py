# SPDX-License-Identifier: GPL-2.0-or-later
"""The supervisors' decisions on a reviewed item, each through `workflow.act` and in one transaction.

close (a passed check: the case closes), rework (返工: back to the same unit), merge (a duplicate report:
its case is voided, the surviving case records `merge_duplicate` naming it and takes its photos),
discard (the item is set aside with a reason, its case untouched: voiding a case is the leader's
作废, taken on the case itself). Every decision marks the item resolved (who, when, why) in the same
transaction as the case's events; deciding an item twice is `review.already_decided`. Who may take
which action is the transition table's: a supervisor may discard, the leader may close, rework and merge.
"""

from __future__ import annotations

import sqlite3

from .. import times
from ..loop import workflow
from ..loop.accounts import Actor
from ..problems import Problem
from ..store import db
from . import batches, protocol

DECISIONS = ("close", "rework", "merge", "discard")


def decide(conn: sqlite3.Connection, actor: Actor, uuid: str, decision: str, *, note: str | None = None,
           username: str | None = None) -> dict:
    """Take `decision` on the item `uuid` (of `username` when two accounts sent that uuid); -> what was done."""
    batches._require(actor)
    if decision not in DECISIONS:
        raise Problem("review.unknown_decision", decision=times.shown(decision, 32))
    with db.transaction(conn):
        item = _item(conn, uuid, username)
        done = _DO[decision](conn, actor, item, _clean(note))
        _resolve(conn, actor, item, decision, note)
    return {"uuid": item["uuid"], "decision": decision, **done}


def close_passed(conn: sqlite3.Connection, actor: Actor, uuids: list[str], *, note: str | None = None) -> dict:
    """Close the cases of these passed checks, all or nothing in one transaction; -> {"closed": n}."""
    batches._require(actor)
    if not isinstance(uuids, list | tuple) or not uuids:
        raise Problem("review.nothing_to_close")
    with db.transaction(conn):
        for uuid in dict.fromkeys(uuids):
            item = _item(conn, uuid, None)
            _close(conn, actor, item, _clean(note))
            _resolve(conn, actor, item, "close", note)
    return {"closed": len(dict.fromkeys(uuids))}


def _clean(note) -> str | None:
    return note.strip()[:2000] or None if isinstance(note, str) else None


def _item(conn, uuid: str, username: str | None) -> dict:
    canon = protocol.canonical_uuid(uuid)
    rows = conn.execute("SELECT fid, uuid, username, type, status, code, case_no, photos, payload, resolved_at, "
                        "resolution FROM sync_items WHERE uuid = ? AND (? IS NULL OR username = ?) ORDER BY username",
                        (canon, username, username)).fetchall() if canon else []
    if not rows:
        raise Problem("item.not_found", uuid=times.shown(uuid))
    if len(rows) > 1:
        raise Problem("item.ambiguous", uuid=canon, usernames=[r["username"] for r in rows])
    item = dict(rows[0])
    if item["resolved_at"]:
        raise Problem("review.already_decided", uuid=canon, resolution=item["resolution"] or "")
    return item


def _resolve(conn, actor: Actor, item: dict, decision: str, note) -> None:
    text = f"{decision}: {note.strip()}" if isinstance(note, str) and note.strip() else decision
    conn.execute("UPDATE sync_items SET resolved_by = ?, resolved_at = ?, resolution = ? WHERE fid = ?",
                 (actor.username, times.to_db(times.now()), text[:1000], item["fid"]))


def _case(item: dict) -> str:
    if not item["case_no"]:
        raise Problem("review.no_case", uuid=item["uuid"])
    return item["case_no"]


def _close(conn, actor: Actor, item: dict, note: str | None) -> dict:
    """A passed check's case closes (the workflow refuses any other state or role)."""
    payload = batches._loads(item["payload"], {})
    if item["type"] != "check" or not isinstance(payload, dict) or payload.get("outcome") != "pass":
        raise Problem("review.not_a_passed_check", uuid=item["uuid"])
    event = workflow.act(conn, _case(item), "close", actor, note=note)
    return {"case_no": event["case_no"], "status": event["to_status"]}


def _rework(conn, actor: Actor, item: dict, note: str | None) -> dict:
    event = workflow.act(conn, _case(item), "rework", actor, note=note)
    return {"case_no": event["case_no"], "status": event["to_status"]}


def _merge(conn, actor: Actor, item: dict, note: str | None) -> dict:
    """The report's case is voided into the case it repeats, which takes its photos."""
    duplicate = _case(item)
    survivor = _duplicate_of(conn, duplicate)
    photos = [r[0] for r in conn.execute("SELECT sha256 FROM case_photos WHERE case_no = ? ORDER BY fid",
                                         (duplicate,))]
    why = f"merged into {survivor}" + (f": {note}" if note else "")
    workflow.act(conn, duplicate, "void", actor, note=why)
    workflow.act(conn, survivor, "merge_duplicate", actor, note=note, photos=photos, duplicate=duplicate)
    return {"case_no": survivor, "voided": duplicate, "photos": photos}


def _duplicate_of(conn, case_no: str) -> str:
    flags = workflow.case_row(conn, case_no)["flags"] or ""
    if not flags.startswith(workflow.DUPLICATE_FLAG) or not flags[len(workflow.DUPLICATE_FLAG):]:
        raise Problem("review.not_a_duplicate", case=case_no)
    return flags[len(workflow.DUPLICATE_FLAG):]


def _discard(conn, actor: Actor, item: dict, note: str | None) -> dict:
    if not note:
        raise Problem("review.reason_required", uuid=item["uuid"])
    return {"case_no": item["case_no"], "reason": note}


_DO = {"close": _close, "rework": _rework, "merge": _merge, "discard": _discard}


def resolution(conn: sqlite3.Connection, uuid: str) -> dict | None:
    """Who decided an item, when and how (None when it is undecided or unknown)."""
    row = conn.execute("SELECT resolved_by, resolved_at, resolution FROM sync_items WHERE uuid = ? "
                       "AND resolved_at IS NOT NULL", (protocol.canonical_uuid(uuid),)).fetchone()
    return dict(row) if row else None
