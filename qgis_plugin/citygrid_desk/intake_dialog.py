# SPDX-License-Identifier: GPL-2.0-or-later
"""The hotline report form, prefilled from the clicked point; OK registers the case through the core."""

from __future__ import annotations

from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtWidgets import (
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
)

from .core import Problem, dictionaries, intake, workflow
from .texts import name_buttons, tr


class IntakeDialog(QDialog):
    """One hotline report at `pre` (an `intake.Prefill`); `case_no` holds the new case after OK."""

    def __init__(self, session, pre, parent=None):
        super().__init__(parent)
        self.session, self.pre = session, pre
        self.case_no: str | None = None
        self.duplicate_of: str | None = None
        self.setObjectName("CitygridIntakeDialog")
        self.setWindowTitle(tr("Register hotline report"))
        self.setMinimumWidth(520)
        self._build()
        self._fill_classes()

    # --- the form ---------------------------------------------------------------------------

    def _build(self):
        form = QFormLayout()
        form.addRow(tr("Unit grid"), QLabel(f"{self.pre.grid['code']} {self.pre.grid.get('name') or ''}".strip()))
        form.addRow(tr("Street / community"), QLabel(" / ".join(
            n for n in (self.pre.street_name, self.pre.community_name) if n) or "-"))
        self.channel = QComboBox()
        for channel in intake.HOTLINES:
            self.channel.addItem(self._channel_label(channel), channel)
        form.addRow(tr("Hotline"), self.channel)
        form.addRow(tr("Nearby component"), self._component_picker())
        self.kind = QComboBox()
        self.kind.addItem(tr("Event case"), "event")
        self.kind.addItem(tr("Component case"), "component")
        self.kind.currentIndexChanged.connect(self._fill_classes)
        form.addRow(tr("Case type"), self.kind)
        self.klass = self._class_picker()
        form.addRow(tr("Case class"), self.klass)
        self.address = QLineEdit(self.pre.address)
        form.addRow(tr("Problem address"), self.address)
        self.description = QPlainTextEdit()
        self.description.setPlaceholderText(tr("What the caller describes"))
        self.description.setMaximumHeight(90)
        form.addRow(tr("Caller's description"), self.description)
        self.caller, self.phone = QLineEdit(), QLineEdit()
        form.addRow(tr("Caller"), self.caller)
        form.addRow(tr("Caller's phone"), self.phone)
        self._lay_out(form)

    def _lay_out(self, form):
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        name_buttons(buttons)
        buttons.button(QDialogButtonBox.Ok).setText(tr("Register"))
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

    @staticmethod
    def _channel_label(channel: str) -> str:
        names = {"12319": tr("12319 urban construction hotline"), "12345": tr("12345 citizen service hotline")}
        return names.get(channel, channel)

    def _component_picker(self) -> QComboBox:
        self.component = QComboBox()
        self.component.addItem(tr("None (an event, or no component named)"), None)
        for near in self.pre.components:
            self.component.addItem(tr("{objid} {name} ({distance} m)").format(
                objid=near.ObjID, name=near.name, distance=round(near.distance_m)), near)
        self.component.currentIndexChanged.connect(self._component_chosen)
        return self.component

    def _class_picker(self) -> QComboBox:
        picker = QComboBox()
        picker.setEditable(True)
        picker.setInsertPolicy(QComboBox.NoInsert)
        picker.lineEdit().setPlaceholderText(tr("Type a code or a name to filter"))
        picker.completer().setCompletionMode(QCompleter.PopupCompletion)
        picker.completer().setFilterMode(Qt.MatchContains)
        picker.completer().setCaseSensitivity(Qt.CaseInsensitive)
        return picker

    def _fill_classes(self, *_):
        kind = self.kind.currentData()
        self.klass.clear()
        for entry in dictionaries.classes(self.session.centre, kind, active_only=True):
            self.klass.addItem(f"{entry.code} {entry.major_name} / {entry.minor_name}", entry.code)
        self.klass.setCurrentIndex(-1)
        self.klass.setEditText("")

    def _component_chosen(self, *_):
        near = self.component.currentData()
        if near is None:
            self.klass.setEnabled(True)
            return
        self.kind.setCurrentIndex(self.kind.findData("component"))
        self.klass.setCurrentIndex(self.klass.findData(near.class_code))
        self.klass.setEnabled(False)  # a named component decides the class

    # --- OK ---------------------------------------------------------------------------------

    def class_code(self) -> str:
        """The chosen class's code: the picked item's, else the first word typed (the core checks it);
        nothing picked or typed is Problem intake.no_class."""
        index = self.klass.findText(self.klass.currentText())
        if index >= 0:
            return self.klass.itemData(index)
        typed = self.klass.currentText().split()
        if not typed:
            raise Problem("intake.no_class")
        return typed[0]

    def submit(self):
        """Register the report; a refusal is shown and the form stays open with nothing written."""
        near = self.component.currentData()
        try:
            reporter = intake.hotline_reporter(self.channel.currentData(), self.caller.text(), self.phone.text())
            self.case_no = workflow.report(
                self.session.centre, self.session.actor, kind=self.kind.currentData(), class_code=self.class_code(),
                x=self.pre.x, y=self.pre.y, source="hotline", description=self.description.toPlainText().strip(),
                ObjID=None if near is None else near.ObjID, reporter=reporter,
                address=self.address.text().strip() or None, flag_duplicates=True)
        except Problem as problem:
            self.session.show_problem(self, problem)
            return
        self._tell_duplicate()
        self.accept()

    def _tell_duplicate(self):
        flags = workflow.case_row(self.session.centre, self.case_no).get("flags") or ""
        if flags.startswith(workflow.DUPLICATE_FLAG):
            self.duplicate_of = flags[len(workflow.DUPLICATE_FLAG):]
            QMessageBox.information(self, tr("Possible duplicate"), tr(
                "Case {case_no} is registered. It may repeat the open case {other} nearby: "
                "check it before accepting.").format(case_no=self.case_no, other=self.duplicate_of))
