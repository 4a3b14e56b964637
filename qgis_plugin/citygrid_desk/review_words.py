# SPDX-License-Identifier: GPL-2.0-or-later
"""The shift review's words: the core's reason codes as its own texts (citygrid.messages, Chinese from
the core's review.po), short names for the reason filter, the decisions, item kinds and count headers."""

from __future__ import annotations

from .core import Problem, messages
from .texts import locale, tr


def reason_text(code: str, details: dict) -> str:
    """A reason code of `review.shift_review` as the core words it, in the user's language."""
    problem = Problem(code)
    problem.details = dict(details)  # the details carry a `code` of their own (the receipt's)
    return messages.message(problem, lang=locale())


def reasons_text(item: dict) -> str:
    return "; ".join(reason_text(code, item.get("details") or {}) for code in item["reasons"])


def reason_names() -> dict:
    """Reason code -> a short name for the filter (the core's order)."""
    return {"review.rejected": tr("Rejected"), "review.reassigned": tr("Task reassigned"),
            "review.case_closed": tr("Case already closed"), "review.conflict": tr("Conflict"),
            "review.possible_duplicate": tr("Possible duplicate"), "review.late": tr("Late"),
            "review.photo_no_gps": tr("Photo without GPS"), "review.photo_far": tr("Photo far from the case"),
            "review.awaiting_closure": tr("Passed, awaiting closure")}


def decision_names() -> dict:
    return {"close": tr("Pass and close"), "rework": tr("Rework"), "merge": tr("Merge"),
            "discard": tr("Set aside")}


def kind(code: str) -> str:
    return {"report": tr("Report"), "check": tr("Check"), "verify": tr("Verification"),
            "disposal": tr("Disposal")}.get(code, code)


def count_headers() -> dict:
    """Device table columns: the core's count names -> headers."""
    return {"device_id": tr("Device"), "username": tr("Collector"), "batches": tr("Batches"),
            "items": tr("Items"), "accepted": tr("Accepted"), "duplicate": tr("Duplicate"),
            "conflict": tr("Conflict"), "rejected": tr("Rejected"), "photos_missing": tr("Photos missing"),
            "reviewed": tr("Reviewed")}


def item_headers() -> list[str]:
    return [tr("Kind"), tr("Case number"), tr("Collector"), tr("Received at"), tr("Reasons")]


def shift_names() -> dict:
    return {"current": tr("Current or last shift"), "today": tr("Today's day shift"),
            "last12": tr("Last 12 hours"), "custom": tr("Date and times")}


def reviewed(batches: list[dict]) -> str:
    done = sum(1 for b in batches if b["reviewed"])
    if done == len(batches):
        return tr("Yes")
    return tr("No") if not done else tr("{done} of {count}").format(done=done, count=len(batches))
