# SPDX-License-Identifier: GPL-2.0-or-later
"""A case's full event history as a table: time, who (role), action, from → to, unit, due, note."""

from __future__ import annotations

import json

from qgis.PyQt.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem

from . import case_words
from .texts import tr

MAX_HEIGHT = 520  # the pane scrolls; the table shows a long history in its own scroll


class CaseTimeline(QTableWidget):
    """One row per `case_events` row, oldest first, codes in the user's language; read only.

    Two wrapped columns so it reads in a narrow dock: when and who; what (from → to) and its details."""

    def __init__(self, parent=None):
        super().__init__(0, 2, parent)
        self.setObjectName("CitygridCaseTimeline")
        self.setHorizontalHeaderLabels([tr("Time / by"), tr("Action / status / details")])
        self.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.setWordWrap(True)
        self.setAlternatingRowColors(True)
        self.verticalHeader().setVisible(False)
        header = self.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeToContents)
        header.setStretchLastSection(True)
        header.sectionResized.connect(lambda *_: self._fit())

    def fill(self, events: list[dict], zone: str, assignees: dict | None = None) -> None:
        """Show `events` (workflow.events rows) with times in `zone`; `assignees`: task id -> collector,
        named on the events that sent a 核实/核查 task."""
        self.setRowCount(len(events))
        for row, event in enumerate(events):
            for col, text in enumerate(self._cells(event, zone, assignees or {})):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.setItem(row, col, item)
        self._fit()

    def resizeEvent(self, event):  # noqa: N802 (Qt's name): wrapped rows grow or shrink with the width
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        """Rows as tall as their wrapped text; the table as tall as its rows, up to MAX_HEIGHT."""
        self.resizeRowsToContents()
        rows = sum(self.rowHeight(r) for r in range(self.rowCount()))
        self.setFixedHeight(min(MAX_HEIGHT, self.horizontalHeader().height() + rows + 2 * self.frameWidth() + 2))

    @staticmethod
    def _cells(event: dict, zone: str, assignees: dict) -> tuple:
        frm, to = event["from_status"], event["to_status"]
        statuses = case_words.status(to) if frm in (None, to) else f"{case_words.status(frm)} → {case_words.status(to)}"
        when = f"{case_words.local_time(event['at'], zone)}\n{event['actor']} ({case_words.role(event['role'])})"
        what = tr("{action}: {change}").format(action=case_words.action(event["action"]), change=statuses)
        return when, "\n".join(filter(None, (what, _details(event, zone, assignees))))


def _details(event: dict, zone: str, assignees: dict) -> str:
    """Unit, due time, note, and whom a task went to and the rework count."""
    parts = [tr("Unit {unit}").format(unit=event["unit_code"])] if event["unit_code"] else []
    if event["action"] in ("send_verify", "send_check") and assignees.get(event["task_id"]):
        parts.append(tr("to {collector}").format(collector=assignees[event["task_id"]]))
    if event["due_at"]:
        parts.append(tr("step due {due}").format(due=case_words.local_time(event["due_at"], zone)))
    try:
        data = json.loads(event["data"] or "{}")
    except ValueError:
        data = {}
    if isinstance(data, dict) and "to" in data:
        parts.append(tr("to {collector}").format(collector=data["to"]))
    if isinstance(data, dict) and data.get("rework"):
        parts.append(tr("rework {count}").format(count=data["rework"]))
    if event["note"]:
        parts.append(str(event["note"]))
    return "\n".join(parts)
