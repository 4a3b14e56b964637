# SPDX-License-Identifier: GPL-2.0-or-later
"""Coordinate reference systems the centre may use: CGCS2000 geographic and its 3-degree
Gauss-Krüger zones (EPSG:4534-4554, central meridians 75°E-135°E, no zone prefix)."""

from __future__ import annotations

import cmath
import math
import sqlite3
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
    """The centre's storage CRS from `citygrid_meta.srs_id` (validated)."""
    row = conn.execute("SELECT value FROM citygrid_meta WHERE key = 'srs_id'").fetchone()
    raw = row[0] if row else "4549"
    try:
        srs_id = int(raw)
    except (TypeError, ValueError):
        raise Problem("crs.unsupported", srs_id=raw) from None
    _supported(srs_id)
    return srs_id


def centre_transform(conn: sqlite3.Connection) -> CentreTransform:
    """Callables converting between lon/lat and the centre's storage CRS."""
    srs_id = centre_srs_id(conn)
    return CentreTransform(srs_id, lambda lon, lat: to_projected(lon, lat, srs_id),
                           lambda x, y: to_lonlat(x, y, srs_id))
