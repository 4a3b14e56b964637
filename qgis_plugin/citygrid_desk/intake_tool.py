# SPDX-License-Identifier: GPL-2.0-or-later
"""The intake part: a "Register hotline report" action whose map tool opens the report form at a click.

Only roles the loop lets report from the hotline (`workflow.REPORT_SOURCES`) get the action. The
clicked point is taken from the canvas CRS to the cases layer's (the centre's) before the core sees
it; a point outside every grid is refused by the core's own `geocode.outside_grids`.
"""

from __future__ import annotations

from pathlib import Path

from qgis.core import QgsCoordinateTransform, QgsPointXY, QgsProject
from qgis.gui import QgsMapToolEmitPoint
from qgis.PyQt.QtGui import QIcon
from qgis.PyQt.QtWidgets import QAction

from .core import Problem, intake, workflow
from .intake_dialog import IntakeDialog
from .texts import tr

ICON = Path(__file__).resolve().parent / "icon.svg"


def may_take_hotline(session) -> bool:
    """Whether the signed-in role may open a case from the hotline."""
    return "hotline" in workflow.REPORT_SOURCES.get(session.role, ())


class IntakeTool:
    """Part: the action (menu and toolbar) and its point tool; nothing at all for other roles."""

    def __init__(self, iface, session, menu):
        self.iface, self.session, self.menu = iface, session, menu
        self.canvas = iface.mapCanvas()
        self.action: QAction | None = None
        self.tool: QgsMapToolEmitPoint | None = None
        if may_take_hotline(session):
            self._add()

    def _add(self):
        self.action = QAction(QIcon(str(ICON)), tr("Register hotline report"), self.iface.mainWindow())
        self.action.setObjectName("CitygridIntake")
        self.action.setToolTip(tr("Click the map where the caller's problem is to register a hotline report"))
        self.action.setCheckable(True)
        self.action.toggled.connect(self._toggled)
        self.tool = QgsMapToolEmitPoint(self.canvas)
        self.tool.setAction(self.action)
        self.tool.canvasClicked.connect(self.at_canvas_point)
        self.menu.addAction(self.action)
        self.iface.addToolBarIcon(self.action)

    def _toggled(self, checked: bool):
        if checked:
            self.canvas.setMapTool(self.tool)
        elif self.canvas.mapTool() is self.tool:
            self.canvas.unsetMapTool(self.tool)

    def at_canvas_point(self, point: QgsPointXY, _button=None):
        x, y = self.to_centre(point)
        self.register_at(x, y)

    def to_centre(self, point: QgsPointXY) -> tuple[float, float]:
        """A canvas point in the centre's CRS (the cases layer's)."""
        source = self.canvas.mapSettings().destinationCrs()
        target = self.session.layers["cases"].crs()
        if not source.isValid() or source == target:
            return point.x(), point.y()
        moved = QgsCoordinateTransform(source, target, QgsProject.instance()).transform(point)
        return moved.x(), moved.y()

    def register_at(self, x: float, y: float) -> str | None:
        """Open the form at (x, y) in the centre CRS; the new case number, or None (refused, cancelled)."""
        try:
            pre = intake.prefill(self.session.centre, x, y)
        except Problem as problem:
            self.session.show_problem(self.iface.mainWindow(), problem)
            return None
        dialog = self.dialog(pre)
        if not dialog.exec_() or dialog.case_no is None:
            return None
        self.show_new_case(dialog.case_no)
        return dialog.case_no

    def dialog(self, pre) -> IntakeDialog:
        """The form for `pre` (a seam: tests drive the form instead of a modal exec)."""
        return IntakeDialog(self.session, pre, self.iface.mainWindow())

    def show_new_case(self, case_no: str):
        """Repaint the cases layer and select the new case on it."""
        layer = self.session.layers.get("cases")
        if layer is None:
            return
        layer.dataProvider().reloadData()
        layer.selectByExpression(f"\"case_no\" = '{case_no}'")
        layer.triggerRepaint()

    def close(self):
        if self.action is None:
            return
        if self.canvas.mapTool() is self.tool:
            self.canvas.unsetMapTool(self.tool)
        self.tool.canvasClicked.disconnect(self.at_canvas_point)
        self.action.toggled.disconnect(self._toggled)
        self.menu.removeAction(self.action)
        self.iface.removeToolBarIcon(self.action)
        self.tool.deleteLater()
        self.action.deleteLater()
        self.tool = self.action = None
