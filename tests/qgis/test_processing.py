# SPDX-License-Identifier: GPL-2.0-or-later
"""The Processing provider `citygrid`: its algorithms on small centres, bad input refused with the
core's coded messages, the provider added and removed with the plugin, and qgis_process running it."""

import csv
import importlib
import os
import shutil
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import centre_fixture
import pytest
from processing_fixture import desk_imports_undone, processing  # noqa: F401 (fixtures)
from qgis.PyQt.QtCore import QVariant
from qgis.PyQt.QtGui import QImage

from citygrid import crs
from citygrid.loop import evaluation
from citygrid.store import db

qgis_core = pytest.importorskip("qgis.core")
pytestmark = pytest.mark.qgis
ROOT = Path(__file__).resolve().parents[2]
QGIS_PLUGINS = "/usr/share/qgis/python/plugins"
X0, Y0 = centre_fixture.X0, centre_fixture.Y0


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The small demo centre (basemap, grids, collectors' grids, cases), built once for the module."""
    path = tmp_path_factory.mktemp("demo") / "center.gpkg"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "shared")}
    subprocess.run([sys.executable, "-m", "citygrid", "demo", str(path), "--scale", "small", "--seed", "1"],
                   check=True, capture_output=True, env=env)
    return path


@pytest.fixture
def english(monkeypatch):
    monkeypatch.setattr(qgis_core.QgsApplication, "locale", staticmethod(lambda: "en_US"))


def points(crs_id: str, xys, *, bgid=None) -> "qgis_core.QgsVectorLayer":
    """A memory point layer with a name and, when given, a wrong integer bgid; None in `xys` = no geometry."""
    fields = "&field=name:string" + ("" if bgid is None else "&field=bgid:integer")
    layer = qgis_core.QgsVectorLayer(f"Point?crs={crs_id}{fields}", "pts", "memory")
    features = []
    for i, xy in enumerate(xys):
        feature = qgis_core.QgsFeature(layer.fields())
        feature.setAttributes([f"p{i}"] + ([] if bgid is None else [bgid]))
        if xy is not None:
            feature.setGeometry(qgis_core.QgsGeometry.fromPointXY(qgis_core.QgsPointXY(*xy)))
        features.append(feature)
    layer.dataProvider().addFeatures(features)
    return layer


def refused(processing, algorithm, parameters) -> str:
    with pytest.raises(qgis_core.QgsProcessingException) as caught:
        processing.run(algorithm, parameters)
    return str(caught.value)


# --- the provider -------------------------------------------------------------------------------

def test_init_gui_adds_the_citygrid_provider_and_unload_removes_it(qgis_iface, qgis_new_project):
    registry = qgis_core.QgsApplication.processingRegistry()
    before = [p.id() for p in registry.providers()]
    plugin = importlib.import_module("citygrid_desk").classFactory(qgis_iface)
    plugin.initGui()
    provider = registry.providerById("citygrid")
    assert provider is not None and provider.name() and not provider.icon().isNull()
    assert sorted(a.id() for a in provider.algorithms()) == [
        "citygrid:assign_grids", "citygrid:evaluate", "citygrid:export_basemap",
        "citygrid:export_batch", "citygrid:import_batch", "citygrid:monthly_report"]
    plugin.unload()
    assert registry.providerById("citygrid") is None or "citygrid" in before
    assert [p.id() for p in registry.providers()] == before


def test_qgis_process_loads_only_the_provider_through_init_processing(qgis_iface):
    plugin = importlib.import_module("citygrid_desk").classFactory(None)  # qgis_process passes no iface
    registry = qgis_core.QgsApplication.processingRegistry()
    plugin.initProcessing()
    try:
        assert registry.providerById("citygrid") is plugin.provider and plugin.menu is None
    finally:
        registry.removeProvider(plugin.provider)


# --- assign_grids -------------------------------------------------------------------------------

def test_assign_grids_sets_each_points_grid_and_null_outside_every_grid(processing, centre, english):
    inside = [centre_fixture.centre_point(code) for code in centre_fixture.GRIDS]
    layer = points("EPSG:4549", [*inside, (X0 - 50, Y0 - 50), None], bgid=7)
    result = processing.run("citygrid:assign_grids", {"INPUT": layer, "CENTRE": str(centre), "OUTPUT": "memory:"})
    out = result["OUTPUT"]
    assert [f.name() for f in out.fields()] == ["name", "bgid"]  # an existing BGID (any case) is replaced
    assert out.fields().field("bgid").type() == QVariant.String
    rows = {f["name"]: f["bgid"] for f in out.getFeatures()}
    assert [rows[f"p{i}"] for i in range(4)] == list(centre_fixture.GRIDS)
    assert rows["p4"] == qgis_core.NULL and rows["p5"] == qgis_core.NULL
    assert result["OUTSIDE"] == 2 and out.crs().authid() == "EPSG:4549"


def test_assign_grids_transforms_a_layer_in_another_crs_to_the_centres(processing, centre, english):
    code = "320508001002002"
    lonlat = crs.to_lonlat(*centre_fixture.centre_point(code), 4549)
    layer = points("EPSG:4326", [lonlat])
    result = processing.run("citygrid:assign_grids", {"INPUT": layer, "CENTRE": str(centre), "OUTPUT": "memory:"})
    assert [f.name() for f in result["OUTPUT"].fields()] == ["name", "BGID"]  # added when the layer had none
    assert [f.attributes() for f in result["OUTPUT"].getFeatures()] == [["p0", code]]
    assert result["OUTPUT"].crs().authid() == "EPSG:4326" and result["OUTSIDE"] == 0


def test_assign_grids_agrees_with_the_demos_stored_bgid(processing, demo, english):
    components = qgis_core.QgsVectorLayer(f"{demo}|layername=components", "components", "ogr")
    result = processing.run("citygrid:assign_grids", {"INPUT": components, "CENTRE": str(demo), "OUTPUT": "memory:"})
    stored = {f["ObjID"]: f["BGID"] for f in components.getFeatures()}
    assigned = {f["ObjID"]: f["BGID"] for f in result["OUTPUT"].getFeatures()}
    assert len(assigned) == len(stored) > 1000 and assigned == stored


def test_assign_grids_refuses_a_layer_without_crs(processing, centre, english):
    layer = points("", [centre_fixture.centre_point("320508001001001")])
    message = refused(processing, "citygrid:assign_grids", {"INPUT": layer, "CENTRE": str(centre), "OUTPUT": "memory:"})
    assert "has no coordinate reference system" in message


def test_assign_grids_refuses_a_geopackage_that_is_not_a_centre(processing, tmp_path, english):
    other = tmp_path / "other.gpkg"
    layer = points("EPSG:4549", [(X0, Y0)])
    qgis_core.QgsVectorFileWriter.writeAsVectorFormatV2(layer, str(other), qgis_core.QgsCoordinateTransformContext(),
                                                        qgis_core.QgsVectorFileWriter.SaveVectorOptions())
    before = other.read_bytes()
    message = refused(processing, "citygrid:assign_grids", {"INPUT": layer, "CENTRE": str(other), "OUTPUT": "memory:"})
    assert message.startswith(f"{other} is a GeoPackage but not a citygrid centre")
    assert other.read_bytes() == before


# --- evaluate -----------------------------------------------------------------------------------

@pytest.fixture
def worked(centre):
    """The fixture centre with one case closed by HW in November 2026 and one still reported."""
    conn = db.open_centre(centre)
    centre_fixture.case_at(conn, "closed")
    centre_fixture.case_at(conn, "reported", grid="320508001002001")
    conn.close()
    return centre


def test_evaluate_gives_the_cores_figures_with_its_column_names(processing, worked, english):
    result = processing.run("citygrid:evaluate", {"CENTRE": str(worked), "PERIOD": "2026-11", "OBJECT": 0,
                                                  "OUTPUT": "memory:"})
    table = result["OUTPUT"]
    counts, rates = evaluation.KINDS["unit"]
    assert [f.name() for f in table.fields()] == ["kind", "id", "name", *counts, *rates, "score", "grade", "colour"]
    assert table.wkbType() == qgis_core.QgsWkbTypes.NoGeometry
    conn = db.open_centre(worked)
    expected = {r.id: r for r in evaluation.evaluate(conn, evaluation.parse_when("2026-11-01"),
                                                     evaluation.parse_when("2026-12-01"), "unit")}
    conn.close()
    rows = {f["id"]: f for f in table.getFeatures()}
    assert set(rows) == set(expected) == {"SW", "HW", "PJ"}
    for oid, result in expected.items():
        row = rows[oid]
        assert [row[c] for c in counts] == [result.counts[c] for c in counts]
        assert [row[r] for r in rates] == [qgis_core.NULL if result.rates[r] is None else result.rates[r] for r in rates]
        assert (row["score"], row["grade"], row["colour"]) == tuple(
            qgis_core.NULL if v is None else v for v in (result.score, result.grade, result.colour))
    assert rows["HW"]["registered"] == 1 and rows["HW"]["disposal_rate"] == 1.0  # the closed case's unit
    assert rows["SW"]["disposal_rate"] == qgis_core.NULL  # nothing was due


def test_evaluate_by_post_gives_the_three_posts_in_one_table(processing, worked, english):
    result = processing.run("citygrid:evaluate", {"CENTRE": str(worked), "PERIOD": "2026-11-01/2026-12-01",
                                                  "OBJECT": 5, "OUTPUT": "memory:"})
    rows = list(result["OUTPUT"].getFeatures())
    assert {r["kind"] for r in rows} == {"operator", "leader", "dispatcher"}
    names = [f.name() for f in result["OUTPUT"].fields()]
    assert "on_time_dispatch_rate" in names and "on_time_register_rate" in names and "received" in names
    operator = next(r for r in rows if r["kind"] == "operator")
    assert operator["received"] >= 1 and operator["dispatched"] == qgis_core.NULL  # not an operator's count


def test_evaluate_by_grid_level_gives_every_grid(processing, worked, english):
    result = processing.run("citygrid:evaluate", {"CENTRE": str(worked), "PERIOD": "2026", "OBJECT": 3,
                                                  "OUTPUT": "memory:"})
    rows = {f["id"]: f for f in result["OUTPUT"].getFeatures()}
    assert set(rows) == set(centre_fixture.GRIDS) and {f["kind"] for f in rows.values()} == {"grid"}
    assert rows["320508001002001"]["registered"] == 0 and rows["320508001001001"]["registered"] == 1


@pytest.mark.parametrize("period, expected", [
    ("November", "not a period: November (a year 2026, a month 2026-10, a day 2026-10-07 or FROM/TO)"),
    ("2026-12-01/2026-11-01", "empty period: the start 2026-12-01T00:00:00+08:00 is not before the end "
                              "2026-11-01T00:00:00+08:00"),
])
def test_evaluate_refuses_a_bad_period_clearly(processing, worked, english, period, expected):
    message = refused(processing, "citygrid:evaluate", {"CENTRE": str(worked), "PERIOD": period, "OBJECT": 0,
                                                        "OUTPUT": "memory:"})
    assert message == expected


def test_evaluate_speaks_the_qgis_locale(processing, worked, monkeypatch):
    monkeypatch.setattr(qgis_core.QgsApplication, "locale", staticmethod(lambda: "zh_CN"))
    message = refused(processing, "citygrid:evaluate", {"CENTRE": str(worked), "PERIOD": "2026-13", "OBJECT": 0,
                                                        "OUTPUT": "memory:"})
    assert message.startswith("不是有效的时段：2026-13")


def test_evaluate_refuses_a_missing_file(processing, tmp_path, english):
    message = refused(processing, "citygrid:evaluate", {"CENTRE": str(tmp_path / "gone.gpkg"), "PERIOD": "2026",
                                                        "OBJECT": 0, "OUTPUT": "memory:"})
    assert "gone.gpkg" in message


# --- export_basemap -----------------------------------------------------------------------------

def mbtiles(path) -> tuple[dict, int, set]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        metadata = dict(conn.execute("SELECT name, value FROM metadata"))
        count = conn.execute("SELECT count(*) FROM tiles").fetchone()[0]
        zooms = {r[0] for r in conn.execute("SELECT DISTINCT zoom_level FROM tiles")}
    finally:
        conn.close()
    return metadata, count, zooms


def lonlat_extent(path, username) -> tuple[float, float, float, float]:
    conn = db.open_centre(path, readonly=True)
    try:
        corners = conn.execute(
            "SELECT min(r.minx), min(r.miny), max(r.maxx), max(r.maxy) FROM collector_grids cg JOIN grids g "
            "ON g.code = cg.grid_code JOIN rtree_grids_geom r ON r.id = g.fid WHERE cg.username = ?",
            (username,)).fetchone()
    finally:
        conn.close()
    (w, s), (e, n) = crs.to_lonlat(corners[0], corners[1], 4549), crs.to_lonlat(corners[2], corners[3], 4549)
    return w, s, e, n


def test_export_basemap_writes_an_mbtiles_over_the_collectors_grids(processing, demo, tmp_path, english):
    out = tmp_path / "collector01.mbtiles"
    result = processing.run("citygrid:export_basemap", {"CENTRE": str(demo), "COLLECTOR": "collector01",
                                                        "MAX_ZOOM": 15, "OUTPUT": str(out)})
    assert result["OUTPUT"] == str(out)
    metadata, count, zooms = mbtiles(out)
    assert zooms == {12, 13, 14, 15} and count >= 4
    assert (metadata["minzoom"], metadata["maxzoom"], metadata["format"]) == ("12", "15", "png")
    assert metadata["name"] == "collector01" and metadata["type"] == "baselayer"
    west, south, east, north = map(float, metadata["bounds"].split(","))
    w, s, e, n = lonlat_extent(demo, "collector01")
    assert west < w < e < east and south < s < n < north  # the grids, inside
    assert e - w > 0.8 * (east - west) and n - s > 0.6 * (north - south)  # plus a margin, not a district
    assert sorted(p.name for p in tmp_path.iterdir()) == ["collector01.mbtiles"]  # no temporary file left


def test_export_basemap_tiles_show_the_basemap_not_an_empty_background(processing, demo, tmp_path, english):
    out = tmp_path / "c.mbtiles"
    processing.run("citygrid:export_basemap", {"CENTRE": str(demo), "COLLECTOR": "collector02", "MAX_ZOOM": 16,
                                               "OUTPUT": str(out)})
    conn = sqlite3.connect(out)
    data = conn.execute("SELECT tile_data FROM tiles WHERE zoom_level = 16").fetchall()
    conn.close()
    colours = set()
    for (blob,) in data:
        image = QImage()
        assert image.loadFromData(bytes(blob))
        colours |= {image.pixel(x, y) for x in range(0, 256, 16) for y in range(0, 256, 16)}
    assert len(colours) > 3  # background, blocks, grid outlines at least


@pytest.mark.parametrize("collector, expected", [
    ("nobody", "no user nobody"),
    ("operator", "operator (operator) has no unit grids assigned: nothing to cover"),
])
def test_export_basemap_refuses_who_has_no_grids(processing, demo, tmp_path, english, collector, expected):
    out = tmp_path / "x.mbtiles"
    message = refused(processing, "citygrid:export_basemap", {"CENTRE": str(demo), "COLLECTOR": collector,
                                                              "MAX_ZOOM": 14, "OUTPUT": str(out)})
    assert message == expected and list(tmp_path.iterdir()) == []


def test_export_basemap_refuses_a_file_that_is_not_a_centre(processing, tmp_path, english):
    other = tmp_path / "plain.gpkg"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    message = refused(processing, "citygrid:export_basemap", {"CENTRE": str(other), "COLLECTOR": "collector01",
                                                              "MAX_ZOOM": 14, "OUTPUT": str(tmp_path / "x.mbtiles")})
    assert message == f"{other} is an SQLite database but not a GeoPackage"
    assert not (tmp_path / "x.mbtiles").exists()


def test_export_basemap_says_so_when_qgis_has_no_tiles_algorithm(processing, demo, tmp_path, english, monkeypatch):
    module = importlib.import_module("citygrid_desk.processing.export_basemap")
    monkeypatch.setattr(module, "TILES_ALGORITHMS", ("nothere:tiles",))
    message = refused(processing, "citygrid:export_basemap", {"CENTRE": str(demo), "COLLECTOR": "collector01",
                                                              "MAX_ZOOM": 14, "OUTPUT": str(tmp_path / "x.mbtiles")})
    assert message == "this QGIS has no XYZ tiles (MBTiles) algorithm (looked for nothere:tiles)"
    assert list(tmp_path.iterdir()) == []


# --- qgis_process -------------------------------------------------------------------------------

def qgis_process() -> str:
    """Debian's qgis_process binary: its /usr/bin/qgis_process wrapper adds QGIS_OPTS from
    /etc/default/qgis (--noversioncheck, meant for the desktop), which qgis_process 3.22 refuses."""
    found = shutil.which("qgis_process.bin") or shutil.which("qgis_process")
    if found is None:
        pytest.skip("qgis_process is not installed")
    return found


@pytest.fixture(scope="module")
def qgis_home(tmp_path_factory):
    """A QGIS settings folder (QGIS_CUSTOM_CONFIG_PATH; the default is ~/.local/share/QGIS/QGIS3) whose
    default profile has the built plugin installed and enabled: qgis_process 3.22 loads the enabled
    plugins with hasProcessingProvider=yes and calls only their initProcessing()."""
    home = tmp_path_factory.mktemp("qgis-settings")
    profile = home / "profiles" / "default"
    (profile / "python" / "plugins").mkdir(parents=True)
    (profile / "QGIS").mkdir()
    (profile / "QGIS" / "QGIS3.ini").write_text("[PythonPlugins]\ncitygrid_desk=true\n")
    built = home / "citygrid_desk.zip"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "build_plugin_zip.py"), "--out", str(built)],
                   check=True, capture_output=True)
    zipfile.ZipFile(built).extractall(profile / "python" / "plugins")
    return home


def run_qgis_process(home, *args) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "DISPLAY", "QGIS_OPTIONS_PATH")}
    env.update(QGIS_CUSTOM_CONFIG_PATH=str(home), QT_QPA_PLATFORM="offscreen", LC_ALL="C.UTF-8", LANG="C.UTF-8")
    return subprocess.run([qgis_process(), *map(str, args)], capture_output=True, text=True, env=env, timeout=300)


@pytest.mark.slow
def test_qgis_process_runs_citygrid_evaluate_from_the_installed_plugin(qgis_home, worked, tmp_path):
    listed = run_qgis_process(qgis_home, "plugins")
    assert "* citygrid_desk" in listed.stdout, listed.stdout + listed.stderr
    out = tmp_path / "units.csv"
    done = run_qgis_process(qgis_home, "run", "citygrid:evaluate", "--", f"CENTRE={worked}", "PERIOD=2026-11",
                            "OBJECT=0", f"OUTPUT={out}")
    assert done.returncode == 0, done.stdout + done.stderr
    with out.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0])[:4] == ["kind", "id", "name", "registered"]
    assert {r["id"]: r["registered"] for r in rows} == {"HW": "1", "PJ": "0", "SW": "0"}


@pytest.mark.slow
def test_qgis_process_reports_a_bad_period_with_the_cores_message(qgis_home, worked, tmp_path):
    done = run_qgis_process(qgis_home, "run", "citygrid:evaluate", "--", f"CENTRE={worked}", "PERIOD=2026-13",
                            "OBJECT=0", f"OUTPUT={tmp_path / 'x.csv'}")
    assert done.returncode != 0
    assert "not a period: 2026-13" in done.stdout + done.stderr and "Traceback" not in done.stdout + done.stderr
