# SPDX-License-Identifier: GPL-2.0-or-later
"""The case desk: a dock with the filter row, the lazily loaded case table and the detail pane, its
selection synced with the cases layer both ways, and new cases brought in from the sync change log.

`CaseDesk(iface, session, menu)` is the part the plugin builds when a centre opens (plugin.part_classes);
`close()` removes the dock, its menu entry, the poll timer and every connection it made.
"""

from __future__ import annotations

import contextlib

from qgis.gui import QgsDockWidget
from qgis.PyQt.QtCore import QItemSelection, QItemSelectionModel, Qt, QTimer, pyqtSignal
from qgis.PyQt.QtWidgets import QAbstractItemView, QLabel, QSplitter, QTableView, QVBoxLayout, QWidget

from .case_detail import CaseDetail
from .case_filter_bar import CaseFilterBar
from .case_model import COLUMNS, SORTS, CaseModel
from .core import Problem, casebook
from .texts import tr

POLL_MS = 3000          # how often the desk reads the sync change log
CLOSE_SCALE = 5000      # a case selected on a city-wide map is shown at this scale
FAR_SCALE = 20000
COUNT_CAP = 10_001      # a free-text count stops here ("more than 10,000 cases")


class CaseDock(QgsDockWidget):
    """Filters above, the case table, the selected case's detail pane below."""

    case_selected = pyqtSignal(object)  # the row's dict, or None

    def __init__(self, session, parent=None):
        super().__init__(tr("Cases"), parent)
        self.setObjectName("CitygridCaseDesk")
        self.session = session
        self.model = CaseModel(session, self)
        self.filters = CaseFilterBar(session, self)
        self.count_label = QLabel(self)
        self.count_label.setObjectName("CaseDeskCount")
        self.table = self._table()
        self.detail = CaseDetail(session, self)
        self._lay_out()
        self.filters.changed.connect(self.apply_filter)
        self.filters.refused.connect(self.show_refusal)
        self.table.selectionModel().selectionChanged.connect(self._rows_selected)
        self.detail.acted.connect(self.refresh_case)
        self.apply_filter(self.filters.filter())

    def _table(self) -> QTableView:
        table = QTableView(self)
        table.setObjectName("CaseDeskTable")
        table.setModel(self.model)
        table.setSelectionBehavior(QAbstractItemView.SelectRows)
        table.setSelectionMode(QAbstractItemView.ExtendedSelection)
        table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        table.verticalHeader().setVisible(False)
        table.setWordWrap(False)
        header = table.horizontalHeader()
        header.setSortIndicator(COLUMNS.index("reported_at"), Qt.DescendingOrder)
        header.setSortIndicatorShown(True)
        header.sortIndicatorChanged.connect(self._sort)
        return table

    def _lay_out(self) -> None:
        body = QWidget(self)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.filters)
        layout.addWidget(self.count_label)
        splitter = QSplitter(Qt.Vertical, body)
        splitter.setObjectName("CaseDeskSplitter")
        splitter.addWidget(self.table)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)  # the detail pane (actions, fields, photos, timeline) gets more
        splitter.setSizes([280, 420])
        layout.addWidget(splitter, 1)
        self.setWidget(body)

    # -- filters, order, count --------------------------------------------------------------------

    def apply_filter(self, f: casebook.Filter) -> None:
        try:
            self.model.set_filter(f)
        except Problem as problem:
            self.show_refusal(problem)
            return
        self.update_count()
        self.table.resizeColumnsToContents()

    def update_count(self) -> None:
        try:
            cap = COUNT_CAP if self.model.filter.text else None  # free text is read row by row
            total = casebook.count(self.session.centre, self.model.filter, now=self.model.now, cap=cap)
        except Problem as problem:
            self.show_refusal(problem)
            return
        text = tr("{count} cases").format(count=f"{total:,}") if cap is None or total < cap else \
            tr("more than {count} cases").format(count=f"{cap - 1:,}")
        if self.model.filter.fids:
            text += " · " + tr("the map's selection")
        self.count_label.setText(text)

    def show_refusal(self, problem: Problem) -> None:
        self.count_label.setText(self.session.message(problem))

    def _sort(self, column: int, order) -> None:
        """Sort by a column the core orders by an index; any other column keeps the current order."""
        if COLUMNS[column] not in SORTS:
            current = self.model.order
            keep = COLUMNS.index("case_no" if current.startswith("case_no") else "reported_at")
            header = self.table.horizontalHeader()
            header.blockSignals(True)
            header.setSortIndicator(keep, Qt.AscendingOrder if current.endswith("asc") else Qt.DescendingOrder)
            header.blockSignals(False)
            return
        self.model.sort(column, order)

    # -- selection ----------------------------------------------------------------------------------

    def _rows_selected(self, *_args) -> None:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        row = self.model.case_at(rows[0]) if len(rows) == 1 else None
        if row is not None:
            self.model.mark_seen(row["case_no"])
        self.detail.show_case(None if row is None else row["case_no"])
        self.case_selected.emit(row)

    def selected_case_nos(self) -> list:
        return [self.model.case_at(i.row())["case_no"] for i in self.table.selectionModel().selectedRows()]

    def select_fids(self, fids) -> bool:
        """Select the rows of these features when all are loaded (True), else leave the table (False)."""
        by_fid = {r["fid"]: i for i, r in enumerate(self.model.rows)}
        if not fids or any(f not in by_fid for f in fids):
            return False
        selection = QItemSelection()
        for fid in fids:
            at = self.model.index(by_fid[fid], 0)
            selection.select(at, self.model.index(by_fid[fid], len(COLUMNS) - 1))
        self.table.selectionModel().select(selection, QItemSelectionModel.ClearAndSelect)
        self.table.scrollTo(self.model.index(by_fid[fids[0]], 0))
        return True

    def refresh_case(self, case_no: str) -> None:
        """After an action in the detail pane: the case's row as the store has it now, kept in view."""
        self.model.bring_in([case_no], keep=[case_no])
        self.update_count()


class CaseDesk:
    """The part: the dock on the right, its menu entry, the map links and the change-log poll."""

    def __init__(self, iface, session, menu):
        self.iface, self.session, self.menu = iface, session, menu
        self.layer = session.layers.get("cases")
        self.dock = CaseDock(session, iface.mainWindow())
        iface.addDockWidget(Qt.RightDockWidgetArea, self.dock)
        self.menu_action = self.dock.toggleViewAction()
        self.menu_action.setText(tr("Case desk"))
        if menu is not None:
            menu.addAction(self.menu_action)
        self._syncing = False  # True while the desk itself selects on the layer
        self.rev, _ = casebook.changed_since(session.centre, None)
        self.timer = QTimer()
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self.poll)
        self.timer.start()
        self.dock.case_selected.connect(self.show_on_map)
        if self.layer is not None:
            self.layer.selectionChanged.connect(self.layer_selected)

    def poll(self) -> list:
        """Bring in the cases changed since the last poll (devices, Open311, other desks); the new ones."""
        self.rev, changed = casebook.changed_since(self.session.centre, self.rev)
        if not changed:
            return []
        new = self.dock.model.bring_in(changed)
        self.dock.update_count()
        if self.layer is not None:
            self.layer.reload()
            self.layer.triggerRepaint()
        return new

    def show_on_map(self, row) -> None:
        if self.layer is None or row is None:
            return
        canvas = self.iface.mapCanvas()
        self._syncing = True
        try:
            self.layer.selectByIds([row["fid"]])
        finally:
            self._syncing = False
        canvas.panToFeatureIds(self.layer, [row["fid"]])
        if canvas.scale() > FAR_SCALE:
            canvas.zoomScale(CLOSE_SCALE)
        canvas.flashFeatureIds(self.layer, [row["fid"]])

    def layer_selected(self, *_args) -> None:
        """Features selected on the map: their rows when loaded, else the table filtered to them."""
        if self._syncing:
            return
        fids = sorted(self.layer.selectedFeatureIds())
        if not fids:
            if self.dock.filters.fids:
                self.dock.filters.set_fids(())
            return
        if not self.dock.select_fids(fids):
            self.dock.filters.set_fids(fids)

    def close(self) -> None:
        self.timer.stop()
        self.timer.timeout.disconnect(self.poll)
        self.dock.case_selected.disconnect(self.show_on_map)
        if self.layer is not None:
            with contextlib.suppress(RuntimeError, TypeError):  # the user may have removed the layer
                self.layer.selectionChanged.disconnect(self.layer_selected)
        if self.menu is not None:
            self.menu.removeAction(self.menu_action)
        self.dock.filters.close_timers()
        self.iface.removeDockWidget(self.dock)
        self.dock.setParent(None)
        self.dock.deleteLater()
        self.dock = self.timer = self.layer = None
