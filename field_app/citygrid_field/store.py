# SPDX-License-Identifier: GPL-2.0-or-later
"""The device's local SQLite store under `--data`: what pull brought, the outbox, the session.

One file, `field.db`, opened with sqlite3 (sqlite-utils' `Database` over the same connection is made on
demand, `Store.db`: importing sqlite-utils cost a cold start ~0.2 s, numpy included). Its schema is a
migrations registry (STYLE.md §9): named, ordered functions, each applied in one transaction together with its record in `migrations`.
A pull page is applied with its cursor in one transaction, so a pull cut off half-way leaves the
previous state and cursor (the centre sends an unacknowledged page again).
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from citygrid.problems import Problem
from citygrid.sync.protocol import PULL_TYPES, PullPage

FILE_NAME = "field.db"
MIGRATIONS: list[tuple[str, Callable[[sqlite3.Connection], None]]] = []


def migration(fn: Callable[[sqlite3.Connection], None]):
    MIGRATIONS.append((fn.__name__, fn))
    return fn


@migration
def m001_pulled_and_meta(cx: sqlite3.Connection) -> None:
    cx.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
    cx.execute("CREATE TABLE records (type TEXT NOT NULL, id TEXT NOT NULL, data TEXT NOT NULL, "
               "PRIMARY KEY (type, id))")
    # what the task list sorts and filters by, read from the row the centre sent
    cx.execute("CREATE TABLE tasks (id TEXT PRIMARY KEY, kind TEXT, case_no TEXT, due_at TEXT, "
               "status TEXT, data TEXT NOT NULL)")
    cx.execute("CREATE INDEX idx_tasks_due ON tasks (due_at)")


@migration
def m002_outbox(cx: sqlite3.Connection) -> None:
    cx.execute("""CREATE TABLE outbox (uuid TEXT PRIMARY KEY, username TEXT NOT NULL, type TEXT NOT NULL,
        item TEXT NOT NULL, created_at TEXT NOT NULL, seq INTEGER NOT NULL,
        status TEXT, code TEXT, message TEXT, case_no TEXT, received_at TEXT,
        blocked TEXT, blocked_details TEXT, attempts INTEGER NOT NULL DEFAULT 0)""")
    cx.execute("""CREATE TABLE photos (sha256 TEXT PRIMARY KEY, path TEXT NOT NULL, bytes INTEGER NOT NULL,
        content_type TEXT NOT NULL, upload_url TEXT, uploaded INTEGER NOT NULL DEFAULT 0)""")
    cx.execute("""CREATE TABLE outbox_photos (uuid TEXT NOT NULL REFERENCES outbox (uuid) ON DELETE CASCADE,
        sha256 TEXT NOT NULL REFERENCES photos (sha256), position INTEGER NOT NULL,
        PRIMARY KEY (uuid, sha256))""")


@migration
def m003_outcomes(cx: sqlite3.Connection) -> None:
    """What became of the items this account sent (pull type `outcome`, keyed by the item's uuid)."""
    cx.execute("CREATE TABLE outcomes (uuid TEXT PRIMARY KEY, item_type TEXT, case_no TEXT, decided_at TEXT, "
               "data TEXT NOT NULL)")
    cx.execute("CREATE INDEX idx_outcomes_decided ON outcomes (decided_at)")


SCHEMA_VERSION = len(MIGRATIONS)


class Store:
    """The device's data directory: `field.db` and the photos the app keeps beside it."""

    def __init__(self, data_dir: str | Path):
        self.dir = Path(data_dir)
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            self.cx = sqlite3.connect(self.dir / FILE_NAME, isolation_level=None, check_same_thread=False)
            self.cx.execute("PRAGMA journal_mode = WAL")
            self.cx.execute("PRAGMA foreign_keys = ON")
            self.cx.execute("PRAGMA busy_timeout = 5000")
            self._migrate()
        except (OSError, sqlite3.Error) as e:
            raise Problem("field.data_dir", path=str(self.dir), reason=str(e)) from e

    @property
    def db(self):
        """sqlite-utils' Database over the store's own connection (made on first use)."""
        import sqlite_utils

        if getattr(self, "_db", None) is None:
            self._db = sqlite_utils.Database(self.cx)
        return self._db

    def close(self) -> None:
        self.cx.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE … COMMIT, or ROLLBACK on any exception (a kill leaves the last commit)."""
        self.cx.execute("BEGIN IMMEDIATE")
        try:
            yield self.cx
        except BaseException:
            self.cx.execute("ROLLBACK")
            raise
        self.cx.execute("COMMIT")

    def _migrate(self) -> None:
        self.cx.execute("CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at TEXT)")
        done = {r[0] for r in self.cx.execute("SELECT name FROM migrations")}
        if done - {name for name, _fn in MIGRATIONS}:
            raise Problem("field.newer_data", path=str(self.dir))
        for name, fn in MIGRATIONS:
            if name not in done:
                with self.transaction() as cx:
                    fn(cx)
                    cx.execute("INSERT INTO migrations VALUES (?, datetime('now'))", (name,))

    @property
    def schema_version(self) -> int:
        return self.cx.execute("SELECT count(*) FROM migrations").fetchone()[0]

    # --- meta: the cursor, the session, the device id -------------------------------------------------

    def get(self, key: str) -> str | None:
        row = self.cx.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def put(self, cx: sqlite3.Connection | None = None, **values: str | None) -> None:
        for key, value in values.items():
            (cx or self.cx).execute("INSERT INTO meta VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = "
                                    "excluded.value", (key, value))

    @property
    def device_id(self) -> str:
        """Made once per data directory: the centre binds tokens and batches to it."""
        with self.transaction() as cx:
            if self.get("device_id") is None:
                self.put(cx, device_id=f"field-{uuid.uuid4()}")
        return self.get("device_id")

    @property
    def cursor(self) -> str | None:
        return self.get("cursor")

    # --- pull --------------------------------------------------------------------------------------

    def apply_page(self, page: PullPage) -> int:
        """Apply one pull page and take its cursor, all in one transaction; -> items applied."""
        applied = 0
        with self.transaction() as cx:
            for it in page.items:
                if it.type not in PULL_TYPES:
                    continue  # a newer centre's type this app does not know
                if it.deleted:
                    self._drop(cx, it.type, it.id)
                else:
                    self._keep(cx, it.type, it.id, it.data)
                applied += 1
            self.put(cx, cursor=page.cursor)
        return applied

    def _keep(self, cx, kind: str, key: str, data: dict) -> None:
        text = json.dumps(data, ensure_ascii=False)
        if kind == "outcome":
            cx.execute("INSERT OR REPLACE INTO outcomes VALUES (?, ?, ?, ?, ?)", (
                key, data.get("item_type"), data.get("case_no"), data.get("decided_at"), text))
            return
        cx.execute("INSERT OR REPLACE INTO records VALUES (?, ?, ?)", (kind, key, text))
        if kind == "task":
            cx.execute("INSERT OR REPLACE INTO tasks VALUES (?, ?, ?, ?, ?, ?)", (
                key, data.get("kind"), data.get("case_no"), data.get("due_at"), data.get("status"), text))

    def _drop(self, cx, kind: str, key: str) -> None:
        if kind == "outcome":
            cx.execute("DELETE FROM outcomes WHERE uuid = ?", (key,))
            return
        cx.execute("DELETE FROM records WHERE type = ? AND id = ?", (kind, key))
        if kind == "task":
            cx.execute("DELETE FROM tasks WHERE id = ?", (key,))

    def record(self, kind: str, key: str) -> dict | None:
        row = self.cx.execute("SELECT data FROM records WHERE type = ? AND id = ?", (kind, key)).fetchone()
        return json.loads(row[0]) if row else None

    def records(self, kind: str) -> list[dict]:
        rows = self.cx.execute("SELECT data FROM records WHERE type = ? ORDER BY id", (kind,))
        return [json.loads(r[0]) for r in rows]

    def tasks(self, kind: str | None = None) -> list[dict]:
        """Open tasks held on the device, soonest due first."""
        sql = "SELECT data FROM tasks WHERE status = 'open'" + (" AND kind = ?" if kind else "")
        rows = self.cx.execute(sql + " ORDER BY due_at IS NULL, due_at, id", (kind,) if kind else ())
        return [json.loads(r[0]) for r in rows]

    def outcomes(self) -> list[dict]:
        """What became of the items this account sent, newest decision first."""
        rows = self.cx.execute("SELECT data FROM outcomes ORDER BY decided_at IS NULL, decided_at DESC, uuid")
        return [json.loads(r[0]) for r in rows]

    def outcome(self, uuid: str) -> dict | None:
        row = self.cx.execute("SELECT data FROM outcomes WHERE uuid = ?", (uuid,)).fetchone()
        return json.loads(row[0]) if row else None
