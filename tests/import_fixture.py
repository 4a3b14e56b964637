# SPDX-License-Identifier: GPL-2.0-or-later
"""A small empty centre to import into (district 320508, one street, two communities, three units,
the class tables) and GDAL-made sources. A fixture to swap for `citygrid init` once it exists."""

from __future__ import annotations

from citygrid.loop import dictionaries
from citygrid.store import db

X0, Y0 = 500_000.0, 3_460_000.0  # EPSG:4549, about 120.0°E 31.26°N
GRIDS = {  # code -> (col, row) of a 100 m square
    "320508001001001": (0, 0), "320508001001002": (1, 0),
    "320508001002001": (0, 1), "320508001002002": (1, 1),
}


def empty_centre(path, *, regions: bool = True) -> None:
    conn = db.create_centre(path, srs_id=4549, county_code="320508", name="导入测试")
    try:
        dictionaries.install(conn)
        with db.transaction(conn):
            if regions:
                conn.executemany("INSERT INTO regions (code, name, level, parent_code) VALUES (?, ?, ?, ?)", [
                    ("320508", "姑苏区", "district", None), ("320508001", "平江街道", "street", "320508"),
                    ("320508001001", "东园社区", "community", "320508001"),
                    ("320508001002", "西园社区", "community", "320508001")])
                conn.executemany("INSERT INTO units (code, name, kind, region_code) VALUES (?, ?, ?, ?)", [
                    ("SW", "市水务局", "department", None), ("HW", "环卫处", "department", None),
                    ("PJ", "平江街道办事处", "territorial", "320508001")])
    finally:
        conn.close()


def square(col: int, row: int, size: float = 100.0) -> list:
    x, y = X0 + col * size, Y0 + row * size
    return [(x, y), (x + size, y), (x + size, y + size), (x, y + size), (x, y)]


def srs(epsg: int):
    from osgeo import osr

    s = osr.SpatialReference()
    s.ImportFromEPSG(epsg)
    s.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    return s


def to_crs(x: float, y: float, epsg: int) -> tuple[float, float]:
    """A point of EPSG:4549 in another CRS (lon/lat for 4326/4490)."""
    from osgeo import osr

    pt = osr.CoordinateTransformation(srs(4549), srs(epsg)).TransformPoint(x, y)
    return pt[0], pt[1]


def write_layer(path, driver: str, fields: list[tuple[str, str]], rows: list[tuple], *,
                epsg: int | None = 4549, geom_type=None, layer: str = "data", options=()) -> None:
    """A vector file with GDAL: fields [(name, 'str'|'int'|'real'|'date')], rows (wkt or None, *values)."""
    from osgeo import ogr

    ogr.UseExceptions()
    types = {"str": ogr.OFTString, "int": ogr.OFTInteger64, "real": ogr.OFTReal, "date": ogr.OFTDate}
    drv = ogr.GetDriverByName(driver)
    ds = drv.CreateDataSource(str(path))
    lyr = ds.CreateLayer(layer, srs(epsg) if epsg else None,
                         ogr.wkbPoint if geom_type is None else geom_type, options=list(options))
    for name, kind in fields:
        lyr.CreateField(ogr.FieldDefn(name, types[kind]))
    for wkt, *values in rows:
        f = ogr.Feature(lyr.GetLayerDefn())
        for i, v in enumerate(values):  # by index: a Shapefile may have shortened the name
            if v is not None:
                f.SetField(i, v)
        if wkt:
            f.SetGeometry(ogr.CreateGeometryFromWkt(wkt))
        lyr.CreateFeature(f)
    ds = None  # noqa: F841 — closes and flushes


def polygon_wkt(ring) -> str:
    return "POLYGON ((" + ", ".join(f"{x} {y}" for x, y in ring) + "))"


def dump(path) -> dict:
    """Every table's rows (for before/after comparisons), read through SQLite."""
    conn = db.connect(path, readonly=True)
    try:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                            "AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        return {n: [tuple(r) for r in conn.execute(f'SELECT * FROM "{n}" ORDER BY rowid')] for n in names}
    finally:
        conn.close()
