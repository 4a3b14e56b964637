# SPDX-License-Identifier: GPL-2.0-or-later
"""Opening and creating a centre GeoPackage: refuse foreign and newer files, migrate older ones.

`db.transaction`, `db.meta` and the rest of the connection layer are re-exported here, so callers
need one name for "the centre database".
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
from pathlib import Path

from .. import crs
from ..problems import Problem
from . import gpkg, migrations
from .connection import (
    BUSY_TIMEOUT_MS,
    _configure,
    _raw,
    connect,
    meta,
    set_meta,
    transaction,
    translate,
)

__all__ = ["BUSY_TIMEOUT_MS", "connect", "create_centre", "meta", "open_centre", "set_meta", "transaction",
           "translate"]


def open_centre(path: str | os.PathLike, *, migrate: bool = True,
                readonly: bool = False) -> sqlite3.Connection:
    """Open an existing centre GeoPackage, refusing foreign files and newer schemas.

    An older schema is upgraded when `migrate` is true (each migration in its own transaction).
    The header is read by SQLite, never by a file object of ours (see `connect`).
    """
    p = Path(path)
    try:
        st = p.stat()  # a stat opens no descriptor
    except FileNotFoundError:
        raise Problem("db.not_found", path=str(p)) from None
    except OSError as exc:
        raise Problem("db.cannot_open", path=str(p), reason=exc.strerror or str(exc)) from None
    if not stat.S_ISREG(st.st_mode) or st.st_size == 0:  # SQLite would make an empty file a database
        raise Problem("db.not_a_geopackage", path=str(p))
    conn = _raw(p, "ro" if readonly else "rw")
    try:  # everything that can refuse the file reads only: a refused file is never modified
        if conn.execute("PRAGMA application_id").fetchone()[0] != gpkg.APPLICATION_ID:  # fails on a foreign file
            raise Problem("db.not_a_geopackage", path=str(p))
        migrations.identify(conn, path=str(p))
        _configure(conn, p, readonly=readonly)
        migrations.check_version(conn, path=str(p), upgrade=migrate and not readonly)
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise translate(exc, p) from None
    except Problem:
        conn.close()
        raise
    return conn


def create_centre(path: str | os.PathLike, *, srs_id: int = 4549, timezone: str = "Asia/Shanghai",
                  county_code: str = "320508", name: str = "", scheme: str = "gb16",
                  force: bool = False, srs: crs.Srs | None = None) -> sqlite3.Connection:
    """Create a new, empty centre GeoPackage at the latest schema version.

    `srs` (from `crs.resolve`) stores the centre in any projected CRS and overrides `srs_id`; without
    it `srs_id` must be one of the fast-path codes of `crs.definition`."""
    p = Path(path)
    if p.exists():
        if not force:
            raise Problem("db.exists", path=str(p))
        for suffix in ("", "-wal", "-shm", "-journal"):
            with contextlib.suppress(FileNotFoundError):
                os.remove(str(p) + suffix)
    if srs is None:
        crs.definition(srs_id)  # validates before anything is written
    else:
        srs_id = srs.srs_id
    p.parent.mkdir(parents=True, exist_ok=True)
    conn = connect(p, create=True)
    try:
        with transaction(conn):
            gpkg.init_container(conn)
            if srs is not None:
                gpkg.add_srs(conn, srs.srs_id, srs.name, srs.definition, organization=srs.organization,
                             organization_id=srs.organization_id)
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
