# SPDX-License-Identifier: GPL-2.0-or-later
"""Coordinate reference systems the centre may use, and every conversion between the devices'
longitude/latitude and the centre's x/y (`centre_transform`, the one place).

Fast path, pure Python (the field app carries it): CGCS2000 geographic and its 3-degree Gauss-Krüger
zones EPSG:4534-4554 (central meridians 75°E-135°E, no zone prefix). Any other projected CRS in metres
that PROJ knows (other Gauss-Krüger zones, 6-degree and zone-prefixed ones, UTM, a city's local system
as an EPSG code, a PROJ string or WKT) goes through pyproj, imported inside functions: centre side only.
A CRS without an authority code is stored in gpkg_spatial_ref_sys under `LOCAL_SRS_ID` (organization
NONE), as GDAL does; the centre reads its definition back from there.
"""

from __future__ import annotations

import cmath
import math
import os
import re
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass

from .problems import Problem

CGCS2000_GEOGCS = (
    'GEOGCS["China Geodetic Coordinate System 2000",DATUM["China_2000",'
    'SPHEROID["CGCS2000",6378137,298.257222101,AUTHORITY["EPSG","1024"]],AUTHORITY["EPSG","1043"]],'
    'PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],'
    'UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4490"]]'
)
WGS84_GEOGCS = (
    'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,'
    'AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],'
    'UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4326"]]'
)
GK3_FIRST, GK3_LAST = 4534, 4554
LOCAL_SRS_ID = 100000  # GDAL's first srs_id for a definition without an authority code

# CGCS2000 ellipsoid and the Gauss-Krüger zone constants (scale 1, false easting 500 km).
A_AXIS, FLATTENING = 6378137.0, 1 / 298.257222101
FALSE_EASTING, SCALE = 500_000.0, 1.0
MAX_LAT, MAX_DLON = 84.0, 6.0


def _krueger_constants(f: float) -> tuple[float, float, tuple, tuple]:
    """-> (e, rectifying radius A, alpha[1..6], beta[1..6]): Karney (2011) eqs. 14, 35, 36 to n^6."""
    n = f / (2 - f)
    n2, n3, n4, n5, n6 = n**2, n**3, n**4, n**5, n**6
    radius = A_AXIS / (1 + n) * (1 + n2 / 4 + n4 / 64 + n6 / 256)
    alpha = (
        n / 2 - 2 * n2 / 3 + 5 * n3 / 16 + 41 * n4 / 180 - 127 * n5 / 288 + 7891 * n6 / 37800,
        13 * n2 / 48 - 3 * n3 / 5 + 557 * n4 / 1440 + 281 * n5 / 630 - 1983433 * n6 / 1935360,
        61 * n3 / 240 - 103 * n4 / 140 + 15061 * n5 / 26880 + 167603 * n6 / 181440,
        49561 * n4 / 161280 - 179 * n5 / 168 + 6601661 * n6 / 7257600,
        34729 * n5 / 80640 - 3418889 * n6 / 1995840,
        212378941 * n6 / 319334400,
    )
    beta = (
        n / 2 - 2 * n2 / 3 + 37 * n3 / 96 - n4 / 360 - 81 * n5 / 512 + 96199 * n6 / 604800,
        n2 / 48 + n3 / 15 - 437 * n4 / 1440 + 46 * n5 / 105 - 1118711 * n6 / 3870720,
        17 * n3 / 480 - 37 * n4 / 840 - 209 * n5 / 4480 + 5569 * n6 / 90720,
        4397 * n4 / 161280 - 11 * n5 / 504 - 830251 * n6 / 7257600,
        4583 * n5 / 161280 - 108847 * n6 / 3991680,
        20648693 * n6 / 638668800,
    )
    return math.sqrt(f * (2 - f)), radius, alpha, beta


_E, _RADIUS, _ALPHA, _BETA = _krueger_constants(FLATTENING)
_E2M = 1 - _E * _E


def is_geographic(srs_id: int) -> bool:
    return srs_id in (4326, 4490)


def central_meridian(srs_id: int) -> float:
    if not GK3_FIRST <= srs_id <= GK3_LAST:
        raise Problem("crs.not_projected", srs_id=srs_id)
    return 75.0 + 3.0 * (srs_id - GK3_FIRST)


def definition(srs_id: int) -> tuple[str, str]:
    """-> (name, WKT 1 definition) for a supported EPSG code, else Problem crs.unsupported."""
    if srs_id == 4326:
        return "WGS 84", WGS84_GEOGCS
    if srs_id == 4490:
        return "China Geodetic Coordinate System 2000", CGCS2000_GEOGCS
    if GK3_FIRST <= srs_id <= GK3_LAST:
        cm = int(central_meridian(srs_id))
        name = f"CGCS2000 / 3-degree Gauss-Kruger CM {cm}E"
        wkt = (f'PROJCS["{name}",{CGCS2000_GEOGCS},PROJECTION["Transverse_Mercator"],'
               f'PARAMETER["latitude_of_origin",0],PARAMETER["central_meridian",{cm}],'
               f'PARAMETER["scale_factor",1],PARAMETER["false_easting",500000],'
               f'PARAMETER["false_northing",0],UNIT["metre",1,AUTHORITY["EPSG","9001"]],'
               f'AUTHORITY["EPSG","{srs_id}"]]')
        return name, wkt
    raise Problem("crs.unsupported", srs_id=srs_id)


def zone_for(lon: float) -> int:
    """The 3-degree Gauss-Krüger zone (EPSG code) whose central meridian is nearest to `lon`."""
    srs_id = GK3_FIRST + round((lon - 75.0) / 3.0)
    if not GK3_FIRST <= srs_id <= GK3_LAST:
        raise Problem("crs.out_of_range", lon=lon)
    return srs_id


def _finite(a, b, names: tuple[str, str], srs_id: int) -> tuple[float, float]:
    """Both values as finite floats, else Problem crs.out_of_range (details kept JSON-safe)."""
    try:
        fa, fb = float(a), float(b)
    except (TypeError, ValueError):
        fa = fb = math.nan
    if not (math.isfinite(fa) and math.isfinite(fb)):
        shown = {k: (v if isinstance(v, int | float) and math.isfinite(v) else str(v))
                 for k, v in zip(names, (a, b), strict=True)}
        raise Problem("crs.out_of_range", srs_id=srs_id, **shown)
    return fa, fb


def _check_lonlat(lon: float, lat: float, srs_id: int) -> None:
    """Geographic bounds, or the projection's trustworthy band around its central meridian."""
    if is_geographic(srs_id):
        if abs(lat) > 90 or abs(lon) > 180:
            raise Problem("crs.out_of_range", lon=lon, lat=lat, srs_id=srs_id)
    elif abs(lat) > MAX_LAT or abs(lon - central_meridian(srs_id)) > MAX_DLON:
        raise Problem("crs.out_of_range", lon=lon, lat=lat, srs_id=srs_id)


def _supported(srs_id: int) -> None:
    if not (is_geographic(srs_id) or GK3_FIRST <= srs_id <= GK3_LAST):
        raise Problem("crs.unsupported", srs_id=srs_id)


def _taup(tau: float) -> float:
    """tan(conformal latitude) from tan(geodetic latitude) (Karney 2011, eq. 7-9)."""
    sig = math.sinh(_E * math.atanh(_E * tau / math.hypot(1.0, tau)))
    return tau * math.hypot(1.0, sig) - sig * math.hypot(1.0, tau)


def _tau(taup: float) -> float:
    """Inverse of `_taup` by Newton's method (Karney 2011, eq. 19-21); converges in 2-3 steps."""
    tau = taup / _E2M
    tol = 1e-15 * max(1.0, abs(taup))
    for _ in range(8):
        taupa = _taup(tau)
        step = ((taup - taupa) * (1 + _E2M * tau * tau)
                / (_E2M * math.hypot(1.0, tau) * math.hypot(1.0, taupa)))
        tau += step
        if abs(step) <= tol:
            break
    return tau


def to_projected(lon: float, lat: float, srs_id: int) -> tuple[float, float]:
    """Longitude/latitude (degrees, CGCS2000) -> (x, y) in `srs_id`; identity for a geographic CRS."""
    _supported(srs_id)
    lon, lat = _finite(lon, lat, ("lon", "lat"), srs_id)
    _check_lonlat(lon, lat, srs_id)
    if is_geographic(srs_id):
        return lon, lat
    lam = math.radians(lon - central_meridian(srs_id))
    taup = _taup(math.tan(math.radians(lat)))
    cos_lam = math.cos(lam)
    zeta = complex(math.atan2(taup, cos_lam), math.asinh(math.sin(lam) / math.hypot(taup, cos_lam)))
    zeta += sum(a * cmath.sin(2 * j * zeta) for j, a in enumerate(_ALPHA, 1))
    return FALSE_EASTING + SCALE * _RADIUS * zeta.imag, SCALE * _RADIUS * zeta.real


def to_lonlat(x: float, y: float, srs_id: int) -> tuple[float, float]:
    """(x, y) in `srs_id` -> longitude/latitude (degrees); identity for a geographic CRS."""
    _supported(srs_id)
    x, y = _finite(x, y, ("x", "y"), srs_id)
    if is_geographic(srs_id):
        _check_lonlat(x, y, srs_id)
        return x, y
    zeta = complex(y / (SCALE * _RADIUS), (x - FALSE_EASTING) / (SCALE * _RADIUS))
    if abs(zeta.imag) > 0.2 or abs(zeta.real) > 1.6:  # far outside any zone; sinh would overflow
        raise Problem("crs.out_of_range", x=x, y=y, srs_id=srs_id)
    zeta -= sum(b * cmath.sin(2 * j * zeta) for j, b in enumerate(_BETA, 1))
    sinh_eta, cos_xi = math.sinh(zeta.imag), math.cos(zeta.real)
    taup = math.sin(zeta.real) / math.hypot(sinh_eta, cos_xi)
    lon = central_meridian(srs_id) + math.degrees(math.atan2(sinh_eta, cos_xi))
    lat = math.degrees(math.atan(_tau(taup)))
    _check_lonlat(lon, lat, srs_id)
    return lon, lat


def distance_m(x1: float, y1: float, x2: float, y2: float) -> float:
    """Straight-line distance in the projected plane (metres for the Gauss-Krüger zones)."""
    return math.hypot(x2 - x1, y2 - y1)


@dataclass(frozen=True)
class CentreTransform:
    """The centre CRS's conversions: `forward(lon, lat) -> (x, y)`, `inverse(x, y) -> (lon, lat)`."""

    srs_id: int
    forward: Callable[[float, float], tuple[float, float]]
    inverse: Callable[[float, float], tuple[float, float]]

    @property
    def geographic(self) -> bool:
        return is_geographic(self.srs_id)


def centre_srs_id(conn: sqlite3.Connection) -> int:
    """The centre's storage CRS from `citygrid_meta.srs_id` (validated: a fast-path code or a projected
    definition in gpkg_spatial_ref_sys)."""
    return centre_transform(conn).srs_id


def centre_transform(conn: sqlite3.Connection) -> CentreTransform:
    """Callables converting between lon/lat and the centre's storage CRS: every conversion of the
    centre goes through here (the sync pull, Open311, reports, geocoding)."""
    row = conn.execute("SELECT value FROM citygrid_meta WHERE key = 'srs_id'").fetchone()
    raw = row[0] if row else "4549"
    try:
        srs_id = int(raw)
    except (TypeError, ValueError):
        raise Problem("crs.unsupported", srs_id=raw) from None
    if is_geographic(srs_id) or GK3_FIRST <= srs_id <= GK3_LAST:
        return _fast(srs_id)
    found = conn.execute("SELECT definition FROM gpkg_spatial_ref_sys WHERE srs_id = ?", (srs_id,)).fetchone()
    if found is None or not found[0] or found[0] == "undefined":
        raise Problem("crs.unsupported", srs_id=srs_id)
    return transform_for(srs_id, found[0])


def _fast(srs_id: int) -> CentreTransform:
    return CentreTransform(srs_id, lambda lon, lat: to_projected(lon, lat, srs_id),
                           lambda x, y: to_lonlat(x, y, srs_id))


def transform_for(srs_id: int, definition: str | None = None) -> CentreTransform:
    """The conversions of `srs_id`: the pure-Python fast path when it is one of its codes, else pyproj
    over `definition` (WKT or PROJ text; required then)."""
    if is_geographic(srs_id) or GK3_FIRST <= srs_id <= GK3_LAST:
        return _fast(srs_id)
    if not definition:
        raise Problem("crs.unsupported", srs_id=srs_id)
    forward, inverse = _pyproj_pair(srs_id, definition)
    return CentreTransform(srs_id, forward, inverse)


# -- any projected CRS through pyproj (centre side) ---------------------------------------------

_local = threading.local()  # pyproj objects are used by the thread that made them
_KEPT = 8


def _pyproj_pair(srs_id: int, definition: str) -> tuple[Callable, Callable]:
    cache = getattr(_local, "pairs", None)
    if cache is None:
        cache = _local.pairs = {}
    key = (srs_id, definition)
    pair = cache.get(key)
    if pair is None:
        if len(cache) >= _KEPT:
            cache.clear()
        pair = cache[key] = _make_pair(srs_id, definition)
    return pair


def _make_pair(srs_id: int, definition: str) -> tuple[Callable, Callable]:
    from pyproj import CRS, Transformer
    from pyproj.exceptions import CRSError

    try:
        target = CRS.from_user_input(definition)
    except CRSError:
        raise Problem("crs.unsupported", srs_id=srs_id) from None
    if not target.is_projected:
        raise Problem("crs.unsupported", srs_id=srs_id)
    geographic = CRS.from_epsg(4490)
    fwd = Transformer.from_crs(geographic, target, always_xy=True)
    inv = Transformer.from_crs(target, geographic, always_xy=True)
    lon0 = _origin_longitude(target)

    def check(lon: float, lat: float) -> None:  # the band the fast path trusts, around any origin meridian
        if abs(lat) > MAX_LAT or abs(lon) > 180 or (lon0 is not None and abs(_dlon(lon, lon0)) > MAX_DLON):
            raise Problem("crs.out_of_range", lon=lon, lat=lat, srs_id=srs_id)

    def forward(lon: float, lat: float) -> tuple[float, float]:
        lon, lat = _finite(lon, lat, ("lon", "lat"), srs_id)
        check(lon, lat)
        x, y = fwd.transform(lon, lat)
        if not (math.isfinite(x) and math.isfinite(y)):
            raise Problem("crs.out_of_range", lon=lon, lat=lat, srs_id=srs_id)
        return x, y

    def inverse(x: float, y: float) -> tuple[float, float]:
        x, y = _finite(x, y, ("x", "y"), srs_id)
        lon, lat = inv.transform(x, y)
        if not (math.isfinite(lon) and math.isfinite(lat)):
            raise Problem("crs.out_of_range", x=x, y=y, srs_id=srs_id)
        check(lon, lat)
        return lon, lat

    return forward, inverse


def _origin_longitude(target) -> float | None:
    """The projection's origin meridian (transverse Mercator's central meridian...), if it has one."""
    if target.is_bound:  # +towgs84 makes a bound CRS: its projection is the source CRS's
        target = target.source_crs
    op = target.coordinate_operation
    for param in op.params if op is not None else ():
        if param.name.startswith("Longitude of") and param.unit_name == "degree":
            return float(param.value)
    return None


def _dlon(lon: float, lon0: float) -> float:
    return (lon - lon0 + 180.0) % 360.0 - 180.0


@dataclass(frozen=True)
class Srs:
    """A centre CRS as gpkg_spatial_ref_sys holds it."""

    srs_id: int
    name: str
    organization: str  # EPSG, or NONE for a definition without an authority code
    organization_id: int
    definition: str  # WKT 1 (the GeoPackage's definition column)

    @property
    def label(self) -> str:
        """organization:id as gpkg_spatial_ref_sys holds it: EPSG:4544, or NONE:100000 for a local one."""
        return f"{self.organization}:{self.organization_id}"


_EPSG = re.compile(r"(?:epsg:)?([0-9]{1,6})", re.IGNORECASE)
_PROJ_REASON = re.compile(r"proj_create: (?:Error \d+ \([^)]*\): )?(.*?)\)?$")


def resolve(spec: str | int) -> Srs:
    """The projected, metre-based CRS a user named: `EPSG:N` (or N), a PROJ string, WKT, or a file
    holding one. A geographic CRS, an unknown one or one not in metres is a coded Problem."""
    text = str(spec).strip()
    m = _EPSG.fullmatch(text)
    if m:
        code = int(m[1])
        if GK3_FIRST <= code <= GK3_LAST:
            return _fast_srs(code)
        if is_geographic(code):
            raise Problem("crs.geographic", crs=f"EPSG:{code}")
        return _from_pyproj(f"EPSG:{code}", text)
    if text and not text.startswith(("+", "PROJ", "GEOG", "GEOD", "{")) and "[" not in text:
        try:  # a file holding WKT or a PROJ string (a text file we read: not the database)
            with open(os.path.expanduser(text), encoding="utf-8-sig") as fh:
                content = fh.read(1_000_000).strip()
        except FileNotFoundError:
            raise Problem("crs.unknown", crs=text, reason="neither EPSG:N, a PROJ string, WKT nor a file") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise Problem("crs.unreadable", file=text, reason=getattr(exc, "strerror", None) or str(exc)) from None
        return _from_pyproj(content, text)
    return _from_pyproj(text, text)


def _from_pyproj(user_input: str, shown: str) -> Srs:
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    shown = shown if len(shown) <= 80 else shown[:77] + "..."
    try:
        found = CRS.from_user_input(user_input)
    except CRSError as exc:
        m = _PROJ_REASON.search(str(exc))
        reason = (m[1].strip() if m else "") or "PROJ does not know it"
        if reason.startswith("crs not found"):
            reason = "PROJ's database has no such code"
        raise Problem("crs.unknown", crs=shown, reason=reason[:120]) from None
    if found.is_geographic:
        raise Problem("crs.geographic", crs=shown)
    if not found.is_projected:
        raise Problem("crs.not_planar", crs=shown)
    units = {(a.unit_name, a.unit_conversion_factor) for a in found.axis_info}
    if len(units) != 1 or next(iter(units))[1] != 1.0 or next(iter(units))[0] not in ("metre", "meter"):
        raise Problem("crs.not_metres", crs=shown, unit=", ".join(sorted({u[0] for u in units})))
    wkt = found.to_wkt("WKT1_GDAL") or found.to_wkt()
    code = found.to_epsg(min_confidence=100)
    if code is not None:
        return _fast_srs(code) if GK3_FIRST <= code <= GK3_LAST else Srs(code, found.name, "EPSG", code, wkt)
    return Srs(LOCAL_SRS_ID, _local_name(found), "NONE", LOCAL_SRS_ID, wkt)


def _local_name(found) -> str:
    """The definition's own name, or its method and origin meridian when it has none (a PROJ string)."""
    if found.name and found.name != "unknown":
        return found.name
    projected = found.source_crs if found.is_bound else found
    op = projected.coordinate_operation
    lon0 = _origin_longitude(found)
    method = f"local {op.method_name}" if op is not None and op.method_name else "local projected CRS"
    return method if lon0 is None else f"{method}, origin meridian {lon0:g}°E"


def _fast_srs(code: int) -> Srs:
    name, wkt = definition(code)
    return Srs(code, name, "EPSG", code, wkt)
