# SPDX-License-Identifier: GPL-2.0-or-later
"""The import's validation report: one line per problem the core found (row, field, value, problem)."""

from __future__ import annotations

from qgis.PyQt.QtGui import QBrush, QColor
from qgis.PyQt.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem

from .core import importer
from .texts import locale, tr

ERROR_COLOUR, WARNING_COLOUR = QColor("#fde2e1"), QColor("#fff4d6")


class IssueTable(QTableWidget):
    """The issues of an `ImportResult`, errors before warnings, messages in the user's language."""

    def __init__(self, parent=None):
        super().__init__(0, 4, parent)
        self.setObjectName("CitygridImportReport")
        self.setHorizontalHeaderLabels([tr("Row"), tr("Field"), tr("Value"), tr("Problem")])
        self.verticalHeader().setVisible(False)
        self.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.setWordWrap(False)
        header = self.horizontalHeader()
        for column in range(3):
            header.setSectionResizeMode(column, QHeaderView.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.Stretch)

    def show_issues(self, issues, row_of=lambda fid: fid) -> None:
        """`issues` (importer.Issue); `row_of` turns the importer's row into the layer's feature id."""
        ordered = sorted(issues, key=lambda i: (i.severity != importer.ERROR, i.fid, i.field))
        self.setRowCount(len(ordered))
        lang = locale()
        for row, issue in enumerate(ordered):
            value = "" if issue.value is None else str(issue.value)
            cells = (str(row_of(issue.fid)), issue.field, value, issue.message(lang))
            brush = QBrush(ERROR_COLOUR if issue.severity == importer.ERROR else WARNING_COLOUR)
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setBackground(brush)
                item.setToolTip(text)
                self.setItem(row, column, item)

    def lines(self) -> list[tuple[str, ...]]:
        """What the table shows, row by row (for tests and copying)."""
        return [tuple(self.item(r, c).text() for c in range(self.columnCount())) for r in range(self.rowCount())]
