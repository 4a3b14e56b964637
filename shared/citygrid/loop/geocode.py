# SPDX-License-Identifier: GPL-2.0-or-later
"""Geocoding: point -> unit grid, nearest components, ObjID allocation and case numbers.

Coordinates are in the centre's CRS (`citygrid_meta.srs_id`) unless a function says lon/lat.
"""

from __future__ import annotations

import contextlib
import heapq
import math
import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime

from .. import codes, crs, times
from ..problems import Problem
from ..store import db, gpkg

CASE_SERIAL_DIGITS = 5
_MAX_CACHES = 16  # one grid index per open connection; more than this means connections were dropped
_GRID_CANDIDATES = "SELECT id FROM rtree_grids_geom WHERE minx <= ? AND maxx >= ? AND miny <= ? AND maxy >= ?"
# Candidates in the search box, ordered by a lower bound of their distance (the R-tree box is a
# float32 envelope around the true point), so the caller can stop decoding early.
_COMPONENT_CANDIDATES = (
    "SELECT c.ObjID, c.ObjName, c.geom, "
    "max(r.minx - :x, :x - r.maxx, 0) * max(r.minx - :x, :x - r.maxx, 0) "
    "+ max(r.miny - :y, :y - r.maxy, 0) * max(r.miny - :y, :y - r.maxy, 0) AS low2 "
    "FROM rtree_components_geom r JOIN components c ON c.fid = r.id "
    "WHERE r.minx <= :x2 AND r.maxx >= :x1 AND r.miny <= :y2 AND r.maxy >= :y1{class_filter} "
    "ORDER BY low2")
_GRIDS_REV = "SELECT max(rev) FROM sync_changes WHERE entity = 'grid'"
_STATE = ("SELECT (SELECT data_version FROM pragma_data_version()), token, dirty "
          "FROM temp.citygrid_geocode_mark")
# The mark lives in this connection's TEMP schema: its triggers see only this connection's grid
# edits (other connections' commits move PRAGMA data_version), and a rolled-back transaction takes
# a mark written inside it along, so a cache built from uncommitted grids is never trusted later.
_MARK_TABLE = "CREATE TEMP TABLE IF NOT EXISTS citygrid_geocode_mark (token TEXT NOT NULL, dirty INTEGER NOT NULL)"
_MARK_TRIGGER = ("CREATE TEMP TRIGGER IF NOT EXISTS citygrid_geocode_grids_{op} AFTER {op} ON main.grids "
                 "BEGIN UPDATE citygrid_geocode_mark SET dirty = 1; END")


@dataclass(frozen=True)
class Location:
    """A lon/lat fix placed in the centre CRS and its unit grid (codes None outside every grid)."""

    x: float
    y: float
    grid_code: str | None
    street_code: str | None
    community_code: str | None

    def to_wire(self) -> dict:
        return {"x": self.x, "y": self.y, "grid_code": self.grid_code,
                "street_code": self.street_code, "community_code": self.community_code}


# --- the per-connection grid index -------------------------------------------------------------

@dataclass(frozen=True)
class _Grid:
    code: str
    name: str | None
    street_code: str
    community_code: str
    polygons: tuple  # of polygons, each a list of rings, the exterior first

    def as_dict(self) -> dict:
        return {"code": self.code, "name": self.name, "street_code": self.street_code,
                "community_code": self.community_code}


@dataclass(slots=True)
class _GridIndex:
    token: str  # equals the TEMP mark's token while this cache is trustworthy
    rev: int | None  # the grids revision in sync_changes when built
    data_version: int
    tolerance: float
    grids: dict[int, _Grid]


# sqlite3 connections take no weak references, so caches are keyed by id(); the token check makes
# a reused id (a new connection, without our mark) rebuild instead of trusting a stranger's cache.
_CACHES: dict[int, _GridIndex] = {}


def _state(conn: sqlite3.Connection) -> tuple | None:
    """(data_version, token, dirty), or None before the first build on this connection."""
    try:
        row = conn.execute(_STATE).fetchone()
    except sqlite3.OperationalError:  # no mark table yet on this connection
        return None
    return tuple(row) if row else None


def _grid_index(conn: sqlite3.Connection) -> _GridIndex:
    """The decoded grids, rebuilt when the grids revision moved or our build was rolled back."""
    index, state = _CACHES.get(id(conn)), _state(conn)
    if index is None or state is None or state[1] != index.token or state[2]:
        return _rebuild(conn)
    if state[0] != index.data_version:  # another connection committed something: grids too?
        if conn.execute(_GRIDS_REV).fetchone()[0] != index.rev:
            return _rebuild(conn)
        index.data_version = state[0]
    return index


def _load_grids(conn: sqlite3.Connection) -> dict[int, _Grid]:
    """Every grid with a geometry, decoded once, by fid (the R-tree's id)."""
    grids = {}
    for fid, code, name, street, community, geom in conn.execute(
            "SELECT fid, code, name, street_code, community_code, geom FROM grids WHERE geom IS NOT NULL"):
        grids[fid] = _Grid(code, name, street, community, gpkg.polygons(geom))
    return grids


def _new_mark(conn: sqlite3.Connection) -> str:
    """A fresh token in this connection's TEMP mark (created with its triggers on first use)."""
    token = os.urandom(8).hex()  # secrets.token_hex, without importing hmac and OpenSSL
    conn.execute(_MARK_TABLE)
    for op in ("INSERT", "UPDATE", "DELETE"):
        conn.execute(_MARK_TRIGGER.format(op=op))
    conn.execute("DELETE FROM temp.citygrid_geocode_mark")
    conn.execute("INSERT INTO temp.citygrid_geocode_mark (token, dirty) VALUES (?, 0)", (token,))
    return token


def _rebuild(conn: sqlite3.Connection) -> _GridIndex:
    rev = conn.execute(_GRIDS_REV).fetchone()[0]  # read before the grids: a race only rebuilds again
    tolerance = gpkg.tolerance(crs.is_geographic(crs.centre_srs_id(conn)))
    grids = _load_grids(conn)
    token = _new_mark(conn)
    index = _GridIndex(token, rev, _state(conn)[0], tolerance, grids)
    _CACHES.pop(id(conn), None)
    _CACHES[id(conn)] = index
    while len(_CACHES) > _MAX_CACHES:
        del _CACHES[next(iter(_CACHES))]
    return index


# --- point -> grid -----------------------------------------------------------------------------

def finite_xy(x, y) -> tuple[float, float] | None:
    """(x, y) as finite floats, or None when either is not a finite number."""
    try:
        fx, fy = float(x), float(y)
    except (TypeError, ValueError):
        return None
    return (fx, fy) if math.isfinite(fx) and math.isfinite(fy) else None


def _xy(x, y) -> tuple[float, float]:
    xy = finite_xy(x, y)
    if xy is None:
        raise Problem("crs.out_of_range", x=str(x), y=str(y))
    return xy


def grid_at(conn: sqlite3.Connection, x: float, y: float) -> dict | None:
    """The unit grid covering (x, y): code, name, street_code, community_code; None outside all.

    A point on a shared edge or vertex belongs to every grid touching it; the lowest code wins.
    """
    x, y = _xy(x, y)
    index = _grid_index(conn)
    best = None
    for (fid,) in conn.execute(_GRID_CANDIDATES, (x, x, y, y)):
        grid = index.grids.get(fid)
        if grid and (best is None or grid.code < best.code) and gpkg.covers(grid.polygons, x, y, index.tolerance):
            best = grid
    return best.as_dict() if best else None


def grids_at(conn: sqlite3.Connection, points) -> list[str | None]:
    """`grid_at`'s grid code for each (x, y) of `points` (None outside every grid): the same index and
    rule (the lowest code wins on a shared edge), the candidates from one read of the grids' R-tree
    into buckets instead of a query per point (bulk imports place 417,000 components)."""
    index = _grid_index(conn)
    boxes = [(index.grids[fid].code, fid, x0, x1, y0, y1)
             for fid, x0, x1, y0, y1 in conn.execute("SELECT id, minx, maxx, miny, maxy FROM rtree_grids_geom")
             if fid in index.grids]
    if not boxes:
        return [None] * len(points)
    boxes.sort()  # by code: the first covering candidate is the lowest code
    sizes = sorted(max(b[3] - b[2], b[5] - b[4]) for b in boxes)
    cell = max(sizes[len(sizes) // 2], 1e-9)
    buckets: dict[tuple[int, int], list] = {}
    for code, fid, x0, x1, y0, y1 in boxes:
        for i in range(math.floor(x0 / cell), math.floor(x1 / cell) + 1):
            for j in range(math.floor(y0 / cell), math.floor(y1 / cell) + 1):
                buckets.setdefault((i, j), []).append((code, index.grids[fid].polygons, x0, x1, y0, y1))
    out, tol, empty = [], index.tolerance, ()
    for x, y in points:
        found = None
        for code, polygons, x0, x1, y0, y1 in buckets.get((math.floor(x / cell), math.floor(y / cell)), empty):
            if x0 <= x <= x1 and y0 <= y <= y1 and gpkg.covers(polygons, x, y, tol):
                found = code
                break
        out.append(found)
    return out


def grid_for(conn: sqlite3.Connection, x: float, y: float) -> dict:
    """Like `grid_at`, but a point outside every grid is Problem geocode.outside_grids."""
    found = grid_at(conn, x, y)
    if found is None:
        raise Problem("geocode.outside_grids", x=float(x), y=float(y))
    return found


def grid_at_lonlat(conn: sqlite3.Connection, lon: float, lat: float) -> dict | None:
    """`grid_at` for a longitude/latitude (EPSG:4490/4326)."""
    x, y = crs.centre_transform(conn).forward(lon, lat)
    return grid_at(conn, x, y)


def locate(conn: sqlite3.Connection, lon: float, lat: float) -> Location:
    """A lon/lat fix -> its centre-CRS position and unit grid."""
    x, y = crs.centre_transform(conn).forward(lon, lat)
    grid = grid_at(conn, x, y) or {}
    return Location(x, y, grid.get("code"), grid.get("street_code"), grid.get("community_code"))


# --- nearest components ------------------------------------------------------------------------

def _scheme(conn: sqlite3.Connection) -> codes.Scheme:
    return codes.scheme(db.meta(conn, "code_scheme", codes.DEFAULT_SCHEME))


def _search(srs_id: int, x: float, y: float, radius: float):
    """-> (dx, dy half-sizes of the search box, metres per CRS unit at least, metres function)."""
    if not crs.is_geographic(srs_id):
        return radius, radius, 1.0, lambda px, py: math.hypot(px - x, py - y)
    # Geographic centre: measure in the local Gauss-Krüger zone (scale >= 1, so never too short).
    # The box uses the smallest radii of curvature (meridian >= 6335 km, normal >= 6378 km).
    zone = crs.zone_for(x)
    qx, qy = crs.to_projected(x, y, zone)
    dlat = math.degrees(radius / 6_335_000)
    parallel = 6_378_000 * math.cos(math.radians(min(89.0, abs(y) + dlat)))

    def metres(px, py):
        zx, zy = crs.to_projected(px, py, zone)
        return math.hypot(zx - qx, zy - qy)
    return math.degrees(radius / parallel), dlat, math.radians(min(6_335_000, parallel)), metres


def nearest_components(conn: sqlite3.Connection, x: float, y: float, *, radius_m: float,
                       class_code: str | None = None, limit: int = 10) -> list[tuple[str, str, float]]:
    """Components within `radius_m` of (x, y), nearest first: [(ObjID, ObjName, distance_m)]."""
    x, y = _xy(x, y)
    if not (isinstance(radius_m, int | float) and math.isfinite(radius_m) and radius_m >= 0):
        raise Problem("geocode.bad_radius", radius_m=str(radius_m))
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise Problem("geocode.bad_limit", limit=str(limit))
    dx, dy, unit_m, metres = _search(crs.centre_srs_id(conn), x, y, float(radius_m))
    params = {"x": x, "y": y, "x1": x - dx, "x2": x + dx, "y1": y - dy, "y2": y + dy}
    class_filter = ""
    if class_code is not None:
        scheme = _scheme(conn)
        params["cls"] = codes.check_class_code(class_code, scheme)
        class_filter = f" AND substr(c.ObjID, {codes.COUNTY_DIGITS + 1}, {scheme.class_digits}) = :cls"
    with contextlib.closing(conn.execute(_COMPONENT_CANDIDATES.format(class_filter=class_filter),
                                         params)) as rows:
        best = _nearest(rows, unit_m, metres, float(radius_m), limit)
    return [(objid, name, d) for d, objid, name in sorted((-neg, o, n) for neg, o, n in best)]


def _nearest(rows, unit_m: float, metres, radius: float, limit: int) -> list[tuple[float, str, str]]:
    """The `limit` nearest rows within `radius`, as a heap of (-distance, ObjID, ObjName).

    Rows come ordered by a lower bound of their distance, so the scan stops once that bound
    passes the radius or the farthest hit kept so far.
    """
    best: list[tuple[float, str, str]] = []
    for objid, name, geom, low2 in rows:
        low = math.sqrt(low2) * unit_m
        if low > radius or (len(best) == limit and low > -best[0][0]):
            break
        kind, coords, _srs = gpkg.decode(geom)
        if kind == "POINT" and (d := metres(coords[0], coords[1])) <= radius:
            (heapq.heappush if len(best) < limit else heapq.heappushpop)(best, (-d, objid, name))
    return best


# --- serials: ObjIDs and case numbers ----------------------------------------------------------

def _max_present(conn: sqlite3.Connection, table: str, column: str, prefix: str, digits: int) -> int:
    """The highest serial already used in `table.column` for `prefix` + `digits` digits (0 if none)."""
    row = conn.execute(
        f"SELECT {column} FROM {table} WHERE {column} BETWEEN ? AND ? AND {column} GLOB ? "
        f"ORDER BY {column} DESC LIMIT 1",
        (prefix + "0" * digits, prefix + "9" * digits, prefix + "[0-9]" * digits)).fetchone()
    return int(row[0][len(prefix):]) if row else 0


def _bump(conn: sqlite3.Connection, scope: str, floor: int, maximum: int, count: int = 1) -> int:
    """The first of `count` consecutive new serials of `scope`, above both its record and `floor`;
    the record moves forward past the last of them."""
    row = conn.execute("SELECT last FROM serials WHERE scope = ?", (scope,)).fetchone()
    serial = max(row[0] if row else 0, floor) + 1
    if serial + count - 1 > maximum:
        raise Problem("geocode.serials_exhausted", scope=scope, max=maximum)
    conn.execute("INSERT INTO serials (scope, last) VALUES (?, ?) "
                 "ON CONFLICT(scope) DO UPDATE SET last = excluded.last", (scope, serial + count - 1))
    return serial


def allocate_objid(conn: sqlite3.Connection, class_code: str, *, county: str | None = None) -> str:
    """A new, never-used ObjID for the class in the county (default: the centre's county)."""
    return allocate_objids(conn, class_code, 1, county=county)[0]


def allocate_objids(conn: sqlite3.Connection, class_code: str, count: int, *, county: str | None = None,
                    floor: int = 0) -> list[str]:
    """`count` new, never-used ObjIDs for the class in the county, in serial order (the bulk form of
    `allocate_objid`, same rule: the serials table's scope `objid:<county><class>`, above the highest
    serial present in `components` and above `floor`, e.g. the highest one an import brings along).

    The rule lives here only: the database's own defaults for components added outside citygrid
    (QGIS editing) must follow it too."""
    scheme = _scheme(conn)
    codes.check_class_code(class_code, scheme)
    county = codes.check_county(county if county is not None else db.meta(conn, "county_code"))
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise Problem("geocode.bad_limit", limit=str(count))
    if count == 0:
        return []
    prefix = county + class_code
    with db.transaction(conn):
        present = _max_present(conn, "components", "ObjID", prefix, scheme.serial_digits)
        first = _bump(conn, f"objid:{prefix}", max(present, floor), scheme.max_serial, count)
    digits = scheme.serial_digits
    return [f"{prefix}{serial:0{digits}d}" for serial in range(first, first + count)]


def next_case_no(conn: sqlite3.Connection, at: datetime) -> str:
    """`YYYYMMDD` of `at` in the centre's timezone + a 5-digit serial of that day."""
    if not isinstance(at, datetime):
        raise Problem("time.malformed", value=str(at))
    if at.tzinfo is None:
        raise Problem("time.naive", value=at.isoformat())
    day = at.astimezone(times.zone(db.meta(conn, "timezone", times.DEFAULT_ZONE))).strftime("%Y%m%d")
    with db.transaction(conn):
        floor = _max_present(conn, "cases", "case_no", day, CASE_SERIAL_DIGITS)
        serial = _bump(conn, f"case:{day}", floor, 10**CASE_SERIAL_DIGITS - 1)
    return f"{day}{serial:0{CASE_SERIAL_DIGITS}d}"
