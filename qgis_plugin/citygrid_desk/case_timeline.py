# SPDX-License-Identifier: GPL-2.0-or-later
"""A case's full event history as a table: time, action, who (role), from → to, unit, due, note."""

from __future__ import annotations

import json

from qgis.PyQt.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem

from . import case_words
from .texts import tr

COLUMNS = ("at", "action", "actor", "statuses", "unit_code", "due_at", "note")


class CaseTimeline(QTableWidget):
    """One row per `case_events` row, oldest first, codes in the user's language; read only."""

    def __init__(self, parent=None):
        super().__init__(0, len(COLUMNS), parent)
        self.setObjectName("CitygridCaseTimeline")
        self.setHorizontalHeaderLabels([tr("Time"), tr("Action"), tr("By"), tr("Status"), tr("Unit"),
                                        tr("Due"), tr("Note")])
        self.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.setWordWrap(False)
        self.verticalHeader().setVisible(False)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeToContents)
        header.setStretchLastSection(True)

    def fill(self, events: list[dict], zone: str) -> None:
        """Show `events` (workflow.events rows) with times in `zone`."""
        self.setRowCount(len(events))
        for row, event in enumerate(events):
            for col, text in enumerate(self._cells(event, zone)):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.setItem(row, col, item)

    @staticmethod
    def _cells(event: dict, zone: str) -> tuple:
        frm, to = event["from_status"], event["to_status"]
        statuses = case_words.status(to) if frm in (None, to) else f"{case_words.status(frm)} → {case_words.status(to)}"
        who = f"{event['actor']} ({case_words.role(event['role'])})"
        return (case_words.local_time(event["at"], zone), case_words.action(event["action"]), who, statuses,
                event["unit_code"] or "", case_words.local_time(event["due_at"], zone),
                _note(event))


def _note(event: dict) -> str:
    """The note, with what the event's data adds a reader needs (the collector a task went to, a new deadline)."""
    parts = [event["note"]] if event["note"] else []
    try:
        data = json.loads(event["data"] or "{}")
    except ValueError:
        data = {}
    if isinstance(data, dict) and "to" in data:
        parts.append(tr("to {collector}").format(collector=data["to"]))
    if isinstance(data, dict) and data.get("rework"):
        parts.append(tr("rework {count}").format(count=data["rework"]))
    return " · ".join(str(p) for p in parts)
