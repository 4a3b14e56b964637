# SPDX-License-Identifier: GPL-2.0-or-later
"""The shift review dock's widgets: the shift picker, the device table, the reason filter with the bulk
closure, the item table, the decision buttons and the selected item's photos and case timeline."""

from __future__ import annotations

from datetime import datetime

from qgis.PyQt.QtCore import QDate, Qt, QTime, pyqtSignal
from qgis.PyQt.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QTableWidget,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from . import review_shifts
from . import review_words as words
from .case_timeline import CaseTimeline
from .photo_strip import PhotoStrip
from .texts import tr

ITEM_WIDTHS = (60, 150, 100, 130)  # kind, case number, collector, received at (reasons stretch)


class ShiftBar(QWidget):
    """Which shift: the current (or last), today's day shift, the last 12 h, or a date from–to."""

    changed = pyqtSignal()

    def __init__(self, zone: str, starts=review_shifts.DEFAULT_STARTS, parent=None):
        super().__init__(parent)
        self.zone, self.starts = zone, tuple(starts)
        self.combo = QComboBox(self)
        self.combo.setObjectName("CitygridShiftReviewShift")
        for key, label in words.shift_names().items():
            self.combo.addItem(label, key)
        start, end = (QTime(t.hour, t.minute) for t in review_shifts.first_hours(self.starts))
        self.day, self.start, self.end = QDateEdit(QDate.currentDate()), QTimeEdit(start), QTimeEdit(end)
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("yyyy-MM-dd")
        self.refresh_button = QPushButton(tr("Refresh"), self)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        for widget in (QLabel(tr("Shift:")), self.combo, self.day, QLabel(tr("from")), self.start,
                       QLabel(tr("to")), self.end, self.refresh_button):
            row.addWidget(widget)
        self.combo.currentIndexChanged.connect(self._chosen)
        for edit in (self.day, self.start, self.end):
            edit.editingFinished.connect(self.changed)
        self.refresh_button.clicked.connect(self.changed)
        self._chosen()

    def choice(self) -> str:
        return self.combo.currentData()

    def _chosen(self, *_):
        custom = self.choice() == "custom"
        for edit in (self.day, self.start, self.end):
            edit.setEnabled(custom)
        self.changed.emit()

    def set_custom(self, day: QDate, start: QTime, end: QTime) -> None:
        for edit, value in ((self.day, day), (self.start, start), (self.end, end)):
            edit.blockSignals(True)
            edit.setDate(value) if isinstance(value, QDate) else edit.setTime(value)
            edit.blockSignals(False)
        if self.choice() == "custom":
            self.changed.emit()
        else:
            self.combo.setCurrentIndex(self.combo.findData("custom"))

    def window(self, now: datetime) -> tuple:
        choice = self.choice()
        if choice == "today":
            return review_shifts.todays_day_shift(now, self.zone, self.starts)
        if choice == "last12":
            return review_shifts.last_hours(now, 12)
        if choice == "custom":
            return review_shifts.custom(self.day.date().toPyDate(), self.start.time().toPyTime(),
                                        self.end.time().toPyTime(), self.zone)
        return review_shifts.shift_of(now, self.zone, self.starts)


def device_table(parent) -> tuple[QTableWidget, QPushButton]:
    table = QTableWidget(0, 0, parent)
    table.setObjectName("CitygridShiftReviewDevices")
    table.setEditTriggers(QAbstractItemView.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectRows)
    table.verticalHeader().setVisible(False)
    button = QPushButton(tr("Mark the selected devices' batches reviewed"), parent)
    return table, button


def filter_bar(parent) -> tuple[QComboBox, QPushButton, QLabel]:
    row = QWidget(parent)
    combo = QComboBox(row)
    combo.setObjectName("CitygridShiftReviewReason")
    combo.addItem(tr("All reasons"), None)
    for code, name in words.reason_names().items():
        combo.addItem(name, code)
    bulk = QPushButton(tr("Close all passed checks"), row)
    status = QLabel(row)
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    for widget in (QLabel(tr("Needing a decision:")), combo, status):
        layout.addWidget(widget)
    layout.addStretch(1)
    layout.addWidget(bulk)
    return combo, bulk, status


def item_table(model, parent) -> QTableView:
    table = QTableView(parent)
    table.setObjectName("CitygridShiftReviewItems")
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectRows)
    table.setSelectionMode(QAbstractItemView.SingleSelection)
    table.setEditTriggers(QAbstractItemView.NoEditTriggers)
    table.verticalHeader().setVisible(False)
    table.setSortingEnabled(True)
    table.sortByColumn(-1, Qt.AscendingOrder)  # the core's order until a header is clicked
    header = table.horizontalHeader()
    header.setStretchLastSection(True)
    for column, width in enumerate(ITEM_WIDTHS):
        header.resizeSection(column, width)
    return table


class DecisionBar(QWidget):
    """One button per decision; only those the core offers for the selected item are enabled."""

    chosen = pyqtSignal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.names = words.decision_names()
        self.buttons = {}
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        for decision, name in self.names.items():
            button = QPushButton(name, self)
            button.setObjectName(f"CitygridReview_{decision}")
            button.clicked.connect(lambda _=False, d=decision: self.chosen.emit(d))
            row.addWidget(button)
            self.buttons[decision] = button
        self.offer([])

    def offer(self, decisions: list[str]) -> None:
        for decision, button in self.buttons.items():
            button.setEnabled(decision in decisions)

    def offered(self) -> list[str]:
        return [d for d, b in self.buttons.items() if b.isEnabled()]

    def name(self, decision: str) -> str:
        return self.names.get(decision, decision)


class ItemDetail(QWidget):
    """The selected item: a line naming it and its reasons, its photos, its case's timeline."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.photos = PhotoStrip(self)
        self.timeline = CaseTimeline(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.summary, QLabel(tr("Photos")), self.photos, QLabel(tr("Timeline")), self.timeline):
            layout.addWidget(widget)
        layout.addStretch(1)
        self.clear()

    def clear(self) -> None:
        self.summary.setText(tr("Select an item to see its photos and its case's timeline."))
        self.photos.clear()
        self.timeline.setRowCount(0)

    def fill(self, item: dict, store, photos: list, events: list, assignees: dict, zone: str) -> None:
        self.summary.setText(tr("{kind} by {collector}, case {case}: {reasons}").format(
            kind=words.kind(item["type"]), collector=item["username"], case=item["case_no"] or "—",
            reasons=words.reasons_text(item)))
        self.photos.fill(store, photos, zone)
        self.timeline.fill(events, zone, assignees)
