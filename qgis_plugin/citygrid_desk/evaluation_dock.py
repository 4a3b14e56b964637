# SPDX-License-Identifier: GPL-2.0-or-later
"""The evaluation dock (综合评价): a period and an object type; the core's ranking table with every
indicator, score and grade; a chart of the ranking and of the selected object's monthly trend; the
grid choropleth on the map; CSV export. Every figure is `evaluation.evaluate`'s."""

from __future__ import annotations

import time
from datetime import date

from qgis.core import QgsProject
from qgis.PyQt.QtCore import QCoreApplication, QDate, Qt
from qgis.PyQt.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from . import evaluation_map, evaluation_recompute, evaluation_trend, report_task
from . import evaluation_words as words
from .core import Problem, evaluation, periods
from .evaluation_chart import EvaluationChart
from .evaluation_model import RankingModel, sorting_proxy, write_csv
from .texts import tr

ROLES = ("leader", "supervisor", "admin")  # who answers for the centre's results (DOMAIN.md §2, §5)
CUSTOM = "custom"


class Evaluation:
    """Part: the dock for the roles in ROLES; nothing for others."""

    def __init__(self, iface, session, menu):
        self.iface = iface
        self.dock: EvaluationDock | None = None
        if session.role in ROLES:
            self.dock = EvaluationDock(iface, session)
            iface.addDockWidget(Qt.RightDockWidgetArea, self.dock)
            desk = iface.mainWindow().findChild(QDockWidget, "CitygridCaseDesk")
            if desk is not None:
                iface.mainWindow().tabifyDockWidget(desk, self.dock)
                desk.raise_()

    def close(self):
        if self.dock is not None:
            self.dock.stop()
            self.dock.remove_map()
            self.iface.removeDockWidget(self.dock)
            self.dock.deleteLater()
            self.dock = None


class EvaluationDock(QDockWidget):
    def __init__(self, iface, session):
        super().__init__(tr("Comprehensive evaluation"), iface.mainWindow())
        self.setObjectName("CitygridEvaluation")
        self.iface, self.session = iface, session
        self.model = RankingModel(self)
        self.proxy = sorting_proxy(self.model)
        self.map_layer_id: str | None = None
        self.trend_task = self.recompute_task = self.report_task = None
        self.generation = 0
        self.elapsed = 0.0
        self._build()
        self._fill_periods()
        self.recompute()

    # --- building ---------------------------------------------------------------------------

    def _build(self):
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addLayout(self._period_row())
        layout.addLayout(self._object_row())
        self.table = self._table()
        layout.addWidget(self.table, 3)
        self.chart = EvaluationChart()
        layout.addWidget(self.chart, 2)
        self.status = QLabel()
        layout.addWidget(self.status)
        self.setWidget(body)

    def _period_row(self) -> QHBoxLayout:
        self.period = QComboBox()
        self.period.setObjectName("CitygridEvaluationPeriod")
        self.start_edit, self.end_edit = QDateEdit(), QDateEdit()
        for edit in (self.start_edit, self.end_edit):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.dateChanged.connect(self._custom_changed)
        row = QHBoxLayout()
        for widget in (QLabel(tr("Period:")), self.period, QLabel(tr("From")), self.start_edit,
                       QLabel(tr("to (excluded)")), self.end_edit):
            row.addWidget(widget)
        return row

    def _object_row(self) -> QHBoxLayout:
        self.object_type = QComboBox()
        for key, label in words.object_labels().items():
            self.object_type.addItem(label, key)
        self.object_type.currentIndexChanged.connect(self.recompute)
        self.map_toggle = QCheckBox(tr("Grid map"))
        self.map_toggle.toggled.connect(self.update_map)
        self.export_button = QPushButton(tr("Export CSV…"))
        self.export_button.clicked.connect(self.choose_export)
        self.report_button = QPushButton(tr("Monthly report PDF…"))
        self.report_button.setObjectName("CitygridMonthlyReport")
        self.report_button.clicked.connect(self.choose_report)
        row = QHBoxLayout()
        for widget in (QLabel(tr("Evaluate:")), self.object_type, self.map_toggle, self.export_button,
                       self.report_button):
            row.addWidget(widget)
        return row

    def _table(self) -> QTableView:
        table = QTableView()
        table.setModel(self.proxy)
        table.setSortingEnabled(True)
        table.setSelectionBehavior(QAbstractItemView.SelectRows)
        table.setSelectionMode(QAbstractItemView.SingleSelection)
        table.selectionModel().selectionChanged.connect(self._row_chosen)
        return table

    def _fill_periods(self):
        months = periods.log_months(self.session.centre)
        self.period.blockSignals(True)
        for month in months:
            self.period.addItem(month, month)
        self.period.addItem(tr("Custom period"), CUSTOM)
        self.period.blockSignals(False)
        self.period.currentIndexChanged.connect(self._period_changed)
        first = periods.parse_period(months[0]) if months else (date.today().replace(day=1), date.today())
        self._set_dates(*first)
        self._period_changed()

    def _set_dates(self, start: date, end: date):
        for edit, day in ((self.start_edit, start), (self.end_edit, end)):
            edit.blockSignals(True)
            edit.setDate(QDate(day.year, day.month, day.day))
            edit.blockSignals(False)

    # --- choosing ----------------------------------------------------------------------------

    def choose(self, period: str | None = None, object_type: str | None = None) -> None:
        """Pick a month (or CUSTOM) and an object type, as a user would; recomputes and, unlike the
        widgets' own signals, waits for the figures (scripts and tests read them next)."""
        if object_type is not None:
            self.object_type.setCurrentIndex(self.object_type.findData(object_type))
        if period is not None:
            self.period.setCurrentIndex(self.period.findData(period))
        self.recompute()
        self.settle()

    def choose_dates(self, start: date, end: date) -> None:
        self.period.setCurrentIndex(self.period.findData(CUSTOM))
        self._set_dates(start, end)
        self.recompute()
        self.settle()

    def _period_changed(self, *_):
        month = self.period.currentData()
        custom = month == CUSTOM
        self.start_edit.setEnabled(custom)
        self.end_edit.setEnabled(custom)
        if not custom and month:
            self._set_dates(*periods.parse_period(month))
        self.recompute()

    def _custom_changed(self, *_):
        if self.period.currentData() == CUSTOM:
            self.recompute()

    def bounds(self) -> tuple[date, date]:
        return self.start_edit.date().toPyDate(), self.end_edit.date().toPyDate()

    def current_type(self) -> str:
        return self.object_type.currentData() or "unit"

    # --- computing ---------------------------------------------------------------------------

    def recompute(self, *_) -> None:
        """Start the core's evaluation of the chosen type and period in a task; a newer request
        cancels the older one. Meanwhile the table keeps the old figures, greyed, "Computing…"."""
        object_type, (start, end) = self.current_type(), self.bounds()
        self.generation += 1
        if self.recompute_task is not None:
            self.recompute_task.cancel()
        self.table.setEnabled(False)
        self.status.setText(tr("Computing…"))
        by, level = words.OBJECTS[object_type]
        generation = self.generation
        self.recompute_task = evaluation_recompute.start(
            self.session.path, by, level, start, end, lambda outcome: self._computed(generation, object_type, outcome))

    def _computed(self, generation: int, object_type: str, outcome) -> None:
        if generation != self.generation:
            return  # superseded (or the dock closed)
        self.recompute_task = None
        self.table.setEnabled(True)
        if isinstance(outcome, Problem):
            self.status.setText(self.session.message(outcome))
        elif isinstance(outcome, BaseException):
            self.status.setText(str(outcome))
        else:
            self.show_results(object_type, *outcome)

    def show_results(self, object_type: str, results, elapsed: float) -> None:
        """The evaluation into the table, chart and map."""
        self.elapsed = elapsed
        self.model.set_results(object_type, results)
        self.table.sortByColumn(self.model.columns.index("score"), Qt.DescendingOrder)
        self.chart.set_ranking(results)
        self.chart.set_trend("", [])
        self.status.setText(tr("{count} objects, computed in {ms} ms").format(
            count=len(results), ms=round(self.elapsed * 1000)))
        self.update_map(self.map_toggle.isChecked(), results if object_type == "grid" else None)

    def settle(self, timeout: float = 120.0) -> bool:
        """Wait (the event loop running) until the latest recompute has shown its figures."""
        deadline = time.monotonic() + timeout
        while self.recompute_task is not None and time.monotonic() < deadline:
            QCoreApplication.processEvents()
            time.sleep(0.005)
        return self.recompute_task is None

    def stop(self) -> None:
        """Cancel what is running; late results are ignored (the dock is going away)."""
        self.generation += 1
        for task in (self.recompute_task, self.report_task):
            if task is not None:
                task.cancel()
        self.recompute_task = self.report_task = None

    def _row_chosen(self, *_):
        rows = self.table.selectionModel().selectedRows()
        result = self.model.result_at(self.proxy.mapToSource(rows[0]).row()) if rows else None
        if result is not None:
            self.start_trend(result)

    def start_trend(self, result):
        """The selected object's score over the months up to the period's first month (a task)."""
        by, level = words.OBJECTS[self.current_type()]
        months = evaluation_trend.months_up_to(evaluation_trend.month_of(self.bounds()[0]))
        title = tr("{name}: score by month").format(name=result.name)
        self.chart.set_trend(title, [(m, None) for m in months])
        self.trend_task = evaluation_trend.start(self.session.path, by, level, result.id, months,
                                                 lambda points: self._trend_done(title, points))

    def _trend_done(self, title, points):
        self.trend_task = None
        if points is not None:
            self.chart.set_trend(title, points)

    # --- the map and the file ----------------------------------------------------------------

    def update_map(self, shown: bool, results=None):
        """Show (or refresh) the grid choropleth for the period, or take it away."""
        self.remove_map()
        grids = self.session.layers.get("grids")
        if not shown or grids is None:
            return
        if results is None:
            results = evaluation.evaluate(self.session.centre, *self.bounds(), "region", level="grid")
        layer = evaluation_map.build(grids, results)
        evaluation_map.show(layer, grids)
        self.map_layer_id = layer.id()

    def map_layer(self):
        return QgsProject.instance().mapLayer(self.map_layer_id) if self.map_layer_id else None

    def remove_map(self):
        evaluation_map.remove(self.map_layer())
        self.map_layer_id = None

    def choose_export(self):
        path, _ = QFileDialog.getSaveFileName(self, tr("Export CSV"), "", tr("CSV (*.csv)"))
        if path:
            self.export(path if path.lower().endswith(".csv") else path + ".csv")

    def export(self, path: str) -> int:
        count = write_csv(self.model, path)
        self.iface.messageBar().pushSuccess(tr("citygrid"), tr("{count} rows written to {path}").format(
            count=count, path=path))
        return count

    # --- the monthly report ------------------------------------------------------------------

    def choose_report(self):
        month = self.period.currentData()
        if not month or month == CUSTOM:
            self.status.setText(tr("Choose a month for the monthly report"))
            return
        path, _ = QFileDialog.getSaveFileName(self, tr("Save the monthly report"), f"{month}.pdf",
                                              tr("PDF files (*.pdf)"))
        if path:
            self.write_report(month, path if path.lower().endswith(".pdf") else path + ".pdf")

    def write_report(self, month: str, path: str):
        """The month's report as a task (progress in QGIS's task bar); a message with a link when done."""
        self.report_button.setEnabled(False)
        self.report_task = report_task.start(self.session.path, month, path, self._report_done)
        return self.report_task

    def _report_done(self, path: str, outcome) -> None:
        self.report_task = None
        self.report_button.setEnabled(True)
        if isinstance(outcome, Problem):
            outcome = self.session.message(outcome)
        if isinstance(outcome, (str, BaseException)):
            self.iface.messageBar().pushCritical(tr("citygrid"), tr("The monthly report failed: {reason}").format(
                reason=outcome))
            return
        report_task.announce(self.iface.messageBar(), path)
