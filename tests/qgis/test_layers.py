# SPDX-License-Identifier: GPL-2.0-or-later
"""The centre GeoPackage in a real QGIS (Debian's python3-qgis, offscreen via pytest-qgis)."""

import pytest

from citygrid.store import db, gpkg

qgis_core = pytest.importorskip("qgis.core")
pytestmark = pytest.mark.qgis

LAYERS = ["grids", "components", "cases", "basemap_roads", "basemap_blocks", "basemap_water",
          "case_events", "tasks", "units", "users", "regions", "classes", "conditions"]


@pytest.fixture
def seeded_path(center_path):
    c = db.open_centre(center_path)
    sq = [[(500000.0, 3460000.0), (500100.0, 3460000.0), (500100.0, 3460100.0), (500000.0, 3460100.0),
           (500000.0, 3460000.0)]]
    c.execute("INSERT INTO grids (geom, code, name, street_code, community_code) "
              "VALUES (?, '320508001001001', '网格一', '320508001', '320508001001')", (gpkg.polygon(sq, 4549),))
    c.execute("INSERT INTO components (geom, ObjID, ObjName, BGID) VALUES (?, '3205080101000001', '上水井盖', "
              "'320508001001001')", (gpkg.point(500050.0, 3460050.0, 4549),))
    c.close()
    return center_path


def _layer(path, name):
    layer = qgis_core.QgsVectorLayer(f"{path}|layername={name}", name, "ogr")
    assert layer.isValid(), name
    return layer


def test_every_layer_opens_valid_in_qgis(qgis_app, seeded_path):
    for name in LAYERS:
        _layer(seeded_path, name)
    grids = _layer(seeded_path, "grids")
    assert grids.crs().authid() == "EPSG:4549"
    assert grids.featureCount() == 1
    feat = next(grids.getFeatures())
    assert feat["code"] == "320508001001001" and feat["name"] == "网格一"
    assert abs(feat.geometry().area() - 10_000.0) < 1e-6


def test_a_spatial_filter_in_qgis_uses_the_geometry_we_wrote(qgis_app, seeded_path):
    comps = _layer(seeded_path, "components")
    req = qgis_core.QgsFeatureRequest().setFilterRect(qgis_core.QgsRectangle(500040, 3460040, 500060, 3460060))
    assert [f["ObjID"] for f in comps.getFeatures(req)] == ["3205080101000001"]


def test_an_edit_made_in_qgis_is_seen_by_the_change_log(qgis_app, seeded_path):
    c = db.open_centre(seeded_path)
    (before,) = c.execute("SELECT rev FROM sync_changes WHERE entity='component'").fetchone()
    c.close()
    comps = _layer(seeded_path, "components")
    feat = next(comps.getFeatures())
    assert comps.startEditing()
    assert comps.changeAttributeValue(feat.id(), comps.fields().indexOf("ObjState"), "破损")
    assert comps.changeGeometry(feat.id(), qgis_core.QgsGeometry.fromPointXY(qgis_core.QgsPointXY(500070, 3460070)))
    assert comps.commitChanges(), comps.commitErrors()
    del comps
    c = db.open_centre(seeded_path)
    row = c.execute("SELECT ObjState, geom FROM components").fetchone()
    assert row["ObjState"] == "破损"
    assert gpkg.decode(row["geom"])[1] == (500070.0, 3460070.0)
    (after,) = c.execute("SELECT rev FROM sync_changes WHERE entity='component'").fetchone()
    assert after > before
    assert c.execute("SELECT minx FROM rtree_components_geom").fetchone()[0] == 500070.0
    c.close()
