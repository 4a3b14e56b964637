# SPDX-License-Identifier: GPL-2.0-or-later
"""Components edited outside the core: the exact grid (BGID) of rows the database's triggers marked.

A component inserted or moved in QGIS gets a provisional BGID from schema 5's triggers (the grid whose
R-tree box holds the point when exactly one does) and a row in `component_repairs`; this replaces it
with the grid that really covers the point (loop.geocode.grid_at), or NULL outside every grid.
The desk runs `finish` after each commit of the components layer and tells the GIS technician which
components ended outside every grid; `citygrid check --repair` runs `repair`.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

from ..loop import geocode
from ..store import db, gpkg


@dataclass
class Finished:
    """What `finish` did: rows repaired, BGIDs changed, and the ObjIDs now outside every grid."""

    repaired: int = 0
    changed: int = 0
    outside: list[str] = field(default_factory=list)

    def counts(self) -> dict:
        return {"repaired": self.repaired, "changed": self.changed, "outside": len(self.outside)}


def pending(conn: sqlite3.Connection) -> int:
    """How many components wait for their exact grid."""
    return conn.execute("SELECT count(*) FROM component_repairs").fetchone()[0]


def repair(conn: sqlite3.Connection) -> dict:
    """Give every marked component its exact BGID, in one transaction; returns counts."""
    return finish(conn).counts()


def finish(conn: sqlite3.Connection) -> Finished:
    """`repair`, telling which components (by ObjID, else `fid:N`) are outside every grid."""
    done = Finished()
    with db.transaction(conn):
        rows = conn.execute("SELECT r.fid, c.geom, c.BGID, c.ObjID FROM component_repairs r "
                            "LEFT JOIN components c ON c.fid = r.fid").fetchall()
        for fid, geom, bgid, objid in rows:
            if geom is not None:
                code = _grid_of(conn, geom)
                if code is None:
                    done.outside.append(objid or f"fid:{fid}")
                if code != bgid:
                    # the same value a user would type: not a change of the record (CHDate stays)
                    conn.execute("UPDATE components SET BGID = ? WHERE fid = ?", (code, fid))
                    done.changed += 1
            conn.execute("DELETE FROM component_repairs WHERE fid = ?", (fid,))
            done.repaired += 1
    return done


def _grid_of(conn: sqlite3.Connection, geom: bytes) -> str | None:
    kind, coords, _srs = gpkg.decode(geom)
    grid = geocode.grid_at(conn, coords[0], coords[1]) if kind == "POINT" and coords else None
    return grid["code"] if grid else None
