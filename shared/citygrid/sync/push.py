# SPDX-License-Identifier: GPL-2.0-or-later
"""Push: a device's batch of field results, each applied once, each with a receipt.

Guarantees (ARCHITECTURE.md §3): every item is applied in its own transaction together with its
`sync_items` record, so a crash leaves it wholly applied or not at all; a repeated uuid from the same
account changes nothing and is answered `duplicate` (uuids are per account: another collector's item
with the same uuid is a separate item, and no receipt shows it); an item citing a photo whose bytes
this account has not sent is answered `photos_missing` and is not applied; a result that no longer
fits its case (task reassigned, case voided or closed meanwhile) is kept on the case history and
flagged for the supervisor (`conflict`); a malformed item is kept too (`rejected`), and so is an item
the server fails on (`rejected`, `sync.item_failed`, logged): one item never blocks the rest of its
batch. Only busy or failing storage stops a push (a 503 the device retries). Nothing is dropped.
"""

from __future__ import annotations

import json
import logging
import math
import sqlite3
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from enum import Enum
from typing import NamedTuple

from .. import times
from ..loop import workflow
from ..loop.accounts import Actor
from ..problems import Problem
from ..store import blobs as bloblib
from ..store import db
from . import protocol
from .protocol import Receipt, Status

log = logging.getLogger("citygrid.sync")

# storage trouble, not the item's fault: the push stops (503) and the device sends it again
TRANSIENT = ("db.locked", "db.io_error", "db.readonly", "db.corrupt")  # not the item's fault: the device retries
ACTIONS = {("check", "pass"): "check_pass", ("check", "fail"): "check_fail",
           ("verify", "confirmed"): "verify_confirmed", ("verify", "not_found"): "verify_not_found"}
MAX_STORED_JSON = 100_000


def push(conn: sqlite3.Connection, actor: Actor, device_id: str, batch: dict, *,
         store: bloblib.BlobStore, max_items: int = 500, now: datetime | None = None,
         new_id: Callable[[], str] | None = None) -> dict:
    """-> {"batch_id", "receipts": [...]} per CONTRACT.md §4.

    `now` stamps the batch, its receipts and items (default the clock); `new_id` makes the ids of the
    tasks the results create (default `workflow.act`'s): the demo passes its simulated time and seeded ids."""
    if actor.role not in ("collector", "unit"):
        raise Problem("auth.forbidden", role=actor.role)
    batch_id, items = protocol.read_batch(batch, device_id, max_items)
    now = times.now() if now is None else now
    with db.transaction(conn):
        _open_batch(conn, batch_id, device_id, actor, now)
    at = _At(now, new_id)
    receipts = [_one(conn, actor, device_id, batch_id, item, store, at) for item in items]
    with db.transaction(conn):
        _count(conn, batch_id, actor.username, now)
    return protocol.PushReply(batch_id, tuple(receipts)).to_wire()


class _At(NamedTuple):
    """When the push is received, and how the tasks it makes are named."""

    now: datetime
    new_id: Callable[[], str] | None


def _open_batch(conn, batch_id: str, device_id: str, actor: Actor, now: datetime) -> None:
    """Batch ids are global: another account's (or device's) id is refused without saying whose it is."""
    row = conn.execute("SELECT username, device_id FROM sync_batches WHERE batch_id = ?", (batch_id,)).fetchone()
    if row is not None and (row["username"], row["device_id"]) != (actor.username, device_id):
        raise Problem("sync.batch_not_yours", batch_id=batch_id)
    conn.execute("INSERT INTO sync_batches (batch_id, device_id, username, received_at) VALUES (?, ?, ?, ?) "
                 "ON CONFLICT(batch_id) DO NOTHING", (batch_id, device_id, actor.username, times.to_db(now)))


def _count(conn, batch_id: str, username: str, now: datetime) -> None:
    """Batch counts: each item once, by its final status; photos_missing while not yet applied."""
    stored = dict(conn.execute("SELECT status, count(*) FROM sync_items WHERE batch_id = ? AND username = ? "
                               "GROUP BY status", (batch_id, username)).fetchall())
    (waiting,) = conn.execute(
        "SELECT count(DISTINCT r.uuid) FROM sync_receipts r "
        "LEFT JOIN sync_items i ON i.uuid = r.uuid AND i.username = ? "
        "WHERE r.batch_id = ? AND r.status = 'photos_missing' AND i.uuid IS NULL", (username, batch_id)).fetchone()
    (dups,) = conn.execute("SELECT count(*) FROM sync_receipts WHERE batch_id = ? AND status = 'duplicate'",
                           (batch_id,)).fetchone()
    (items,) = conn.execute("SELECT count(DISTINCT uuid) FROM sync_receipts WHERE batch_id = ?",
                            (batch_id,)).fetchone()
    conn.execute("UPDATE sync_batches SET items = ?, accepted = ?, conflict = ?, rejected = ?, photos_missing = ?, "
                 "duplicate = ?, pushes = pushes + 1, last_push_at = ? WHERE batch_id = ?",
                 (items, stored.get("accepted", 0), stored.get("conflict", 0), stored.get("rejected", 0),
                  waiting, dups, times.to_db(now), batch_id))


# --- one item -----------------------------------------------------------------------------------

def _one(conn, actor: Actor, device_id: str, batch_id: str, item, store, at: _At) -> Receipt:
    """The item's receipt; it carries the uuid as the device spelt it, so the device can match it."""
    sent = item.get("uuid") if isinstance(item, dict) else None
    uuid = protocol.canonical_uuid(sent)
    if uuid is None:
        return Receipt(times.shown(sent) if sent else "", Status.REJECTED, "sync.bad_uuid",
                       "item uuid missing or malformed")
    try:
        with db.transaction(conn):
            receipt = _decide(conn, actor, device_id, batch_id, item, uuid, store, at)
            _record_receipt(conn, batch_id, uuid, receipt, at.now)
    except Exception as exc:  # one item's failure must not block the rest of its batch
        if _transient(exc):
            raise
        receipt = _failed(conn, actor, device_id, batch_id, item, uuid, exc, at.now)
    return replace(receipt, uuid=sent)


def _record_receipt(conn, batch_id: str, uuid: str, receipt: Receipt, now: datetime) -> None:
    conn.execute("INSERT INTO sync_receipts (batch_id, uuid, at, status, code, missing) VALUES (?, ?, ?, ?, ?, ?)",
                 (batch_id, uuid, times.to_db(now), receipt.status, receipt.code,
                  json.dumps(list(receipt.missing)) if receipt.missing else None))


def _transient(exc: Exception) -> bool:
    if isinstance(exc, sqlite3.Error):
        exc = db.translate(exc)
    return isinstance(exc, Problem) and exc.code in TRANSIENT


def _failed(conn, actor, device_id, batch_id, item, uuid, exc, now) -> Receipt:
    """An item the server failed on (its transaction is rolled back): logged, kept as rejected, flagged."""
    code = exc.code if isinstance(exc, Problem) else "sync.item_failed"
    log.error("push: item %s of batch %s (%s) failed with %s; payload %s", uuid, batch_id, actor.username, code,
              _stored_json(item.get("payload"))[:2000], exc_info=exc)
    receipt = Receipt(uuid, Status.REJECTED, code,
                      "the server could not apply this item; it is kept for the supervisor")
    try:
        with db.transaction(conn):
            _store(conn, item, uuid, actor, device_id, batch_id, "rejected", code, flagged=True, now=now)
            _record_receipt(conn, batch_id, uuid, receipt, now)
    except Exception as again:  # the receipt still goes back; the log above keeps the item
        if _transient(again):
            raise
        log.error("push: item %s of batch %s could not be kept either", uuid, batch_id, exc_info=again)
    return receipt


def _decide(conn, actor, device_id, batch_id, item, uuid, store, at: _At) -> Receipt:
    prior = conn.execute("SELECT status, code, case_no FROM sync_items WHERE username = ? AND uuid = ?",
                         (actor.username, uuid)).fetchone()
    if prior is not None:
        return Receipt(uuid, Status.DUPLICATE, prior["code"], f"already {prior['status']}",
                       case_no=prior["case_no"])
    try:
        parsed = protocol.PushItem.from_wire(item)  # the one item validation, the device's too
    except Problem as p:
        _store(conn, item, uuid, actor, device_id, batch_id, "rejected", p.code, now=at.now)
        return Receipt(uuid, Status.REJECTED, p.code, str(p))
    kind, payload, photos = parsed.type.value, _fields(parsed.payload), parsed.photos
    missing = tuple(sha for sha in photos if not _have(conn, store, sha, actor.username))
    if missing:
        return Receipt(uuid, Status.PHOTOS_MISSING, "sync.photos_missing",
                       f"{len(missing)} photo(s) not on the server", missing)
    return _apply(conn, actor, device_id, batch_id, item, uuid, kind, payload, photos, at)


def _fields(payload) -> dict:
    """A payload as the appliers below read it: a dict of plain values, time parsed, location a dict
    (a shallow copy: dataclasses.asdict deep-copies, five times the cost of the validation itself)."""
    return {k: v.value if isinstance(v, Enum) else dict(vars(v)) if isinstance(v, protocol.Location) else v
            for k, v in vars(payload).items()}


def _have(conn, store, sha: str, username: str) -> bool:
    """A photo may be cited only by an account that sent its bytes itself: knowing the hash is not enough."""
    row = conn.execute("SELECT 1 FROM photo_senders WHERE sha256 = ? AND username = ?", (sha, username)).fetchone()
    return row is not None and store.has(sha)


def _apply(conn, actor, device_id, batch_id, item, uuid, kind, payload, photos, at: _At) -> Receipt:
    try:
        with db.transaction(conn):
            case_no, flag = (_report(conn, actor, payload, photos) if kind == "report"
                             else _result(conn, actor, kind, payload, photos, at.new_id))
    except Problem as p:
        if p.code in TRANSIENT:
            raise
        if p.code in protocol.CONFLICTS and kind != "report":
            case_no = _keep_conflict(conn, actor, kind, payload, photos, uuid, p.code)
            _store(conn, item, uuid, actor, device_id, batch_id, "conflict", p.code, case_no, flagged=True,
                   now=at.now)
            return Receipt(uuid, "conflict", p.code, "kept on the case history for the supervisor", case_no=case_no)
        _store(conn, item, uuid, actor, device_id, batch_id, "rejected", p.code, flagged=True, now=at.now)
        return Receipt(uuid, "rejected", p.code, str(p))
    _store(conn, item, uuid, actor, device_id, batch_id, "accepted", flag, case_no, flagged=flag is not None,
           now=at.now)
    return Receipt(uuid, "accepted", flag, None, case_no=case_no)


def _result(conn, actor, kind, payload, photos, new_id=None) -> tuple[str, None]:
    task = conn.execute("SELECT case_no, kind FROM tasks WHERE id = ?", (payload["task_id"],)).fetchone()
    if task is None:
        raise Problem("task.not_found", task=payload["task_id"], kind=kind)
    if task["kind"] != kind:
        raise Problem("sync.task_kind", task_id=payload["task_id"], expected=task["kind"], got=kind)
    action = ACTIONS[(kind, payload["outcome"])]
    note = _note(payload)
    workflow.act(conn, task["case_no"], action, actor, at=payload["observed_at"], note=note, photos=photos,
                 task_id=payload["task_id"], new_id=new_id)
    return task["case_no"], None


def _note(payload: dict) -> str | None:
    parts = [payload.get("reason"), payload.get("note")]
    text = " / ".join(str(p) for p in parts if p)
    return text[:2000] or None


def _report(conn, actor, payload, photos) -> tuple[str, str | None]:
    loc = payload["location"]
    case_no = workflow.report(conn, actor, kind=payload["kind"], class_code=payload["class_code"],
                              lon=loc["lon"], lat=loc["lat"], description=payload.get("description") or "",
                              source="collector", at=payload["observed_at"], ObjID=payload.get("ObjID"),
                              photos=photos, flag_duplicates=True)
    flagged = workflow.case_row(conn, case_no)["flags"] is not None
    return case_no, "report.possible_duplicate" if flagged else None


def _keep_conflict(conn, actor, kind, payload, photos, uuid, code) -> str | None:
    """Record a result that no longer fits as an observation on its case (status unchanged)."""
    try:
        event = workflow.keep_field_result(conn, payload["task_id"], actor, at=payload["observed_at"], kind=kind,
                                           outcome=payload["outcome"], uuid=uuid, conflict=code,
                                           location=payload.get("location"), note=_note(payload), photos=photos)
    except Problem as p:  # the task is gone, or a unit's device sent it: the item alone is kept
        if p.code not in ("task.not_found", "case.forbidden_role"):
            raise
        return None
    return event["case_no"]


def _store(conn, item, uuid, actor, device_id, batch_id, status, code, case_no=None, *, flagged=False,
           now: datetime) -> None:
    """The item as received, in a form that reads back anywhere (see `_stored_json`)."""
    photos = item.get("photos")
    conn.execute("INSERT INTO sync_items (uuid, batch_id, device_id, username, type, created_at, received_at, "
                 "payload, photos, status, code, case_no, flagged) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                 (uuid, batch_id, device_id, actor.username, times.shown(item.get("type"), 16), _created_text(item),
                  times.to_db(now), _stored_json(item.get("payload")),
                  _stored_json(photos if isinstance(photos, list) else []), status, code, case_no, int(flagged)))


def _created_text(item: dict) -> str | None:
    """The device's own `created_at` text when it is a valid time, else nothing."""
    value = item.get("created_at")
    if not isinstance(value, str):
        return None
    try:
        times.parse(value)
    except Problem:
        return None
    return value


def _stored_json(value) -> str:
    """JSON text that every reader can load and send on: a payload cut to size stays valid JSON."""
    text = json.dumps(_plain(value), ensure_ascii=False, allow_nan=False)
    if len(text) > MAX_STORED_JSON:
        text = json.dumps({"truncated": True, "head": text[:MAX_STORED_JSON]}, ensure_ascii=False)
    return text


def _plain(value, depth: int = 0):
    """A strict-JSON copy: text made encodable, NaN/Infinity and huge integers as text, deep nesting cut."""
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8")
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value if -2 ** 63 <= value < 2 ** 63 else f"<{value.bit_length()}-bit integer>"
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if depth >= protocol.MAX_DEPTH:
        return "<nested too deeply>"
    if isinstance(value, dict):
        return {_plain(str(k)): _plain(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v, depth + 1) for v in value]
    return _plain(str(value))
