# SPDX-License-Identifier: GPL-2.0-or-later
"""The outbox: check / verify / report items with their photos, kept until the centre's receipt.

An item and its photo rows are written in one transaction, after the photos are hashed; the item is
validated with `PushItem.from_wire` first, as the centre will. Nothing here deletes an item without a
final receipt (`Receipt.final`); an item whose photo changed or vanished on disk is *blocked* with a
code the user sees, never sent under its old hash.
"""

from __future__ import annotations

import hashlib
import json
import uuid as uuidlib
from dataclasses import dataclass
from pathlib import Path

from citygrid import messages, times
from citygrid.problems import Problem
from citygrid.sync.protocol import FINAL, MAX_PHOTOS, PushItem, Receipt, Status

from . import photos as prepared
from .store import Store

CONTENT_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png"}
_FINAL = tuple(s.value for s in FINAL)


def photo_digest(path: str | Path) -> tuple[str, int]:
    """(sha256 hex, bytes) of a file, read in 1 MiB blocks."""
    h, size = hashlib.sha256(), 0
    with open(path, "rb") as f:
        while block := f.read(1 << 20):
            h.update(block)
            size += len(block)
    return h.hexdigest(), size


@dataclass(frozen=True)
class Photo:
    sha256: str
    path: str
    bytes: int
    content_type: str
    upload_url: str | None
    uploaded: bool


@dataclass(frozen=True)
class Entry:
    """One outbox item as the outbox screen shows it."""
    uuid: str
    type: str
    status: str | None  # the receipt's status, None while it waits
    code: str | None
    message: str | None  # the server's text, kept for the log
    case_no: str | None
    blocked: str | None  # a local problem's code: the item waits for the user
    blocked_details: dict
    photos: tuple[Photo, ...]
    created_at: str | None = None  # when the item was made (the outbox row's time, UTC)
    payload: dict | None = None  # the item's payload as it will be sent ({} when unreadable)

    @property
    def final(self) -> bool:
        return self.status in _FINAL

    def text(self, lang: str | None = None) -> str:
        """What became of the item, in the user's language."""
        if self.blocked:
            return messages.message(Problem(self.blocked, **self.blocked_details), lang)
        case = self.case_no or "-"
        if self.status is None:
            return messages.message(Problem("field.waiting"), lang)
        if self.status in (Status.ACCEPTED, Status.DUPLICATE, Status.PHOTOS_MISSING):
            return messages.message(Problem(f"field.receipt_{self.status}", case_no=case), lang)
        reason = self._reason(lang)
        return messages.message(Problem(f"field.receipt_{self.status}", case_no=case, reason=reason), lang)

    def _reason(self, lang: str | None) -> str:
        if not self.code:
            return self.message or "-"
        text = messages.message(Problem(self.code), lang)
        return self.message or self.code if text == self.code else text  # a template needing details


class Outbox:
    def __init__(self, store: Store):
        self.store = store

    # --- capture --------------------------------------------------------------------------------------

    def add(self, payload, photos: list[str | Path | prepared.Photo] = (), *, username: str | None = None) -> str:
        """Queue a CheckResult / VerifyResult / Report with its photos; -> the item's uuid. A photo
        from `photos.prepare` keeps the hash computed there (its size is checked, not hashed again);
        a plain path is hashed here. The upload verifies every photo again before it is sent."""
        username = username or self.store.get("username")
        if not username:
            raise Problem("field.not_signed_in")
        shots = [_photo(p) for p in photos]
        if len(shots) > MAX_PHOTOS:
            raise Problem("sync.bad_item", reason="photos")
        item = PushItem(str(uuidlib.uuid4()), payload, times.now(), tuple(dict.fromkeys(s.sha256 for s in shots)))
        wire = item.to_wire()
        PushItem.from_wire(wire)  # what the centre would refuse is refused here, before it is queued
        self._insert(username, wire, shots)
        return item.uuid

    def _insert(self, username: str, wire: dict, shots: list[Photo]) -> None:
        with self.store.transaction() as cx:
            seq = cx.execute("SELECT coalesce(max(seq), 0) + 1 FROM outbox").fetchone()[0]
            cx.execute("INSERT INTO outbox (uuid, username, type, item, created_at, seq) VALUES (?, ?, ?, ?, ?, ?)",
                       (wire["uuid"], username, wire["type"], json.dumps(wire, ensure_ascii=False),
                        wire["created_at"], seq))
            for pos, s in enumerate(shots):
                cx.execute("INSERT INTO photos (sha256, path, bytes, content_type) VALUES (?, ?, ?, ?) "
                           "ON CONFLICT (sha256) DO NOTHING", (s.sha256, s.path, s.bytes, s.content_type))
                cx.execute("INSERT OR IGNORE INTO outbox_photos VALUES (?, ?, ?)", (wire["uuid"], s.sha256, pos))

    # --- what the sync job reads ----------------------------------------------------------------------

    def waiting(self, username: str) -> list[dict]:
        """Items without a final receipt and not blocked, oldest first, as their wire dicts."""
        rows = self.store.cx.execute(
            f"SELECT item FROM outbox WHERE username = ? AND blocked IS NULL AND (status IS NULL OR status NOT IN "
            f"({','.join('?' * len(_FINAL))})) ORDER BY seq", (username, *_FINAL))
        return [json.loads(r[0]) for r in rows]

    def ready(self, username: str) -> list[dict]:
        """Waiting items whose every photo is on the centre."""
        uploaded = {p.sha256 for p in self.photos(username) if p.uploaded}
        return [w for w in self.waiting(username) if set(w["photos"]) <= uploaded]

    def photos(self, username: str) -> list[Photo]:
        """The photos of the waiting items, in the order the items were made."""
        rows = self.store.cx.execute(
            "SELECT DISTINCT p.* FROM photos p JOIN outbox_photos op USING (sha256) JOIN outbox o USING (uuid) "
            f"WHERE o.username = ? AND o.blocked IS NULL AND (o.status IS NULL OR o.status NOT IN "
            f"({','.join('?' * len(_FINAL))})) ORDER BY o.seq, op.position", (username, *_FINAL))
        return [Photo(r[0], r[1], r[2], r[3], r[4], bool(r[5])) for r in rows]

    def set_upload(self, sha256: str, url: str | None = None, uploaded: bool = False) -> None:
        self.store.cx.execute("UPDATE photos SET upload_url = ?, uploaded = ? WHERE sha256 = ?",
                              (url, int(uploaded), sha256))

    def still_same(self, photo: Photo) -> bool:
        """Whether the file on disk is still the photo taken; if not, its items are blocked."""
        try:
            same = photo_digest(photo.path) == (photo.sha256, photo.bytes)
            code = None if same else "field.photo_changed"
        except OSError:
            code = "field.photo_gone"
        if code:
            self.block(photo.sha256, code, path=photo.path)
        return code is None

    def block(self, sha256: str, code: str, **details) -> None:
        """Hold every waiting item with this photo, with a reason the user sees."""
        self.store.cx.execute(
            "UPDATE outbox SET blocked = ?, blocked_details = ? WHERE (status IS NULL OR status = ?) AND uuid IN "
            "(SELECT uuid FROM outbox_photos WHERE sha256 = ?)",
            (code, json.dumps(details, ensure_ascii=False), Status.PHOTOS_MISSING.value, sha256))

    def record(self, receipts: tuple[Receipt, ...]) -> None:
        """Keep each receipt on its item in one transaction; photos it says are missing are sent again."""
        with self.store.transaction() as cx:
            for r in receipts:
                cx.execute("UPDATE outbox SET status = ?, code = ?, message = ?, case_no = ?, received_at = ?, "
                           "attempts = attempts + 1 WHERE uuid = ?", (r.status.value, r.code, r.message, r.case_no,
                                                                     times.to_db(times.now()), r.uuid))
                for sha in r.uploads:
                    cx.execute("UPDATE photos SET uploaded = 0 WHERE sha256 = ?", (sha,))

    # --- a held item: checked again, or the user lets a photo or the item go ---------------------------

    def unblock(self, uuid: str) -> str | None:
        """Check the held item's photos again: all whole -> the hold is cleared (None); otherwise it
        stays held with the code of the first photo that is not (`field.photo_gone` / `_changed`)."""
        for p in self._photos_of(uuid):
            state = prepared.verify(p.path, p.sha256)
            if state is not prepared.PhotoState.UNCHANGED:
                code = "field.photo_gone" if state is prepared.PhotoState.MISSING else "field.photo_changed"
                self._hold(uuid, code, path=p.path)
                return code
        self.store.cx.execute("UPDATE outbox SET blocked = NULL, blocked_details = NULL WHERE uuid = ?", (uuid,))
        return None

    def drop_photo(self, uuid: str, sha256: str) -> str | None:
        """The user lets one photo of an unreceived item go; the rest are checked again (`unblock`)."""
        wire = self._unreceived(uuid)
        wire["photos"] = [s for s in wire["photos"] if s != sha256]
        PushItem.from_wire(wire)
        with self.store.transaction() as cx:
            cx.execute("UPDATE outbox SET item = ? WHERE uuid = ?", (json.dumps(wire, ensure_ascii=False), uuid))
            cx.execute("DELETE FROM outbox_photos WHERE uuid = ? AND sha256 = ?", (uuid, sha256))
        return self.unblock(uuid)

    def drop(self, uuid: str) -> None:
        """The user gives up an item the centre has not received for good (an explicit choice)."""
        self._unreceived(uuid)
        with self.store.transaction() as cx:
            cx.execute("DELETE FROM outbox WHERE uuid = ?", (uuid,))
            cx.execute("DELETE FROM photos WHERE sha256 NOT IN (SELECT sha256 FROM outbox_photos)")

    def sweep_unkept(self, folder: str | Path) -> int:
        """At start, before any form is open: remove prepared photos no item keeps (a kill between
        the photo and its item) and the `.part` files of cut writes; -> how many files."""
        kept = {r[0] for r in self.store.cx.execute("SELECT sha256 FROM photos")}
        folder, swept = Path(folder), 0
        for path in folder.glob("*.jpg") if folder.is_dir() else ():
            if len(path.stem) == 64 and path.stem not in kept:
                path.unlink(missing_ok=True)
                swept += 1
        return swept + (prepared.sweep_partials(folder) if folder.is_dir() else 0)

    def _unreceived(self, uuid: str) -> dict:
        row = self.store.cx.execute("SELECT item, status FROM outbox WHERE uuid = ?", (uuid,)).fetchone()
        if row is None or row[1] in _FINAL:
            raise Problem("field.not_in_outbox", uuid=uuid)
        return json.loads(row[0])

    def _hold(self, uuid: str, code: str, **details) -> None:
        self.store.cx.execute("UPDATE outbox SET blocked = ?, blocked_details = ? WHERE uuid = ?",
                              (code, json.dumps(details, ensure_ascii=False), uuid))

    # --- what the outbox screen shows ---------------------------------------------------------------

    def entries(self) -> list[Entry]:
        rows = self.store.cx.execute("SELECT uuid, type, status, code, message, case_no, blocked, blocked_details, "
                                     "created_at, item FROM outbox ORDER BY seq").fetchall()
        return [Entry(*r[:7], json.loads(r[7] or "{}"), self._photos_of(r[0]), r[8], _payload(r[9])) for r in rows]

    def _photos_of(self, uuid: str) -> tuple[Photo, ...]:
        rows = self.store.cx.execute("SELECT p.* FROM photos p JOIN outbox_photos op USING (sha256) "
                                     "WHERE op.uuid = ? ORDER BY op.position", (uuid,))
        return tuple(Photo(r[0], r[1], r[2], r[3], r[4], bool(r[5])) for r in rows)

    def forget_final(self) -> int:
        """Delete the items the centre holds for good (a final receipt); -> how many."""
        with self.store.transaction() as cx:
            n = cx.execute(f"DELETE FROM outbox WHERE status IN ({','.join('?' * len(_FINAL))})", _FINAL).rowcount
            cx.execute("DELETE FROM photos WHERE sha256 NOT IN (SELECT sha256 FROM outbox_photos)")
        return n


def _payload(item: str) -> dict:
    """The payload of a stored item, or {} when the row cannot be read as one (never a crash)."""
    try:
        payload = json.loads(item).get("payload")
    except (ValueError, AttributeError):
        return {}
    return payload if isinstance(payload, dict) else {}


def _photo(path: str | Path | prepared.Photo) -> Photo:
    if isinstance(path, prepared.Photo):
        return _prepared(path)
    path = Path(path)
    content_type = CONTENT_TYPES.get(path.suffix.lower())
    if content_type is None:
        raise Problem("field.photo_type", path=str(path))
    try:
        sha, size = photo_digest(path)
    except OSError:
        raise Problem("field.photo_gone", path=str(path)) from None
    return Photo(sha, str(path.resolve()), size, content_type, None, False)


def _prepared(photo: prepared.Photo) -> Photo:
    """A prepared photo as kept: its own hash, once the file is seen to be there with its size."""
    path = Path(photo.path)
    try:
        size = path.stat().st_size
    except OSError:
        raise Problem("field.photo_gone", path=str(path)) from None
    if size != photo.size:
        raise Problem("field.photo_changed", path=str(path))
    return Photo(photo.sha256, str(path.resolve()), size, "image/jpeg", None, False)
