# SPDX-License-Identifier: GPL-2.0-or-later
"""Schema version 4: sync state scoped to its owner — items per account, photo senders, login sources.

- `sync_items`: a device-made uuid is unique per account, not across the centre, so one collector's
  id can neither pre-empt nor reveal another's item (`UNIQUE (username, uuid)` instead of
  `UNIQUE (uuid)`). Stored uuids are rewritten in their canonical form (lower case, hyphenated) so a
  device that retries with another spelling of the same uuid finds its item.
- `photo_senders`: who actually sent a blob's bytes. An item may cite a photo only when its author
  sent those bytes; knowing a hash is not enough. Filled from `photos.uploaded_by`.
- `login_attempts.client`: the network address a login came from, so throttling can count per
  address as well as per account; an index by (username, ok, at) for an account's successes.
"""

from __future__ import annotations

import re
import sqlite3
import uuid as uuidlib

from . import gpkg

NOW = "(strftime('%Y-%m-%dT%H:%M:%fZ','now'))"
_UNIQUE_UUID = re.compile(r"uuid TEXT NOT NULL UNIQUE")


def canonical_uuid(value: str) -> str | None:
    """The canonical spelling of a uuid (lower case, hyphenated), or None when it is not one."""
    try:
        return str(uuidlib.UUID(hex=value))
    except (ValueError, TypeError, AttributeError):
        return None


def create(conn: sqlite3.Connection, settings: dict) -> None:
    _rekey_sync_items(conn)
    conn.execute(f"""CREATE TABLE photo_senders (fid INTEGER PRIMARY KEY AUTOINCREMENT,
        sha256 TEXT NOT NULL, username TEXT NOT NULL, at DATETIME NOT NULL DEFAULT {NOW},
        UNIQUE (sha256, username))""")
    gpkg.register_attributes(conn, "photo_senders")
    conn.execute("INSERT OR IGNORE INTO photo_senders (sha256, username, at) "
                 "SELECT sha256, uploaded_by, uploaded_at FROM photos WHERE uploaded_by IS NOT NULL")
    conn.execute("ALTER TABLE login_attempts ADD COLUMN client TEXT")
    conn.execute("CREATE INDEX idx_login_attempts_client ON login_attempts (client, at)")
    # successes and failures of one account are looked up separately (last success, trusted sources)
    conn.execute("CREATE INDEX idx_login_attempts_user_ok ON login_attempts (username, ok, at)")


def _rekey_sync_items(conn: sqlite3.Connection) -> None:
    """Rebuild `sync_items` with a per-account key (SQLite cannot drop a UNIQUE constraint in place)."""
    (sql,) = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'sync_items'").fetchone()
    body = _UNIQUE_UUID.sub("uuid TEXT NOT NULL", sql, count=1)
    body = body[body.index("("):body.rindex(")")] + ", UNIQUE (username, uuid))"
    indexes = [r[0] for r in conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'sync_items' AND sql IS NOT NULL")]
    conn.execute(f"CREATE TABLE sync_items_v4 {body}")
    conn.execute("INSERT INTO sync_items_v4 SELECT * FROM sync_items ORDER BY fid")
    conn.execute("DROP TABLE sync_items")
    conn.execute("ALTER TABLE sync_items_v4 RENAME TO sync_items")
    for stmt in indexes:
        conn.execute(stmt)
    for table in ("sync_items", "sync_receipts"):
        for fid, raw in conn.execute(f"SELECT fid, uuid FROM {table}").fetchall():
            canon = canonical_uuid(raw)
            if canon and canon != raw:  # a clash means both spellings were applied once already: keep both
                conn.execute(f"UPDATE OR IGNORE {table} SET uuid = ? WHERE fid = ?", (canon, fid))
