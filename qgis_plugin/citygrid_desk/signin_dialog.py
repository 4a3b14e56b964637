# SPDX-License-Identifier: GPL-2.0-or-later
"""Sign in to a centre with its own accounts: user name, masked password, the centre's name shown.

The dialog asks `check(username, password)` (the core's sign-in) when the user presses OK: a refusal
(`auth.invalid`, `auth.throttled`, ...) is shown in the dialog in the user's language and the user
may try again; Cancel gives None. Tests drive it without a modal loop: fill `username`/`password`
and call `accept()`, or replace `ask` in `citygrid_desk.signin_dialog`.
"""

from __future__ import annotations

from collections.abc import Callable

from qgis.PyQt.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from .core import Problem, messages
from .texts import locale, name_buttons, tr


class SignInDialog(QDialog):
    """Asks for a user name and password until `check` accepts them or the user cancels."""

    def __init__(self, parent: QWidget | None, centre_name: str, check: Callable):
        super().__init__(parent)
        self.setObjectName("CitygridSignIn")
        self.setWindowTitle(tr("Sign in to {centre}").format(centre=centre_name))
        self.check, self.actor = check, None
        self.centre = QLabel(centre_name, self)
        self.centre.setObjectName("CitygridSignInCentre")
        self.username, self.password = QLineEdit(self), QLineEdit(self)
        self.password.setEchoMode(QLineEdit.Password)
        self.problem = QLabel("", self)
        self.problem.setObjectName("CitygridSignInProblem")
        self.problem.setStyleSheet("color: #c62828")
        self.problem.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel, self)
        name_buttons(self.buttons)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self._lay_out()

    def _lay_out(self) -> None:
        form = QFormLayout()
        form.addRow(tr("Centre"), self.centre)
        form.addRow(tr("User name"), self.username)
        form.addRow(tr("Password"), self.password)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(360)

    def accept(self) -> None:
        """Ask the core; stay open with its message when it refuses."""
        self.problem.clear()
        try:
            self.actor = self.check(self.username.text().strip(), self.password.text())
        except Problem as problem:
            self.problem.setText(messages.message(problem, lang=locale()))
            self.password.clear()
            self.password.setFocus()
            return
        super().accept()


def ask(parent: QWidget | None, centre_name: str, check: Callable):
    """The signed-in actor, or None when the user cancels."""
    dialog = SignInDialog(parent, centre_name, check)
    try:
        return dialog.actor if dialog.exec_() == QDialog.Accepted else None
    finally:
        dialog.deleteLater()
