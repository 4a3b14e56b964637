# SPDX-License-Identifier: GPL-2.0-or-later
"""The centre a service instance serves: its GeoPackage, blob store, uploads and settings."""

from __future__ import annotations

import os
import queue
import sqlite3
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from citygrid.problems import Problem
from citygrid.store import blobs, db, migrations
from citygrid.sync import sessions

from .images import DEFAULT_MAX_PIXELS
from .uploads import DEFAULT_EXPIRY, DEFAULT_MAX_SIZE, UploadStore


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
    upload_expiry: timedelta = DEFAULT_EXPIRY  # a tus upload untouched this long is removed (tus expiration)
    sweep_every: timedelta = timedelta(hours=1)  # the background housekeeping (citygrid_server.housekeeping)

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
        db.open_centre(self.path).close()  # fail fast: missing, foreign, newer, migrates older
        self.blobs = blobs.store_for(self.path)
        self.uploads = UploadStore(self.blobs, max_size=self.config.max_upload_bytes,
                                   max_pixels=self.config.max_photo_pixels, expiry=self.config.upload_expiry)
        self._idle: queue.LifoQueue[_Pooled] = queue.LifoQueue()
        self.login_pool = ThreadPoolExecutor(self.config.login_threads, thread_name_prefix="login")

    @contextmanager
    def checkout(self) -> Iterator[sqlite3.Connection]:
        """A connection for one request alone; returned to the pool afterwards.

        Another program may replace the file (a restore), remove it, or upgrade it with a newer
        citygrid while the service runs: a pooled connection is used only while the path still names
        the file it was opened on and its schema is still the one this code writes, otherwise it is
        closed and a fresh one opened (or the request refused with a coded 503). A connection that
        met an SQLite error other than a busy database is closed, not pooled: after an I/O error its
        view of the file cannot be trusted, and a fresh one costs a millisecond.
        """
        pooled = self._take()
        healthy = True
        try:
            yield pooled.conn
        except sqlite3.Error as exc:
            healthy = db.translate(exc).code == "db.locked"
            raise
        except Problem as exc:
            healthy = not exc.code.startswith("db.") or exc.code == "db.locked"
            raise
        finally:
            if healthy and self._settle(pooled.conn):
                self._idle.put(pooled)
            else:
                pooled.close()

    def _take(self) -> _Pooled:
        identity = self._identity()
        while True:
            try:
                pooled = self._idle.get_nowait()
            except queue.Empty:
                return self._open(identity)
            if pooled.identity == identity and self._same_schema(pooled):
                return pooled
            pooled.close()

    def _identity(self) -> tuple[int, int]:
        """(device, inode) of the centre file now; a stat opens no descriptor (see db.connect)."""
        try:
            st = os.stat(self.path)
        except OSError as exc:
            raise Problem("db.unavailable", reason=exc.strerror or "missing") from None
        return st.st_dev, st.st_ino

    def _open(self, identity: tuple[int, int]) -> _Pooled:
        conn = db.open_centre(self.path, migrate=False)
        return _Pooled(conn, identity, conn.execute("PRAGMA schema_version").fetchone()[0])

    def _same_schema(self, pooled: _Pooled) -> bool:
        """The schema cookie changes with any schema change (ours or, say, QGIS saving a style table);
        only then is the centre's version read again."""
        try:
            cookie = pooled.conn.execute("PRAGMA schema_version").fetchone()[0]
            if cookie != pooled.cookie:
                migrations.check_version(pooled.conn, path=str(self.path), upgrade=False)
                pooled.cookie = cookie
            return True
        except (sqlite3.Error, Problem):
            return False  # closed by the caller; a fresh open says what is wrong with the file

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


@dataclass
class _Pooled:
    conn: sqlite3.Connection
    identity: tuple[int, int]  # (device, inode) of the file it was opened on
    cookie: int                # the schema cookie when its version was last checked

    def close(self) -> None:
        with suppress(sqlite3.Error):
            self.conn.close()
