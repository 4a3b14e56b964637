# SPDX-License-Identifier: GPL-2.0-or-later
"""The loop's codes in the user's language: statuses, actions, roles, sources, lights, limit units, times.

The core stores codes (`dispatched`, `send_verify`); the desk shows these names. A code without a name
here is shown as it is, so a new status or action is never hidden.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from .core import times
from .texts import tr


def _statuses() -> dict:
    return {"reported": tr("Reported"), "verifying": tr("Being verified"),
            "pending_register": tr("Awaiting registration"), "rejected": tr("Not accepted"),
            "registered": tr("Registered, awaiting dispatch"), "dispatched": tr("Dispatched, in disposal"),
            "returned": tr("Returned"), "disposed": tr("Disposed, awaiting check"), "checking": tr("Being checked"),
            "check_passed": tr("Check passed"), "closed": tr("Closed"), "voided": tr("Voided"),
            "parked": tr("Parked")}


def _actions() -> dict:
    return {"report": tr("Report"), "accept": tr("Accept the report"), "send_verify": tr("Send for verification"),
            "verify_confirmed": tr("Verified: confirmed"), "verify_not_found": tr("Verified: not found"),
            "reject": tr("Reject the report"), "register": tr("Register the case"), "dispatch": tr("Dispatch to a unit"),
            "request_return": tr("Ask to return"), "request_extension": tr("Ask for an extension"),
            "return": tr("Return the case"), "extend": tr("Extend the deadline"), "report_disposal": tr("Report disposal"),
            "send_check": tr("Send for check"), "check_pass": tr("Check passed"),
            "check_fail": tr("Check failed: rework"), "close": tr("Close the case"),
            "rework": tr("Send back for rework"), "park": tr("Park the case"),
            "restore": tr("Restore the case"), "void": tr("Void the case"), "reassign_task": tr("Reassign the task"),
            "field_result": tr("Field result kept"), "merge_duplicate": tr("Duplicate report merged in")}


def _roles() -> dict:
    return {"admin": tr("Administrator"), "operator": tr("Operator"), "leader": tr("Shift leader"),
            "dispatcher": tr("Dispatcher"), "supervisor": tr("Supervisor"), "gis": tr("GIS technician"),
            "collector": tr("Collector"), "unit": tr("Unit staff")}


def _sources() -> dict:
    return {"collector": tr("Collector's report"), "public": tr("Public report"), "hotline": tr("Hotline"),
            "video": tr("Video capture"), "leader": tr("Leader's referral"), "media": tr("Media"),
            "app": tr("WeChat / app")}


def _lights() -> dict:
    return {"green": tr("Green"), "yellow": tr("Yellow"), "red": tr("Red")}


def _units() -> dict:
    return {"working_hours": tr("working hours"), "working_days": tr("working days"),
            "calendar_hours": tr("hours"), "calendar_days": tr("days")}


def status(code: str | None) -> str:
    return _statuses().get(code, code or "")


def action(code: str) -> str:
    return _actions().get(code, code)


def role(code: str) -> str:
    return _roles().get(code, code)


def source(code: str) -> str:
    return _sources().get(code, code)


def light(code: str | None) -> str:
    return _lights().get(code, "") if code else tr("Untimed")


def limit(condition) -> str:
    """A condition's time limit, e.g. '4 working hours', marked when it is urgent."""
    amount = f"{condition.limit:g} {_units().get(condition.unit, condition.unit)}"
    return tr("{amount} (urgent)").format(amount=amount) if condition.urgent else amount


def local_time(value, zone: str) -> str:
    """A stored time (text or aware datetime) as 'YYYY-MM-DD HH:MM' in the centre's zone; '' for none."""
    moment = times.from_db(value) if isinstance(value, str) else value
    if moment is None:
        return ""
    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")
