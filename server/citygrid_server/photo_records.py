# SPDX-License-Identifier: GPL-2.0-or-later
"""The rows behind an uploaded photo: `photos` (one per blob) and `photo_senders` (who sent its bytes).

A sender row is evidence that an account sent and the server verified those bytes; it is what lets an
item cite the photo and its sender see it. Knowing the hash is not enough.
"""

from __future__ import annotations

import math
import sqlite3

from citygrid import times
from citygrid.problems import Problem
from citygrid.store import db

from .uploads import Upload


def has_sent(cx: sqlite3.Connection, sha256, username: str) -> bool:
    if not isinstance(sha256, str):
        return False
    row = cx.execute("SELECT 1 FROM photo_senders WHERE sha256 = ? AND username = ?",
                     (sha256.lower(), username)).fetchone()
    return row is not None


def record(cx: sqlite3.Connection, up: Upload) -> None:
    """The photo row (the first sender's metadata) and this sender's row, in one transaction; idempotent,
    so every request that finds the upload complete may call it and a crash before it is harmless."""
    if has_sent(cx, up.sha256, up.owner):
        return
    lon, lat, accuracy = (_number(up.meta, k) for k in ("lon", "lat", "accuracy_m"))
    with db.transaction(cx):
        cx.execute("INSERT INTO photos (sha256, size, content_type, taken_at, lon, lat, accuracy_m, uploaded_by) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(sha256) DO NOTHING",
                   (up.sha256, up.length, up.content_type, _taken_at(up.meta), lon, lat, accuracy, up.owner))
        cx.execute("INSERT INTO photo_senders (sha256, username) VALUES (?, ?) "
                   "ON CONFLICT(sha256, username) DO NOTHING", (up.sha256, up.owner))


def _number(meta: dict, key: str) -> float | None:
    try:
        value = float(meta[key]) if key in meta else None
    except ValueError:
        return None
    return value if value is None or math.isfinite(value) else None


def _taken_at(meta: dict) -> str | None:
    taken = meta.get("taken_at")
    try:
        return times.to_db(times.parse(taken)) if taken else None
    except Problem:
        return None
