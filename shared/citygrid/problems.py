# SPDX-License-Identifier: GPL-2.0-or-later
"""Coded problems: the core raises these, never user-facing sentences."""

from __future__ import annotations


class Problem(Exception):
    """A coded error with details, e.g. Problem("case.illegal_transition", case=no, action=a).

    The code is a stable dotted identifier; the details are plain JSON-able values. The server
    maps codes to HTTP statuses, the plugin and app translate them; `str()` is for logs and the CLI.
    """

    def __init__(self, code: str, **details):
        self.code = code
        self.details = details
        super().__init__(code)

    def __str__(self) -> str:
        if not self.details:
            return self.code
        parts = ", ".join(f"{k}={v!r}" for k, v in sorted(self.details.items()))
        return f"{self.code} ({parts})"

    def to_wire(self) -> dict:
        return {"code": self.code, "details": dict(self.details)}
