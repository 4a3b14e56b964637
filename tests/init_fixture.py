# SPDX-License-Identifier: GPL-2.0-or-later
"""Centres made by `citygrid init` for Chengdu's 锦江区 (510104) in CRSs other than the demo's: a
zone-prefixed Gauss-Krüger zone and a city's local transverse Mercator, each with one 200 m grid and
one component placed through the core (positions computed with pyproj, independently of citygrid)."""

from __future__ import annotations

from datetime import date

from pyproj import Transformer

from citygrid import crs
from citygrid.admin import centre
from citygrid.store import db, gpkg

PASSWORD = "secret-pass-1"
DIVISION, NAME = "510104", "锦江区"
LON0, LAT0 = 104.08, 30.65  # the middle of the grid, in 锦江区
HALF = 100.0  # half the grid's side, metres
GRID = "510104001001001"
OBJID = "5101040101000001"  # 上水井盖 (0101)
# name -> what `--crs` is given
CRSES = {
    "gk_zone_prefixed": "EPSG:4523",  # CGCS2000 3-degree GK zone 35 (CM 105E), false easting 35 500 km
    "local_tm": ("+proj=tmerc +lat_0=0 +lon_0=104.1 +k=1 +x_0=50000 +y_0=-3300000 +ellps=GRS80 "
                 "+towgs84=0,0,0,0,0,0,0 +units=m +no_defs"),  # a city system: small coordinates
}
TODAY = date(2026, 5, 1)


def to_xy(spec: str):
    """pyproj's own lon/lat -> x/y for the CRS `spec` (the reference the tests compare with)."""
    return Transformer.from_crs("EPSG:4490", spec, always_xy=True).transform


def to_lonlat(spec: str):
    return Transformer.from_crs(spec, "EPSG:4490", always_xy=True).transform


def make(path, spec: str, **kwargs) -> centre.Summary:
    return centre.create(path, division=DIVISION, name=NAME, admin_password=PASSWORD, crs_spec=spec,
                         today=TODAY, **kwargs)


def seed(path, spec: str) -> dict:
    """One grid (a 200 m square around LON0, LAT0) with its street and community, one component in it."""
    fwd = to_xy(spec)
    cx, cy = fwd(LON0, LAT0)
    ring = [(cx - HALF, cy - HALF), (cx + HALF, cy - HALF), (cx + HALF, cy + HALF), (cx - HALF, cy + HALF),
            (cx - HALF, cy - HALF)]
    px, py = cx + 30.0, cy - 40.0
    conn = db.open_centre(path)
    try:
        srs_id = crs.centre_srs_id(conn)
        with db.transaction(conn):
            conn.executemany("INSERT INTO regions (code, name, level, parent_code) VALUES (?, ?, ?, ?)", [
                (GRID[:9], "书院街街道", "street", DIVISION), (GRID[:12], "和平社区", "community", GRID[:9])])
            conn.execute("INSERT INTO grids (geom, code, name, street_code, community_code, area_m2) "
                         "VALUES (?, ?, '和平001', ?, ?, ?)",
                         (gpkg.polygon([ring], srs_id), GRID, GRID[:9], GRID[:12], (2 * HALF) ** 2))
            conn.execute("INSERT INTO components (geom, ObjID, ObjName, BGID, ORDate, CHDate) "
                         "VALUES (?, ?, '上水井盖', ?, '2026-05-01', '2026-05-01')",
                         (gpkg.point(px, py, srs_id), OBJID, GRID))
    finally:
        conn.close()
    return {"ring": ring, "component": (px, py), "centre": (cx, cy)}
