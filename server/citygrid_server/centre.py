# SPDX-License-Identifier: GPL-2.0-or-later
"""The centre a service instance serves: its GeoPackage, blob store, uploads and settings."""

from __future__ import annotations

import queue
import sqlite3
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from citygrid import blobs, db, sessions
from citygrid.problems import Problem

from .images import DEFAULT_MAX_PIXELS
from .uploads import DEFAULT_MAX_SIZE, UploadStore


@dataclass(frozen=True)
class ServiceConfig:
    token_ttl: timedelta = timedelta(hours=12)
    max_upload_bytes: int = DEFAULT_MAX_SIZE
    max_photo_pixels: int = DEFAULT_MAX_PIXELS  # refused above this on upload, never decoded for a thumbnail
    max_json_bytes: int = 4 * 1024 * 1024  # a push body
    max_body_bytes: int = 64 * 1024  # any other body: login, Open311 POST, batch review and resolve
    max_push_items: int = 500
    max_pull_limit: int = 2000
    login_max_failures: int = 5          # per account (see citygrid.sessions for the policy)
    login_window: timedelta = timedelta(minutes=15)
    login_client_max_failures: int = 30  # per client address, across user names
    login_trusted_for: timedelta = timedelta(days=30)
    # each scrypt check takes ~16 MB and a core for ~70 ms: a shift-start login storm queues on a few
    # dedicated threads (glibc keeps a 16 MB arena per thread that ever ran one, so few threads)
    login_threads: int = 4

    def session_policy(self) -> sessions.Policy:
        return sessions.Policy(token_ttl=self.token_ttl, max_failures=self.login_max_failures,
                               window=self.login_window, client_max_failures=self.login_client_max_failures,
                               trusted_for=self.login_trusted_for)


@dataclass
class Centre:
    path: Path
    config: ServiceConfig = field(default_factory=ServiceConfig)

    def __post_init__(self):
        self.path = Path(self.path)
        db.open_center(self.path).close()  # fail fast: missing, foreign, newer, migrates older
        self.blobs = blobs.store_for(self.path)
        self.uploads = UploadStore(self.blobs, max_size=self.config.max_upload_bytes,
                                   max_pixels=self.config.max_photo_pixels)
        self._idle: queue.LifoQueue[sqlite3.Connection] = queue.LifoQueue()
        self.login_pool = ThreadPoolExecutor(self.config.login_threads, thread_name_prefix="login")

    @contextmanager
    def checkout(self) -> Iterator[sqlite3.Connection]:
        """A connection for one request alone; returned to the pool afterwards.

        A connection that met an SQLite error other than a busy database is closed, not pooled: after
        an I/O error its view of the file cannot be trusted, and a fresh one costs a millisecond.
        """
        try:
            c = self._idle.get_nowait()
        except queue.Empty:
            c = db.open_center(self.path, migrate=False)
        healthy = True
        try:
            yield c
        except sqlite3.Error as exc:
            healthy = db.translate(exc).code == "db.locked"
            raise
        except Problem as exc:
            healthy = exc.code not in ("db.io_error", "db.corrupt", "db.error")
            raise
        finally:
            healthy = healthy and self._settle(c)
            if healthy:
                self._idle.put(c)
            else:
                with suppress(sqlite3.Error):
                    c.close()

    @staticmethod
    def _settle(c: sqlite3.Connection) -> bool:
        """Roll back what a request that died mid-transaction left open; False if even that fails."""
        if not c.in_transaction:
            return True
        try:
            c.execute("ROLLBACK")
            return True
        except sqlite3.Error:
            return False

    def close(self) -> None:
        while True:
            try:
                self._idle.get_nowait().close()
            except queue.Empty:
                return
