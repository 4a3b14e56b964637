# SPDX-License-Identifier: GPL-2.0-or-later
"""Coordinate reference systems the centre may use: CGCS2000 geographic and its 3-degree
Gauss-Krüger zones (EPSG:4534-4554, central meridians 75°E-135°E, no zone prefix)."""

from __future__ import annotations

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
