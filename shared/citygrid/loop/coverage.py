# SPDX-License-Identifier: GPL-2.0-or-later
"""Where a centre's things are, for tools that draw or place them: the centre's CRS as an authority
code and WKT, and the extent of a collector's unit grids (an offline basemap covers it).

Reads only: nothing here writes to the centre.
"""

from __future__ import annotations

import sqlite3

from .. import crs
from ..problems import Problem
from . import accounts

MARGIN_SHARE = 0.05  # of the larger side of the extent
MARGIN_MIN = {"projected": 100.0, "geographic": 0.001}  # metres, degrees (about 100 m)


def centre_crs(conn: sqlite3.Connection) -> tuple[str | None, str]:
    """(authority:code or None, WKT definition) of the centre's storage CRS (crs.unsupported when it
    has no usable definition)."""
    srs_id = crs.centre_srs_id(conn)
    row = conn.execute("SELECT organization, organization_coordsys_id, definition FROM gpkg_spatial_ref_sys "
                       "WHERE srs_id = ?", (srs_id,)).fetchone()
    if row is None or not row[2] or row[2] == "undefined":
        return f"EPSG:{srs_id}", crs.definition(srs_id)[1]
    organization, code, wkt = row
    known = organization and organization.upper() != "NONE"
    return (f"{organization.upper()}:{code}" if known else None), wkt


def collector_extent(conn: sqlite3.Connection, username: str) -> tuple[float, float, float, float]:
    """(xmin, ymin, xmax, ymax) of the unit grids assigned to `username`, in the centre's CRS.

    `account.unknown` for no such user; `coverage.no_grids` for an account without grids (a
    collector not assigned yet, or another role)."""
    user = accounts.user(conn, username)
    row = conn.execute(
        "SELECT min(r.minx), min(r.miny), max(r.maxx), max(r.maxy) FROM collector_grids cg "
        "JOIN grids g ON g.code = cg.grid_code JOIN rtree_grids_geom r ON r.id = g.fid "
        "WHERE cg.username = ?", (username,)).fetchone()
    if row is None or row[0] is None:
        raise Problem("coverage.no_grids", username=str(username), role=user.role)
    return tuple(float(v) for v in row)


def with_margin(extent: tuple[float, float, float, float], *, geographic: bool) -> tuple[float, ...]:
    """`extent` grown on every side by 5 % of its larger side, at least about 100 m."""
    xmin, ymin, xmax, ymax = extent
    floor = MARGIN_MIN["geographic" if geographic else "projected"]
    margin = max(MARGIN_SHARE * max(xmax - xmin, ymax - ymin), floor)
    return xmin - margin, ymin - margin, xmax + margin, ymax + margin
