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
from dataclasses import dataclass
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

__all__ = ["BUSY_TIMEOUT_MS", "Identity", "connect", "create_centre", "identify", "meta", "open_centre",
           "set_meta", "transaction", "translate"]


# application_id of a GeoPackage: "GPKG" since 1.2, "GP10" / "GP11" in 1.0 and 1.1
GEOPACKAGE_IDS = frozenset({gpkg.APPLICATION_ID, 0x47503130, 0x47503131})

# What a path holds, from the outside in; every kind but "centre" has the Problem code of its refusal.
KINDS = {
    "not_found": "db.not_found",
    "not_a_file": "db.not_a_file",         # a directory, a device, a socket
    "empty": "db.empty",                   # SQLite would make an empty file a database: never opened
    "not_sqlite": "db.not_sqlite",         # a text file, an image, a damaged header
    "not_a_geopackage": "db.not_a_geopackage",  # an SQLite database of another program
    "not_a_centre": "db.not_a_centre",     # a GeoPackage (GDAL, QGIS) that citygrid did not make
    "newer": "db.newer_schema",            # a centre of a newer citygrid
    "centre": None,                        # a centre of this citygrid's schema or an older one
}


@dataclass(frozen=True)
class Identity:
    """What `identify` found at a path: its kind, and the schema version when it is a centre."""

    path: str
    kind: str
    schema: int = 0

    @property
    def is_centre(self) -> bool:
        return self.kind == "centre"

    def problem(self) -> Problem | None:
        """The refusal of anything but a centre (None for a centre)."""
        code = KINDS[self.kind]
        if code is None:
            return None
        if self.kind == "newer":
            return Problem(code, path=self.path, found=self.schema, supported=migrations.latest())
        return Problem(code, path=self.path)


def identify(path: str | os.PathLike) -> Identity:
    """What the file at `path` is, read without changing a byte of it (nor creating -wal / -shm).

    The one classification every entry point uses (`open_centre`, `citygrid check`, the service's
    startup), so they agree on what a plain SQLite file, a GDAL GeoPackage or an empty file is.
    Without a -wal beside it the whole database is in the file, and SQLite reads it `immutable`
    (no locks, no journal: a foreign WAL-mode file gets no -wal / -shm); with one, another program
    has it open in WAL mode and a read-only connection reads the WAL too. Either way only SQLite
    opens the file (see `connect`). Raises a Problem only when the file cannot be read at all.
    """
    p = Path(path)
    where = str(p)
    try:
        st = p.stat()  # a stat opens no descriptor
    except FileNotFoundError:
        return Identity(where, "not_found")
    except NotADirectoryError:  # a parent is a file: /etc/hostname/x.gpkg
        return Identity(where, "not_found")
    except OSError as exc:
        raise Problem("db.cannot_open", path=where, reason=exc.strerror or str(exc)) from None
    if not stat.S_ISREG(st.st_mode):
        return Identity(where, "not_a_file")
    if st.st_size == 0:
        return Identity(where, "empty")
    if not os.access(p, os.R_OK):
        raise Problem("db.cannot_open", path=where, reason=os.strerror(13))
    conn = _raw(p, "ro", immutable=not os.path.exists(f"{p}-wal"), bare=True)
    try:
        return Identity(where, *_identify(conn))
    except sqlite3.DatabaseError as exc:
        problem = translate(exc, p)
        if problem.code in ("db.not_sqlite", "db.corrupt"):
            return Identity(where, "not_sqlite")
        raise problem from None
    finally:
        conn.close()


def _identify(conn: sqlite3.Connection) -> tuple[str, int]:
    app_id = conn.execute("PRAGMA application_id").fetchone()[0]  # fails on a file that is not SQLite
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if app_id not in GEOPACKAGE_IDS and "gpkg_contents" not in tables:
        return "not_a_geopackage", 0
    found = migrations.current(conn) if "citygrid_migrations" in tables else 0
    if found == 0:
        return "not_a_centre", 0
    return ("newer" if found > migrations.latest() else "centre"), found


def open_centre(path: str | os.PathLike, *, migrate: bool = True,
                readonly: bool = False) -> sqlite3.Connection:
    """Open an existing centre GeoPackage, refusing foreign files and newer schemas.

    An older schema is upgraded when `migrate` is true (each migration in its own transaction).
    Anything `identify` does not call a centre is refused before the file is opened for writing,
    so a refused file is never modified (not even switched to WAL).
    """
    p = Path(path)
    problem = identify(p).problem()
    if problem is not None:
        raise problem
    conn = _raw(p, "ro" if readonly else "rw")
    try:  # the file may have been replaced since: its version is read again before anything is written
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
    if srs is None:
        crs.definition(srs_id)  # validates before anything is written
    else:
        srs_id = srs.srs_id
    found = identify(p)
    if found.kind != "not_found":
        if not force:
            raise Problem("db.exists", path=str(p))
        if found.kind not in ("centre", "newer", "empty"):  # never delete someone's other file
            raise Problem("db.not_replaced", path=str(p))
    for parent in p.absolute().parents:  # the nearest one that exists must be a folder
        if parent.exists():
            if not parent.is_dir():
                raise Problem("db.cannot_create", path=str(p), reason=f"{parent} is not a folder")
            break
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise Problem("db.cannot_create", path=str(p), reason=exc.strerror or str(exc)) from None
    if not os.access(p.parent, os.W_OK | os.X_OK):
        raise Problem("db.cannot_create", path=str(p), reason=os.strerror(13))
    for suffix in ("", "-wal", "-shm", "-journal"):
        with contextlib.suppress(FileNotFoundError):
            os.remove(str(p) + suffix)
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
    except BaseException as exc:
        conn.close()
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.remove(str(p) + suffix)
        if isinstance(exc, sqlite3.DatabaseError):  # a full disk, an I/O error
            raise translate(exc, p) from None
        raise
    return conn
