# SPDX-License-Identifier: GPL-2.0-or-later
"""The shift review's two tables: per device and collector with the core's counts, and the items that
need a decision (kind, case, collector, time, reasons), filtered by one reason code."""

from __future__ import annotations

from qgis.PyQt.QtCore import QAbstractTableModel, QModelIndex, Qt
from qgis.PyQt.QtWidgets import QTableWidgetItem

from . import case_words
from . import review_words as words

COUNTS = ("items", "accepted", "duplicate", "conflict", "rejected", "photos_missing")


class ItemModel(QAbstractTableModel):
    """`review.shift_review` items, those with `reason` among their reasons (all when None)."""

    def __init__(self, zone: str, parent=None):
        super().__init__(parent)
        self.zone = zone
        self.all: list[dict] = []
        self.rows: list[dict] = []
        self.cells: list[tuple] = []
        self.reason: str | None = None
        self.headers = words.item_headers()

    def set_items(self, items: list[dict], reason: str | None = None) -> None:
        self.all = items
        self.set_reason(reason)

    def set_reason(self, reason: str | None) -> None:
        self.beginResetModel()
        self.reason = reason
        self.rows = [i for i in self.all if reason is None or reason in i["reasons"]]
        self.cells = [self._cells(i) for i in self.rows]
        self.endResetModel()

    def _cells(self, item: dict) -> tuple:
        return (words.kind(item["type"]), item["case_no"] or "—", item["username"],
                case_words.local_time(item["received_at"], self.zone), words.reasons_text(item))

    def item_at(self, row: int) -> dict | None:
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def row_of(self, uuid: str) -> int:
        return next((n for n, i in enumerate(self.rows) if i["uuid"] == uuid), -1)

    def rowCount(self, parent=QModelIndex()):  # noqa: N802, B008 (Qt's name and signature)
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()):  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.headers)

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid():
            return None
        if role in (Qt.DisplayRole, Qt.ToolTipRole):
            return self.cells[index.row()][index.column()]
        return None

    def headerData(self, section, orientation, role=Qt.DisplayRole):  # noqa: N802
        if orientation == Qt.Horizontal and role == Qt.DisplayRole:
            return self.headers[section]
        return None


def device_cells(group: dict) -> list[str]:
    """One device table row: device, collector, batches, the counts, reviewed."""
    return [group["device_id"], group["username"], str(len(group["batches"])),
            *(str(group[c]) for c in COUNTS), words.reviewed(group["batches"])]


def fill_devices(table, devices: list[dict]) -> None:
    """Fill a QTableWidget with one row per device and collector (the group dict kept on column 0)."""
    headers = words.count_headers()
    table.setColumnCount(len(headers))
    table.setHorizontalHeaderLabels(list(headers.values()))
    table.setRowCount(len(devices))
    for row, group in enumerate(devices):
        for col, text in enumerate(device_cells(group)):
            cell = QTableWidgetItem(text)
            if col == 0:
                cell.setData(Qt.UserRole, group)
            if col >= 2:
                cell.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
            table.setItem(row, col, cell)
