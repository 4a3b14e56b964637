# SPDX-License-Identifier: GPL-2.0-or-later
"""The case desk's filter row: status, light, class, unit, grid, source, period and free text.

`changed` fires with a `casebook.Filter` whenever the row changes (free text after a short pause, so
typing a case number does not run a query per key); a filter the core refuses is shown, not raised.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from qgis.gui import QgsCheckableComboBox, QgsDateEdit, QgsFilterLineEdit
from qgis.PyQt.QtCore import Qt, QTimer, pyqtSignal
from qgis.PyQt.QtWidgets import QComboBox, QGridLayout, QHBoxLayout, QLabel, QWidget

from .case_model import light_names, source_names, status_names
from .core import Problem, casebook, db, dictionaries, times
from .texts import tr

DEBOUNCE_MS = 350


class CaseFilterBar(QWidget):
    """The filter widgets in two rows; `filter()` reads them into a `casebook.Filter`."""

    changed = pyqtSignal(object)   # casebook.Filter
    refused = pyqtSignal(object)   # Problem

    def __init__(self, session, parent=None):
        super().__init__(parent)
        self.session = session
        self._zone = times.zone(db.meta(session.centre, "timezone", times.DEFAULT_ZONE))
        self.fids: tuple = ()  # the map's selection, when the desk filters to it
        self.debounce = QTimer(self)
        self.debounce.setSingleShot(True)
        self.debounce.setInterval(DEBOUNCE_MS)
        self.debounce.timeout.connect(self.emit_filter)
        self._build()

    def _build(self) -> None:
        self.statuses = self._checkable("CaseFilterStatus", status_names(), tr("Any status"))
        self.lights = self._checkable("CaseFilterLight", light_names(), tr("Any light"))
        self.classes = self._combo("CaseFilterClass", [(f"{c.kind}:{c.code}", f"{c.code} {c.minor_name}")
                                                       for c in dictionaries.classes(self.session.centre)],
                                   tr("Any class"))
        self.units = self._combo("CaseFilterUnit", [(code, f"{name} ({code})") for code, name
                                                    in casebook.units(self.session.centre)], tr("Any unit"))
        self.sources = self._combo("CaseFilterSource", list(source_names().items()), tr("Any source"))
        self.grid = self._line("CaseFilterGrid", tr("Grid code"))
        self.text = self._line("CaseFilterText", tr("Case number, description or address"))
        self.date_from, self.date_to = self._date("CaseFilterFrom"), self._date("CaseFilterTo")
        self._lay_out()

    def _lay_out(self) -> None:
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        period = QHBoxLayout()
        for widget in (QLabel(tr("Reported from")), self.date_from, QLabel(tr("to")), self.date_to):
            period.addWidget(widget)
        for col, widget in enumerate((self.statuses, self.lights, self.classes, self.units)):
            grid.addWidget(widget, 0, col)
        grid.addWidget(self.sources, 1, 0)
        grid.addWidget(self.grid, 1, 1)
        grid.addLayout(period, 1, 2, 1, 2)
        grid.addWidget(self.text, 2, 0, 1, 4)
        for col in range(4):
            grid.setColumnStretch(col, 1)

    def _checkable(self, name: str, items: dict, empty: str) -> QgsCheckableComboBox:
        box = QgsCheckableComboBox(self)
        box.setObjectName(name)
        box.setDefaultText(empty)
        for code, text in items.items():
            box.addItemWithCheckState(text, Qt.Unchecked, code)
        box.checkedItemsChanged.connect(self.emit_filter)
        return box

    def _combo(self, name: str, items: list, empty: str) -> QComboBox:
        box = QComboBox(self)
        box.setObjectName(name)
        box.addItem(empty, None)
        for code, text in items:
            box.addItem(text, code)
        box.currentIndexChanged.connect(self.emit_filter)
        return box

    def _line(self, name: str, hint: str) -> QgsFilterLineEdit:
        line = QgsFilterLineEdit(self)
        line.setObjectName(name)
        line.setPlaceholderText(hint)
        line.textChanged.connect(self.debounce.start)
        return line

    def _date(self, name: str) -> QgsDateEdit:
        edit = QgsDateEdit(self)
        edit.setObjectName(name)
        edit.setAllowNull(True)
        edit.clear()  # null: no bound (QGIS shows today's date greyed)
        edit.dateValueChanged.connect(self.emit_filter)
        return edit

    # -- reading the row ----------------------------------------------------------------------------

    def filter(self) -> casebook.Filter:
        """The row as a Filter (a Problem when the core refuses it, e.g. a period that ends first)."""
        klass = self.classes.currentData()
        return casebook.Filter(
            statuses=tuple(self.statuses.checkedItemsData()), lights=tuple(self.lights.checkedItemsData()),
            class_key=tuple(klass.split(":", 1)) if klass else None, unit_code=self.units.currentData(),
            grid_code=self.grid.value().strip() or None, source=self.sources.currentData(),
            reported_from=self._day(self.date_from), reported_to=self._day(self.date_to, next_day=True),
            text=self.text.value(), fids=self.fids)

    def _day(self, edit: QgsDateEdit, next_day: bool = False) -> datetime | None:
        """A local day's start (or, for the period's end, the next day's start), aware."""
        if edit.isNull():
            return None
        day = edit.date().toPyDate() + timedelta(days=1 if next_day else 0)
        return datetime.combine(day, time(0), tzinfo=self._zone)

    def emit_filter(self, *_args) -> None:
        self.debounce.stop()
        try:
            f = self.filter()
        except Problem as problem:
            self.refused.emit(problem)
            return
        self.changed.emit(f)

    def set_fids(self, fids) -> None:
        """Keep only these features (the map's selection); empty: no such restriction."""
        self.fids = tuple(fids)
        self.emit_filter()

    def close_timers(self) -> None:
        self.debounce.stop()
