# SPDX-License-Identifier: GPL-2.0-or-later
"""The small demo centre: GDAL's validator passes and a real QGIS opens every layer it registers."""

import subprocess
from pathlib import Path

import pytest

from citygrid import demo
from citygrid.store import db

qgis_core = pytest.importorskip("qgis.core")
VALIDATE = Path("/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_gpkg.py")


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "center.gpkg"
    demo.build(path, scale=demo.scale("small"), seed=1)
    return path


@pytest.mark.skipif(not VALIDATE.exists(), reason="GDAL's validate_gpkg.py is installed by make deps")
def test_the_demo_passes_gdal_validate_gpkg(demo_path):
    res = subprocess.run(["/usr/bin/python3", str(VALIDATE), str(demo_path)], capture_output=True, text=True)
    assert res.returncode == 0, res.stdout + res.stderr


def test_every_registered_layer_opens_valid_in_qgis_with_all_its_rows(qgis_app, demo_path):
    c = db.open_centre(demo_path, readonly=True)
    layers = [r[0] for r in c.execute("SELECT table_name FROM gpkg_contents ORDER BY table_name")]
    counts = {t: c.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in layers}
    c.close()
    assert {"grids", "components", "cases", "basemap_roads", "case_events", "tasks"} <= set(layers)
    for name in layers:
        layer = qgis_core.QgsVectorLayer(f"{demo_path}|layername={name}", name, "ogr")
        assert layer.isValid(), name
        assert layer.featureCount() == counts[name], name
    grids = qgis_core.QgsVectorLayer(f"{demo_path}|layername=grids", "grids", "ogr")
    assert grids.crs().authid() == "EPSG:4549"
    areas = [f.geometry().area() for f in grids.getFeatures()]
    assert areas and all(5_000 < a < 20_000 for a in areas)


def test_qgis_renders_the_demo_basemap_and_cases(qgis_app, demo_path, tmp_path):
    """A map image of grids, roads and cases is drawn (a screenshot kept as a test artefact)."""
    layers = [qgis_core.QgsVectorLayer(f"{demo_path}|layername={n}", n, "ogr")
              for n in ("cases", "basemap_roads", "grids")]
    settings = qgis_core.QgsMapSettings()
    settings.setLayers(layers)
    settings.setDestinationCrs(layers[2].crs())
    settings.setExtent(layers[2].extent())
    from qgis.PyQt.QtCore import QSize

    settings.setOutputSize(QSize(800, 600))
    job = qgis_core.QgsMapRendererSequentialJob(settings)
    job.start()
    job.waitForFinished()
    image = job.renderedImage()
    out = Path(__file__).resolve().parents[2] / "var" / "test-artifacts" / "demo_map.png"
    out.parent.mkdir(parents=True, exist_ok=True)
    assert image.save(str(out))
    colours = {image.pixel(x, y) for x in range(0, 800, 20) for y in range(0, 600, 20)}
    assert len(colours) > 3  # not a blank canvas
