# SPDX-License-Identifier: GPL-2.0-or-later
"""The case desk in a real QGIS (pytest-qgis): filters, lazy pages, map <-> table selection, cases another
connection brings in, and a close that leaves nothing behind."""

import importlib
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import centre_fixture as cf
import pytest
from desk_modules import desk_set_aside

from citygrid.loop import casebook, workflow
from citygrid.store import db

qgis_core = pytest.importorskip("qgis.core")
pytestmark = pytest.mark.qgis
ROOT = Path(__file__).resolve().parents[2]

from qgis.gui import QgsDockWidget  # noqa: E402
from qgis.PyQt.QtCore import QCoreApplication, QEvent, Qt, QTranslator  # noqa: E402
from qgis.PyQt.QtWidgets import QApplication  # noqa: E402

case_dock = case_model = DeskSession = None  # the working tree's modules, while this file's tests run


@pytest.fixture(scope="module", autouse=True)
def desk_modules():
    """The plugin from the working tree, imported for this module only: test_desk_plugin imports the
    built zip's `citygrid_desk` and must not find this one in sys.modules."""
    global case_dock, case_model, DeskSession
    with desk_set_aside(str(ROOT / "qgis_plugin")):
        case_dock = importlib.import_module("citygrid_desk.case_dock")
        case_model = importlib.import_module("citygrid_desk.case_model")
        DeskSession = importlib.import_module("citygrid_desk.session").DeskSession
        yield

T0 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
GRIDS = list(cf.GRIDS)
PLAN = [("reported", 0), ("pending_register", 1), ("registered", 2), ("dispatched", 3), ("disposed", 0),
        ("checking", 1), ("reported", 2), ("dispatched", 3), ("reported", 1)]


@pytest.fixture
def built(centre):
    conn = db.open_centre(centre)
    for i, (status, grid) in enumerate(PLAN):
        cf.case_at(conn, status, grid=GRIDS[grid], at=T0 + timedelta(minutes=10 * i))
    conn.close()
    return centre


def open_session(path):
    """As the plugin opens a centre: the layer read first, then the core's connection."""
    layer = qgis_core.QgsVectorLayer(f"{path}|layername=cases", "cases", "ogr")
    assert layer.isValid() and layer.featureCount() == len(PLAN)
    qgis_core.QgsProject.instance().addMapLayer(layer)
    session = DeskSession(str(path), db.open_centre(path))
    session.actor = cf.actor(session.centre, "operator")
    session.layers = {"cases": layer}
    return session


@pytest.fixture
def session(built, qgis_new_project):
    s = open_session(built)
    yield s
    s.centre.close()


@pytest.fixture
def desk(qgis_iface, session):
    part = case_dock.CaseDesk(qgis_iface, session, None)
    yield part
    if part.dock is not None:
        part.close()


def shown_case_nos(model):
    return [r["case_no"] for r in model.rows]


def test_the_dock_is_named_and_opens_on_every_case_newest_first(desk, session):
    assert desk.dock.objectName() == "CitygridCaseDesk"
    rows = casebook.page(session.centre, casebook.Filter())
    assert shown_case_nos(desk.dock.model) == [r["case_no"] for r in rows]
    assert desk.dock.count_label.text() == f"{len(PLAN)} cases"


def test_status_and_unit_filters_narrow_the_rows_as_the_core_says(desk, session):
    bar = desk.dock.filters
    bar.units.setCurrentIndex(bar.units.findData("HW"))
    bar.statuses.setCheckedItems([case_model.status_names()["dispatched"], case_model.status_names()["disposed"]])
    want = casebook.page(session.centre, casebook.Filter(unit_code="HW", statuses=("dispatched", "disposed")))
    assert len(want) == 3
    assert shown_case_nos(desk.dock.model) == [r["case_no"] for r in want]
    assert desk.dock.count_label.text() == "3 cases"


def test_free_text_waits_for_a_pause_then_filters(desk, session):
    case_no = shown_case_nos(desk.dock.model)[-1]
    desk.dock.filters.text.setValue(case_no)
    assert desk.dock.filters.debounce.isActive()
    assert len(desk.dock.model.rows) == len(PLAN)  # nothing yet: typing goes on
    desk.dock.filters.debounce.timeout.emit()
    assert shown_case_nos(desk.dock.model) == [case_no]


def test_a_free_text_count_stops_at_the_cap(desk, monkeypatch):
    monkeypatch.setattr(case_dock, "COUNT_CAP", 4)
    desk.dock.filters.text.setValue("路边")  # every case's description (centre_fixture.case_at)
    desk.dock.filters.debounce.timeout.emit()
    assert desk.dock.count_label.text() == "more than 3 cases"
    assert len(desk.dock.model.rows) == len(PLAN)


def test_a_period_that_ends_before_it_starts_is_a_clear_message_and_keeps_the_table(desk):
    bar = desk.dock.filters
    bar.date_from.setDate(_qdate(2026, 11, 24))
    before = shown_case_nos(desk.dock.model)
    bar.date_to.setDate(_qdate(2026, 11, 20))
    assert desk.dock.count_label.text().startswith("the period ends")
    assert shown_case_nos(desk.dock.model) == before


def _qdate(y, m, d):
    from qgis.PyQt.QtCore import QDate
    return QDate(y, m, d)


def test_rows_are_fetched_a_page_at_a_time(session):
    model = case_model.CaseModel(session, page_size=4)
    model.reload()
    assert model.rowCount() == 4 and model.canFetchMore()
    model.fetchMore()
    assert model.rowCount() == 8 and model.canFetchMore()
    model.fetchMore()
    assert model.rowCount() == len(PLAN) and not model.canFetchMore()
    assert shown_case_nos(model) == [r["case_no"] for r in casebook.page(session.centre, casebook.Filter())]


def test_sorting_by_case_number_reorders_and_an_unsortable_column_keeps_the_order(desk, session):
    header = desk.dock.table.horizontalHeader()
    header.setSortIndicator(case_model.COLUMNS.index("case_no"), Qt.AscendingOrder)
    ordered = sorted(shown_case_nos(desk.dock.model))
    assert shown_case_nos(desk.dock.model) == ordered
    header.setSortIndicator(case_model.COLUMNS.index("grid_code"), Qt.AscendingOrder)
    assert shown_case_nos(desk.dock.model) == ordered
    assert header.sortIndicatorSection() == case_model.COLUMNS.index("case_no")


def test_the_light_is_a_coloured_cell_in_the_users_words(desk):
    model = desk.dock.model
    col = case_model.COLUMNS.index("light")
    row = next(i for i, r in enumerate(model.rows) if r["light"] == "red")  # T0 is long past: overdue
    assert model.data(model.index(row, col)) == "Red"
    assert model.data(model.index(row, col), Qt.BackgroundRole).color().name() == case_model.LIGHT_COLOURS["red"]


def test_selecting_a_row_selects_and_flashes_the_case_on_the_map(desk, session, qgis_iface, monkeypatch):
    flashed = []
    monkeypatch.setattr(qgis_iface.mapCanvas(), "flashFeatureIds", lambda layer, ids, *a: flashed.append(list(ids)))
    row = desk.dock.model.rows[2]
    desk.dock.table.selectRow(2)
    assert session.layers["cases"].selectedFeatureIds() == [row["fid"]]
    assert flashed == [[row["fid"]]]
    assert desk.dock.detail.case_no == row["case_no"]


def test_selecting_features_on_the_map_selects_their_rows(desk, session):
    fids = [desk.dock.model.rows[1]["fid"], desk.dock.model.rows[3]["fid"]]
    session.layers["cases"].selectByIds(fids)
    rows = sorted(i.row() for i in desk.dock.table.selectionModel().selectedRows())
    assert rows == [1, 3]
    assert not desk.dock.filters.fids


def test_selecting_features_not_loaded_filters_the_table_to_them(desk, session):
    model = desk.dock.model
    model.page_size = 2
    model.reload()
    last = casebook.page(session.centre, casebook.Filter())[-1]
    session.layers["cases"].selectByIds([last["fid"]])
    assert shown_case_nos(model) == [last["case_no"]]
    assert "the map's selection" in desk.dock.count_label.text()
    session.layers["cases"].removeSelection()
    assert len(model.rows) == 2 and not desk.dock.filters.fids


def test_a_case_reported_by_another_connection_appears_marked_new(desk, built):
    other = db.open_centre(built)  # as the sync service would
    try:
        x, y = cf.centre_point(GRIDS[2])
        case_no = workflow.report(other, cf.actor(other, "operator"), kind="event", class_code="0102", x=x, y=y,
                                  source="hotline", at=T0 + timedelta(hours=5))
    finally:
        other.close()
    assert case_no not in shown_case_nos(desk.dock.model)
    assert desk.poll() == [case_no]
    model = desk.dock.model
    assert model.rows[0]["case_no"] == case_no and case_no in model.new
    assert model.data(model.index(0, 0), Qt.FontRole).bold()
    assert model.data(model.index(0, case_model.COLUMNS.index("flags"))) == "New"
    assert desk.dock.count_label.text() == f"{len(PLAN) + 1} cases"
    desk.dock.table.selectRow(0)
    assert case_no not in model.new and model.data(model.index(0, 0), Qt.FontRole) is None
    assert desk.poll() == []


def test_a_case_another_desk_moves_out_of_the_filter_leaves_the_table(desk, built, session):
    bar = desk.dock.filters
    bar.statuses.setCheckedItems([case_model.status_names()["reported"]])
    reported = shown_case_nos(desk.dock.model)
    other = db.open_centre(built)
    try:
        workflow.act(other, reported[0], "accept", cf.actor(other, "operator"), at=T0 + timedelta(hours=5))
    finally:
        other.close()
    assert desk.poll() == []
    assert shown_case_nos(desk.dock.model) == reported[1:]


def test_close_leaves_no_dock_timer_menu_entry_or_connection(qgis_iface, session):
    from qgis.PyQt.QtWidgets import QMenu
    menu = QMenu()
    part = case_dock.CaseDesk(qgis_iface, session, menu)
    assert [a.text() for a in menu.actions()] == ["Case desk"]
    timer = part.timer
    part.close()
    QCoreApplication.sendPostedEvents(None, QEvent.DeferredDelete)
    assert not timer.isActive() and menu.actions() == []
    assert qgis_iface.mainWindow().findChild(QgsDockWidget, "CitygridCaseDesk") is None
    session.layers["cases"].selectByIds([1])  # no longer reaches the desk (it would fail: its dock is gone)


def test_the_plugin_builds_the_case_desk_when_a_centre_opens():
    plugin = importlib.import_module("citygrid_desk.plugin")
    assert case_dock.CaseDesk in plugin.part_classes()


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_a_picture_of_the_desk_on_the_small_demo(qgis_iface, qgis_new_project, tmp_path, lang, monkeypatch):
    path = tmp_path / "center.gpkg"
    subprocess.run([sys.executable, "-m", "citygrid", "demo", str(path), "--scale", "small", "--seed", "1"],
                   check=True, capture_output=True)
    translator = _translator(tmp_path) if lang == "zh_CN" else None
    if lang == "zh_CN":
        monkeypatch.setattr(qgis_core.QgsApplication, "locale", staticmethod(lambda: "zh_CN"))
    s = open_demo(path)
    try:
        part = case_dock.CaseDesk(qgis_iface, s, None)
        part.dock.resize(1100, 760)
        part.dock.show()
        part.dock.table.selectRow(1)
        QApplication.processEvents()
        out = ROOT / "var" / "test-artifacts" / f"case-desk-{lang}.png"
        out.parent.mkdir(parents=True, exist_ok=True)
        assert part.dock.grab().save(str(out))
        if lang == "zh_CN" and translator is not None:
            assert part.dock.windowTitle() == "案件"
        part.close()
    finally:
        s.centre.close()
        if translator is not None:
            QCoreApplication.removeTranslator(translator)


def open_demo(path):
    layer = qgis_core.QgsVectorLayer(f"{path}|layername=cases", "cases", "ogr")
    assert layer.isValid() and layer.featureCount() > 0
    qgis_core.QgsProject.instance().addMapLayer(layer)
    s = DeskSession(str(path), db.open_centre(path))
    s.layers = {"cases": layer}
    return s


def _translator(tmp_path):
    tool = shutil.which("lrelease") or shutil.which("lrelease-qt5")
    if tool is None:
        return None
    qm = tmp_path / "desk_zh_CN.qm"
    ts = sorted(str(p) for p in (ROOT / "qgis_plugin" / "citygrid_desk" / "i18n" / "zh_CN").glob("*.ts"))
    subprocess.run([tool, *ts, "-qm", str(qm)], check=True, capture_output=True)
    translator = QTranslator()
    assert translator.load(str(qm))
    QCoreApplication.installTranslator(translator)
    return translator
