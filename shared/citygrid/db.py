# SPDX-License-Identifier: GPL-2.0-or-later
"""Opening the centre GeoPackage: checks, pragmas, functions, transactions."""

from __future__ import annotations

import contextlib
import itertools
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from . import gpkg
from .problems import Problem

BUSY_TIMEOUT_MS = 10_000


def connect(path: str | os.PathLike, *, readonly: bool = False) -> sqlite3.Connection:
    """A raw connection with our pragmas and GeoPackage functions; no schema checks."""
    uri = f"file:{Path(path).as_posix()}{'?mode=ro' if readonly else ''}"
    try:
        conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False,
                               timeout=BUSY_TIMEOUT_MS / 1000)
    except sqlite3.OperationalError as exc:
        raise Problem("db.cannot_open", path=str(path), reason=str(exc)) from None
    conn.row_factory = sqlite3.Row
    gpkg.register_functions(conn)
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if not readonly:
            conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise _translate(exc, path) from None
    return conn


def open_center(path: str | os.PathLike, *, migrate: bool = True,
                readonly: bool = False) -> sqlite3.Connection:
    """Open an existing centre GeoPackage, refusing foreign files and newer schemas.

    An older schema is upgraded when `migrate` is true (each migration in its own transaction).
    """
    from . import migrations

    p = Path(path)
    if not p.exists():
        raise Problem("db.not_found", path=str(p))
    if p.is_dir():
        raise Problem("db.not_a_geopackage", path=str(p))
    with open(p, "rb") as fh:
        head = fh.read(100)
    if len(head) < 100 or not head.startswith(b"SQLite format 3\x00"):
        raise Problem("db.not_a_geopackage", path=str(p))
    conn = connect(p, readonly=readonly)
    try:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        if app_id != gpkg.APPLICATION_ID:
            raise Problem("db.not_a_geopackage", path=str(p))
        migrations.check_version(conn, path=str(p), upgrade=migrate and not readonly)
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise _translate(exc, p) from None
    except Problem:
        conn.close()
        raise
    return conn


def create_center(path: str | os.PathLike, *, srs_id: int = 4549, timezone: str = "Asia/Shanghai",
                  county_code: str = "320508", name: str = "", scheme: str = "gb16",
                  force: bool = False) -> sqlite3.Connection:
    """Create a new, empty centre GeoPackage at the latest schema version."""
    from . import crs, migrations

    p = Path(path)
    if p.exists():
        if not force:
            raise Problem("db.exists", path=str(p))
        for suffix in ("", "-wal", "-shm", "-journal"):
            with contextlib.suppress(FileNotFoundError):
                os.remove(str(p) + suffix)
    crs.definition(srs_id)  # validates before anything is written
    p.parent.mkdir(parents=True, exist_ok=True)
    conn = connect(p)
    try:
        with transaction(conn):
            gpkg.init_container(conn)
        migrations.upgrade(conn, settings={
            "srs_id": str(srs_id), "timezone": timezone, "county_code": county_code,
            "center_name": name or county_code, "code_scheme": scheme})
    except BaseException:
        conn.close()
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.remove(str(p) + suffix)
        raise
    return conn


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
        raise _translate(exc, None) from None
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    else:
        try:
            conn.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            conn.execute("ROLLBACK")
            raise _translate(exc, None) from None


_savepoints = itertools.count()


def _translate(exc: sqlite3.DatabaseError, path) -> Problem:
    text = str(exc)
    if "locked" in text or "busy" in text:
        return Problem("db.locked", path=str(path) if path else None)
    if "not a database" in text or "malformed" in text:
        return Problem("db.not_a_geopackage", path=str(path) if path else None)
    if "readonly" in text or "read-only" in text:
        return Problem("db.readonly", path=str(path) if path else None)
    return Problem("db.error", path=str(path) if path else None, reason=text)


def meta(conn: sqlite3.Connection, key: str, default: str | None = None) -> str | None:
    row = conn.execute("SELECT value FROM citygrid_meta WHERE key = ?", (key,)).fetchone()
    return row[0] if row else default


def set_meta(conn: sqlite3.Connection, key: str, value: str) -> None:
    conn.execute("INSERT INTO citygrid_meta (key, value) VALUES (?, ?) "
                 "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))
