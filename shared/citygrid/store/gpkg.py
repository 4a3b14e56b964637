# SPDX-License-Identifier: GPL-2.0-or-later
"""OGC GeoPackage without GDAL: geometry blobs (header + WKB), ST_* functions, layer registration."""

from __future__ import annotations

import math
import sqlite3
import struct
from collections.abc import Iterable, Sequence

from ..problems import Problem

APPLICATION_ID = 0x47504B47  # "GPKG"
USER_VERSION = 10200  # GeoPackage 1.2

_POINT, _LINE, _POLY, _MPOINT, _MLINE, _MPOLY = 1, 2, 3, 4, 5, 6
_TYPE_NAMES = {_POINT: "POINT", _LINE: "LINESTRING", _POLY: "POLYGON",
               _MPOINT: "MULTIPOINT", _MLINE: "MULTILINESTRING", _MPOLY: "MULTIPOLYGON"}


# --- encoding -------------------------------------------------------------------------------

def _ring_wkb(ring: Sequence[Sequence[float]]) -> bytes:
    flat = [c for xy in ring for c in xy[:2]]
    return struct.pack(f"<I{len(flat)}d", len(ring), *flat)


def _wkb(gtype: int, coords) -> bytes:
    head = struct.pack("<BI", 1, gtype)
    if gtype == _POINT:
        return head + struct.pack("<2d", coords[0], coords[1])
    if gtype == _LINE:
        return head + _ring_wkb(coords)
    if gtype == _POLY:
        return head + struct.pack("<I", len(coords)) + b"".join(_ring_wkb(r) for r in coords)
    part = {_MPOINT: _POINT, _MLINE: _LINE, _MPOLY: _POLY}[gtype]
    return head + struct.pack("<I", len(coords)) + b"".join(_wkb(part, c) for c in coords)


def _gp_header(srs_id: int, envelope: tuple[float, float, float, float] | None) -> bytes:
    if envelope is None:
        return b"GP" + struct.pack("<BBi", 0, 0b00000001, srs_id)
    minx, maxx, miny, maxy = envelope
    return b"GP" + struct.pack("<BBi4d", 0, 0b00000011, srs_id, minx, maxx, miny, maxy)


def point(x: float, y: float, srs_id: int) -> bytes:
    """A GeoPackage point blob (no envelope, as GDAL writes points)."""
    return _gp_header(srs_id, None) + struct.pack("<BI2d", 1, _POINT, x, y)


def _envelope_of(coords_iter: Iterable[Sequence[float]]) -> tuple[float, float, float, float]:
    xs, ys = [], []
    for xy in coords_iter:
        xs.append(xy[0])
        ys.append(xy[1])
    return min(xs), max(xs), min(ys), max(ys)


def linestring(coords: Sequence[Sequence[float]], srs_id: int) -> bytes:
    return _gp_header(srs_id, _envelope_of(coords)) + _wkb(_LINE, coords)


def polygon(rings: Sequence[Sequence[Sequence[float]]], srs_id: int) -> bytes:
    """Rings are closed coordinate lists, the exterior first."""
    return _gp_header(srs_id, _envelope_of(rings[0])) + _wkb(_POLY, rings)


def multipolygon(polys, srs_id: int) -> bytes:
    env = _envelope_of(xy for p in polys for xy in p[0])
    return _gp_header(srs_id, env) + _wkb(_MPOLY, polys)


# --- decoding -------------------------------------------------------------------------------

_ENV_SIZES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}


def _split(blob: bytes) -> tuple[int, int, tuple | None, memoryview]:
    """-> (flags, srs_id, envelope or None, wkb)."""
    if blob is None or len(blob) < 8 or blob[0:2] != b"GP":
        raise Problem("geometry.not_gpkg_blob")
    flags = blob[3]
    order = "<" if flags & 1 else ">"
    (srs_id,) = struct.unpack_from(order + "i", blob, 4)
    env_kind = (flags >> 1) & 0b111
    if env_kind not in _ENV_SIZES:
        raise Problem("geometry.bad_envelope")
    env = struct.unpack_from(order + "4d", blob, 8) if env_kind else None
    return flags, srs_id, env, memoryview(blob)[8 + _ENV_SIZES[env_kind]:]


def _read_wkb(buf: memoryview, pos: int = 0):
    """-> (geometry type, coordinates, next position). Handles 2D (Z/M dimensions are skipped)."""
    order = "<" if buf[pos] == 1 else ">"
    (raw,) = struct.unpack_from(order + "I", buf, pos + 1)
    pos += 5
    gtype, dims = raw % 1000, 2 + (raw // 1000 in (1, 2)) + (raw // 1000 == 3) * 2
    if raw & 0x80000000 or raw & 0x40000000:  # EWKB-style flags
        gtype = raw & 0xFF
        dims = 2 + bool(raw & 0x80000000) + bool(raw & 0x40000000)

    def pts(p):
        (n,) = struct.unpack_from(order + "I", buf, p)
        vals = struct.unpack_from(order + f"{n * dims}d", buf, p + 4)
        return [vals[i:i + 2] for i in range(0, n * dims, dims)], p + 4 + n * dims * 8

    if gtype == _POINT:
        return gtype, struct.unpack_from(order + "2d", buf, pos), pos + dims * 8
    if gtype == _LINE:
        coords, pos = pts(pos)
        return gtype, coords, pos
    (n,) = struct.unpack_from(order + "I", buf, pos)
    pos += 4
    parts = []
    for _ in range(n):
        if gtype == _POLY:
            ring, pos = pts(pos)
        else:
            _, ring, pos = _read_wkb(buf, pos)
        parts.append(ring)
    return gtype, parts, pos


def decode(blob: bytes) -> tuple[str, object, int]:
    """GeoPackage blob -> (type name, coordinates, srs_id). Empty geometries give coords None."""
    flags, srs_id, _env, wkb = _split(blob)
    if flags & 0b10000:
        return "EMPTY", None, srs_id
    gtype, coords, _ = _read_wkb(wkb)
    return _TYPE_NAMES.get(gtype, str(gtype)), coords, srs_id


def _flat_points(gtype: int, coords) -> Iterable[Sequence[float]]:
    if gtype == _POINT:
        yield coords
    elif gtype in (_LINE, _MPOINT):
        yield from coords
    elif gtype in (_POLY, _MLINE):
        for ring in coords:
            yield from ring
    else:
        for poly in coords:
            for ring in poly:
                yield from ring


def envelope(blob: bytes) -> tuple[float, float, float, float] | None:
    """(minx, maxx, miny, maxy) from the header when present, else from the WKB."""
    flags, _srs, env, wkb = _split(blob)
    if flags & 0b10000:
        return None
    if env is not None:
        return env[0], env[1], env[2], env[3]
    gtype, coords, _ = _read_wkb(wkb)
    if gtype == _POINT:
        x, y = coords
        if math.isnan(x):
            return None
        return x, x, y, y
    return _envelope_of(_flat_points(gtype, coords))


# --- SQL functions --------------------------------------------------------------------------

# --- point in polygon (the grid of a point: geocode, and `citygrid check`) ---------------------------

def tolerance(geographic: bool) -> float:
    """How far from an edge a point still counts as on it: ~1 µm in degrees or in metres."""
    return 1e-11 if geographic else 1e-6


def polygons(blob: bytes) -> tuple:
    """The polygons of a POLYGON or MULTIPOLYGON blob, each a list of rings (exterior first); () else."""
    kind, coords, _srs = decode(blob)
    return (coords,) if kind == "POLYGON" else tuple(coords) if kind == "MULTIPOLYGON" else ()


_PLAIN_POINT = b"\x01\x01\x00\x00\x00"  # little-endian WKB Point, 2-D


def point_xy(blob: bytes) -> tuple[float, float] | None:
    """(x, y) of a POINT blob; None for an empty point or another geometry type."""
    if isinstance(blob, bytes) and len(blob) == 29 and blob[:2] == b"GP" and blob[3] & 0b11110 == 0 \
            and blob[8:13] == _PLAIN_POINT:  # as `point` and GDAL write one: no envelope, not empty
        return struct.unpack_from("<2d", blob, 13)
    kind, coords, _srs = decode(blob)
    return (coords[0], coords[1]) if kind == "POINT" and coords else None


def convex_interior(polygons, tol: float) -> tuple | None:
    """For one convex ring without holes: (x0, y0, half-planes (a, b, c)); a point with
    a * (x - x0) + b * (y - y0) > c for every one is more than `tol` inside every edge, so `covers`
    says yes. A fast accept, exact because every other point still goes through `covers`; None for
    any other shape (several polygons, holes, a concave or self-crossing ring)."""
    if len(polygons) != 1 or len(polygons[0]) != 1:
        return None
    ring = [(float(p[0]), float(p[1])) for p in polygons[0][0]]
    if len(ring) > 1 and ring[0] == ring[-1]:
        ring.pop()
    if len(ring) < 3:
        return None
    x0, y0 = ring[0]
    local = [(x - x0, y - y0) for x, y in ring]  # small numbers: no cancellation in the products
    edges = list(zip(local, local[1:] + local[:1], strict=True))
    area2 = sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in edges)
    if area2 == 0:
        return None
    sign = 1.0 if area2 > 0 else -1.0  # counter-clockwise: the inside is on the left of each edge
    planes = []
    for (x1, y1), (x2, y2) in edges:
        length = math.hypot(x2 - x1, y2 - y1)
        if length == 0:
            continue
        a, b = (y1 - y2) * sign, (x2 - x1) * sign  # a * (x - x1) + b * (y - y1) >= 0 on the inside
        c = a * x1 + b * y1
        if any(a * x + b * y < c - 1e-9 * length * (abs(x) + abs(y) + 1) for x, y in local):
            return None  # a vertex outside an edge's line: not convex
        planes.append((a, b, c + 2 * tol * length))
    return x0, y0, tuple(planes)


def strictly_inside(interior, x: float, y: float) -> bool:
    """Whether (x, y) passes every half-plane of `convex_interior`."""
    x0, y0, planes = interior
    u, v = x - x0, y - y0
    for a, b, c in planes:  # a loop, not all(...): twice as fast for a quadrilateral
        if a * u + b * v <= c:
            return False
    return True


def ring_position(ring, x: float, y: float, tol: float) -> int:
    """1 strictly inside the ring, 0 on its boundary (within `tol`), -1 outside."""
    inside = False
    x1, y1 = ring[-1]
    for x2, y2 in ring:
        dx, dy = x2 - x1, y2 - y1
        if (min(x1, x2) - tol <= x <= max(x1, x2) + tol and min(y1, y2) - tol <= y <= max(y1, y2) + tol
                and (dx * (y - y1) - dy * (x - x1)) ** 2 <= tol * tol * (dx * dx + dy * dy)):
            return 0
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * dx / dy:
            inside = not inside
        x1, y1 = x2, y2
    return 1 if inside else -1


def covers(polygons, x: float, y: float, tol: float) -> bool:
    """Point in the closed polygon: inside or on the exterior, and not strictly inside a hole."""
    for rings in polygons:
        if ring_position(rings[0], x, y, tol) >= 0 and all(
                ring_position(hole, x, y, tol) <= 0 for hole in rings[1:]):
            return True
    return False


def _env_part(i: int):
    def fn(blob):
        if blob is None:
            return None
        try:
            env = envelope(blob)
        except (Problem, struct.error):
            return None
        return None if env is None else env[i]
    return fn


def _is_empty(blob):
    if blob is None:
        return None
    try:
        return 1 if envelope(blob) is None else 0
    except (Problem, struct.error):
        return 1


def register_functions(conn: sqlite3.Connection) -> None:
    """The functions GeoPackage R-tree triggers call (GDAL registers the same names)."""
    for i, name in enumerate(("ST_MinX", "ST_MaxX", "ST_MinY", "ST_MaxY")):
        conn.create_function(name, 1, _env_part(i), deterministic=True)
    conn.create_function("ST_IsEmpty", 1, _is_empty, deterministic=True)


# --- layer registration ---------------------------------------------------------------------

BASE_SQL = """
CREATE TABLE gpkg_spatial_ref_sys (
  srs_name TEXT NOT NULL, srs_id INTEGER NOT NULL PRIMARY KEY, organization TEXT NOT NULL,
  organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT);
CREATE TABLE gpkg_contents (
  table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE,
  description TEXT DEFAULT '', last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
  CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
CREATE TABLE gpkg_geometry_columns (
  table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL,
  srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
  CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
  CONSTRAINT uk_gc_table_name UNIQUE (table_name),
  CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
  CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));
CREATE TABLE gpkg_extensions (
  table_name TEXT, column_name TEXT, extension_name TEXT NOT NULL, definition TEXT NOT NULL,
  scope TEXT NOT NULL, CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name));
INSERT INTO gpkg_spatial_ref_sys VALUES
 ('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined', 'undefined cartesian coordinate reference system'),
 ('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', 'undefined geographic coordinate reference system');
"""


def init_container(conn: sqlite3.Connection) -> None:
    """Mark the (empty) database as a GeoPackage and create the mandatory tables."""
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute(f"PRAGMA user_version = {USER_VERSION}")
    for stmt in BASE_SQL.split(";"):
        if stmt.strip():
            conn.execute(stmt)


def add_srs(conn: sqlite3.Connection, srs_id: int, name: str, definition: str, *,
            organization: str = "EPSG", organization_id: int | None = None) -> None:
    conn.execute(
        "INSERT OR IGNORE INTO gpkg_spatial_ref_sys VALUES (?, ?, ?, ?, ?, ?)",
        (name, srs_id, organization, srs_id if organization_id is None else organization_id, definition, name),
    )


def register_attributes(conn: sqlite3.Connection, table: str, description: str = "") -> None:
    conn.execute(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description) "
        "VALUES (?, 'attributes', ?, ?)", (table, table, description))


def register_features(conn: sqlite3.Connection, table: str, column: str, geometry_type: str,
                      srs_id: int, description: str = "", pk: str = "fid") -> None:
    """Register a feature table created by the caller, with its R-tree index and triggers."""
    conn.execute(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, srs_id) "
        "VALUES (?, 'features', ?, ?, ?)", (table, table, description, srs_id))
    conn.execute("INSERT INTO gpkg_geometry_columns VALUES (?, ?, ?, ?, 0, 0)",
                 (table, column, geometry_type, srs_id))
    add_rtree(conn, table, column, pk)


def add_rtree(conn: sqlite3.Connection, t: str, c: str, i: str = "fid") -> None:
    r = f"rtree_{t}_{c}"
    vals = f"NEW.{i}, ST_MinX(NEW.{c}), ST_MaxX(NEW.{c}), ST_MinY(NEW.{c}), ST_MaxY(NEW.{c})"
    has = f"(NEW.{c} NOT NULL AND NOT ST_IsEmpty(NEW.{c}))"
    has_not = f"(NEW.{c} ISNULL OR ST_IsEmpty(NEW.{c}))"
    stmts = [
        f'CREATE VIRTUAL TABLE "{r}" USING rtree(id, minx, maxx, miny, maxy)',
        f'INSERT OR REPLACE INTO "{r}" SELECT {i}, ST_MinX({c}), ST_MaxX({c}), ST_MinY({c}), '
        f'ST_MaxY({c}) FROM "{t}" WHERE {c} NOT NULL AND NOT ST_IsEmpty({c})',
        f'CREATE TRIGGER "{r}_insert" AFTER INSERT ON "{t}" WHEN {has} '
        f'BEGIN INSERT OR REPLACE INTO "{r}" VALUES ({vals}); END',
        f'CREATE TRIGGER "{r}_update1" AFTER UPDATE OF {c} ON "{t}" WHEN OLD.{i} = NEW.{i} AND {has} '
        f'BEGIN INSERT OR REPLACE INTO "{r}" VALUES ({vals}); END',
        f'CREATE TRIGGER "{r}_update2" AFTER UPDATE OF {c} ON "{t}" WHEN OLD.{i} = NEW.{i} AND {has_not} '
        f'BEGIN DELETE FROM "{r}" WHERE id = OLD.{i}; END',
        f'CREATE TRIGGER "{r}_update3" AFTER UPDATE ON "{t}" WHEN OLD.{i} != NEW.{i} AND {has} '
        f'BEGIN DELETE FROM "{r}" WHERE id = OLD.{i}; INSERT OR REPLACE INTO "{r}" VALUES ({vals}); END',
        f'CREATE TRIGGER "{r}_update4" AFTER UPDATE ON "{t}" WHEN OLD.{i} != NEW.{i} AND {has_not} '
        f'BEGIN DELETE FROM "{r}" WHERE id IN (OLD.{i}, NEW.{i}); END',
        f'CREATE TRIGGER "{r}_delete" AFTER DELETE ON "{t}" WHEN OLD.{c} NOT NULL '
        f'BEGIN DELETE FROM "{r}" WHERE id = OLD.{i}; END',
    ]
    for s in stmts:
        conn.execute(s)
    conn.execute(
        "INSERT INTO gpkg_extensions VALUES (?, ?, 'gpkg_rtree_index', "
        "'http://www.geopackage.org/spec120/#extension_rtree', 'write-only')", (t, c))


def extent(conn: sqlite3.Connection, table: str) -> tuple[float, float, float, float] | None:
    """The layer's bounding box from its R-tree (None when empty). gpkg_contents' box is informative
    only and may be NULL (GDAL then reports an empty extent without scanning a read-only file)."""
    (col,) = conn.execute("SELECT column_name FROM gpkg_geometry_columns WHERE table_name = ?",
                          (table,)).fetchone()
    row = conn.execute(f'SELECT min(minx), min(miny), max(maxx), max(maxy) FROM "rtree_{table}_{col}"').fetchone()
    return None if row[0] is None else tuple(row)


def update_extent(conn: sqlite3.Connection, table: str) -> None:
    """Refresh gpkg_contents' bounding box from the layer's R-tree."""
    row = extent(conn, table) or (None, None, None, None)
    conn.execute("UPDATE gpkg_contents SET min_x=?, min_y=?, max_x=?, max_y=?, "
                 "last_change=strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE table_name=?", (*row, table))
