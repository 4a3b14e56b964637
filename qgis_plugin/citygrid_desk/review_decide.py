# SPDX-License-Identifier: GPL-2.0-or-later
"""Asking for a shift review decision and taking it through the core: a reason for 返工 and 搁置, a
confirmation naming both cases for a merge and the count for closing all passed checks. What may be
decided, and whether a reason is enough, is `review_decisions`' answer, shown as its coded problem."""

from __future__ import annotations

from qgis.PyQt.QtWidgets import QInputDialog, QMessageBox

from .core import Problem, review_decisions
from .texts import tr

PASSED = "review.awaiting_closure"


def ask_reason(parent, title: str, label: str) -> str | None:
    """The user's reason (may be empty: the core says when one is required), None when cancelled."""
    text, ok = QInputDialog.getMultiLineText(parent, title, label)
    return text if ok else None


def confirm(parent, title: str, text: str) -> bool:
    return QMessageBox.question(parent, title, text, QMessageBox.Yes | QMessageBox.No,
                                QMessageBox.No) == QMessageBox.Yes


def note_for(parent, item: dict, decision: str) -> tuple[bool, str | None]:
    """(go ahead, note) for `decision` on `item`, after asking what the decision needs."""
    if decision == "rework":
        note = ask_reason(parent, tr("Rework"), tr("Why does case {case} go back to its unit?").format(
            case=item["case_no"]))
        return note is not None, note
    if decision == "discard":
        note = ask_reason(parent, tr("Set aside"), tr("Why is this item set aside? (required)"))
        return note is not None, note
    if decision == "merge":
        text = tr("Case {case} repeats case {survivor}: void {case} and move its photos to {survivor}?").format(
            case=item["case_no"], survivor=item["duplicate_of"] or "?")
        return confirm(parent, tr("Merge"), text), None
    return True, None


def take(session, parent, item: dict, decision: str) -> dict | None:
    """Ask, then `review_decisions.decide`; the core's refusal is shown; -> what was done, or None."""
    go, note = note_for(parent, item, decision)
    if not go:
        return None
    try:
        return review_decisions.decide(session.centre, session.actor, item["uuid"], decision, note=note,
                                       username=item["username"])
    except Problem as problem:
        session.show_problem(parent, problem)
        return None


def passed_checks(items: list[dict]) -> list[str]:
    """The uuids of the passed checks awaiting closure that the reader may close."""
    return [i["uuid"] for i in items if PASSED in i["reasons"] and "close" in i["decisions"]]


def close_all(session, parent, items: list[dict]) -> dict | None:
    """One confirmation with the count, then `close_passed` (all or nothing)."""
    uuids = passed_checks(items)
    if uuids and not confirm(parent, tr("Close all passed checks"), tr(
            "Close the {count} cases whose checks passed?").format(count=len(uuids))):
        return None
    try:
        return review_decisions.close_passed(session.centre, session.actor, uuids)
    except Problem as problem:
        session.show_problem(parent, problem)
        return None
