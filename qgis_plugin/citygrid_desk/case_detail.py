# SPDX-License-Identifier: GPL-2.0-or-later
"""The case desk's detail pane: one case's fields, timeline, photos and the actions the role may take.

Interface the case desk relies on: `CaseDetail(session, parent)`, `show_case(case_no or None)`, and the
signal `acted(case_no)` emitted after an action changed the case (the desk then refreshes its row).
Buttons are offered for exactly what `transitions.allowed_actions` gives the signed-in role in the
case's status, less the collectors' task results and the history-only records (a collector acts from
the field app); every action goes through `ActionDialog`, which acts through the core.
"""

from __future__ import annotations

from qgis.PyQt.QtCore import Qt, pyqtSignal
from qgis.PyQt.QtWidgets import (
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from . import case_words
from .action_dialog import ActionDialog
from .case_timeline import CaseTimeline
from .core import Problem, blobs, casefile, tasks, times, transitions, workflow
from .photo_strip import PhotoStrip
from .texts import tr

LIGHT_COLOURS = {"green": "#2e9d3a", "yellow": "#e0a800", "red": "#d32f2f"}
PER_ROW = 3  # action buttons per row: the pane lives in a dock


# a collector's result comes from the device; a duplicate is merged from the shift review, where the
# case it repeats is named (`citygrid.sync.review_decisions`)
_NOT_OFFERED = frozenset({"field_result", "merge_duplicate"})


def offered_actions(case: dict, actor) -> list[str]:
    """The actions the desk offers `actor` on `case`: allowed in its status for the role, not a
    collector's task result, not a record-only action, and for a unit only on its own cases."""
    if actor is None:
        return []
    if actor.role == "unit" and case["unit_code"] != actor.unit_code:
        return []
    return [a for a in transitions.allowed_actions(case["status"], actor.role)
            if a not in _NOT_OFFERED and transitions.TRANSITIONS[(case["status"], a)].task is None]


class CaseDetail(QWidget):
    """The selected case: header with status and traffic light, action buttons, fields, photos, timeline."""

    acted = pyqtSignal(str)

    def __init__(self, session, parent=None, clock=times.now):
        super().__init__(parent)
        self.session, self.clock = session, clock
        self.case_no: str | None = None
        self.case: dict | None = None
        self.dialog: ActionDialog | None = None
        self.buttons: dict[str, QPushButton] = {}
        self.zone = workflow.calendar(session.centre).timezone
        self.summary = QLabel(tr("No case selected"))
        self.summary.setWordWrap(True)
        self.summary.setObjectName("CitygridCaseSummary")
        self.light = QLabel()
        self.actions_box = QGroupBox(tr("Actions"))
        self.actions_grid = QGridLayout(self.actions_box)
        self.fields = QFormLayout()
        self.values: dict[str, QLabel] = {}
        self.photos = PhotoStrip()
        self.timeline = CaseTimeline()
        self._build()
        self.show_case(None)

    def _build(self) -> None:
        body = QWidget()
        inner = QVBoxLayout(body)
        inner.addWidget(self.summary)
        inner.addWidget(self.light)
        inner.addWidget(self.actions_box)
        fields_box = QGroupBox(tr("Case"))
        fields_box.setLayout(self.fields)
        for key, title in _field_titles():
            self.values[key] = _value_label()
            self.fields.addRow(title, self.values[key])
        self.sections = [self.light, self.actions_box, fields_box]
        for title, widget in ((tr("Photos"), self.photos), (tr("Timeline"), self.timeline)):
            box = QGroupBox(title)
            QVBoxLayout(box).addWidget(widget)
            self.sections.append(box)
        for section in self.sections[2:]:
            inner.addWidget(section)
        inner.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.NoFrame)
        scroll.setWidget(body)
        QVBoxLayout(self).addWidget(scroll)

    # -- showing a case -------------------------------------------------------------------------

    def show_case(self, case_no: str | None) -> None:
        """Show `case_no` (None: nothing selected); a case that cannot be read shows the reason."""
        self.case_no, self.case = case_no, None
        if case_no is not None:
            try:
                self.case = workflow.case_row(self.session.centre, case_no)
            except Problem as problem:
                self.summary.setText(self.session.message(problem))
        else:
            self.summary.setText(tr("No case selected"))
        for section in self.sections:
            section.setVisible(self.case is not None)
        if self.case is not None:
            self._fill(self.case)

    def refresh(self) -> None:
        self.show_case(self.case_no)

    def _fill(self, case: dict) -> None:
        conn = self.session.centre
        self.summary.setText(tr("Case {case_no}: {status}").format(case_no=case["case_no"],
                                                                   status=case_words.status(case["status"])))
        self._show_light(casefile.light(conn, case["case_no"], self.clock()))
        names = casefile.names(conn, case)
        for key, text in _field_texts(case, names, self.zone).items():
            self.values[key].setText(text or "—")
        self.photos.fill(blobs.store_for(self.session.path), casefile.photos(conn, case["case_no"]), self.zone)
        assignees = {t["id"]: t["assignee"] for t in tasks.for_case(conn, case["case_no"])}
        self.timeline.fill(workflow.events(conn, case["case_no"]), self.zone, assignees)
        self._show_actions(offered_actions(case, self.session.actor))

    def _show_light(self, light: str | None) -> None:
        colour = LIGHT_COLOURS.get(light, "#9e9e9e")
        self.light.setText(f'<span style="color:{colour}; font-size:16px">●</span> '
                           + tr("Current step: {light}").format(light=case_words.light(light)))

    def _show_actions(self, actions: list[str]) -> None:
        while self.actions_grid.count():
            self.actions_grid.takeAt(0).widget().deleteLater()
        self.buttons = {}
        for i, action in enumerate(actions):
            button = QPushButton(case_words.action(action))
            button.setObjectName(f"CitygridAction_{action}")
            button.clicked.connect(lambda _=False, a=action: self.open_action(a))
            self.actions_grid.addWidget(button, i // PER_ROW, i % PER_ROW)
            self.buttons[action] = button
        if not actions:
            self.actions_grid.addWidget(QLabel(tr("Your role has no action on this case now.")), 0, 0)

    # -- acting ---------------------------------------------------------------------------------

    def open_action(self, action: str) -> ActionDialog:
        """Open the dialog for `action` on the shown case (window-modal, not blocking); returned for tests."""
        self.dialog = ActionDialog(self.session, self.case, action, self, clock=self.clock)
        self.dialog.acted.connect(self._acted)
        self.dialog.finished.connect(lambda _result: self.refresh())
        self.dialog.open()
        return self.dialog

    def _acted(self, event: dict) -> None:
        self.refresh()
        self.acted.emit(event["case_no"])


def _value_label() -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextSelectableByMouse)
    return label


def _field_titles() -> tuple:
    return (("case_no", tr("Number")), ("status", tr("Status")), ("class", tr("Class")), ("grid", tr("Grid")),
            ("unit", tr("Unit")), ("source", tr("Source")), ("address", tr("Address")),
            ("description", tr("Description")), ("reporter", tr("Reporter")), ("condition", tr("Condition")),
            ("reported_at", tr("Reported at")), ("registered_at", tr("Registered at")),
            ("dispatched_at", tr("Dispatched at")), ("deadline_at", tr("Deadline")),
            ("step_due_at", tr("Step due")), ("rework_count", tr("Rework count")), ("flags", tr("Flags")))


def _field_texts(case: dict, names: dict, zone: str) -> dict:
    cond = names["condition"]
    out = {"case_no": case["case_no"], "status": case_words.status(case["status"]),
           "class": _named(case["class_code"], names["class_name"]), "grid": _named(case["grid_code"], names["grid_name"]),
           "unit": _named(case["unit_code"], names["unit_name"]), "source": case_words.source(case["source"]),
           "address": case["address"], "description": case["description"], "reporter": case["reporter"],
           "condition": f"{cond.condition} ({case_words.limit(cond)})" if cond else None,
           "rework_count": str(case["rework_count"]), "flags": _flags(case, names)}
    for key in ("reported_at", "registered_at", "dispatched_at", "deadline_at", "step_due_at"):
        out[key] = case_words.local_time(case[key], zone)
    return out


def _named(code: str | None, name: str | None) -> str | None:
    return f"{code} {name}" if code and name else code


def _flags(case: dict, names: dict) -> str | None:
    found = [tr("Urgent")] if case["urgent"] else []
    if names["duplicate_of"]:
        found.append(tr("Possible duplicate of case {case_no}").format(case_no=names["duplicate_of"]))
    elif case["flags"]:
        found.append(case["flags"])
    return "; ".join(found) or None
