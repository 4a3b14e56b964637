# SPDX-License-Identifier: GPL-2.0-or-later
"""SQLite connections to a centre file: pragmas, GeoPackage functions, transactions, coded errors.

The lowest layer of the store: it knows SQLite and the GeoPackage functions, nothing of the schema.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from ..problems import Problem
from . import gpkg

BUSY_TIMEOUT_MS = 10_000


def connect(path: str | os.PathLike, *, readonly: bool = False, create: bool = False) -> sqlite3.Connection:
    """A raw connection with our pragmas and GeoPackage functions; no schema checks.

    The file is never created unless `create` is true. Nothing here (nor anywhere in citygrid) opens
    the database file other than through SQLite: on POSIX, closing *any* descriptor of a file drops
    every lock this process holds on it, SQLite's included, and another program may then delete the
    WAL under our open connections (sqlite.org/howtocorrupt.html §2.2).
    """
    conn = _raw(path, "ro" if readonly else "rwc" if create else "rw")
    _configure(conn, path, readonly=readonly)
    return conn


def _raw(path: str | os.PathLike, mode: str, *, immutable: bool = False, bare: bool = False) -> sqlite3.Connection:
    """`immutable`: read without locks or journal (only for a file no one else has open in WAL mode);
    `bare`: plain tuples and no GeoPackage functions (a quick look at the header and the tables)."""
    uri = f"{Path(path).absolute().as_uri()}?mode={mode}" + ("&immutable=1" if immutable else "")
    try:
        conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False,
                               timeout=BUSY_TIMEOUT_MS / 1000)
    except sqlite3.OperationalError as exc:
        raise Problem("db.cannot_open", path=str(path), reason=str(exc)) from None
    if not bare:
        conn.row_factory = sqlite3.Row
        gpkg.register_functions(conn)
    return conn


def _configure(conn: sqlite3.Connection, path, *, readonly: bool) -> None:
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if not readonly:
            conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise translate(exc, path) from None


@contextlib.contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE ... COMMIT, or a SAVEPOINT when already inside a transaction."""
    if conn.in_transaction:
        name = f"sp_{next(_savepoints)}"
        conn.execute(f"SAVEPOINT {name}")
        try:
            yield conn
        except BaseException:
            conn.execute(f"ROLLBACK TO {name}")
            conn.execute(f"RELEASE {name}")
            raise
        else:
            conn.execute(f"RELEASE {name}")
        return
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        raise translate(exc, None) from None
    try:
        yield conn
    except BaseException:
        if conn.in_transaction:  # SQLite itself rolls back on a full disk or an I/O error
            conn.execute("ROLLBACK")
        raise
    else:
        try:
            conn.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            if conn.in_transaction:  # a failed COMMIT of a full disk has already rolled back
                conn.execute("ROLLBACK")
            raise translate(exc, None) from None


_savepoints = itertools.count()


def translate(exc: sqlite3.DatabaseError, path=None) -> Problem:
    """A coded problem for an SQLite error: busy and I/O trouble are worth a retry, the rest are not."""
    text = str(exc)
    where = str(path) if path else None
    if "locked" in text or "busy" in text:
        return Problem("db.locked", path=where)
    if "database or disk is full" in text:
        return Problem("db.disk_full", path=where)
    if "disk I/O error" in text or "unable to open database" in text:
        return Problem("db.io_error", path=where, reason=text)
    if "not a database" in text:
        return Problem("db.not_sqlite", path=where)
    if "malformed" in text:
        return Problem("db.corrupt", path=where, reason=text)
    if "readonly" in text or "read-only" in text:
        return Problem("db.readonly", path=where)
    return Problem("db.error", path=where, reason=text)


def meta(conn: sqlite3.Connection, key: str, default: str | None = None) -> str | None:
    row = conn.execute("SELECT value FROM citygrid_meta WHERE key = ?", (key,)).fetchone()
    return row[0] if row else default


def set_meta(conn: sqlite3.Connection, key: str, value: str) -> None:
    conn.execute("INSERT INTO citygrid_meta (key, value) VALUES (?, ?) "
                 "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))
