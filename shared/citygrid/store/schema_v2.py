# SPDX-License-Identifier: GPL-2.0-or-later
"""Schema version 2: device sync — tokens, devices, push batches and items, Open311 keys."""

from __future__ import annotations

import sqlite3

from . import gpkg

PK = "fid INTEGER PRIMARY KEY AUTOINCREMENT"
NOW = "(strftime('%Y-%m-%dT%H:%M:%fZ','now'))"

TABLES = {
    "auth_tokens": f"""({PK}, token_hash TEXT NOT NULL UNIQUE, username TEXT NOT NULL,
        device_id TEXT NOT NULL, created_at DATETIME NOT NULL, expires_at DATETIME NOT NULL,
        revoked_at DATETIME)""",
    "login_attempts": f"""({PK}, username TEXT NOT NULL, device_id TEXT, at DATETIME NOT NULL,
        ok INTEGER NOT NULL)""",
    "devices": f"""({PK}, device_id TEXT NOT NULL UNIQUE, username TEXT NOT NULL,
        first_seen DATETIME NOT NULL, last_seen DATETIME NOT NULL, protocol INTEGER)""",
    "sync_batches": f"""({PK}, batch_id TEXT NOT NULL UNIQUE, device_id TEXT NOT NULL,
        username TEXT NOT NULL, received_at DATETIME NOT NULL, items INTEGER NOT NULL DEFAULT 0,
        accepted INTEGER NOT NULL DEFAULT 0, duplicate INTEGER NOT NULL DEFAULT 0,
        conflict INTEGER NOT NULL DEFAULT 0, rejected INTEGER NOT NULL DEFAULT 0,
        photos_missing INTEGER NOT NULL DEFAULT 0, pushes INTEGER NOT NULL DEFAULT 0,
        last_push_at DATETIME, reviewed_by TEXT, reviewed_at DATETIME)""",
    "sync_items": f"""({PK}, uuid TEXT NOT NULL UNIQUE, batch_id TEXT NOT NULL,
        device_id TEXT NOT NULL, username TEXT NOT NULL, type TEXT NOT NULL,
        created_at DATETIME, received_at DATETIME NOT NULL DEFAULT {NOW},
        payload TEXT NOT NULL, photos TEXT NOT NULL DEFAULT '[]',
        status TEXT NOT NULL CHECK (status IN ('accepted', 'conflict', 'rejected')),
        code TEXT, case_no TEXT, event_fid INTEGER, flagged INTEGER NOT NULL DEFAULT 0,
        resolved_by TEXT, resolved_at DATETIME, resolution TEXT)""",
    "sync_receipts": f"""({PK}, batch_id TEXT NOT NULL, uuid TEXT NOT NULL, at DATETIME NOT NULL,
        status TEXT NOT NULL, code TEXT, missing TEXT)""",
    "device_tasks": f"""({PK}, device_id TEXT NOT NULL, task_id TEXT NOT NULL, case_no TEXT NOT NULL,
        sent_rev INTEGER NOT NULL, tombstone_rev INTEGER, UNIQUE (device_id, task_id))""",
    "open311_keys": f"""({PK}, key_hash TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
        created_at DATETIME NOT NULL DEFAULT {NOW}, revoked_at DATETIME)""",
}

INDEXES = """
CREATE INDEX idx_auth_tokens_user ON auth_tokens (username);
CREATE INDEX idx_login_attempts_user ON login_attempts (username, at);
CREATE INDEX idx_sync_items_batch ON sync_items (batch_id);
CREATE INDEX idx_sync_items_flagged ON sync_items (flagged, resolved_at);
CREATE INDEX idx_sync_items_case ON sync_items (case_no);
CREATE INDEX idx_sync_receipts_batch ON sync_receipts (batch_id, uuid);
CREATE INDEX idx_sync_batches_received ON sync_batches (received_at);
"""


def create(conn: sqlite3.Connection, settings: dict) -> None:
    for table, body in TABLES.items():
        conn.execute(f"CREATE TABLE {table} {body}")
        gpkg.register_attributes(conn, table)
    for stmt in INDEXES.split(";"):
        if stmt.strip():
            conn.execute(stmt)
