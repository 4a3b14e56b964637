# SPDX-License-Identifier: GPL-2.0-or-later
"""`citygrid export`: any layer or table of the centre to CSV that Excel opens correctly.

UTF-8 with a byte-order mark (`utf-8-sig`: without it Excel reads Chinese as mojibake), one header
row of the table's own column names. Geometry: points as `x`,`y` in the centre's CRS (and `lon`,`lat`
with `lonlat`), other geometries as WKT in a `geom_wkt` column. Rows are streamed from SQLite and
written as they come (417,000 components or 7.8 million events never sit in memory), into a temporary
file renamed at the end: an export that fails leaves no half-written file.

Secrets never leave: password, token and API key hashes are not exported.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import sqlite3
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .. import crs
from ..problems import Problem
from ..store import gpkg

SECRET_COLUMNS = {"users": {"password_hash"}, "auth_tokens": {"token_hash"}, "open311_keys": {"key_hash"}}
BATCH = 2000


@dataclass(frozen=True)
class Layer:
    name: str
    columns: tuple[str, ...]  # exported attribute columns, in table order
    geometry: str | None  # geometry column name
    geometry_type: str | None  # POINT, POLYGON, ...


def layers(conn: sqlite3.Connection) -> list[str]:
    """The names `export` accepts: every feature layer and attribute table of the GeoPackage."""
    return [r[0] for r in conn.execute("SELECT table_name FROM gpkg_contents ORDER BY table_name")]


def layer(conn: sqlite3.Connection, name: str) -> Layer:
    known = layers(conn)
    if name not in known:
        raise Problem("export.unknown_layer", layer=str(name), known=", ".join(known))
    geom = conn.execute("SELECT column_name, geometry_type_name FROM gpkg_geometry_columns WHERE table_name = ?",
                        (name,)).fetchone()
    secret = SECRET_COLUMNS.get(name, set())
    cols = tuple(r[1] for r in conn.execute(f'PRAGMA table_info("{name}")')
                 if r[1] not in secret and (geom is None or r[1] != geom[0]))
    return Layer(name, cols, geom[0] if geom else None, geom[1].upper() if geom else None)


def _num(v: float) -> str:
    return repr(float(v))


def _ring(points) -> str:
    return "(" + ", ".join(f"{_num(p[0])} {_num(p[1])}" for p in points) + ")"


def wkt(kind: str, coords) -> str:
    """WKT of a decoded GeoPackage geometry (gpkg.decode)."""
    if kind == "EMPTY" or coords is None:
        return "GEOMETRYCOLLECTION EMPTY"
    if kind == "POINT":
        return f"POINT ({_num(coords[0])} {_num(coords[1])})"
    if kind == "LINESTRING":
        return "LINESTRING " + _ring(coords)
    if kind == "POLYGON":
        return "POLYGON (" + ", ".join(_ring(r) for r in coords) + ")"
    if kind == "MULTIPOINT":
        return "MULTIPOINT (" + ", ".join(f"({_num(p[0])} {_num(p[1])})" for p in coords) + ")"
    if kind == "MULTILINESTRING":
        return "MULTILINESTRING (" + ", ".join(_ring(r) for r in coords) + ")"
    if kind == "MULTIPOLYGON":
        return "MULTIPOLYGON (" + ", ".join("(" + ", ".join(_ring(r) for r in p) + ")" for p in coords) + ")"
    raise Problem("geometry.not_gpkg_blob")


def _geometry_cells(lay: Layer, lonlat: bool, conn: sqlite3.Connection) -> tuple[list[str], Callable]:
    if lay.geometry is None:
        return [], lambda blob: []
    if lay.geometry_type == "POINT":
        inverse = crs.centre_transform(conn).inverse if lonlat else None

        def point(blob):
            if blob is None:
                return ["", ""] + (["", ""] if inverse else [])
            kind, c, _srs = gpkg.decode(blob)
            if kind != "POINT" or c is None:
                return ["", ""] + (["", ""] if inverse else [])
            cells = [_num(c[0]), _num(c[1])]
            if inverse:
                lon, lat = inverse(c[0], c[1])
                cells += [f"{lon:.7f}", f"{lat:.7f}"]
            return cells
        return ["x", "y"] + (["lon", "lat"] if inverse else []), point

    def other(blob):
        if blob is None:
            return [""]
        kind, c, _srs = gpkg.decode(blob)
        return [wkt(kind, c)]
    return ["geom_wkt"], other


def _cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bytes):
        return v.hex()
    return str(v)


def export(conn: sqlite3.Connection, name: str, out: str | os.PathLike | None = None, *,
           where: str | None = None, lonlat: bool = False,
           progress: Callable[[int], None] | None = None) -> int:
    """Write the layer `name` as CSV (utf-8-sig) to `out` (stdout when None); returns the rows written.

    `where` is an SQL condition over the table's columns (the connection should be read-only).
    """
    lay = layer(conn, name)
    if out is not None:
        _not_the_centre(conn, Path(out))
    geo_head, geo_cells = _geometry_cells(lay, lonlat, conn)
    select = ", ".join(f'"{c}"' for c in lay.columns + ((lay.geometry,) if lay.geometry else ()))
    sql = f'SELECT {select} FROM "{lay.name}"' + (f" WHERE {where}" if where else "") + " ORDER BY rowid"
    try:
        cursor = conn.execute(sql)  # prepares, so a bad condition fails before any file is touched
    except sqlite3.Error as exc:
        raise Problem("export.bad_where", where=str(where), reason=str(exc)) from None
    n_attr = len(lay.columns)
    target = Path(out) if out is not None else None
    tmp = target.with_name(target.name + ".part") if target else None
    try:
        fh = open(tmp, "w", encoding="utf-8-sig", newline="") if tmp else None  # noqa: SIM115
    except OSError as exc:
        cursor.close()
        raise Problem("export.cannot_write", path=str(target), reason=exc.strerror or str(exc)) from None
    if fh is None:
        sys.stdout.flush()
        stream = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8-sig", newline="")
    else:
        stream = fh
    count = 0
    try:
        writer = csv.writer(stream)
        writer.writerow(list(lay.columns) + geo_head)
        while rows := cursor.fetchmany(BATCH):
            writer.writerows([_cell(v) for v in r[:n_attr]] + geo_cells(r[n_attr] if lay.geometry else None)
                             for r in rows)
            count += len(rows)
            if progress:
                progress(count)
        if fh:
            fh.close()
            os.replace(tmp, target)
    except BaseException:
        if fh:
            fh.close()
            with contextlib.suppress(FileNotFoundError):
                os.remove(tmp)
        raise
    finally:
        cursor.close()
        if fh is None:
            stream.flush()
            stream.detach()  # leave sys.stdout's buffer open
    return count


def _not_the_centre(conn: sqlite3.Connection, target: Path) -> None:
    """Refuse to write the CSV over the centre file (or its -wal/-shm) itself."""
    main = next((r[2] for r in conn.execute("PRAGMA database_list") if r[1] == "main"), "")
    if not main:
        return
    centre = Path(main).resolve()
    resolved = target.resolve()
    if resolved in (centre, centre.with_name(centre.name + "-wal"), centre.with_name(centre.name + "-shm")):
        raise Problem("export.cannot_write", path=str(target), reason="that is the centre file")
