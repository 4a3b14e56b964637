# SPDX-License-Identifier: GPL-2.0-or-later
"""The assignments dock: collectors with their load, their grids on the map, their open tasks, and
"assign the grids selected on the grids layer to …" through the core (`assignments.move_grids`)."""

from __future__ import annotations

from qgis.core import QgsFeatureRequest, QgsGeometry, QgsWkbTypes
from qgis.gui import QgsRubberBand
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtGui import QColor
from qgis.PyQt.QtWidgets import (
    QComboBox,
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from .core import Problem, accounts, assignments, tasks
from .texts import tr

HIGHLIGHT = QColor(230, 90, 0)
ZOOM_SCALE = 5000


class Assignments:
    """Part: the dock, for the roles that may move grids (`assignments.MANAGERS`); nothing for others."""

    def __init__(self, iface, session, menu):
        self.iface = iface
        self.dock: AssignmentsDock | None = None
        if assignments.may_assign(session.actor):
            self.dock = AssignmentsDock(iface, session)
            iface.addDockWidget(Qt.RightDockWidgetArea, self.dock)
            desk = iface.mainWindow().findChild(QDockWidget, "CitygridCaseDesk")
            if desk is not None:  # a tab beside the case desk: both keep the full height
                iface.mainWindow().tabifyDockWidget(desk, self.dock)
                desk.raise_()

    def close(self):
        if self.dock is not None:
            self.dock.remove_highlight()
            self.iface.removeDockWidget(self.dock)
            self.dock.deleteLater()
            self.dock = None


class AssignmentsDock(QDockWidget):
    """Collectors (grids, open tasks); the selected one's grids highlighted and tasks listed."""

    def __init__(self, iface, session):
        super().__init__(tr("Collectors and grids"), iface.mainWindow())
        self.setObjectName("CitygridAssignments")
        self.iface, self.session, self.canvas = iface, session, iface.mapCanvas()
        self.band = QgsRubberBand(self.canvas, QgsWkbTypes.PolygonGeometry)
        self.band.setStrokeColor(HIGHLIGHT)
        self.band.setFillColor(QColor(HIGHLIGHT.red(), HIGHLIGHT.green(), HIGHLIGHT.blue(), 50))
        self.band.setWidth(2)
        self._build()
        self.refresh()

    def _build(self):
        self.collectors = self._tree([tr("Collector"), tr("Grids held"), tr("Open tasks")])
        self.collectors.itemSelectionChanged.connect(self._collector_chosen)
        self.tasks = self._tree([tr("Task's case"), tr("Task kind"), tr("Task due")])
        self.tasks.itemDoubleClicked.connect(self._zoom_to_task)
        self.target = QComboBox()
        self.assign_button = QPushButton(tr("Assign selected grids"))
        self.assign_button.clicked.connect(self.assign_selected)
        row = QHBoxLayout()
        row.addWidget(QLabel(tr("To:")))
        row.addWidget(self.target, 1)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addWidget(self.collectors, 3)
        layout.addWidget(QLabel(tr("Open tasks of the selected collector (double-click to zoom)")))
        layout.addWidget(self.tasks, 2)
        layout.addLayout(row)
        layout.addWidget(self.assign_button)
        self.setWidget(body)

    @staticmethod
    def _tree(headers: list[str]) -> QTreeWidget:
        tree = QTreeWidget()
        tree.setRootIsDecorated(False)
        tree.setHeaderLabels(headers)
        tree.setAlternatingRowColors(True)
        return tree

    # --- reading ----------------------------------------------------------------------------

    def refresh(self, select: str | None = None):
        """Reload the collectors' load (after a move, or when asked); select `select` or keep the selection."""
        chosen = select or self.selected_collector()
        self.collectors.blockSignals(True)
        self.collectors.clear()
        self.target.clear()
        for load in assignments.collectors(self.session.centre):
            label = self._label(load)
            item = QTreeWidgetItem([label, str(load.grids), str(load.open_tasks)])
            item.setData(0, Qt.UserRole, load.username)
            self.collectors.addTopLevelItem(item)
            item.setSelected(load.username == chosen)
            if load.active:
                self.target.addItem(label, load.username)
        self.collectors.blockSignals(False)
        self.collectors.resizeColumnToContents(0)
        self._collector_chosen()

    @staticmethod
    def _label(load) -> str:
        name = load.username if load.display_name == load.username else f"{load.display_name} ({load.username})"
        return name + ("" if load.active else tr(" - deactivated"))

    def selected_collector(self) -> str | None:
        items = self.collectors.selectedItems()
        return items[0].data(0, Qt.UserRole) if items else None

    def _collector_chosen(self):
        username = self.selected_collector()
        self.clear_highlight()
        self.tasks.clear()
        if username is None:
            return
        self.highlight(accounts.actor(self.session.centre, username).grids)
        self._list_tasks(username)
        index = self.target.findData(username)
        if index >= 0:
            self.target.setCurrentIndex(index)

    def _list_tasks(self, username: str):
        for task in tasks.open_for_collector(self.session.centre, username):
            kind = {"verify": tr("Verify (核实)"), "check": tr("Check (核查)")}.get(task["kind"], task["kind"])
            item = QTreeWidgetItem([task["case_no"], kind, (task["due_at"] or "-")[:16].replace("T", " ")])
            item.setData(0, Qt.UserRole, task["case_no"])
            self.tasks.addTopLevelItem(item)
        self.tasks.resizeColumnToContents(0)

    # --- the map ----------------------------------------------------------------------------

    def highlight(self, grid_codes):
        """Outline these grids on the map (a rubber band, removed by clear_highlight)."""
        self.clear_highlight()
        layer = self.session.layers.get("grids")
        if layer is None or not grid_codes:
            return
        quoted = ",".join(f"'{code}'" for code in grid_codes)  # normalised grid codes: digits only
        for feature in layer.getFeatures(QgsFeatureRequest().setFilterExpression(f'"code" IN ({quoted})')):
            self.band.addGeometry(QgsGeometry(feature.geometry()), layer)

    def clear_highlight(self):
        self.band.reset(QgsWkbTypes.PolygonGeometry)

    def remove_highlight(self):
        """Take the rubber band off the canvas for good (the canvas owns it, not this dock)."""
        if self.band is not None:
            self.clear_highlight()
            self.canvas.scene().removeItem(self.band)
            self.band = None

    def _zoom_to_task(self, item, _column=0):
        self.zoom_to_case(item.data(0, Qt.UserRole))

    def zoom_to_case(self, case_no: str):
        """Select the case on the cases layer, centre the map on it (1:5000 or closer) and flash it."""
        layer = self.session.layers.get("cases")
        if layer is None:
            return
        layer.selectByExpression(f"\"case_no\" = '{case_no}'")
        ids = layer.selectedFeatureIds()
        if not ids:
            return
        box = self.canvas.mapSettings().layerExtentToOutputExtent(layer, layer.boundingBoxOfSelected())
        self.canvas.setCenter(box.center())
        if self.canvas.scale() > ZOOM_SCALE:
            self.canvas.zoomScale(ZOOM_SCALE)
        self.canvas.refresh()
        self.canvas.flashFeatureIds(layer, ids)

    # --- assigning ----------------------------------------------------------------------------

    def selected_grids(self) -> list[str]:
        layer = self.session.layers.get("grids")
        return [] if layer is None else sorted(f["code"] for f in layer.selectedFeatures())

    def assign_selected(self) -> bool:
        """Move the grids selected on the grids layer to the chosen collector, after a confirmation
        when they are taken from another collector; refusals are shown, nothing moves."""
        username, codes = self.target.currentData(), self.selected_grids()
        try:
            if username is None or not codes:
                raise Problem("assignment.no_grids")
            taken = assignments.holders(self.session.centre, codes, besides=username)
            if taken and not self.confirm_taking(username, taken):
                return False
            assignments.move_grids(self.session.centre, self.session.actor, username, codes)
        except Problem as problem:
            self.session.show_problem(self, problem)
            return False
        self._moved(username)
        return True

    def confirm_taking(self, username: str, taken: dict) -> bool:
        lines = "\n".join(f"{other}: {', '.join(codes)}" for other, codes in taken.items())
        answer = QMessageBox.question(self, tr("Move grids"), tr(
            "These grids are patrolled by other collectors:\n{lines}\n\nMove them to {username}?").format(
            lines=lines, username=username), QMessageBox.Yes | QMessageBox.No, QMessageBox.No)
        return answer == QMessageBox.Yes

    def _moved(self, username: str):
        self.refresh(select=username)
        self.iface.messageBar().pushSuccess(tr("citygrid"), tr("Grids assigned to {username}").format(
            username=username))
