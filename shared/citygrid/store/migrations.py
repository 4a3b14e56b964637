# SPDX-License-Identifier: GPL-2.0-or-later
"""Numbered schema migrations, each applied in one transaction together with its record."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from .. import times
from ..problems import Problem
from . import connection as db
from . import schema_v1, schema_v2, schema_v3, schema_v4, schema_v5, schema_v6

Migration = tuple[int, str, Callable[[sqlite3.Connection, dict], None]]


def _m0001_centre(conn: sqlite3.Connection, settings: dict) -> None:
    schema_v1.create(conn, settings)


def _m0002_sync(conn: sqlite3.Connection, settings: dict) -> None:
    schema_v2.create(conn, settings)


def _m0003_checks(conn: sqlite3.Connection, settings: dict) -> None:
    schema_v3.create(conn, settings)


def _m0004_owned(conn: sqlite3.Connection, settings: dict) -> None:
    schema_v4.create(conn, settings)


def _m0005_outside_edits(conn: sqlite3.Connection, settings: dict) -> None:
    schema_v5.create(conn, settings)


def _m0006_outcomes(conn: sqlite3.Connection, settings: dict) -> None:
    schema_v6.create(conn, settings)


MIGRATIONS: list[Migration] = [
    (1, "centre", _m0001_centre),
    (2, "device sync", _m0002_sync),
    (3, "cheaper inserts", _m0003_checks),
    (4, "sync state per owner", _m0004_owned),
    (5, "edits outside the core, retired classes", _m0005_outside_edits),
    (6, "outcomes of sent items", _m0006_outcomes),
]


def latest(registry: list[Migration] | None = None) -> int:
    return max(m[0] for m in (registry or MIGRATIONS))


def current(conn: sqlite3.Connection) -> int:
    has = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'citygrid_migrations'").fetchone()
    if not has:
        return 0
    row = conn.execute("SELECT max(id) FROM citygrid_migrations").fetchone()
    return row[0] or 0


def identify(conn: sqlite3.Connection, *, path: str, registry: list[Migration] | None = None) -> int:
    """The centre's schema version; refuses a file that is not a centre or is newer (reads only)."""
    found = current(conn)
    if found == 0:
        raise Problem("db.not_a_centre", path=path)
    newest = latest(registry)
    if found > newest:
        raise Problem("db.newer_schema", path=path, found=found, supported=newest)
    return found


def check_version(conn: sqlite3.Connection, *, path: str, upgrade: bool,
                  registry: list[Migration] | None = None) -> int:
    found = identify(conn, path=path, registry=registry)
    newest = latest(registry)
    if found < newest:
        if not upgrade:
            raise Problem("db.older_schema", path=path, found=found, supported=newest)
        globals()["upgrade"](conn, registry=registry)
    return newest


def upgrade(conn: sqlite3.Connection, *, settings: dict | None = None,
            registry: list[Migration] | None = None) -> list[int]:
    """Apply every pending migration in order; returns the ids applied."""
    applied = []
    for mid, name, fn in sorted(registry or MIGRATIONS):
        with db.transaction(conn):
            if current(conn) >= mid:
                continue
            fn(conn, dict(settings or {}))
            conn.execute("INSERT INTO citygrid_migrations (id, name, applied_at) VALUES (?, ?, ?)",
                         (mid, name, times.to_db(times.now())))
            db.set_meta(conn, "schema_version", str(mid))
        applied.append(mid)
    return applied
