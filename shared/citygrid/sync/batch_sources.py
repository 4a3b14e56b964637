# SPDX-License-Identifier: GPL-2.0-or-later
"""Where an exported batch comes from: a field app data dir (its `field.db` outbox, read as plain
SQLite: the core never imports the app) or a folder with `batch.json` and the photo files."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import uuid as uuidlib
from pathlib import Path

from ..problems import Problem
from . import batch_file

FIELD_DB = "field.db"
FINAL = ("accepted", "duplicate", "conflict", "rejected")  # receipts after which the device drops an item


def export_outbox(data_dir: str | Path, path: str | Path, *, batch_id: str | None = None) -> dict:
    """The items still waiting in a field app's outbox, with their photos' bytes, as one batch file."""
    db_path = Path(data_dir) / FIELD_DB
    if not db_path.is_file():
        raise Problem("batch_file.bad_source", path=str(data_dir), reason=f"no {FIELD_DB}")
    cx = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        device = cx.execute("SELECT value FROM meta WHERE key = 'device_id'").fetchone()
        rows = cx.execute(f"SELECT username, item FROM outbox WHERE blocked IS NULL AND (status IS NULL OR status "
                          f"NOT IN ({','.join('?' * len(FINAL))})) ORDER BY seq", FINAL).fetchall()
        files = dict(cx.execute("SELECT sha256, path FROM photos").fetchall())
    except sqlite3.Error as exc:
        raise Problem("batch_file.bad_source", path=str(data_dir), reason=str(exc)) from None
    finally:
        cx.close()
    users = {u for u, _ in rows}
    if len(users) != 1:
        raise Problem("batch_file.bad_source", path=str(data_dir), reason=f"{len(users)} accounts waiting")
    items = [json.loads(item) for _, item in rows]
    return _write(path, batch_id, device[0] if device else "field-app", users.pop(), items,
                  {sha: files.get(sha) for it in items for sha in it.get("photos", [])}, {})


def export_folder(folder: str | Path, path: str | Path) -> dict:
    """`batch.json` ({"batch_id"?, "device_id", "username", "items", "photo_meta"?: {sha: {...}}}) and,
    beside it, the photo files (any names: each is hashed) as one batch file."""
    folder = Path(folder)
    try:
        spec = json.loads((folder / "batch.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise Problem("batch_file.bad_source", path=str(folder), reason=str(exc)[:200]) from None
    if not isinstance(spec, dict) or not isinstance(spec.get("items"), list):
        raise Problem("batch_file.bad_source", path=str(folder), reason="batch.json: items")
    found = {_digest(p): p for p in sorted(folder.iterdir()) if p.is_file() and p.name != "batch.json"}
    cited = {sha: found.get(sha) for it in spec["items"] if isinstance(it, dict)
             for sha in (it.get("photos") or []) if isinstance(sha, str)}
    return _write(path, spec.get("batch_id"), str(spec.get("device_id") or "folder"), str(spec.get("username")),
                  spec["items"], cited, spec.get("photo_meta") or {})


def _digest(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def _write(path, batch_id, device_id: str, username: str, items: list, files: dict, meta: dict) -> dict:
    """Photos whose file is gone are left out: the centre answers their items `photos_missing`."""
    photos = {sha: Path(p).read_bytes() for sha, p in files.items() if p and Path(p).is_file()}
    photos = {sha: data for sha, data in photos.items() if hashlib.sha256(data).hexdigest() == sha}
    return batch_file.export_batch(path, batch_id=batch_id or str(uuidlib.uuid4()), device_id=device_id,
                                   username=username, items=items, photos=photos, photo_meta=meta)
