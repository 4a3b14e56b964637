# SPDX-License-Identifier: GPL-2.0-or-later
"""The evaluation dock in a real QGIS: the core's figures in the table, grades in their colours,
sorting, the grid choropleth, CSV round trip, the monthly trend, who gets the dock, a Chinese screenshot."""

import csv
import importlib
import shutil
import subprocess
import threading
import time
from datetime import UTC, date, datetime
from pathlib import Path
from types import SimpleNamespace

import centre_fixture as cf
import pytest
from desk_modules import desk_set_aside

qgis_core = pytest.importorskip("qgis.core")
pytestmark = pytest.mark.qgis

from qgis.core import (  # noqa: E402
    QgsGraduatedSymbolRenderer,
    QgsMapRendererSequentialJob,
    QgsMapSettings,
    QgsProject,
)
from qgis.PyQt.QtCore import QCoreApplication, QSize, Qt, QTimer, QTranslator  # noqa: E402
from qgis.PyQt.QtWidgets import QApplication, QFileDialog, QMessageBox  # noqa: E402

from citygrid.loop import evaluation, workflow  # noqa: E402
from citygrid.store import db  # noqa: E402

G1, G2, G3 = "320508001001001", "320508001001002", "320508001002001"
NOVEMBER = (date(2026, 11, 1), date(2026, 12, 1))
MODULES = ("plugin", "evaluation_dock", "evaluation_model", "evaluation_words")
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "var" / "test-artifacts"


@pytest.fixture(scope="module")
def tree():
    with desk_set_aside():
        yield SimpleNamespace(**{n: importlib.import_module(f"citygrid_desk.{n}") for n in MODULES})


@pytest.fixture
def shown(monkeypatch):
    texts = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a: texts.append(text))
    return texts


@pytest.fixture
def lived(centre):
    """November 2026: three cases in G1 (one closed after a passed check), one in G2, none in G3;
    one October case in G1 so the trend has two months."""
    conn = db.open_centre(centre)
    closed = cf.case_at(conn, "check_passed")
    workflow.act(conn, closed, "close", cf.actor(conn, "leader"), at=datetime(2026, 11, 23, 2, 0, tzinfo=UTC))
    cf.case_at(conn, "dispatched")
    cf.case_at(conn, "checking", dx=60)
    cf.case_at(conn, "registered", grid=G2)
    cf.case_at(conn, "dispatched", at=datetime(2026, 10, 10, 1, 0, tzinfo=UTC))
    conn.close()
    return centre


@pytest.fixture
def open_desk(tree, qgis_iface, qgis_new_project, lived, shown):
    desks = []

    def open_as(username):
        desk = tree.plugin.CitygridDesk(qgis_iface)
        desk.initGui()
        assert desk.open_centre(str(lived), username, cf.PASSWORD), shown
        desks.append(desk)
        return desk
    yield open_as
    for desk in desks:
        desk.unload()
    QgsProject.instance().removeAllMapLayers()


def _dock(desk):
    part = next(p for p in desk.parts if type(p).__name__ == "Evaluation")
    return part.dock


def _table(dock) -> list[list[str]]:
    proxy = dock.proxy
    return [[proxy.data(proxy.index(r, c)) for c in range(proxy.columnCount())] for r in range(proxy.rowCount())]


def _column(dock, name) -> int:
    return dock.model.columns.index(name)


def _expected(centre, by, level=None):
    conn = db.open_centre(centre)
    try:
        return evaluation.evaluate(conn, *NOVEMBER, by, level=level)
    finally:
        conn.close()


def test_the_period_combo_offers_the_months_the_log_covers_newest_first_then_a_custom_period(open_desk):
    dock = _dock(open_desk("leader"))
    combo = dock.period
    assert [combo.itemData(i) for i in range(combo.count())] == ["2026-11", "2026-10", "custom"]
    assert dock.bounds() == NOVEMBER
    assert not dock.start_edit.isEnabled()


@pytest.mark.parametrize("object_type, by, level", [("unit", "unit", None), ("grid", "region", "grid"),
                                                     ("collector", "collector", None), ("post", "post", None)])
def test_the_table_shows_the_cores_figures_for_every_indicator(open_desk, lived, object_type, by, level):
    dock = _dock(open_desk("supervisor"))
    dock.choose("2026-11", object_type)
    expected = {r.id: r for r in _expected(lived, by, level)}
    model = dock.model
    assert len(model.results) == len(expected)
    for row in _table(dock):
        result = expected[row[_column(dock, "id")]]
        counts, rates = evaluation.KINDS[result.kind]
        assert set(counts) | set(rates) <= set(model.columns)
        for name in set(model.columns) - set(counts) - set(rates) - {"id", "name", "kind", "score", "grade"}:
            assert row[_column(dock, name)] == "-", name  # another post's indicator
        for name in counts:
            assert row[_column(dock, name)] == str(result.counts[name]), name
        for name in rates:
            rate = result.rates[name]
            assert row[_column(dock, name)] == ("-" if rate is None else f"{rate * 100:.1f}%"), name
        assert row[_column(dock, "score")] == ("-" if result.score is None else f"{result.score:.2f}")
        assert row[_column(dock, "grade")] == (result.grade or "-")


def test_a_grid_with_cases_is_scored_and_its_grade_cell_is_painted_in_the_grade_colour(open_desk, tree):
    dock = _dock(open_desk("leader"))
    dock.choose("2026-11", "grid")
    graded = [r for r in range(dock.proxy.rowCount())
              if dock.proxy.data(dock.proxy.index(r, _column(dock, "grade"))) not in (None, "-")]
    assert graded, "a grid with a closure due in November has a grade"
    for row in graded:
        index = dock.proxy.index(row, _column(dock, "grade"))
        result = dock.model.result_at(dock.proxy.mapToSource(index).row())
        brush = dock.proxy.data(index, Qt.BackgroundRole)
        assert brush.color() == tree.evaluation_words.GRADE_COLOURS[result.colour]
    ungraded = dock.proxy.index(0, _column(dock, "name"))
    assert dock.proxy.data(ungraded, Qt.BackgroundRole) is None


def test_sorting_by_a_count_orders_numerically_both_ways_and_missing_scores_sort_last(open_desk):
    dock = _dock(open_desk("leader"))
    dock.choose("2026-11", "grid")
    registered = _column(dock, "registered")
    dock.table.sortByColumn(registered, Qt.DescendingOrder)
    down = [int(row[registered]) for row in _table(dock)]
    assert down == sorted(down, reverse=True) and down[0] == 3
    dock.table.sortByColumn(registered, Qt.AscendingOrder)
    assert [int(row[registered]) for row in _table(dock)] == sorted(down)
    dock.table.sortByColumn(_column(dock, "score"), Qt.DescendingOrder)
    scores = [row[_column(dock, "score")] for row in _table(dock)]
    assert scores[0] != "-" and scores[-1] == "-"


def test_the_map_toggle_adds_a_graduated_grid_layer_with_each_grids_case_count(open_desk, lived):
    desk = open_desk("leader")
    dock = _dock(desk)
    dock.map_toggle.setChecked(True)
    layer = dock.map_layer()
    assert layer is not None and layer.name() == "Evaluation: grids"
    counts = {f["code"]: f["cases"] for f in layer.getFeatures()}
    assert counts == {G1: 3, G2: 1, G3: 0, "320508001002002": 0}
    densities = {f["code"]: f["density"] for f in layer.getFeatures()}
    assert densities[G1] == pytest.approx(3 / 0.01)  # a 100 m square is 0.01 km²
    renderer = layer.renderer()
    assert isinstance(renderer, QgsGraduatedSymbolRenderer) and renderer.classAttribute() == "density"
    assert 1 <= len(renderer.ranges()) <= 5
    colours = {code: renderer.symbolForValue(value).color().name() for code, value in densities.items()}
    assert len({colours[G1], colours[G2], colours[G3]}) == 3  # 300, 100 and 0 cases per km² apart
    group = QgsProject.instance().layerTreeRoot().findLayer(desk.session.layers["grids"].id()).parent()
    assert group.findLayer(layer.id()) is not None and group.findLayer(layer.id()).isExpanded()


def test_a_new_period_replaces_the_map_layer_and_unticking_removes_it(open_desk):
    dock = _dock(open_desk("leader"))
    dock.map_toggle.setChecked(True)
    first = dock.map_layer().id()
    dock.choose("2026-10")
    layer = dock.map_layer()
    assert layer.id() != first and QgsProject.instance().mapLayer(first) is None
    assert {f["code"]: f["cases"] for f in layer.getFeatures()} == {G1: 1, G2: 0, G3: 0, "320508001002002": 0}
    dock.map_toggle.setChecked(False)
    assert dock.map_layer() is None
    assert not [lyr for lyr in QgsProject.instance().mapLayers().values() if lyr.name() == "Evaluation: grids"]


def test_the_csv_has_the_tables_columns_in_utf8_with_a_bom_and_reads_back_intact(open_desk, tmp_path):
    dock = _dock(open_desk("leader"))
    dock.choose("2026-11", "grid")
    path = tmp_path / "评价.csv"
    assert dock.export(str(path)) == 4
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    model = dock.model
    assert rows[0] == [model.headerData(c, Qt.Horizontal) for c in range(model.columnCount())]
    assert rows[1:] == [[model.text(r, c) for c in model.columns] for r in model.results]
    assert "网格001" in {row[0] for row in rows[1:]}


def test_a_custom_period_that_ends_before_it_starts_is_said_not_computed(open_desk):
    dock = _dock(open_desk("leader"))
    dock.choose("2026-11", "unit")
    before = list(dock.model.results)
    dock.choose_dates(date(2026, 11, 20), date(2026, 11, 1))
    assert dock.model.results == before
    assert "2026" in dock.status.text()


def test_selecting_a_row_draws_its_score_month_by_month_from_a_task(open_desk, lived):
    dock = _dock(open_desk("leader"))
    dock.choose("2026-11", "unit")
    row = next(r for r in range(dock.proxy.rowCount()) if _table(dock)[r][_column(dock, "id")] == "HW")
    dock.table.selectRow(row)
    deadline = time.monotonic() + 30
    while dock.trend_task is not None and time.monotonic() < deadline:
        QApplication.processEvents()
        time.sleep(0.02)
    months = [m for m, _ in dock.chart.trend]
    assert months == ["2026-06", "2026-07", "2026-08", "2026-09", "2026-10", "2026-11"]
    november = dict(dock.chart.trend)["2026-11"]
    assert november == next(r.score for r in _expected(lived, "unit") if r.id == "HW")


@pytest.mark.parametrize("role", ["collector01", "operator", "dispatcher", "gis"])
def test_roles_that_do_not_answer_for_the_results_get_no_evaluation_dock(open_desk, role):
    desk = open_desk(role)
    assert _dock(desk) is None


def test_closing_the_centre_removes_the_dock_and_its_map_layer(open_desk, qgis_iface):
    desk = open_desk("admin")
    dock = _dock(desk)
    dock.map_toggle.setChecked(True)
    layer_id = dock.map_layer().id()
    desk.close_centre()
    assert QgsProject.instance().mapLayer(layer_id) is None


@pytest.fixture
def chinese(tmp_path):
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


def test_the_dock_and_the_choropleth_read_in_chinese_screenshot(open_desk, chinese, qgis_iface):
    desk = open_desk("leader")
    dock = _dock(desk)
    assert dock.windowTitle() == "综合评价"
    dock.choose("2026-11", "grid")
    dock.map_toggle.setChecked(True)
    assert dock.map_layer().name() == "评价：网格"
    assert dock.model.headerData(_column(dock, "closure_rate"), Qt.Horizontal) == "结案率"
    dock.table.selectRow(0)
    deadline = time.monotonic() + 30
    while dock.trend_task is not None and time.monotonic() < deadline:
        QApplication.processEvents()
        time.sleep(0.02)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    dock.resize(900, 620)
    dock.show()
    QApplication.processEvents()
    assert dock.grab().save(str(ARTIFACTS / "evaluation_dock_zh.png"))
    layer = dock.map_layer()
    settings = QgsMapSettings()
    settings.setLayers([layer])
    settings.setDestinationCrs(layer.crs())
    settings.setOutputSize(QSize(600, 600))
    settings.setExtent(layer.extent().buffered(20))
    job = QgsMapRendererSequentialJob(settings)
    job.start()
    job.waitForFinished()
    image = job.renderedImage()
    assert len({image.pixel(x, y) for x in range(0, 600, 50) for y in range(0, 600, 50)}) > 2  # classes drawn
    assert image.save(str(ARTIFACTS / "evaluation_map_zh.png"))


# --- off the UI thread: the recompute and the monthly report (issue 13, part 3) ------------------

@pytest.fixture
def slow_core(monkeypatch):
    """The core's evaluate taking 0.6 s (a city's month), and the threads it ran in."""
    real, threads = evaluation.evaluate, []

    def slow(*args, **kwargs):
        threads.append(threading.get_ident())
        time.sleep(0.6)
        return real(*args, **kwargs)
    monkeypatch.setattr(evaluation, "evaluate", slow)
    return threads


def _ticks_while(dock) -> int:
    ticks = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(10)
    assert dock.settle(30)
    timer.stop()
    return len(ticks)


def test_the_recompute_runs_in_a_task_while_the_event_loop_ticks_and_the_old_figures_stay_greyed(open_desk,
                                                                                               slow_core):
    dock = _dock(open_desk("leader"))
    dock.choose("2026-11", "unit")
    before = list(dock.model.results)
    dock.object_type.setCurrentIndex(dock.object_type.findData("collector"))  # as a user: returns at once
    assert dock.recompute_task is not None and not dock.table.isEnabled()
    assert dock.status.text() == "Computing…" and dock.model.results == before
    assert _ticks_while(dock) >= 20  # ~0.6 s of a 10 ms timer: the UI was never blocked
    assert slow_core and threading.get_ident() not in slow_core
    assert dock.table.isEnabled() and {r.kind for r in dock.model.results} == {"collector"}


def test_a_newer_request_supersedes_an_older_one(open_desk, slow_core):
    dock = _dock(open_desk("leader"))
    dock.settle(30)
    dock.object_type.setCurrentIndex(dock.object_type.findData("collector"))
    first = dock.recompute_task
    dock.object_type.setCurrentIndex(dock.object_type.findData("grid"))
    assert dock.recompute_task is not first and first.isCanceled()
    assert dock.settle(30)
    for _ in range(50):  # let the cancelled task's late answer arrive, too
        QApplication.processEvents()
        time.sleep(0.02)
    assert {r.kind for r in dock.model.results} == {"grid"} and dock.model.columns[0] == "name"


def test_the_report_button_writes_the_months_pdf_in_a_task_and_links_it(open_desk, qgis_iface, tmp_path,
                                                                       monkeypatch):
    dock = _dock(open_desk("leader"))
    dock.choose("2026-11", "unit")
    pushed = []
    monkeypatch.setattr(qgis_iface.messageBar(), "pushWidget", lambda item, *a: pushed.append(item.text()))
    out = tmp_path / "月报.pdf"
    task = dock.write_report("2026-11", str(out))
    assert not dock.report_button.isEnabled()
    deadline = time.monotonic() + 120
    while dock.report_task is not None and time.monotonic() < deadline:
        QApplication.processEvents()
        time.sleep(0.02)
    assert task.progress() >= 80 and out.read_bytes().startswith(b"%PDF")
    assert dock.report_button.isEnabled()
    assert pushed and str(out) in pushed[0] and "<a href=" in pushed[0]


def test_the_report_button_asks_for_a_month_on_a_custom_period(open_desk, monkeypatch):
    dock = _dock(open_desk("leader"))
    dock.choose_dates(date(2026, 11, 3), date(2026, 11, 9))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: pytest.fail("no month, no file dialog"))
    dock.report_button.click()
    assert dock.status.text() == "Choose a month for the monthly report" and dock.report_task is None
