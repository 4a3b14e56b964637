# SPDX-License-Identifier: GPL-2.0-or-later
"""Components edited outside the core: the exact grid (BGID) of rows the database's triggers marked.

A component inserted or moved in QGIS gets a provisional BGID from schema 5's triggers (the grid whose
R-tree box holds the point when exactly one does) and a row in `component_repairs`; this replaces it
with the grid that really covers the point (loop.geocode.grid_at), or NULL outside every grid.
"""

from __future__ import annotations

import sqlite3

from ..loop import geocode
from ..store import db, gpkg


def pending(conn: sqlite3.Connection) -> int:
    """How many components wait for their exact grid."""
    return conn.execute("SELECT count(*) FROM component_repairs").fetchone()[0]


def repair(conn: sqlite3.Connection) -> dict:
    """Give every marked component its exact BGID, in one transaction; returns counts."""
    fixed = changed = outside = 0
    with db.transaction(conn):
        rows = conn.execute("SELECT r.fid, c.geom, c.BGID FROM component_repairs r "
                            "LEFT JOIN components c ON c.fid = r.fid").fetchall()
        for fid, geom, bgid in rows:
            if geom is not None:
                kind, coords, _srs = gpkg.decode(geom)
                grid = geocode.grid_at(conn, coords[0], coords[1]) if kind == "POINT" and coords else None
                code = grid["code"] if grid else None
                outside += code is None
                if code != bgid:
                    # the same value a user would type: not a change of the record (CHDate stays)
                    conn.execute("UPDATE components SET BGID = ? WHERE fid = ?", (code, fid))
                    changed += 1
            conn.execute("DELETE FROM component_repairs WHERE fid = ?", (fid,))
            fixed += 1
    return {"repaired": fixed, "changed": changed, "outside": outside}
