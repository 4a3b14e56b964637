# SPDX-License-Identifier: GPL-2.0-or-later
"""The case desk's detail pane: one case's fields, timeline, photos and the actions the role may take.

Interface the case desk relies on: `CaseDetail(session, parent)`, `show_case(case_no or None)`, and the
signal `acted(case_no)` emitted after an action changed the case (the desk then refreshes its row).
"""

from __future__ import annotations

from qgis.PyQt.QtCore import pyqtSignal
from qgis.PyQt.QtWidgets import QLabel, QVBoxLayout, QWidget

from .core import Problem, workflow
from .texts import tr


class CaseDetail(QWidget):
    """The selected case (first slice: its main fields; the timeline, photos and actions follow)."""

    acted = pyqtSignal(str)

    def __init__(self, session, parent=None):
        super().__init__(parent)
        self.session = session
        self.case_no: str | None = None
        self.summary = QLabel(tr("No case selected"))
        self.summary.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addStretch(1)

    def show_case(self, case_no: str | None) -> None:
        self.case_no = case_no
        if case_no is None:
            self.summary.setText(tr("No case selected"))
            return
        try:
            case = workflow.case_row(self.session.centre, case_no)
        except Problem as problem:
            self.summary.setText(self.session.message(problem))
            return
        self.summary.setText(tr("Case {case_no}: {status}").format(case_no=case["case_no"], status=case["status"]))
