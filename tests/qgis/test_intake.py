# SPDX-License-Identifier: GPL-2.0-or-later
"""The intake map tool in a real QGIS: a click opens the prefilled hotline form, OK reports the case."""

import importlib
import shutil
import sqlite3
import subprocess
from pathlib import Path
from types import SimpleNamespace

import centre_fixture as cf
import pytest
from desk_modules import desk_set_aside

qgis_core = pytest.importorskip("qgis.core")
pytestmark = pytest.mark.qgis

from qgis.core import QgsCoordinateReferenceSystem, QgsCoordinateTransform, QgsPointXY, QgsProject  # noqa: E402
from qgis.PyQt.QtCore import QCoreApplication, Qt, QTranslator  # noqa: E402
from qgis.PyQt.QtWidgets import QMessageBox  # noqa: E402

GRID = "320508001001001"
COVER = "3205080101000001"  # the fixture's manhole cover (上水井盖, class 0101), at (20, 20) in GRID
MODULES = ("plugin", "intake_tool", "intake_dialog")
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "var" / "test-artifacts"


@pytest.fixture(scope="module")
def tree():
    """The plugin's modules from the working tree, for this file only: test_desk_plugin imports the
    built zip's `citygrid_desk`, and neither may find the other's in sys.modules."""
    with desk_set_aside():
        yield SimpleNamespace(**{n: importlib.import_module(f"citygrid_desk.{n}") for n in MODULES})


@pytest.fixture
def shown(monkeypatch):
    """Texts the desk shows in warning and information boxes (never a modal box in a test)."""
    texts = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a: texts.append(text))
    monkeypatch.setattr(QMessageBox, "information", lambda parent, title, text, *a: texts.append(text))
    return texts


@pytest.fixture
def open_desk(tree, qgis_iface, qgis_new_project, centre):
    desks = []

    def open_as(username):
        desk = tree.plugin.CitygridDesk(qgis_iface)
        desk.initGui()
        assert desk.open_centre(str(centre), username, cf.PASSWORD)
        desks.append(desk)
        return desk
    yield open_as
    for desk in desks:
        desk.unload()


@pytest.fixture
def filled(tree, monkeypatch):
    """Replace the modal exec_ by filling the form with `values` and pressing Register."""
    dialogs, values = [], {"channel": "12319", "component": COVER, "caller": "王先生", "phone": "13912345678",
                           "description": "井盖破损"}

    def exec_(dialog):
        dialogs.append(dialog)
        dialog.channel.setCurrentIndex(dialog.channel.findData(values["channel"]))
        for i in range(dialog.component.count()):
            near = dialog.component.itemData(i)
            if near is not None and near.ObjID == values["component"]:
                dialog.component.setCurrentIndex(i)
        if values.get("class"):
            dialog.klass.setEditText(values["class"])
        dialog.caller.setText(values["caller"])
        dialog.phone.setText(values["phone"])
        dialog.description.setPlainText(values["description"])
        dialog.submit()
        return dialog.result()
    monkeypatch.setattr(tree.intake_dialog.IntakeDialog, "exec_", exec_)
    return dialogs, values


def _part(desk):
    return next(p for p in desk.parts if type(p).__name__ == "IntakeTool")


def _cases(centre) -> list:
    with sqlite3.connect(centre) as c:
        return c.execute("SELECT case_no, status, source, reporter, ObjID, grid_code, address FROM cases").fetchall()


def _click(part, x, y):
    part.action.trigger()
    assert part.canvas.mapTool() is part.tool
    part.tool.canvasClicked.emit(QgsPointXY(x, y), Qt.LeftButton)


def test_a_click_inside_a_grid_prefills_the_form_and_reports_a_hotline_case(open_desk, filled, shown, centre):
    part = _part(open_desk("operator"))
    part.canvas.setDestinationCrs(QgsCoordinateReferenceSystem("EPSG:4326"))  # the click arrives in lon/lat
    x, y = cf.centre_point(GRID, 25, 25)
    to_wgs = QgsCoordinateTransform(QgsCoordinateReferenceSystem("EPSG:4549"),
                                    QgsCoordinateReferenceSystem("EPSG:4326"), QgsProject.instance())
    lonlat = to_wgs.transform(QgsPointXY(x, y))
    _click(part, lonlat.x(), lonlat.y())
    dialog = filled[0][0]
    assert dialog.pre.grid["code"] == GRID and (dialog.pre.x, dialog.pre.y) == pytest.approx((x, y), abs=0.01)
    assert [n.ObjID for n in dialog.pre.components] == [COVER]
    assert dialog.address.text() == "姑苏区平江街道东园社区"
    assert dialog.klass.currentData() == "0101" and not dialog.klass.isEnabled()  # the component decides
    [(case_no, status, source, reporter, objid, grid, address)] = _cases(centre)
    assert (status, source, objid, grid) == ("reported", "hotline", COVER, GRID)
    assert reporter == "12319 王先生 <13912345678>" and address == "姑苏区平江街道东园社区"
    assert shown == []
    assert [f["case_no"] for f in part.session.layers["cases"].selectedFeatures()] == [case_no]


def test_an_event_class_is_picked_by_typing_its_code(open_desk, filled, shown, centre):
    dialogs, values = filled
    values.update(component=None, channel="12345", **{"class": "0102"})
    part = _part(open_desk("operator"))
    part.register_at(*cf.centre_point("320508001002002"))
    [(case_no, status, source, reporter, objid, grid, _address)] = _cases(centre)
    assert (status, source, objid, grid) == ("reported", "hotline", None, "320508001002002")
    assert reporter.startswith("12345 ")
    with sqlite3.connect(centre) as c:
        assert c.execute("SELECT kind, class_code FROM cases").fetchone() == ("event", "0102")


def test_a_click_outside_every_grid_is_refused_and_nothing_is_written(open_desk, filled, shown, centre):
    part = _part(open_desk("operator"))
    part.canvas.setDestinationCrs(QgsCoordinateReferenceSystem("EPSG:4549"))
    _click(part, cf.X0 - 300, cf.Y0 - 300)
    assert filled[0] == []  # no form opened
    assert len(shown) == 1 and "outside every unit grid" in shown[0]
    assert _cases(centre) == []


def test_a_bad_phone_is_refused_the_form_stays_open_and_nothing_is_written(open_desk, filled, shown, centre):
    filled[1]["phone"] = "call me later"
    part = _part(open_desk("operator"))
    assert part.register_at(*cf.centre_point(GRID)) is None
    assert len(shown) == 1 and "not a phone number" in shown[0]
    assert filled[0][0].result() != filled[0][0].Accepted
    assert _cases(centre) == []


def test_an_unknown_typed_class_is_refused_with_the_dictionary_problem(open_desk, filled, shown, centre):
    filled[1].update(component=None, **{"class": "9999 no such class"})
    part = _part(open_desk("operator"))
    assert part.register_at(*cf.centre_point(GRID)) is None
    assert len(shown) == 1 and "9999" in shown[0]
    assert _cases(centre) == []


def test_a_second_report_at_the_same_place_is_flagged_as_a_possible_duplicate(open_desk, filled, shown, centre):
    part = _part(open_desk("operator"))
    first = part.register_at(*cf.centre_point(GRID, 25, 25))
    second = part.register_at(*cf.centre_point(GRID, 27, 27))
    assert filled[0][1].duplicate_of == first
    assert len(shown) == 1 and first in shown[0] and second in shown[0]


def test_no_class_picked_is_refused_with_a_clear_message(open_desk, filled, shown, centre):
    filled[1].update(component=None)
    part = _part(open_desk("operator"))
    assert part.register_at(*cf.centre_point(GRID)) is None
    assert shown == ["pick the case's class from the list (type a code or a name to filter it)"]
    assert _cases(centre) == []


@pytest.mark.parametrize("username", ["leader", "dispatcher", "supervisor", "gis", "collector01"])
def test_a_role_that_may_not_take_hotline_reports_gets_no_action(open_desk, qgis_iface, username):
    desk = open_desk(username)
    assert _part(desk).action is None
    assert "CitygridIntake" not in [a.objectName() for a in desk.menu.actions()]


def test_closing_the_centre_unsets_the_tool_and_removes_the_action(open_desk, qgis_iface):
    desk = open_desk("operator")
    part = _part(desk)
    part.action.trigger()
    canvas = qgis_iface.mapCanvas()
    assert canvas.mapTool() is part.tool
    desk.close_centre()
    assert canvas.mapTool() is None
    assert "CitygridIntake" not in [a.objectName() for a in desk.menu.actions()]


def test_choosing_another_tool_unchecks_the_action(open_desk, qgis_iface):
    from qgis.gui import QgsMapToolPan

    part = _part(open_desk("operator"))
    part.action.trigger()
    pan = QgsMapToolPan(qgis_iface.mapCanvas())
    qgis_iface.mapCanvas().setMapTool(pan)
    assert not part.action.isChecked()
    qgis_iface.mapCanvas().unsetMapTool(pan)


@pytest.fixture
def chinese(tmp_path):
    """The desk's zh_CN texts installed, as QGIS in Chinese has them (skipped without lrelease)."""
    tool = shutil.which("lrelease") or shutil.which("lrelease-qt5")
    if tool is None:
        pytest.skip("lrelease (qttools5-dev-tools) is needed to build the .qm")
    sources = sorted((ROOT / "qgis_plugin" / "citygrid_desk" / "i18n" / "zh_CN").glob("*.ts"))
    subprocess.run([tool, "-silent", *map(str, sources), "-qm", str(tmp_path / "zh_CN.qm")], check=True)
    translator = QTranslator()
    assert translator.load(str(tmp_path / "zh_CN.qm"))
    QCoreApplication.installTranslator(translator)
    yield
    QCoreApplication.removeTranslator(translator)


def test_the_form_reads_in_chinese_screenshot(tree, open_desk, chinese, centre):
    part = _part(open_desk("operator"))
    dialog = part.dialog(tree.intake_tool.intake.prefill(part.session.centre, *cf.centre_point(GRID, 25, 25)))
    dialog.component.setCurrentIndex(1)
    dialog.description.setPlainText("井盖破损，有行人绊倒风险")
    dialog.caller.setText("王先生")
    dialog.phone.setText("13912345678")
    dialog.show()
    assert dialog.windowTitle() == "登记热线举报"
    assert dialog.channel.currentText().startswith("12319 城建")
    assert dialog.klass.currentText().startswith("0101 ")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    assert dialog.grab().save(str(ARTIFACTS / "intake_dialog_zh_CN.png"))
    dialog.reject()

