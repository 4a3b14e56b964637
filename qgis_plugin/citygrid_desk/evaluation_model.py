# SPDX-License-Identifier: GPL-2.0-or-later
"""The ranking table: one row per evaluated object, every indicator the core returns for its kind,
rates as percentages, the composite score and the grade in its colour; sortable through a proxy
(numbers sort as numbers, a missing figure sorts lowest); the same rows written as CSV."""

from __future__ import annotations

import csv

from qgis.PyQt.QtCore import QAbstractTableModel, QSortFilterProxyModel, Qt
from qgis.PyQt.QtGui import QBrush, QColor

from . import evaluation_words as words

SORT_ROLE = Qt.UserRole + 1
NONE = "-"
TEXTS = ("name", "id", "kind", "grade")


class RankingModel(QAbstractTableModel):
    """Results of one object type (`set_results`), columns from the core's indicator lists."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.results: list = []
        self.columns: list[str] = []
        self.rates: set[str] = set()

    def set_results(self, object_type: str, results: list) -> None:
        self.beginResetModel()
        counts, rates = words.indicator_columns(object_type)
        head = ["name", "id"] + (["kind"] if object_type == "post" else [])
        self.columns, self.rates, self.results = [*head, *counts, *rates, "score", "grade"], set(rates), list(results)
        self.endResetModel()

    def rowCount(self, parent=None):  # noqa: N802 (Qt's name)
        return 0 if parent is not None and parent.isValid() else len(self.results)

    def columnCount(self, parent=None):  # noqa: N802 (Qt's name)
        return 0 if parent is not None and parent.isValid() else len(self.columns)

    def headerData(self, section, orientation, role=Qt.DisplayRole):  # noqa: N802 (Qt's name)
        if role == Qt.DisplayRole and orientation == Qt.Horizontal and 0 <= section < len(self.columns):
            return words.heading(self.columns[section])
        return None

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid():
            return None
        result, column = self.results[index.row()], self.columns[index.column()]
        if role == Qt.DisplayRole:
            return self.text(result, column)
        if role == SORT_ROLE:
            value = self.value(result, column)
            return value if value is not None else "" if column in TEXTS else float("-inf")
        if column == "grade" and result.colour:
            return self._grade_role(role, result.colour)
        if role == Qt.TextAlignmentRole and column not in TEXTS:
            return int(Qt.AlignRight | Qt.AlignVCenter)
        return None

    @staticmethod
    def _grade_role(role, colour: str):
        fill = words.GRADE_COLOURS.get(colour, QColor(colour))
        if role == Qt.BackgroundRole:
            return QBrush(fill)
        if role == Qt.ForegroundRole:
            return QBrush(QColor("white") if fill.lightness() < 110 else QColor("black"))
        return Qt.AlignCenter if role == Qt.TextAlignmentRole else None

    def value(self, result, column: str):
        """The raw figure of a cell: a count, a rate (fraction), the score, or a text."""
        if column in self.rates:
            return result.rates.get(column)
        if column in ("name", "id", "kind", "grade", "score"):
            return getattr(result, column)
        return result.counts.get(column)

    def text(self, result, column: str) -> str:
        if column == "kind":
            return words.kind_label(result.kind)
        value = self.value(result, column)
        if value is None:
            return NONE
        if column in self.rates:
            return f"{value * 100:.1f}%"
        return f"{value:.2f}" if column == "score" else str(value)

    def result_at(self, row: int):
        return self.results[row] if 0 <= row < len(self.results) else None


def sorting_proxy(model: RankingModel) -> QSortFilterProxyModel:
    proxy = QSortFilterProxyModel(model)
    proxy.setSourceModel(model)
    proxy.setSortRole(SORT_ROLE)
    return proxy


def write_csv(model: RankingModel, path: str) -> int:
    """The table as shown (headings, texts) in UTF-8 with a BOM, so Excel reads the Chinese; rows written."""
    with open(path, "w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow([words.heading(c) for c in model.columns])
        for result in model.results:
            writer.writerow([model.text(result, c) for c in model.columns])
    return len(model.results)
