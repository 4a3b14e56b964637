# SPDX-License-Identifier: GPL-2.0-or-later
"""The import's field mapping: one row per target field, the source field chosen in a combo box.

Rows are pre-matched by the core's names and aliases (`importer.resolve_mapping`); required target
fields are marked (all of them must be mapped; for components one of ObjID, class code or ObjName).
"""

from __future__ import annotations

from qgis.PyQt.QtCore import Qt, pyqtSignal
from qgis.PyQt.QtWidgets import QAbstractItemView, QComboBox, QHeaderView, QTableWidget, QTableWidgetItem

from .core import importer
from .texts import tr

TARGET, NEED, SOURCE = range(3)


def labels() -> dict[str, str]:
    """What each target field holds, in the user's language (shown after its name)."""
    return {
        "code": tr("grid code"), "name": tr("name"), "street_code": tr("street code"),
        "community_code": tr("community code"), "ObjID": tr("component code"),
        "class_code": tr("class code"), "ObjName": tr("component name"),
        "DeptCode1": tr("competent department code"), "DeptName1": tr("competent department"),
        "DeptCode2": tr("owner code"), "DeptName2": tr("owner"),
        "DeptCode3": tr("maintainer code"), "DeptName3": tr("maintainer"),
        "BGID": tr("grid code"), "ObjState": tr("state"), "ORDate": tr("first survey date"),
        "CHDate": tr("change date"), "DataSource": tr("data source"), "Note": tr("note"),
    }


class MappingTable(QTableWidget):
    """target field -> source field; `mapping()` gives what the importer's `mapping=` takes."""

    changed = pyqtSignal()

    def __init__(self, parent=None):
        super().__init__(0, 3, parent)
        self.setObjectName("CitygridImportMapping")
        self.setHorizontalHeaderLabels([tr("Centre field"), tr("Required"), tr("Source field")])
        self.verticalHeader().setVisible(False)
        self.setEditTriggers(QAbstractItemView.NoEditTriggers)
        header = self.horizontalHeader()
        header.setSectionResizeMode(TARGET, QHeaderView.ResizeToContents)
        header.setSectionResizeMode(NEED, QHeaderView.ResizeToContents)
        header.setSectionResizeMode(SOURCE, QHeaderView.Stretch)
        self.kind = None

    def show_fields(self, kind: str, fields: list[str]) -> None:
        """One row per target field of `kind`, its combo set to the core's match among `fields`."""
        self.kind = kind
        matched = importer.resolve_mapping(kind, fields)
        all_of, one_of = importer.required(kind)
        targets = importer.targets(kind)
        self._drop_rows()
        self.setRowCount(len(targets))
        for row, target in enumerate(targets):
            item = QTableWidgetItem(f"{target}  {labels().get(target, '')}".strip())
            item.setData(Qt.UserRole, target)
            self.setItem(row, TARGET, item)
            self.setItem(row, NEED, QTableWidgetItem(self._need(target, all_of, one_of)))
            self.setCellWidget(row, SOURCE, self._combo(fields, matched.get(target, "")))
        self.resizeColumnsToContents()

    def _drop_rows(self):
        """The old rows and their combo boxes (hidden at once: Qt deletes them later)."""
        for row in range(self.rowCount()):
            combo = self.cellWidget(row, SOURCE)
            if combo is not None:
                combo.hide()
        self.setRowCount(0)

    @staticmethod
    def _need(target, all_of, one_of) -> str:
        if target in all_of:
            return tr("required")
        return tr("one of these") if target in one_of else ""

    def _combo(self, fields, chosen) -> QComboBox:
        combo = QComboBox(self)
        combo.addItem(tr("(not imported)"), "")
        for name in fields:
            combo.addItem(name, name)
        combo.setCurrentIndex(max(combo.findData(chosen), 0))
        combo.currentIndexChanged.connect(self.changed)
        return combo

    def mapping(self) -> dict[str, str]:
        """Every target field -> its source field ("" when not imported)."""
        return {self.item(row, TARGET).data(Qt.UserRole): self.cellWidget(row, SOURCE).currentData()
                for row in range(self.rowCount())}

    def choose(self, target: str, source: str) -> None:
        """Map `target` to `source` ("" to leave it out), as the user would in the combo box."""
        for row in range(self.rowCount()):
            if self.item(row, TARGET).data(Qt.UserRole) == target:
                combo = self.cellWidget(row, SOURCE)
                combo.setCurrentIndex(max(combo.findData(source), 0))
                return
        raise KeyError(target)
