# SPDX-License-Identifier: GPL-2.0-or-later
"""The desk's components part in a real QGIS: the gis role edits components with QGIS's own tools
(the centre sets ObjID, BGID and the dates), others cannot; the import dialog validates any open
layer through the core's importer and writes all of it or nothing."""

import time
from datetime import date
from pathlib import Path

import centre_fixture as cf
import pytest
from desk_modules import desk_set_aside

from citygrid.store import db

qgis_core = pytest.importorskip("qgis.core")
pytestmark = pytest.mark.qgis

from qgis.core import (  # noqa: E402
    Qgis,
    QgsFeature,
    QgsGeometry,
    QgsPointXY,
    QgsProject,
    QgsVectorFileWriter,
    QgsVectorLayer,
    QgsVectorLayerUtils,
)
from qgis.PyQt.QtCore import QCoreApplication, QEvent  # noqa: E402

A, B, C = "320508001001001", "320508001001002", "320508001002001"
NEW_GRID = "320508001002003"
PLUGINS = Path(__file__).resolve().parents[2] / "qgis_plugin"


@pytest.fixture(scope="module")
def desk_package():
    """The plugin from the working tree, whatever else the QGIS tier imported under its name (the
    built zip's copy in test_desk_plugin.py): theirs is set aside and put back after this module."""
    import importlib

    with desk_set_aside(str(PLUGINS)):
        yield importlib.import_module("citygrid_desk")


@pytest.fixture
def desk(desk_package, qgis_iface, qgis_new_project):
    plugin = desk_package.classFactory(qgis_iface)
    plugin.initGui()
    qgis_iface.messageBar().clear_messages()
    yield plugin
    plugin.unload()
    QgsProject.instance().removeAllMapLayers()


def _part(desk):
    """The components part among the desk's parts."""
    return next(p for p in desk.parts if type(p).__name__ == "ComponentPart")


def _open(desk, centre, user):
    assert desk.open_centre(str(centre), user, cf.PASSWORD)
    return desk.session.layers["components"]


def _rows(centre, sql, params=()):
    conn = db.open_centre(centre)
    try:
        return [tuple(r) for r in conn.execute(sql, params)]
    finally:
        conn.close()


def _component(centre, objid):
    return _rows(centre, "SELECT ObjName, BGID, ORDate, CHDate, ObjState FROM components WHERE ObjID = ?",
                 (objid,))[0]


def _add_in_qgis(layer, x, y, name):
    """As QGIS's add-feature tool and form do: the provider's defaults, only ObjName typed."""
    feat = QgsVectorLayerUtils.createFeature(layer, QgsGeometry.fromPointXY(QgsPointXY(x, y)),
                                             {layer.fields().indexOf("ObjName"): name})
    layer.startEditing()
    layer.addFeature(feat)
    return layer.commitChanges()


def _feature(layer, objid):
    return next(f for f in layer.getFeatures() if f["ObjID"] == objid)


def _messages(iface, level):
    return iface.messageBar().get_messages(level)


# --- component maintenance ---------------------------------------------------------------------

def test_a_component_added_in_qgis_gets_its_objid_grid_and_date_from_the_centre(desk, centre, qgis_iface):
    layer = _open(desk, centre, "gis")
    assert _add_in_qgis(layer, *cf.centre_point(B), "上水井盖"), layer.commitErrors()
    name, bgid, ordate, chdate, state = _component(centre, "3205080101000002")  # the fixture has ...001
    assert (name, bgid, ordate, chdate, state) == ("上水井盖", B, date.today().isoformat(), None, "完好")
    assert _rows(centre, "SELECT count(*) FROM component_repairs") == [(0,)]  # finished on commit
    assert _rows(centre, "SELECT deleted FROM sync_changes WHERE entity = 'component' "
                         "AND entity_id = '3205080101000002'") == [(0,)]
    assert _feature(layer, "3205080101000002")["BGID"] == B  # the layer shows what the centre set
    assert _messages(qgis_iface, Qgis.Success) and not _messages(qgis_iface, Qgis.Warning)


def test_a_moved_component_follows_its_grid_and_gets_a_change_date(desk, centre):
    layer = _open(desk, centre, "gis")
    rev = _rows(centre, "SELECT max(rev) FROM sync_changes")[0][0]
    layer.startEditing()
    layer.changeGeometry(_feature(layer, "3205080101000001").id(),
                         QgsGeometry.fromPointXY(QgsPointXY(*cf.centre_point(C))))
    assert layer.commitChanges(), layer.commitErrors()
    _name, bgid, _ordate, chdate, _state = _component(centre, "3205080101000001")
    assert bgid == C and chdate == date.today().isoformat()
    assert _rows(centre, "SELECT entity_id FROM sync_changes WHERE rev > ?", (rev,)) == [("3205080101000001",)]


def test_a_changed_state_stamps_the_change_date(desk, centre):
    layer = _open(desk, centre, "gis")
    layer.startEditing()
    layer.changeAttributeValue(_feature(layer, "3205080101000001").id(), layer.fields().indexOf("ObjState"), "破损")
    assert layer.commitChanges(), layer.commitErrors()
    _name, bgid, _ordate, chdate, state = _component(centre, "3205080101000001")
    assert (bgid, chdate, state) == (A, date.today().isoformat(), "破损")


def test_a_component_placed_outside_every_grid_is_saved_without_grid_and_named_in_a_warning(
        desk, centre, qgis_iface):
    layer = _open(desk, centre, "gis")
    assert _add_in_qgis(layer, cf.X0 - 500, cf.Y0 - 500, "上水井盖")
    assert _component(centre, "3205080101000002")[1] is None  # the core's rule: saved, BGID empty
    (warning,) = _messages(qgis_iface, Qgis.Warning)
    assert "3205080101000002" in warning and "outside every grid" in warning


def test_an_unknown_component_name_is_refused_by_the_centre_and_nothing_is_written(desk, centre):
    layer = _open(desk, centre, "gis")
    assert not _add_in_qgis(layer, *cf.centre_point(B), "没有这种部件")
    assert any("ObjName is not the minor class name" in e for e in layer.commitErrors())
    layer.rollBack()
    assert _rows(centre, "SELECT count(*) FROM components") == [(1,)]


def test_the_codes_and_dates_are_read_only_in_the_form_for_gis_and_restored_on_close(desk, centre):
    layer = _open(desk, centre, "gis")
    fields = layer.fields()
    form = layer.editFormConfig()
    assert all(form.readOnly(fields.indexOf(n)) for n in ("ObjID", "BGID", "ORDate", "CHDate"))
    assert not form.readOnly(fields.indexOf("ObjName")) and not layer.readOnly()
    desk.close_centre()
    assert not layer.editFormConfig().readOnly(fields.indexOf("ObjID"))


@pytest.mark.parametrize("user", ["operator", "leader", "admin"])
def test_other_roles_get_a_read_only_components_layer_and_no_component_actions(desk, centre, user):
    layer = _open(desk, centre, user)
    assert layer.readOnly() and not layer.startEditing()
    names = [a.objectName() for a in desk.menu.actions()]
    assert "CitygridEditComponents" not in names and "CitygridImport" not in names
    desk.close_centre()
    assert not layer.readOnly()


def test_gis_gets_the_two_actions_and_closing_the_centre_removes_exactly_them(desk, centre):
    before = [a.objectName() for a in desk.menu.actions()]
    layer = _open(desk, centre, "gis")
    actions = {a.objectName(): a for a in desk.menu.actions()}
    assert {"CitygridEditComponents", "CitygridImport"} <= set(actions)
    actions["CitygridEditComponents"].trigger()
    assert layer.isEditable()
    layer.rollBack()
    actions["CitygridImport"].trigger()
    assert _part(desk).dialog.isVisible()
    desk.close_centre()
    assert [a.objectName() for a in desk.menu.actions()] == before


# --- the import dialog ---------------------------------------------------------------------------

def _memory_layer(kind, fields, rows):
    """A memory layer in the centre's CRS: `fields` [(name, type)], rows [(geometry, values)]."""
    geometry = "Polygon" if kind == "grids" else "Point"
    spec = "&".join(f"field={name}:{typ}" for name, typ in fields)
    layer = QgsVectorLayer(f"{geometry}?crs=EPSG:4549&{spec}", f"new {kind}", "memory")
    feats = []
    for geom, values in rows:
        feat = QgsFeature(layer.fields())
        feat.setGeometry(geom)
        feat.setAttributes(list(values))
        feats.append(feat)
    layer.dataProvider().addFeatures(feats)
    QgsProject.instance().addMapLayer(layer)
    return layer


def _square(col, row):
    (ring,) = cf.square(col, row)
    return QgsGeometry.fromPolygonXY([[QgsPointXY(x, y) for x, y in ring]])


def _point(code):
    return QgsGeometry.fromPointXY(QgsPointXY(*cf.centre_point(code)))


def _dialog(desk, layer, kind):
    dialog = _part(desk).dialog or _show_import(desk)
    dialog.layer_box.setLayer(layer)
    dialog.kind_box.setCurrentIndex(dialog.kind_box.findData(kind))
    return dialog


def _show_import(desk):
    _part(desk).show_import()
    return _part(desk).dialog


def _wait(dialog, timeout=60):
    end = time.monotonic() + timeout
    while dialog.task is not None:
        assert time.monotonic() < end, "the import task did not end"
        QCoreApplication.processEvents()
        time.sleep(0.01)


def _validate(dialog):
    dialog.validate()
    _wait(dialog)
    return dialog.report.lines()


def test_good_grids_from_a_memory_layer_validate_then_import_and_the_layer_shows_them(desk, centre):
    _open(desk, centre, "gis")
    grids = desk.session.layers["grids"]
    layer = _memory_layer("grids", [("code", "string"), ("name", "string")],
                          [(_square(2, 1), (NEW_GRID, "网格三")), (_square(3, 1), ("320508001002004", "网格四"))])
    dialog = _dialog(desk, layer, "grids")
    assert dialog.mapping.mapping()["code"] == "code"  # pre-matched by name
    assert _validate(dialog) == [] and dialog.validated and dialog.import_button.isEnabled()
    assert _rows(centre, "SELECT count(*) FROM grids") == [(4,)]  # validating writes nothing
    dialog.start_import()
    _wait(dialog)
    assert _rows(centre, "SELECT code FROM grids WHERE code > ? ORDER BY code", (C,)) == [
        ("320508001002002",), (NEW_GRID,), ("320508001002004",)]
    assert grids.featureCount() == 6 and dialog.progress.value() == 100
    assert "2 new" in dialog.summary.text() and not dialog.import_button.isEnabled()


def test_components_with_bad_rows_are_listed_by_row_and_field_and_nothing_is_written(desk, centre):
    _open(desk, centre, "gis")
    before = _rows(centre, "SELECT count(*), (SELECT max(rev) FROM sync_changes) FROM components")
    outside = QgsGeometry.fromPointXY(QgsPointXY(cf.X0 - 500, cf.Y0 - 500))
    layer = _memory_layer("components", [("部件名称", "string"), ("部件状态", "string")], [
        (_point(B), ("上水井盖", "完好")), (_point(C), ("没有这种部件", "完好")),
        (outside, ("上水井盖", "完好")), (_point(A), ("上水井盖", "坏了"))])
    dialog = _dialog(desk, layer, "components")
    assert dialog.mapping.mapping()["ObjName"] == "部件名称"  # pre-matched by the core's Chinese aliases
    lines = _validate(dialog)
    assert [(row, fld) for row, fld, _v, _m in lines] == [("2", "ObjName"), ("3", "geometry"), ("4", "ObjState")]
    assert "没有这种部件" == lines[0][2] and "outside" in lines[1][3]
    assert not dialog.validated and not dialog.import_button.isEnabled()
    assert "3 of 4 rows are bad" in dialog.summary.text()
    dialog.start_import()  # refused: the validation found bad rows
    _wait(dialog)
    assert _rows(centre, "SELECT count(*), (SELECT max(rev) FROM sync_changes) FROM components") == before


def test_the_field_mapping_maps_a_field_the_core_does_not_know_and_a_change_needs_a_new_validation(
        desk, centre):
    _open(desk, centre, "gis")
    layer = _memory_layer("grids", [("网格号", "string")], [(_square(2, 1), (NEW_GRID,))])
    dialog = _dialog(desk, layer, "grids")
    assert dialog.mapping.mapping()["code"] == ""
    assert dialog.mapping.item(0, 1).text() == "required"
    dialog.validate()
    _wait(dialog)
    assert "code" in dialog.summary.text() and not dialog.validated  # import.missing_field, clearly
    dialog.mapping.choose("code", "网格号")
    assert _validate(dialog) == [] and dialog.validated
    dialog.mapping.choose("name", "网格号")
    assert not dialog.validated and not dialog.import_button.isEnabled()


def test_a_layer_read_from_a_geopackage_is_imported_from_its_own_file(desk, centre, tmp_path):
    from citygrid_desk.component_import_source import prepare

    _open(desk, centre, "gis")
    memory = _memory_layer("grids", [("code", "string")], [(_square(2, 1), (NEW_GRID,))])
    options = QgsVectorFileWriter.SaveVectorOptions()
    options.driverName, options.layerName = "GPKG", "网格"
    path = str(tmp_path / "grids.gpkg")
    QgsVectorFileWriter.writeAsVectorFormatV3(memory, path, QgsProject.instance().transformContext(), options)
    layer = QgsVectorLayer(f"{path}|layername=网格", "file grids", "ogr")
    QgsProject.instance().addMapLayer(layer)
    source = prepare(layer)
    assert (source.path, source.layer, source.folder) == (path, "网格", None)  # no copy
    dialog = _dialog(desk, layer, "grids")
    assert _validate(dialog) == []
    dialog.start_import()
    _wait(dialog)
    assert _rows(centre, "SELECT count(*) FROM grids WHERE code = ?", (NEW_GRID,)) == [(1,)]


def test_a_cancelled_import_writes_nothing_and_says_so(desk, centre):
    from citygrid_desk.component_import_source import prepare
    from citygrid_desk.component_import_task import ImportTask

    _open(desk, centre, "gis")
    layer = _memory_layer("grids", [("code", "string")], [(_square(2, 1), (NEW_GRID,))])
    ended = []
    task = ImportTask("import", desk.session.path, "grids", prepare(layer), {}, False, ended.append)
    task.cancel()  # the user pressed cancel: the next progress report stops the importer
    assert task.run() is False
    task.finished(False)
    assert ended == [task] and task.problem.code == "desk.import_cancelled"
    assert _rows(centre, "SELECT count(*) FROM grids WHERE code = ?", (NEW_GRID,)) == [(0,)]
    task.source.cleanup()


def test_the_validation_report_in_chinese_is_grabbed_for_a_look(desk, centre, monkeypatch, tmp_path):
    import citygrid_desk.component_issues
    import citygrid_desk.session

    translator = _install_chinese(tmp_path)
    for module in (citygrid_desk.component_issues, citygrid_desk.session):
        monkeypatch.setattr(module, "locale", lambda: "zh_CN")
    try:
        _open(desk, centre, "gis")
        layer = _memory_layer("components", [("部件名称", "string"), ("部件状态", "string")], [
            (_point(B), ("上水井盖", "完好")), (_point(C), ("没有这种部件", "完好")),
            (QgsGeometry.fromPointXY(QgsPointXY(cf.X0 - 500, cf.Y0 - 500)), ("上水井盖", "坏了"))])
        dialog = _dialog(desk, layer, "components")
        dialog.show()
        lines = _validate(dialog)
        assert "部件" in lines[0][3] and "有误" in dialog.summary.text()
        _save(dialog)
    finally:
        QCoreApplication.removeTranslator(translator)


def _install_chinese(tmp_path):
    import shutil
    import subprocess

    from qgis.PyQt.QtCore import QTranslator

    tool = shutil.which("lrelease") or shutil.which("lrelease-qt5")
    if tool is None:
        pytest.skip("lrelease is not installed")
    ts = sorted((PLUGINS / "citygrid_desk" / "i18n" / "zh_CN").glob("*.ts"))
    qm = tmp_path / "desk_zh_CN.qm"
    subprocess.run([tool, *map(str, ts), "-qm", str(qm)], check=True, capture_output=True)
    translator = QTranslator()
    assert translator.load(str(qm))
    QCoreApplication.installTranslator(translator)
    return translator


def _save(dialog):
    out = PLUGINS.parent / "var" / "test-artifacts"
    out.mkdir(parents=True, exist_ok=True)
    QCoreApplication.sendPostedEvents(None, QEvent.DeferredDelete)  # as QGIS's event loop would
    QCoreApplication.processEvents()
    assert dialog.grab().save(str(out / "import_dialog_report_zh_CN.png"))
