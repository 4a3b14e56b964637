# SPDX-License-Identifier: GPL-2.0-or-later
"""What every part of the desk shares while a centre is open: the store, the signed-in account.

The desk's parts (case desk, intake, assignments, components, review) receive one `DeskSession`
and talk to the centre only through the core's functions with `session.centre`; none of them opens
the file. That is the seam for the PostGIS store: a session over another store changes nothing above.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from qgis.PyQt.QtWidgets import QMessageBox, QWidget

from .core import Problem, accounts, messages, transitions
from .texts import locale, tr


@dataclass
class DeskSession:
    """An open centre: its path, the core's connection, the signed-in account, the layers shown."""

    path: str
    centre: object                      # the core's store connection (store.db.open_centre)
    actor: accounts.Actor | None = None  # None: opened without signing in (view only)
    layers: dict = field(default_factory=dict)  # table name -> QgsVectorLayer in the desk's group

    @property
    def role(self) -> str | None:
        return None if self.actor is None else self.actor.role

    def may(self, action: str) -> bool:
        """Whether the signed-in role takes `action` in some status (the loop's table decides)."""
        return self.role is not None and self.role in transitions.roles_for(action)

    def message(self, problem: Problem) -> str:
        return messages.message(problem, lang=locale())

    def show_problem(self, parent: QWidget | None, problem: Problem) -> None:
        show_problem(parent, problem)


def show_problem(parent: QWidget | None, problem: Problem) -> None:
    """A coded problem as a message box in the user's language (never a traceback)."""
    QMessageBox.warning(parent, tr("citygrid"), messages.message(problem, lang=locale()))
