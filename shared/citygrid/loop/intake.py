# SPDX-License-Identifier: GPL-2.0-or-later
"""What a hotline operator needs to register a report at a point: grid, nearby components, address.

The hotline channel (12319 城建热线 or 12345 政务热线) is kept in the case's `reporter`, in the
Open311 intake's shape `name <contact>` with the channel first: `12345 王先生 <13912345678>`. The
reporter is who brought the case in (for a hotline case: the line and the caller behind it); it stays
at the centre (devices never receive it, so a caller's phone does not travel to the field), while
`source` keeps the schema's `hotline` and the description stays the caller's words for the 核实.
"""

from __future__ import annotations

import math
import re
import sqlite3
from dataclasses import dataclass

from .. import codes, crs
from ..problems import Problem
from ..store import db, gpkg
from . import geocode

HOTLINES = ("12319", "12345")
COMPONENT_RADIUS_M = 30.0
ROAD_RADIUS_M = 150.0
NEAR = "附近"  # addresses are data in the centre's language (Chinese place names), not interface text
_PHONE = re.compile(r"\+?[0-9][0-9 -]{2,19}")
_MAX_NAME = 40
_ROADS = ("SELECT b.name, b.geom FROM rtree_basemap_roads_geom r JOIN basemap_roads b ON b.fid = r.id "
          "WHERE r.minx <= ? AND r.maxx >= ? AND r.miny <= ? AND r.maxy >= ? AND b.name IS NOT NULL "
          "AND trim(b.name) != ''")


@dataclass(frozen=True)
class Nearby:
    """A component near the clicked point: its ObjID, name, class and distance in metres."""

    ObjID: str  # noqa: N815 (the domain's field name)
    name: str
    class_code: str
    distance_m: float


@dataclass(frozen=True)
class Prefill:
    """The form's starting values for a report at (x, y) in the centre CRS."""

    x: float
    y: float
    grid: dict  # geocode.grid_at's dict: code, name, street_code, community_code
    street_name: str | None
    community_name: str | None
    components: tuple[Nearby, ...]
    address: str


def prefill(conn: sqlite3.Connection, x: float, y: float, *, radius_m: float = COMPONENT_RADIUS_M,
            limit: int = 10) -> Prefill:
    """Grid, its street and community, nearby components and an address; outside every grid is
    Problem geocode.outside_grids."""
    grid = geocode.grid_for(conn, x, y)
    names = region_names(conn, (grid["street_code"], grid["community_code"]))
    scheme = codes.scheme(db.meta(conn, "code_scheme", codes.DEFAULT_SCHEME))
    nearby = tuple(Nearby(objid, name or "", codes.parse_objid(objid, scheme).class_code, d)
                   for objid, name, d in geocode.nearest_components(conn, x, y, radius_m=radius_m, limit=limit))
    return Prefill(float(x), float(y), grid, names.get(grid["street_code"]), names.get(grid["community_code"]),
                   nearby, address_at(conn, x, y, grid=grid))


def region_names(conn: sqlite3.Connection, region_codes) -> dict[str, str]:
    """Names of these regions (street, community, district) by code; unknown codes are left out."""
    wanted = [c for c in dict.fromkeys(region_codes) if c]
    if not wanted:
        return {}
    marks = ",".join("?" * len(wanted))
    return dict(conn.execute(f"SELECT code, name FROM regions WHERE code IN ({marks})", wanted).fetchall())


def address_at(conn: sqlite3.Connection, x: float, y: float, *, grid: dict | None = None,
               road_radius_m: float = ROAD_RADIUS_M) -> str:
    """`district street community` names of the grid at (x, y), then the nearest named road within
    `road_radius_m` + 附近, e.g. `姑苏区平江街道中张家社区人民路附近`; "" when nothing is known."""
    grid = grid if grid is not None else geocode.grid_at(conn, x, y)
    places = ""
    if grid is not None:
        district = grid["street_code"][:codes.COUNTY_DIGITS] if grid.get("street_code") else None
        region_codes = (district, grid.get("street_code"), grid.get("community_code"))
        names = region_names(conn, region_codes)
        places = "".join(names[c] for c in region_codes if c in names)
    road = nearest_road(conn, x, y, radius_m=road_radius_m)
    return places + (f"{road}{NEAR}" if road else "")


def nearest_road(conn: sqlite3.Connection, x: float, y: float, *, radius_m: float = ROAD_RADIUS_M) -> str | None:
    """The name of the nearest named `basemap_roads` line within `radius_m` of (x, y), if any."""
    xy = geocode.finite_xy(x, y)
    if xy is None:
        raise Problem("crs.out_of_range", x=str(x), y=str(y))
    x, y = xy
    geographic = crs.is_geographic(crs.centre_srs_id(conn))
    to_m = _metric(x) if geographic else (lambda px, py: (px, py))
    box = radius_m / 100_000 if geographic else radius_m  # a degree is more than 100 km below 60°N
    best, qx, qy = None, *to_m(x, y)
    for name, geom in conn.execute(_ROADS, (x + box, x - box, y + box, y - box)):
        kind, coords, _srs = gpkg.decode(geom)
        lines = [coords] if kind == "LINESTRING" else coords if kind == "MULTILINESTRING" else []
        for line in lines:
            d = _to_line(qx, qy, [to_m(px, py) for px, py, *_ in line])
            if d <= radius_m and (best is None or d < best[0]):
                best = (d, name.strip())
    return None if best is None else best[1]


def _metric(lon0: float):
    zone = crs.zone_for(lon0)
    return lambda lon, lat: crs.to_projected(lon, lat, zone)


def _to_line(x: float, y: float, points: list) -> float:
    """Distance from (x, y) to a polyline (a single point counts as a line of no length)."""
    best = math.inf
    for (ax, ay), (bx, by) in zip(points, points[1:] or points, strict=False):
        dx, dy = bx - ax, by - ay
        length2 = dx * dx + dy * dy
        t = 0.0 if length2 == 0 else max(0.0, min(1.0, ((x - ax) * dx + (y - ay) * dy) / length2))
        best = min(best, math.hypot(x - ax - t * dx, y - ay - t * dy))
    return best


def hotline_reporter(channel: str, name: str = "", phone: str = "") -> str:
    """`12345 王先生 <13912345678>`: the channel, then the caller (both optional) as Open311 writes them."""
    if channel not in HOTLINES:
        raise Problem("intake.bad_channel", channel=str(channel), known=", ".join(HOTLINES))
    name, phone = " ".join(str(name or "").split()), str(phone or "").strip()
    if len(name) > _MAX_NAME or "<" in name or ">" in name:
        raise Problem("intake.bad_caller", value=name[:_MAX_NAME + 10], max=_MAX_NAME)
    if phone and not _PHONE.fullmatch(phone):
        raise Problem("intake.bad_phone", value=phone[:30])
    return " ".join(part for part in (channel, name, f"<{phone}>" if phone else "") if part)


def hotline_channel(reporter: str | None) -> str | None:
    """The hotline a case came in by, read back from its reporter (None when it names none)."""
    first = (reporter or "").split(" ", 1)[0]
    return first if first in HOTLINES else None
