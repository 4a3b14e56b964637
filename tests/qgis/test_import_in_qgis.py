# SPDX-License-Identifier: GPL-2.0-or-later
"""A centre filled by `citygrid import` (grids from a Shapefile, 3,000 components from a GDAL GeoPackage
through the bulk path with its packed R-tree) opens valid in a real QGIS, with the right counts and
spatial filters."""

import pytest

osgeo = pytest.importorskip("osgeo")
qgis_core = pytest.importorskip("qgis.core")
pytestmark = pytest.mark.qgis

from import_fixture import GRIDS, X0, Y0, empty_centre, polygon_wkt, square, write_layer  # noqa: E402
from osgeo import ogr  # noqa: E402

from citygrid.admin import importer  # noqa: E402
from citygrid.store import db  # noqa: E402

N = 3000


@pytest.fixture
def imported(tmp_path):
    centre = tmp_path / "centre.gpkg"
    empty_centre(centre)
    grids = tmp_path / "grids.shp"
    write_layer(grids, "ESRI Shapefile", [("code", "str")],
                [(polygon_wkt(square(c, r)), code) for code, (c, r) in GRIDS.items()], geom_type=ogr.wkbPolygon)
    points = tmp_path / "inventory.gpkg"
    write_layer(points, "GPKG", [("部件名称", "str")],
                [(f"POINT ({X0 + 1 + (i % 199)} {Y0 + 1 + (i // 199) * 199 / (N // 199 + 1)})", "上水井盖")
                 for i in range(N)], layer="部件")
    conn = db.open_centre(centre)
    try:
        assert importer.import_layer(conn, "grids", grids).written
        result = importer.import_layer(conn, "components", points)
        assert result.written and result.inserted == N, result.counts()
    finally:
        conn.close()
    return centre


def _layer(path, name):
    layer = qgis_core.QgsVectorLayer(f"{path}|layername={name}", name, "ogr")
    assert layer.isValid(), name
    return layer


def test_imported_layers_open_valid_with_their_counts(qgis_app, imported):
    grids, comps = _layer(imported, "grids"), _layer(imported, "components")
    assert grids.featureCount() == 4 and comps.featureCount() == N
    assert comps.crs().authid() == "EPSG:4549"
    box = qgis_core.QgsRectangle(X0, Y0, X0 + 100, Y0 + 100)  # grid 320508001001001
    inside = [f for f in comps.getFeatures(qgis_core.QgsFeatureRequest().setFilterRect(box))]
    assert inside and all(f["BGID"] == "320508001001001" for f in inside)
    assert len(inside) == sum(1 for f in comps.getFeatures() if box.contains(f.geometry().asPoint()))
    extent = comps.extent()
    assert X0 < extent.xMinimum() and extent.xMaximum() < X0 + 200
