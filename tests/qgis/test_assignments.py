# SPDX-License-Identifier: GPL-2.0-or-later
"""The assignments dock in a real QGIS: collectors' load, grids highlighted, tasks, moving grids."""

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

from qgis.core import QgsRectangle  # noqa: E402
from qgis.gui import QgsRubberBand  # noqa: E402
from qgis.PyQt.QtCore import QCoreApplication, Qt, QTranslator  # noqa: E402
from qgis.PyQt.QtWidgets import QMessageBox  # noqa: E402

from citygrid.loop import workflow  # noqa: E402
from citygrid.store import db  # noqa: E402

G1, G2 = "320508001001001", "320508001001002"
MODULES = ("plugin", "assignments_dock")
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
    texts = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a: texts.append(text))
    return texts


@pytest.fixture
def verify_task(centre):
    """An open 核实 task for collector01 (a hotline case in G1 sent to verify)."""
    conn = db.open_centre(centre)
    case_no = cf.case_at(conn, "reported")
    workflow.act(conn, case_no, "send_verify", cf.actor(conn, "operator"))
    conn.close()
    return case_no


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


def _part(desk):
    return next(p for p in desk.parts if type(p).__name__ == "Assignments")


def _dock(desk):
    return _part(desk).dock


def _rows(tree) -> list[list[str]]:
    return [[tree.topLevelItem(i).text(c) for c in range(tree.columnCount())] for i in range(tree.topLevelItemCount())]


def _choose(dock, username):
    for i in range(dock.collectors.topLevelItemCount()):
        item = dock.collectors.topLevelItem(i)
        item.setSelected(item.data(0, Qt.UserRole) == username)


def _grids(centre, username) -> list[str]:
    with sqlite3.connect(centre) as c:
        return [r[0] for r in c.execute("SELECT grid_code FROM collector_grids WHERE username = ? ORDER BY grid_code",
                                        (username,))]


def _bands(canvas) -> int:
    return sum(isinstance(item, QgsRubberBand) for item in canvas.scene().items())


def test_a_supervisor_sees_each_collectors_grid_and_open_task_counts(open_desk, verify_task):
    dock = _dock(open_desk("supervisor"))
    assert dock.objectName() == "CitygridAssignments"
    assert [row[1:] for row in _rows(dock.collectors)] == [["2", "1"], ["2", "0"]]
    assert [row[0] for row in _rows(dock.collectors)] == ["collector01", "collector02"]


def test_choosing_a_collector_highlights_their_grids_and_lists_their_tasks(open_desk, verify_task):
    dock = _dock(open_desk("leader"))
    _choose(dock, "collector01")
    band = dock.band.asGeometry()
    assert band.area() == pytest.approx(2 * 100 * 100)  # G1 and G2, two 100 m squares
    assert [row[:2] for row in _rows(dock.tasks)] == [[verify_task, "Verify (核实)"]]
    _choose(dock, "collector02")
    assert dock.band.asGeometry().area() == pytest.approx(2 * 100 * 100)
    assert _rows(dock.tasks) == []


def test_double_clicking_a_task_selects_and_centres_its_case(open_desk, verify_task, qgis_iface):
    desk = open_desk("leader")
    dock = _dock(desk)
    canvas = qgis_iface.mapCanvas()
    canvas.setDestinationCrs(desk.session.layers["cases"].crs())
    canvas.setExtent(QgsRectangle(490_000, 3_450_000, 510_000, 3_470_000))  # a QGIS window always has one
    _choose(dock, "collector01")
    dock.zoom_to_case(verify_task)
    cases = desk.session.layers["cases"]
    assert [f["case_no"] for f in cases.selectedFeatures()] == [verify_task]
    centre = canvas.center()
    assert (centre.x(), centre.y()) == pytest.approx(cf.centre_point(G1), abs=1)
    assert canvas.scale() <= 5001


def test_grids_selected_on_the_map_move_to_the_chosen_collector_after_confirmation(open_desk, centre, monkeypatch):
    desk = open_desk("supervisor")
    dock = _dock(desk)
    asked = []
    monkeypatch.setattr(dock, "confirm_taking", lambda username, taken: asked.append(taken) or True)
    desk.session.layers["grids"].selectByExpression(f"\"code\" = '{G1}'")
    dock.target.setCurrentIndex(dock.target.findData("collector02"))
    assert dock.assign_selected()
    assert asked == [{"collector01": [G1]}]
    assert _grids(centre, "collector01") == [G2] and G1 in _grids(centre, "collector02")
    assert [row[1] for row in _rows(dock.collectors)] == ["1", "3"]
    assert dock.selected_collector() == "collector02"


def test_declining_the_confirmation_moves_nothing(open_desk, centre, monkeypatch):
    desk = open_desk("supervisor")
    dock = _dock(desk)
    monkeypatch.setattr(dock, "confirm_taking", lambda username, taken: False)
    desk.session.layers["grids"].selectByExpression(f"\"code\" = '{G1}'")
    dock.target.setCurrentIndex(dock.target.findData("collector02"))
    assert not dock.assign_selected()
    assert _grids(centre, "collector01") == [G1, G2]


def test_assigning_with_no_grid_selected_is_refused_with_a_clear_message(open_desk, centre, shown):
    dock = _dock(open_desk("leader"))
    dock.target.setCurrentIndex(dock.target.findData("collector02"))
    assert not dock.assign_selected()
    assert shown == ["select the grids to assign on the grids layer first"]
    assert _grids(centre, "collector02") == ["320508001002001", "320508001002002"]


def test_an_actor_who_may_not_assign_is_refused_by_the_core_nothing_moves(open_desk, centre, shown, monkeypatch):
    desk = open_desk("leader")
    dock = _dock(desk)
    monkeypatch.setattr(desk.session, "actor", cf.actor(desk.session.centre, "operator"))  # e.g. a role change
    desk.session.layers["grids"].selectByExpression(f"\"code\" = '{G2}'")
    dock.target.setCurrentIndex(dock.target.findData("collector01"))
    monkeypatch.setattr(dock, "confirm_taking", lambda username, taken: True)
    assert not dock.assign_selected()
    assert shown == ["a operator may not move collectors' grids (only supervisor, leader, admin)"]


@pytest.mark.parametrize("username", ["operator", "dispatcher", "gis", "collector01", "unit_sw"])
def test_a_role_that_may_not_assign_gets_no_dock(open_desk, qgis_iface, username):
    desk = open_desk(username)
    assert _dock(desk) is None


def test_closing_removes_the_dock_and_the_highlight(open_desk, qgis_iface, verify_task):
    canvas = qgis_iface.mapCanvas()
    before = _bands(canvas)
    desk = open_desk("supervisor")
    part = _part(desk)
    _choose(part.dock, "collector01")
    assert _bands(canvas) == before + 1
    desk.close_centre()
    assert _bands(canvas) == before
    assert part.dock is None


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


def test_the_dock_and_the_highlight_read_in_chinese_screenshot(open_desk, chinese, verify_task, qgis_iface):
    desk = open_desk("supervisor")
    dock = _dock(desk)
    assert dock.windowTitle() == "监督员与网格"
    _choose(dock, "collector01")
    dock.resize(420, 520)
    dock.show()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    assert dock.grab().save(str(ARTIFACTS / "assignments_dock_zh_CN.png"))
    canvas = qgis_iface.mapCanvas()
    canvas.resize(500, 500)
    canvas.setDestinationCrs(desk.session.layers["grids"].crs())
    canvas.setLayers([desk.session.layers[name] for name in ("cases", "components", "grids")])
    canvas.setExtent(QgsRectangle(cf.X0 - 20, cf.Y0 - 20, cf.X0 + 220, cf.Y0 + 220))
    canvas.show()
    canvas.refresh()
    canvas.waitWhileRendering()
    assert canvas.grab().save(str(ARTIFACTS / "assignments_highlight.png"))
