# SPDX-License-Identifier: GPL-2.0-or-later
"""Shift-end review: what each device push brought back, and the flagged items to look at."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime

from .. import times
from ..loop.accounts import Actor
from ..problems import Problem
from ..store import db
from . import protocol

REVIEWERS = ("supervisor", "admin", "leader")
BATCH_COLS = ("batch_id", "device_id", "username", "received_at", "last_push_at", "pushes", "items", "accepted",
              "duplicate", "conflict", "rejected", "photos_missing", "reviewed_by", "reviewed_at")


def _require(actor: Actor) -> None:
    if actor.role not in REVIEWERS:
        raise Problem("auth.forbidden", role=actor.role)


def list_batches(conn: sqlite3.Connection, actor: Actor, *, since: datetime | None = None,
                 until: datetime | None = None, username: str | None = None, unreviewed: bool = False,
                 limit: int = 100, offset: int = 0) -> list[dict]:
    """Batches newest first, each with its counts and how many items await review."""
    _require(actor)
    where, args = ["1 = 1"], []
    if since:
        where.append("b.received_at >= ?")
        args.append(times.to_db(since))
    if until:
        where.append("b.received_at < ?")
        args.append(times.to_db(until))
    if username:
        where.append("b.username = ?")
        args.append(username)
    if unreviewed:
        where.append("b.reviewed_at IS NULL")
    cols = ", ".join(f"b.{c}" for c in BATCH_COLS)
    sql = (f"SELECT {cols}, (SELECT count(*) FROM sync_items i WHERE i.batch_id = b.batch_id "
           f"AND i.username = b.username AND i.flagged = 1 "
           f"AND i.resolved_at IS NULL) AS to_review FROM sync_batches b WHERE {' AND '.join(where)} "
           f"ORDER BY b.received_at DESC, b.fid DESC LIMIT ? OFFSET ?")
    return [dict(r) for r in conn.execute(sql, (*args, max(1, min(limit, 1000)), max(0, offset)))]


def batch_detail(conn: sqlite3.Connection, actor: Actor, batch_id: str) -> dict:
    """One batch with every item: stored items with their outcome, and items still waiting for photos."""
    _require(actor)
    row = conn.execute(f"SELECT {', '.join(BATCH_COLS)} FROM sync_batches WHERE batch_id = ?", (batch_id,)).fetchone()
    if row is None:
        raise Problem("batch.not_found", batch_id=batch_id)
    items = [_item(r) for r in conn.execute(
        "SELECT uuid, type, created_at, received_at, payload, photos, status, code, case_no, flagged, resolved_by, "
        "resolved_at, resolution FROM sync_items WHERE batch_id = ? AND username = ? ORDER BY fid",
        (batch_id, row["username"]))]
    # uuids are per account: the item, and the latest receipt for it, are this batch owner's own
    waiting = [{"uuid": r["uuid"], "status": "photos_missing", "missing": _loads(r["missing"], [])}
               for r in conn.execute(
                   "SELECT r.uuid, r.missing FROM sync_receipts r "
                   "LEFT JOIN sync_items i ON i.uuid = r.uuid AND i.username = ? "
                   "WHERE r.batch_id = ? AND r.status = 'photos_missing' AND i.uuid IS NULL "
                   "AND r.fid = (SELECT max(x.fid) FROM sync_receipts x JOIN sync_batches xb "
                   "ON xb.batch_id = x.batch_id WHERE x.uuid = r.uuid AND xb.username = ?)",
                   (row["username"], batch_id, row["username"]))]
    return {**dict(row), "items": items, "waiting_for_photos": waiting}


def _item(r: sqlite3.Row) -> dict:
    out = dict(r)
    out["payload"] = _loads(out["payload"], out["payload"])
    out["photos"] = _loads(out["photos"], [])
    out["flagged"] = bool(out["flagged"])
    return out


def _loads(text: str | None, fallback):
    """Stored JSON; rows written before payloads were kept valid (cut at 100 000 characters) come back as text."""
    try:
        return json.loads(text) if text else fallback
    except ValueError:
        return fallback


def mark_reviewed(conn: sqlite3.Connection, actor: Actor, batch_id: str) -> None:
    """The supervisor has looked at this batch (flagged items are resolved one by one)."""
    _require(actor)
    with db.transaction(conn):
        done = conn.execute("UPDATE sync_batches SET reviewed_by = ?, reviewed_at = ? WHERE batch_id = ?",
                            (actor.username, times.to_db(times.now()), batch_id)).rowcount
        if not done:
            raise Problem("batch.not_found", batch_id=batch_id)


def resolve_item(conn: sqlite3.Connection, actor: Actor, uuid: str, resolution: str,
                 username: str | None = None) -> None:
    """Close a flagged item with the supervisor's decision, e.g. 'forwarded to dispatcher'.

    Item uuids are unique per account; when two accounts sent the same uuid, `username` says whose."""
    _require(actor)
    if not isinstance(resolution, str) or not resolution.strip():
        raise Problem("batch.resolution_required")
    canon = protocol.canonical_uuid(uuid)
    with db.transaction(conn):
        rows = conn.execute("SELECT fid, username, flagged, resolved_at FROM sync_items WHERE uuid = ? "
                            "AND (? IS NULL OR username = ?) ORDER BY username",
                            (canon, username, username)).fetchall() if canon else []
        if not rows:
            raise Problem("item.not_found", uuid=times.shown(uuid))
        if len(rows) > 1:
            raise Problem("item.ambiguous", uuid=canon, usernames=[r["username"] for r in rows])
        (row,) = rows
        if not row["flagged"] or row["resolved_at"]:
            raise Problem("item.not_flagged", uuid=canon)
        conn.execute("UPDATE sync_items SET resolved_by = ?, resolved_at = ?, resolution = ? WHERE fid = ?",
                     (actor.username, times.to_db(times.now()), resolution.strip()[:1000], row["fid"]))
