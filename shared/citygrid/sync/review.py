# SPDX-License-Identifier: GPL-2.0-or-later
"""The supervisors' shift-end review: what the devices brought back in a shift, and what needs a decision.

`shift_review` reads only. It groups the shift's batches per device and collector with their counts by
receipt status, and lists every item that needs a decision with its reasons (codes with texts in
citygrid.messages): late checks, checks on a reassigned task or a closed case, conflicts, rejected
items, possible duplicate reports (the one rule: `workflow.possible_duplicate`, flagged at push),
check photos without GPS or taken far from the case, and passed checks awaiting closure. Each item
carries its photos, its case number and the decisions the reader may take (`review_decisions`).
"""

from __future__ import annotations

import re
import sqlite3
from datetime import datetime, time

from .. import crs, times
from ..loop import transitions, workflow
from ..loop.accounts import Actor
from ..problems import Problem
from ..store import db, gpkg
from . import batches

SHIFT_STARTS = "08:00,20:00"  # citygrid_meta `shift_starts` when absent: a day and a night shift
_HHMM = re.compile(r"([01]\d|2[0-3]):[0-5]\d")
PHOTO_FAR_M = 100.0  # a check photo taken farther than this from its case is flagged
CLOSED = ("closed", "voided", "rejected")
REASSIGNED = ("task.not_yours", "task.not_held")
COUNTS = ("items", "accepted", "duplicate", "conflict", "rejected", "photos_missing")
DECISIONS = {"close": "close", "rework": "rework", "merge": "void"}  # decision -> the action it needs
_ITEMS = ("SELECT i.uuid, i.username, i.device_id, i.batch_id, i.type, i.status, i.code, i.case_no, i.payload, "
          "i.photos, i.received_at, t.due_at, t.assignee, c.status AS case_status, c.flags, c.geom "
          "FROM sync_batches b JOIN sync_items i ON i.batch_id = b.batch_id AND i.username = b.username "
          "LEFT JOIN tasks t ON t.id = json_extract(i.payload, '$.task_id') "
          "LEFT JOIN cases c ON c.case_no = i.case_no "
          "WHERE b.received_at >= ? AND b.received_at < ? AND i.resolved_at IS NULL ORDER BY i.fid")


def shift_review(conn: sqlite3.Connection, actor: Actor, since: datetime, until: datetime) -> dict:
    """-> {"since", "until", "devices": [...], "items": [...]} for batches received in [since, until)."""
    batches._require(actor)
    span = (times.to_db(since), times.to_db(until))
    devices = _devices(conn, span)
    photos = _photo_rows(conn, span)
    transform = crs.centre_transform(conn)
    items = [item for row in conn.execute(_ITEMS, span)
             if (item := _needs_decision(row, actor, photos, transform)) is not None]
    return {"since": span[0], "until": span[1], "devices": devices, "items": items}


def _devices(conn, span: tuple) -> list[dict]:
    """Per device and collector: the shift's batches (newest first) and their counts summed."""
    out: dict[tuple, dict] = {}
    sums = ", ".join(f"b.{c}" for c in COUNTS)
    for r in conn.execute(f"SELECT b.batch_id, b.device_id, b.username, b.received_at, b.reviewed_at, {sums} "
                          "FROM sync_batches b WHERE b.received_at >= ? AND b.received_at < ? "
                          "ORDER BY b.device_id, b.username, b.received_at DESC", span):
        group = out.setdefault((r["device_id"], r["username"]), {
            "device_id": r["device_id"], "username": r["username"], "batches": [], **dict.fromkeys(COUNTS, 0)})
        group["batches"].append({"batch_id": r["batch_id"], "received_at": r["received_at"],
                                 "reviewed": r["reviewed_at"] is not None})
        for c in COUNTS:
            group[c] += r[c]
    return list(out.values())


def _photo_rows(conn, span: tuple) -> dict:
    """sha256 -> (lon, lat) of the photos the shift's items cite (None when the photo has no GPS)."""
    sql = ("SELECT p.sha256, p.lon, p.lat FROM sync_batches b JOIN sync_items i ON i.batch_id = b.batch_id "
           "AND i.username = b.username JOIN json_each(i.photos) j JOIN photos p ON p.sha256 = j.value "
           "WHERE b.received_at >= ? AND b.received_at < ?")
    return {sha: None if lon is None or lat is None else (lon, lat) for sha, lon, lat in conn.execute(sql, span)}


def _needs_decision(row: sqlite3.Row, actor: Actor, photos: dict, transform) -> dict | None:
    payload = batches._loads(row["payload"], {})
    payload = payload if isinstance(payload, dict) else {}
    shas = [s for s in batches._loads(row["photos"], []) if isinstance(s, str)]
    reasons = _reasons(row, payload, shas, photos, transform)
    if not reasons:
        return None
    duplicate_of = _duplicate_of(row["flags"]) if row["code"] == "report.possible_duplicate" else None
    return {"uuid": row["uuid"], "username": row["username"], "device_id": row["device_id"],
            "batch_id": row["batch_id"], "type": row["type"], "status": row["status"], "code": row["code"],
            "case_no": row["case_no"], "case_status": row["case_status"], "reasons": reasons, "photos": shas,
            "duplicate_of": duplicate_of, "received_at": row["received_at"],
            "details": {"code": row["code"] or "", "duplicate_of": duplicate_of or "", "limit": PHOTO_FAR_M},
            "decisions": decisions_for(actor, row["case_status"], reasons)}


def _reasons(row, payload: dict, shas: list, photos: dict, transform) -> list[str]:
    out = []
    if row["status"] == "rejected":
        out.append("review.rejected")
    if row["status"] == "conflict":
        out.append(_conflict_reason(row))
    if row["code"] == "report.possible_duplicate" and row["case_status"] not in CLOSED:
        out.append("review.possible_duplicate")
    if row["type"] in ("check", "verify") and _late(row, payload):
        out.append("review.late")
    if row["type"] == "check" and row["status"] != "rejected":
        out.extend(_photo_reasons(row["geom"], shas, photos, transform))
    if row["type"] == "check" and row["status"] == "accepted" and row["case_status"] == "check_passed":
        out.append("review.awaiting_closure")
    return out


def _conflict_reason(row) -> str:
    if row["code"] in REASSIGNED:
        return "review.reassigned"
    if row["case_status"] in CLOSED:
        return "review.case_closed"
    return "review.conflict"


def _late(row, payload: dict) -> bool:
    """Observed or received after the task's due time."""
    due = row["due_at"]
    if not due:
        return False
    observed = payload.get("observed_at")
    try:
        made = times.to_db(times.parse(observed)) if isinstance(observed, str) else None
    except Exception:  # noqa: BLE001 - a malformed time was refused at push; the receipt time still counts
        made = None
    return any(t is not None and times.parse(t) > times.parse(due) for t in (made, row["received_at"]))


def _photo_reasons(geom, shas: list, photos: dict, transform) -> list[str]:
    """review.photo_no_gps when a cited photo has no position; review.photo_far when one is far from the case."""
    points = [photos.get(s) for s in shas]
    out = ["review.photo_no_gps"] if any(p is None for p in points) else []
    if geom is None:
        return out
    cx, cy = gpkg.decode(geom)[1]
    for p in points:
        if p is not None and crs.distance_m(cx, cy, *transform.forward(*p)) > PHOTO_FAR_M:
            return [*out, "review.photo_far"]
    return out


def _duplicate_of(flags: str | None) -> str | None:
    if flags and flags.startswith(workflow.DUPLICATE_FLAG):
        return flags[len(workflow.DUPLICATE_FLAG):] or None
    return None


def decisions_for(actor: Actor, case_status: str | None, reasons: list[str]) -> list[str]:
    """The decisions the table allows `actor` on an item whose case is in `case_status` (discard always)."""
    allowed = set(transitions.allowed_actions(case_status, actor.role)) if case_status else set()
    out = [d for d in ("close", "rework") if DECISIONS[d] in allowed]
    if "review.possible_duplicate" in reasons and "void" in allowed:
        out.append("merge")
    return [*out, "discard"]



def shift_starts(conn: sqlite3.Connection) -> list[time]:
    """The local times the centre's shifts begin, earliest first: citygrid_meta `shift_starts`
    ("HH:MM,HH:MM,…"), SHIFT_STARTS when absent; a malformed value is `review.bad_shift_starts`."""
    return parse_shift_starts(db.meta(conn, "shift_starts", SHIFT_STARTS))


def parse_shift_starts(text) -> list[time]:
    """1 to 12 distinct HH:MM times separated by commas -> sorted times."""
    parts = [p.strip() for p in text.split(",")] if isinstance(text, str) else []
    if not 1 <= len(parts) <= 12 or not all(_HHMM.fullmatch(p) for p in parts) or len(set(parts)) < len(parts):
        raise Problem("review.bad_shift_starts", value=times.shown(str(text), 60))
    return sorted(time.fromisoformat(p) for p in parts)
