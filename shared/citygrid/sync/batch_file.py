# SPDX-License-Identifier: GPL-2.0-or-later
"""A device batch as one file, for sites with no connection to the service (docs/sync-service.md).

The file is a zip: `manifest.json` ({"format": "citygrid-batch", "version": 1, "batch_id", "device_id",
"username", "exported_at", "items": [push items as the wire has them], "photos": [{"sha256", "size",
"taken_at", "lon", "lat", "accuracy_m"}]}) and `photos/<sha256>` for each photo's bytes. Import checks
the whole file first (names, sizes, hashes, image headers) and refuses it whole; then it records the
photos as the upload path does and pushes the items through `push.push`, the same path as HTTP, so
receipts and review are identical and importing twice answers `duplicate`.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import zipfile
from pathlib import Path

from .. import times
from ..loop import accounts
from ..problems import Problem
from ..store import blobs as bloblib
from ..store import db
from . import protocol, push

FORMAT, VERSION = "citygrid-batch", 1
MANIFEST = "manifest.json"
PHOTO_NAME = re.compile(r"photos/([0-9a-f]{64})")
MAX_PHOTO_BYTES = 20 * 1024 * 1024  # as the upload path (serve's default)
MAX_MANIFEST_BYTES = 32 * 1024 * 1024
MAX_MEMBERS = protocol.MAX_PHOTOS * 500 + 1  # a full batch, every item with its most photos
MAX_RATIO = 200  # a member expanding more than this is a zip bomb
IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")
PHOTO_META = ("taken_at", "lon", "lat", "accuracy_m")


def export_batch(path: str | Path, *, batch_id: str, device_id: str, username: str, items: list[dict],
                 photos: dict[str, bytes], photo_meta: dict[str, dict] | None = None) -> dict:
    """Write the batch file; `photos` maps sha256 -> bytes (each hash checked). -> the manifest written."""
    meta = photo_meta or {}
    listed = []
    for sha, data in photos.items():
        if hashlib.sha256(data).hexdigest() != sha:
            raise Problem("batch_file.photo_mismatch", name=sha)
        listed.append({"sha256": sha, "size": len(data), **{k: meta.get(sha, {}).get(k) for k in PHOTO_META}})
    manifest = {"format": FORMAT, "version": VERSION, "batch_id": batch_id, "device_id": device_id,
                "username": username, "exported_at": times.to_db(times.now()), "items": items, "photos": listed}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False))
        for sha, data in photos.items():
            zf.writestr(f"photos/{sha}", data, compress_type=zipfile.ZIP_STORED)
    return manifest


def read_batch_file(path: str | Path) -> tuple[dict, dict[str, bytes]]:
    """(manifest, sha256 -> bytes) of a batch file checked whole, or the Problem that refuses it."""
    try:
        with zipfile.ZipFile(path) as zf:
            members = _members(zf)
            manifest = _manifest(_read(zf, members.pop(MANIFEST), MAX_MANIFEST_BYTES))
            photos = {sha: _photo(_read(zf, info, MAX_PHOTO_BYTES), sha) for sha, info in members.items()}
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, ValueError) as exc:
        raise Problem("batch_file.bad_zip", path=str(path), reason=str(exc)[:200]) from None
    except OSError as exc:
        raise Problem("batch_file.bad_zip", path=str(path), reason=exc.strerror or str(exc)) from None
    return manifest, photos


def _members(zf: zipfile.ZipFile) -> dict:
    """The manifest and `photos/<sha256>` entries, each once; any other name refuses the file."""
    infos = zf.infolist()
    if len(infos) > MAX_MEMBERS:
        raise Problem("batch_file.bad_member", name=f"{len(infos)} entries")
    out: dict = {}
    for info in infos:
        match = PHOTO_NAME.fullmatch(info.filename)
        key = match.group(1) if match else info.filename
        if (key != MANIFEST and not match) or key in out:
            raise Problem("batch_file.bad_member", name=times.shown(info.filename, 120))
        out[key] = info
    if MANIFEST not in out:
        raise Problem("batch_file.bad_manifest", reason="no manifest.json")
    return out


def _read(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    """A member's bytes, never more than `limit` whatever its header claims, and not a bomb."""
    if info.file_size > limit:
        raise Problem("batch_file.too_big", name=times.shown(info.filename, 120), limit=limit)
    if info.compress_size and info.file_size / info.compress_size > MAX_RATIO:
        raise Problem("batch_file.too_big", name=times.shown(info.filename, 120), limit=limit)
    with zf.open(info) as f:
        data = f.read(limit + 1)
    if len(data) > limit:
        raise Problem("batch_file.too_big", name=times.shown(info.filename, 120), limit=limit)
    return data


def _manifest(data: bytes) -> dict:
    try:
        manifest = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise Problem("batch_file.bad_manifest", reason="not UTF-8 JSON") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise Problem("batch_file.bad_manifest", reason="format or version")
    for key in ("batch_id", "device_id", "username"):
        if not isinstance(manifest.get(key), str) or not manifest[key]:
            raise Problem("batch_file.bad_manifest", reason=key)
    if not isinstance(manifest.get("items"), list) or not isinstance(manifest.get("photos", []), list):
        raise Problem("batch_file.bad_manifest", reason="items or photos")
    return manifest


def _photo(data: bytes, sha: str) -> bytes:
    if hashlib.sha256(data).hexdigest() != sha:
        raise Problem("batch_file.photo_mismatch", name=sha)
    if not data.startswith(IMAGE_MAGIC):
        raise Problem("batch_file.not_an_image", name=sha)
    return data


def import_batch(conn: sqlite3.Connection, path: str | Path, *, store: bloblib.BlobStore,
                 receipts_to: str | Path | None = None) -> dict:
    """Push a batch file as its collector's device would; -> the push reply (and the receipts file written)."""
    manifest, photos = read_batch_file(path)
    actor = accounts.actor(conn, manifest["username"])  # account.unknown / account.inactive
    if actor.role not in ("collector", "unit"):
        raise Problem("auth.forbidden", role=actor.role)
    meta = {p.get("sha256"): p for p in manifest.get("photos", []) if isinstance(p, dict)}
    for sha, data in photos.items():
        store.put_bytes(data, sha)
        _record_photo(conn, sha, len(data), {**meta.get(sha, {}), "png": data.startswith(IMAGE_MAGIC[1])},
                      actor.username)
    batch = {"batch_id": manifest["batch_id"], "device_id": manifest["device_id"], "items": manifest["items"]}
    reply = push.push(conn, actor, manifest["device_id"], batch, store=store)
    if receipts_to is not None:
        Path(receipts_to).write_text(json.dumps(reply, ensure_ascii=False, indent=1), encoding="utf-8")
    return reply


def _record_photo(conn, sha: str, size: int, meta: dict, username: str, at: str | None = None) -> None:
    """The rows the upload path writes for a verified photo: `photos` (first sender's metadata) and the sender
    (`at`: when it arrived, `times.to_db` text; default the clock — the demo passes its simulated time)."""
    lon, lat, acc = (_finite(meta.get(k)) for k in ("lon", "lat", "accuracy_m"))
    at = at or times.to_db(times.now())
    with db.transaction(conn):
        conn.execute("INSERT INTO photos (sha256, size, content_type, taken_at, lon, lat, accuracy_m, uploaded_by, "
                     "uploaded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(sha256) DO NOTHING",
                     (sha, size, _content_type(meta), _taken(meta.get("taken_at")), lon, lat, acc, username, at))
        conn.execute("INSERT INTO photo_senders (sha256, username, at) VALUES (?, ?, ?) "
                     "ON CONFLICT(sha256, username) DO NOTHING", (sha, username, at))


def _content_type(meta: dict) -> str:
    return "image/png" if meta.get("png") else "image/jpeg"


def _finite(value) -> float | None:
    try:
        number = float(value) if value is not None and not isinstance(value, bool) else None
    except (TypeError, ValueError, OverflowError):
        return None
    return number if number is not None and abs(number) < 1e9 else None


def _taken(value) -> str | None:
    try:
        return times.to_db(times.parse(value)) if isinstance(value, str) else None
    except Problem:
        return None
