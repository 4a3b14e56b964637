# SPDX-License-Identifier: GPL-2.0-or-later
"""Centres made by `citygrid init` in another Gauss-Krüger zone and in a city's local CRS open in a real
QGIS as valid layers in that CRS, with the grid and the component where they were placed."""

import init_fixture as fx
import pytest

qgis_core = pytest.importorskip("qgis.core")
pytestmark = pytest.mark.qgis

LAYERS = ["grids", "components", "cases", "basemap_roads", "basemap_blocks", "basemap_water",
          "case_events", "tasks", "units", "users", "regions", "classes", "conditions", "calendar_days"]


@pytest.mark.parametrize("which", sorted(fx.CRSES))
def test_an_init_centre_opens_valid_in_qgis_in_its_crs(qgis_app, tmp_path, which):
    spec, path = fx.CRSES[which], tmp_path / "jinjiang.gpkg"
    fx.make(path, spec)
    placed = fx.seed(path, spec)
    layers = {}
    for name in LAYERS:
        layers[name] = qgis_core.QgsVectorLayer(f"{path}|layername={name}", name, "ogr")
        assert layers[name].isValid(), name
    grids, comps = layers["grids"], layers["components"]
    assert grids.crs().isValid() and comps.crs() == grids.crs()
    if which == "local_tm":
        assert "+x_0=50000" in grids.crs().toProj() and "+y_0=-3300000" in grids.crs().toProj()
    else:
        assert grids.crs().authid() == spec
    feat = next(grids.getFeatures())
    assert feat["code"] == fx.GRID and abs(feat.geometry().area() - (2 * fx.HALF) ** 2) < 1e-3
    point = next(comps.getFeatures()).geometry().asPoint()
    assert abs(point.x() - placed["component"][0]) < 1e-6 and abs(point.y() - placed["component"][1]) < 1e-6
    # QGIS's own transformation to lon/lat agrees with pyproj's (what devices receive)
    to_geo = qgis_core.QgsCoordinateTransform(grids.crs(), qgis_core.QgsCoordinateReferenceSystem("EPSG:4490"),
                                              qgis_core.QgsProject.instance())
    geo = to_geo.transform(point)
    lon, lat = fx.to_lonlat(spec)(*placed["component"])
    assert abs(geo.x() - lon) < 1e-7 and abs(geo.y() - lat) < 1e-7
    assert layers["regions"].featureCount() == 3 and layers["calendar_days"].featureCount() > 0
