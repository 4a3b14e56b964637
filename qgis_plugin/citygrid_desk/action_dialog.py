# SPDX-License-Identifier: GPL-2.0-or-later
"""One action on one case: asks what the action needs, previews the deadline it sets, acts through the core.

The dialog calls `workflow.act` itself when confirmed, so a refusal (no reason for a void, an unknown
unit) is shown in the user's language and the dialog stays open to fix it; a case that moved meanwhile
(another desk, a device) closes it: the pane then shows the case as it now is.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from qgis.PyQt.QtCore import QDateTime, pyqtSignal
from qgis.PyQt.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QRadioButton,
    QWidget,
)

from . import case_words
from .core import Problem, accounts, casefile, dictionaries, tasks, times, transitions, workflow
from .texts import name_buttons, tr

COLLECTOR_ACTIONS = ("send_verify", "send_check", "reassign_task")
TIME_ACTIONS = ("extend", "request_extension")
NEEDS_REASON = transitions.NEEDS_REASON  # void, reject, rework
STALE = ("case.conflict", "case.illegal_transition", "case.not_found", "case.not_your_unit")


class ActionDialog(QDialog):
    """Asks for `action`'s parameters on `case` and takes it as the session's actor when confirmed."""

    acted = pyqtSignal(dict)  # the event written

    def __init__(self, session, case: dict, action: str, parent=None, clock=times.now):
        super().__init__(parent)
        self.session, self.case, self.action, self.clock = session, case, action, clock
        self.zone = workflow.calendar(session.centre).timezone
        self.event: dict | None = None
        self.collector = self.condition = self.unit = self.hours = self.until = None
        self.setObjectName("CitygridActionDialog")
        self.setWindowTitle(tr("{action}: case {case_no}").format(action=case_words.action(action),
                                                                   case_no=case["case_no"]))
        self.form = QFormLayout(self)
        self.form.addRow(QLabel(case_words.status(case["status"])))
        self.preview = QLabel()
        self.preview.setWordWrap(True)
        self._add_fields()
        self.note = QPlainTextEdit()
        self.note.setFixedHeight(70)
        self.form.addRow(tr("Reason (required)") if action in NEEDS_REASON else tr("Note"), self.note)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        name_buttons(buttons)
        buttons.button(QDialogButtonBox.Ok).setText(case_words.action(action))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.form.addRow(buttons)
        self.update_preview()

    # -- the fields each action asks for ----------------------------------------------------------

    def _add_fields(self) -> None:
        if self.action in COLLECTOR_ACTIONS:
            self._add_collectors()
        elif self.action == "register":
            self._add_conditions()
        elif self.action == "dispatch":
            self._add_units()
        elif self.action in TIME_ACTIONS:
            self._add_time()
        if self.action in ("register", "dispatch", "extend", "rework"):
            self.form.addRow(self.preview)

    def _add_collectors(self) -> None:
        conn, grid = self.session.centre, self.case["grid_code"]
        own = set(accounts.collectors_for_grid(conn, grid)) if grid else set()
        holder = self._task_holder()
        self.collector = QComboBox()
        for name in casefile.collector_choices(conn, grid):
            if name != holder:
                label = tr("{name} (this grid)").format(name=name) if name in own else name
                self.collector.addItem(label, name)
        if holder:
            self.form.addRow(tr("Now with"), QLabel(holder))
        self.form.addRow(tr("Collector"), self.collector)

    def _task_holder(self) -> str | None:
        if self.action != "reassign_task":
            return None
        open_ones = [t for t in tasks.for_case(self.session.centre, self.case["case_no"])
                     if t["status"] == "open" and t["kind"] in ("verify", "check")]
        return open_ones[-1]["assignee"] if open_ones else None

    def _add_conditions(self) -> None:
        self.condition = QComboBox()
        for cond in dictionaries.conditions_for(self.session.centre, self.case["kind"], self.case["class_code"],
                                                active_only=True):
            self.condition.addItem(f"{cond.condition} — {case_words.limit(cond)}", cond.condition_id)
        self.condition.currentIndexChanged.connect(self.update_preview)
        self.form.addRow(tr("Condition"), self.condition)

    def _add_units(self) -> None:
        self.unit = QComboBox()
        self.unit.setPlaceholderText(tr("Choose a unit"))
        suggested = _suggested(self.session.centre, self.case["case_no"])
        for code, name in casefile.unit_choices(self.session.centre):
            label = f"{code} {name}"
            self.unit.addItem(tr("{unit} (suggested)").format(unit=label) if code == suggested else label, code)
        self.unit.setCurrentIndex(self.unit.findData(suggested) if suggested else -1)
        self.unit.currentIndexChanged.connect(self.update_preview)
        self.form.addRow(tr("Unit"), self.unit)

    def _add_time(self) -> None:
        self.hours, self.until = QDoubleSpinBox(), QDateTimeEdit()
        self.hours.setRange(0.5, 9999)
        self.hours.setValue(4)
        self.until.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.until.setCalendarPopup(True)
        self.until.setDateTime(self._local_qt(self.case["deadline_at"], timedelta(days=1)))
        self.by_hours, by_until = QRadioButton(tr("Hours on the case's clock")), QRadioButton(tr("Until"))
        self.by_hours.setChecked(True)
        group = QButtonGroup(self)
        for button, field in ((self.by_hours, self.hours), (by_until, self.until)):
            group.addButton(button)
            row = QWidget()
            line = QHBoxLayout(row)
            line.setContentsMargins(0, 0, 0, 0)
            line.addWidget(button)
            line.addWidget(field, 1)
            self.form.addRow(row)
        for signal in (group.buttonClicked, self.hours.valueChanged, self.until.dateTimeChanged):
            signal.connect(self.update_preview)

    def _local_qt(self, stored: str | None, later: timedelta) -> QDateTime:
        moment = (times.from_db(stored) if stored else self.clock()) + later
        local = moment.astimezone(ZoneInfo(self.zone))
        return QDateTime(local.year, local.month, local.day, local.hour, local.minute)

    # -- what the action is given, its preview, and taking it -----------------------------------

    def params(self) -> dict:
        """The action's parameters from the fields (only those the user set)."""
        if self.collector is not None:
            key = "assignee" if self.action == "reassign_task" else "collector"
            return {key: self.collector.currentData()} if self.collector.currentIndex() >= 0 else {}
        if self.condition is not None:
            return {"condition_id": self.condition.currentData()}
        if self.unit is not None:
            return {"unit_code": self.unit.currentData()} if self.unit.currentIndex() >= 0 else {}
        if self.hours is not None:
            return {"hours": self.hours.value()} if self.by_hours.isChecked() else {"until": self._until()}
        return {}

    def _until(self) -> datetime:
        naive = self.until.dateTime().toPyDateTime().replace(second=0, microsecond=0)
        return naive.replace(tzinfo=ZoneInfo(self.zone))

    def update_preview(self, *_) -> None:
        try:
            self.preview.setText(self._preview_text())
        except Problem as problem:
            self.preview.setText(self.session.message(problem))

    def _preview_text(self) -> str:
        conn, no, actor, at = self.session.centre, self.case["case_no"], self.session.actor, self.clock()
        if self.action == "register" and self.condition.currentIndex() >= 0:
            seen = casefile.preview_register(conn, no, self.condition.currentData(), actor, at)
            return tr("Time limit: {limit}. Dispatch due by {due}. Deadline if dispatched now: {deadline}.").format(
                limit=case_words.limit(seen["condition"]), due=self._shown(seen["step_due"]),
                deadline=self._shown(seen["deadline"]))
        if self.action in ("dispatch", "extend") and self.params():
            cols = casefile.dry_run(conn, no, self.action, actor, at=at, **self.params())
            return tr("Deadline: {deadline}").format(deadline=self._shown(cols["deadline_at"]))
        if self.action == "rework":
            cols = casefile.preview_rework(conn, no, actor, at)
            return tr("Back to {unit} (rework no. {count}). New deadline: {deadline}").format(
                unit=cols["unit_code"], count=cols["rework_count"], deadline=self._shown(cols["deadline_at"]))
        return ""

    def _shown(self, value) -> str:
        return case_words.local_time(value, self.zone) or tr("untimed")

    def accept(self) -> None:
        """Take the action through the core; a refusal is shown and, unless the case moved, the dialog stays."""
        note = self.note.toPlainText().strip() or None
        try:
            self.event = workflow.act(self.session.centre, self.case["case_no"], self.action, self.session.actor,
                                      at=self.clock(), note=note, **self.params())
        except Problem as problem:
            self.session.show_problem(self, problem)
            if problem.code in STALE:
                super().reject()
            return
        super().accept()
        self.acted.emit(self.event)


def _suggested(conn, case_no: str) -> str | None:
    try:
        return workflow.suggest_unit(conn, case_no)
    except Problem:  # no unit to suggest: the dispatcher chooses
        return None
