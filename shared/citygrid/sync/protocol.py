# SPDX-License-Identifier: GPL-2.0-or-later
"""The sync protocol both sides share: versions, wire types, item validation, receipts (CONTRACT.md §4).

The centre's service and the field app's client both speak through these frozen dataclasses; their
`to_wire()` / `from_wire()` are the only places that know the JSON. `from_wire` validates: what the
centre sends a device is read with `sync.bad_answer` for anything malformed, and a pushed item is
checked by `PushItem.from_wire` (see `items`), on the centre for every item and on a device before it
queues one. The guarantee of ARCHITECTURE.md §3 is `Receipt.final`: a device deletes an outbox item
(and may forget its photos) only once it holds a final receipt for it.

The field app carries this module alone: it imports the standard library and citygrid's base
modules only, never the store, the loop or the centre's side of sync.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from .. import times
from ..problems import Problem
from .items import (
    ITEM_TYPES,
    MAX_DEPTH,
    MAX_PHOTOS,
    MAX_TASK_ID,
    OUTCOMES,
    SHA256,
    UUID,
    CheckResult,
    ItemType,
    Location,
    Outcome,
    PushItem,
    Report,
    ReportKind,
    VerifyResult,
    canonical_uuid,
    item_uuid,
)

__all__ = [
    "PROTOCOL", "OLDEST_PROTOCOL", "DEFAULT_PROTOCOL", "HEADER", "check_version",
    "UUID", "BATCH_ID", "SHA256", "CURSOR", "MAX_ITEMS", "MAX_PHOTOS", "MAX_TASK_ID", "MAX_DEPTH",
    "ItemType", "ITEM_TYPES", "Outcome", "OUTCOMES", "ReportKind", "Status", "FINAL",
    "Location", "CheckResult", "VerifyResult", "Report", "PushItem", "PushBatch", "Receipt", "PushReply",
    "PullItem", "PullPage", "PULL_TYPES", "canonical_uuid", "item_uuid", "read_batch",
    "ITEM_PROBLEMS", "CONFLICTS", "RECEIPT_CODES", "BATCH_PROBLEMS", "VERSION_PROBLEMS",
]

# --- versions -------------------------------------------------------------------------------------

PROTOCOL = 1          # what this side speaks
OLDEST_PROTOCOL = 1   # the oldest device protocol the centre still serves
DEFAULT_PROTOCOL = 1  # what a request without the header speaks (the first devices sent none)
HEADER = "Citygrid-Protocol"
_VERSION = re.compile(r"[0-9]{1,18}")  # ASCII digits: str.isdigit() also takes "²", which int() refuses


def check_version(raw: str | int | None, newest: int | None = None, oldest: int | None = None) -> int:
    """A device's protocol (the header's text, or a number) -> its version when `oldest..newest` serves it.

    The centre checks a device's header against its own versions (the defaults); a device checks its
    own `PROTOCOL` against the `protocol` and `oldest_protocol` of the centre's /api/v1/health."""
    newest = PROTOCOL if newest is None else newest
    oldest = OLDEST_PROTOCOL if oldest is None else oldest
    if raw is None:
        return DEFAULT_PROTOCOL
    if isinstance(raw, int) and not isinstance(raw, bool):
        raw = str(raw)
    if not isinstance(raw, str) or not _VERSION.fullmatch(raw):
        raise Problem("protocol.malformed", value=times.shown(raw, 16))
    version = int(raw)
    if version > newest:
        raise Problem("protocol.unsupported", device=version, server=newest)
    if version < oldest:
        raise Problem("protocol.too_old", device=version, oldest=oldest)
    return version


# --- receipts and the codes a device must understand ------------------------------------------------

class Status(StrEnum):
    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"            # the uuid was seen before: the first receipt's code and case
    CONFLICT = "conflict"              # the world moved on: kept on the case history for the supervisor
    REJECTED = "rejected"              # malformed or refused: kept for the supervisor, never applied
    PHOTOS_MISSING = "photos_missing"  # not applied yet: upload `missing`, then push the item again


# Statuses after which the centre holds the item for good, so pushing it again can only answer
# `duplicate` (a rejected item without a valid uuid is not kept: no push of it can ever do better).
FINAL = frozenset({Status.ACCEPTED, Status.DUPLICATE, Status.CONFLICT, Status.REJECTED})

# codes of a malformed item (status rejected): the item cannot change, so a new item is needed
ITEM_PROBLEMS = ("sync.bad_uuid", "sync.bad_item", "blob.bad_digest", "time.malformed", "time.naive",
                 "time.out_of_range")
# problems that mean "the world moved on", not "the item is wrong" (status conflict)
CONFLICTS = ("task.not_yours", "task.not_open", "case.illegal_transition", "case.conflict", "task.not_held")
# the codes with a meaning of their own, by the status they come with; any other code of a rejected
# item is the loop's refusal (its text is in citygrid.messages). A duplicate repeats the first code.
RECEIPT_CODES: dict[str, Status] = {
    **dict.fromkeys(ITEM_PROBLEMS, Status.REJECTED),
    "task.not_found": Status.REJECTED, "sync.task_kind": Status.REJECTED,
    "sync.item_failed": Status.REJECTED,  # the centre failed on it: kept for the supervisor, logged
    **dict.fromkeys(CONFLICTS, Status.CONFLICT),
    "sync.photos_missing": Status.PHOTOS_MISSING,
    "report.possible_duplicate": Status.ACCEPTED,  # accepted, and flagged for the supervisor
}
# a push refused whole (HTTP 4xx): nothing was applied, every item of the batch is still the device's
BATCH_PROBLEMS = ("sync.bad_batch", "sync.device_mismatch", "sync.too_many_items", "sync.batch_not_yours")
VERSION_PROBLEMS = ("protocol.malformed", "protocol.unsupported", "protocol.too_old")


@dataclass(frozen=True)
class Receipt:
    uuid: str  # as the device spelt it, so the device can match it
    status: Status
    code: str | None = None
    message: str | None = None  # for logs; a device shows the code's own text
    missing: tuple[str, ...] = ()  # photos to upload before the item can apply
    case_no: str | None = None

    @property
    def final(self) -> bool:
        """True when the device may delete the item: the centre holds it for good."""
        return self.status in FINAL

    @property
    def uploads(self) -> tuple[str, ...]:
        """The photos the device must upload before pushing the item again."""
        return self.missing if self.status == Status.PHOTOS_MISSING else ()

    def to_wire(self) -> dict:
        text = times.shown(self.message, 500) if self.message is not None else None
        out = {"uuid": self.uuid, "status": Status(self.status).value, "code": self.code, "message": text,
               "missing": list(self.missing)}
        if self.case_no:
            out["case_no"] = self.case_no
        return out

    @classmethod
    def from_wire(cls, r) -> Receipt:
        if not isinstance(r, dict) or not isinstance(r.get("uuid"), str):
            raise Problem("sync.bad_answer", reason="receipt uuid")
        status = r.get("status")
        if not isinstance(status, str) or status not in tuple(Status):
            raise Problem("sync.bad_answer", reason="receipt status")
        missing = r.get("missing", [])
        if not isinstance(missing, list) or not all(isinstance(m, str) and SHA256.fullmatch(m)
                                                    for m in missing):
            raise Problem("sync.bad_answer", reason="receipt missing")
        code, message, case_no = (_answer_text(r, name) for name in ("code", "message", "case_no"))
        return cls(r["uuid"], Status(status), code, message, tuple(missing), case_no)


@dataclass(frozen=True)
class PushReply:
    """The centre's answer to a push: one receipt per item, in the order sent."""
    batch_id: str
    receipts: tuple[Receipt, ...]

    def to_wire(self) -> dict:
        return {"batch_id": self.batch_id, "receipts": [r.to_wire() for r in self.receipts]}

    @classmethod
    def from_wire(cls, reply) -> PushReply:
        if not isinstance(reply, dict) or not isinstance(reply.get("batch_id"), str):
            raise Problem("sync.bad_answer", reason="batch_id")
        if not isinstance(reply.get("receipts"), list):
            raise Problem("sync.bad_answer", reason="receipts")
        return cls(reply["batch_id"], tuple(Receipt.from_wire(r) for r in reply["receipts"]))


def _answer_text(r: dict, field: str) -> str | None:
    value = r.get(field)
    if value is not None and not isinstance(value, str):
        raise Problem("sync.bad_answer", reason=f"receipt {field}")
    return value


# --- the push batch -----------------------------------------------------------------------------------

BATCH_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
MAX_ITEMS = 500  # the centre's default; its configuration may set another


@dataclass(frozen=True)
class PushBatch:
    batch_id: str  # made on the device; pushing the same batch again is how a device resumes
    device_id: str  # the device the token was issued to
    items: tuple[PushItem, ...]

    def to_wire(self) -> dict:
        return {"batch_id": self.batch_id, "device_id": self.device_id,
                "items": [item.to_wire() for item in self.items]}

    @classmethod
    def from_wire(cls, batch, device_id: str | None = None, max_items: int = MAX_ITEMS) -> PushBatch:
        """A batch whose every item is valid (the first bad item's Problem otherwise)."""
        batch_id, items = read_batch(batch, device_id, max_items)
        return cls(batch_id, batch["device_id"], tuple(PushItem.from_wire(item) for item in items))


def read_batch(batch, device_id: str | None = None, max_items: int = MAX_ITEMS) -> tuple[str, list]:
    """-> (batch id, the items as sent). The centre reads each item on its own (`PushItem.from_wire`),
    so a bad item is that item's `rejected` receipt while a bad batch is refused whole."""
    if not isinstance(batch, dict):
        raise Problem("sync.bad_batch", reason="not an object")
    batch_id, items, sent = batch.get("batch_id"), batch.get("items"), batch.get("device_id")
    if not isinstance(batch_id, str) or not BATCH_ID.fullmatch(batch_id):
        raise Problem("sync.bad_batch", reason="batch_id")
    if device_id is not None and sent != device_id:
        raise Problem("sync.device_mismatch", device_id=times.shown(sent, 128))
    if not isinstance(sent, str) or not sent:
        raise Problem("sync.bad_batch", reason="device_id")
    if not isinstance(items, list):
        raise Problem("sync.bad_batch", reason="items")
    if len(items) > max_items:
        raise Problem("sync.too_many_items", count=len(items), max_items=max_items)
    return batch_id, items


# --- the pull page --------------------------------------------------------------------------------------

CURSOR = re.compile(r"r[0-9]{1,18}")
# what a pull page holds today; a newer centre may add more, which a device skips
PULL_TYPES = ("task", "case", "grid", "component", "class", "condition", "unit", "outcome")
CASE_STATUS_CONTEXT = "case_status"  # msgctxt of a case status as an outcome's line says it (field_outcome.po)


@dataclass(frozen=True, slots=True)
class PullItem:
    type: str  # one of PULL_TYPES; a device skips types it does not know
    id: str
    deleted: bool  # a tombstone: the device drops its copy
    data: dict  # the row's fields ({} for a tombstone)

    def to_wire(self) -> dict:
        return {"type": self.type, "id": self.id, "deleted": self.deleted, "data": self.data}

    @classmethod
    def from_wire(cls, it) -> PullItem:
        if not isinstance(it, dict) or not isinstance(it.get("type"), str) or not isinstance(it.get("id"), str) \
                or not isinstance(it.get("deleted"), bool) or not isinstance(it.get("data"), dict):
            raise Problem("sync.bad_answer", reason="pull item")
        return cls(it["type"], it["id"], it["deleted"], it["data"])


@dataclass(frozen=True)
class PullPage:
    cursor: str  # send it with the next pull; it acknowledges this page
    has_more: bool  # pull again at once with the new cursor
    items: tuple[PullItem, ...]

    def to_wire(self) -> dict:
        return {"cursor": self.cursor, "has_more": self.has_more,
                "items": [it.to_wire() for it in self.items]}

    @classmethod
    def from_wire(cls, page) -> PullPage:
        if not isinstance(page, dict) or not isinstance(page.get("cursor"), str) \
                or not CURSOR.fullmatch(page["cursor"]):
            raise Problem("sync.bad_answer", reason="cursor")
        if not isinstance(page.get("has_more"), bool) or not isinstance(page.get("items"), list):
            raise Problem("sync.bad_answer", reason="pull page")
        return cls(page["cursor"], page["has_more"], tuple(PullItem.from_wire(it) for it in page["items"]))
