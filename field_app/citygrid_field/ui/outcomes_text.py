# SPDX-License-Identifier: GPL-2.0-or-later
"""What became of a sent item, as one line in the user's language (the outbox's 已办 list and its rows).

An outcome (pull type `outcome`, docs/sync-service.md) carries the review's decision (close, rework,
merge, discard, or none) and the case's status now; the line says the decision when there is one
("返工：照片不清", "已合并到案件 …", "已搁置：…"), else what the case became ("上报 → 案件 …，已立案",
"核查 …：已结案"). Texts are English msgids with Chinese in `field_outcome.po`.
"""

from __future__ import annotations

from kivy.metrics import dp

from citygrid import i18n, times
from citygrid.problems import Problem
from citygrid.sync.protocol import CASE_STATUS_CONTEXT

from .language import tr as translate

# a case status as the collector reads it (msgctxt "case_status": plain words clash with other catalogues)
STATUS = {
    "reported": "received", "verifying": "being verified", "pending_register": "waiting for registration",
    "rejected": "not accepted", "registered": "registered", "dispatched": "sent to the unit",
    "returned": "returned to dispatch", "disposed": "handled, waiting for a check", "checking": "being checked",
    "check_passed": "check passed, waiting to close", "closed": "closed", "voided": "voided", "parked": "on hold",
}
ITEM = {"check": "check {case}: {status}", "verify": "verification {case}: {status}"}


def outcome_text(o: dict, lang: str) -> str:
    """One line for outcome `o` in `lang`."""

    def tr(text: str, **values) -> str:
        return translate(text, lang, **values)

    note, decision = (o.get("note") or "").strip(), o.get("decision")
    if decision == "rework":
        return tr("rework: {note}", note=note) if note else tr("sent back for rework")
    if decision == "merge":
        return tr("merged into case {case}", case=o.get("merged_into") or "")
    if decision == "discard":
        return tr("set aside: {reason}", reason=note) if note else tr("set aside")
    case, status = o.get("case_no") or "", o.get("case_status")
    said = i18n.pgettext(CASE_STATUS_CONTEXT, STATUS[status], lang) if status in STATUS else str(status or "")
    if o.get("item_type") == "report":
        return tr("report → case {case}, {status}", case=case, status=said)
    return tr(ITEM.get(o.get("item_type"), "check {case}: {status}"), case=case, status=said)


def when_text(at: str | None) -> str:
    """The local time of a decision, "12-03 18:20" ("" when unknown or unreadable)."""
    try:
        when = times.from_db(at) if at else None
    except Problem:  # a centre's odd timestamp must not break the list
        return ""
    return when.astimezone(times.zone()).strftime("%m-%d %H:%M") if when else ""


def sent_rows(outcomes: list[dict], lang: str) -> list[dict]:
    """The 已办 list's rows (RecycleView data), newest decision first as the store gives them."""
    return [{"viewclass": "OutcomeRow", "uuid": str(o.get("uuid") or ""), "text": outcome_text(o, lang),
             "when_text": when_text(o.get("decided_at")), "height": dp(76),
             "final": o.get("case_status") in ("closed", "voided", "rejected")} for o in outcomes]
