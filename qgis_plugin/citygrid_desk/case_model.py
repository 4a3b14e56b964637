# SPDX-License-Identifier: GPL-2.0-or-later
"""The case desk's table model: the core's case book (loop/casebook) a page at a time.

The model holds the rows the view has scrolled to, never the whole city: `canFetchMore`/`fetchMore`
read the next keyset page when the view reaches the end. Cases that arrive while the desk is open
(`bring_in`, fed from the sync change log) are put at the top, bold and marked new until seen.
"""

from __future__ import annotations

from qgis.PyQt.QtCore import QAbstractTableModel, QModelIndex, Qt
from qgis.PyQt.QtGui import QBrush, QColor, QFont

from . import case_words
from .core import Problem, casebook, db, times
from .texts import tr

COLUMNS = ("case_no", "status", "light", "class_name", "grid_code", "unit", "source", "reported_at", "deadline_at",
           "flags")
SORTS = {"case_no": "case_no", "reported_at": "reported"}  # columns the core orders by an index
LIGHT_COLOURS = {"green": "#7cc46f", "yellow": "#f2cf4a", "red": "#e0554d"}
CASE_ROLE = Qt.UserRole + 1  # the row's dict


def headers() -> dict:
    return {"case_no": tr("Case number"), "status": tr("Status"), "light": tr("Light"), "class_name": tr("Class"),
            "grid_code": tr("Grid"), "unit": tr("Unit"), "source": tr("Source"), "reported_at": tr("Reported at"),
            "deadline_at": tr("Deadline"), "flags": tr("Flags")}


def status_names() -> dict:
    return {code: case_words.status(code) for code in casebook.STATUSES}


def source_names() -> dict:
    return {code: case_words.source(code) for code in casebook.SOURCES}


def light_names() -> dict:
    return {code: case_words.light(None if code == "none" else code) for code in casebook.LIGHTS}


def _valid(parent) -> bool:
    """Whether `parent` is a real index (a table's rows have none; None stands for the root)."""
    return parent is not None and parent.isValid()


def local_time(value, zone) -> str:
    return "" if value is None else value.astimezone(zone).strftime("%Y-%m-%d %H:%M")


class CaseModel(QAbstractTableModel):
    """The cases a `casebook.Filter` selects, fetched a page at a time."""

    def __init__(self, session, parent=None, page_size: int = casebook.PAGE):
        super().__init__(parent)
        self.session, self.page_size = session, page_size
        self.filter, self.order = casebook.Filter(), "reported_desc"
        self.rows: list[dict] = []
        self.index_of: dict = {}   # case_no -> row
        self.new: set = set()      # case numbers that arrived while the desk was open, not yet seen
        self._more = True
        self._after = None         # the last fetched row's key: the next page starts after it
        self.now = None            # the lights' moment: None is the present (a benchmark pins it)
        self._zone = times.zone(db.meta(session.centre, "timezone", times.DEFAULT_ZONE))
        self.last_fid = casebook.last_fid(session.centre)  # cases above it arrived while the desk is open

    # -- what the view asks -------------------------------------------------------------------------

    def rowCount(self, parent=None):  # noqa: N802 (Qt's name)
        return 0 if _valid(parent) else len(self.rows)

    def columnCount(self, parent=None):  # noqa: N802
        return 0 if _valid(parent) else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.DisplayRole):  # noqa: N802
        if orientation == Qt.Horizontal and role == Qt.DisplayRole and 0 <= section < len(COLUMNS):
            return headers()[COLUMNS[section]]
        return None

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row, column = self.rows[index.row()], COLUMNS[index.column()]
        if role == Qt.DisplayRole:
            return self._text(row, column)
        if role == CASE_ROLE:
            return row
        if role == Qt.BackgroundRole and column == "light" and row["light"] in LIGHT_COLOURS:
            return QBrush(QColor(LIGHT_COLOURS[row["light"]]))
        if role == Qt.FontRole and row["case_no"] in self.new:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ToolTipRole and row["case_no"] in self.new:
            return tr("New: arrived while the desk is open")
        return None

    def _text(self, row: dict, column: str) -> str:
        value = row.get(column)
        if column == "status":
            return status_names().get(value, value)
        if column == "source":
            return source_names().get(value, value)
        if column == "light":
            return light_names().get(value, value)
        if column == "unit":
            return row["unit_name"] or row["unit_code"] or ""
        if column in ("reported_at", "deadline_at"):
            return local_time(value, self._zone)
        if column == "flags":
            return self._flags(row)
        if column == "class_name":
            return value or row["class_code"]
        return "" if value is None else str(value)

    def _flags(self, row: dict) -> str:
        words = [tr("New")] if row["case_no"] in self.new else []
        flag = row.get("flags") or ""
        if flag.startswith("possible_duplicate:"):
            words.append(tr("Possible duplicate of {case_no}").format(case_no=flag.split(":", 1)[1]))
        elif flag:
            words.append(flag)
        return " · ".join(words)

    # -- lazy fetching --------------------------------------------------------------------------------

    def canFetchMore(self, parent=None):  # noqa: N802
        return not _valid(parent) and self._more

    def fetchMore(self, parent=None):  # noqa: N802
        if _valid(parent) or not self._more:
            return
        rows = casebook.page(self.session.centre, self.filter, after=self._after, limit=self.page_size,
                             order=self.order, now=self.now)
        self._more = len(rows) == self.page_size
        self._after = rows[-1]["key"] if rows else self._after
        rows = [r for r in rows if r["case_no"] not in self.index_of]  # brought in at the top already
        if rows:
            self._insert(len(self.rows), rows)

    def _insert(self, at: int, rows: list) -> None:
        self.beginInsertRows(QModelIndex(), at, at + len(rows) - 1)
        self.rows[at:at] = rows
        self._reindex()
        self.endInsertRows()

    def _reindex(self) -> None:
        self.index_of = {r["case_no"]: i for i, r in enumerate(self.rows)}

    # -- what the desk changes ----------------------------------------------------------------------

    def set_filter(self, f: casebook.Filter) -> None:
        self.filter = f
        self.reload()

    def sort(self, column, order=Qt.AscendingOrder):
        name = COLUMNS[column] if 0 <= column < len(COLUMNS) else None
        if name not in SORTS:
            return
        self.order = f"{SORTS[name]}_{'asc' if order == Qt.AscendingOrder else 'desc'}"
        self.reload()

    def reload(self) -> None:
        """Back to the first page of the current filter and order."""
        self.beginResetModel()
        self.rows, self.index_of, self._more, self._after = [], {}, True, None
        self.endResetModel()
        self.fetchMore()

    def case_at(self, row: int) -> dict | None:
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def row_of(self, case_no: str) -> int:
        return self.index_of.get(case_no, -1)

    def mark_seen(self, case_no: str) -> None:
        if case_no in self.new:
            self.new.discard(case_no)
            self._changed(self.row_of(case_no))

    def _changed(self, row: int) -> None:
        if row >= 0:
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    def bring_in(self, case_nos: list, keep=()) -> list:
        """Refresh the given cases (changed in the store): rows the filter still selects are updated,
        others leave — except those in `keep` (the case the user just acted on stays in view, updated,
        until the filter changes); cases not shown yet go to the top, marked new when they arrived
        after the desk opened. Returns the case numbers marked new."""
        try:
            fresh = {r["case_no"]: r for r in casebook.rows(self.session.centre, self.filter, case_nos,
                                                            order=self.order, now=self.now)}
            kept = [c for c in keep if c not in fresh and c in self.index_of]
            if kept:
                fresh.update((r["case_no"], r) for r in casebook.rows(self.session.centre, casebook.Filter(), kept,
                                                                      order=self.order, now=self.now))
        except Problem:
            return []
        for case_no in case_nos:
            self._refresh_one(case_no, fresh.get(case_no))
        arrived = [r for c, r in fresh.items() if c not in self.index_of]
        new = [r["case_no"] for r in arrived if r["fid"] > self.last_fid]
        self.new.update(new)
        if arrived:
            self._insert(0, arrived)
        return new

    def _refresh_one(self, case_no: str, row: dict | None) -> None:
        at = self.row_of(case_no)
        if at < 0:
            return
        if row is None:
            self.beginRemoveRows(QModelIndex(), at, at)
            del self.rows[at]
            self._reindex()
            self.endRemoveRows()
            return
        self.rows[at] = row
        self._changed(at)
