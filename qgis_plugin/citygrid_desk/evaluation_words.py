# SPDX-License-Identifier: GPL-2.0-or-later
"""The evaluation dock's words: object types as the core takes them, indicator headings, grade colours.

The indicators themselves (which counts and rates an object kind has, in which order) are the core's
(`evaluation.KINDS`); this module only names them in the user's language.
"""

from __future__ import annotations

from qgis.PyQt.QtGui import QColor

from .core import evaluation
from .texts import tr

# object type -> (by, level) as evaluation.evaluate takes them
OBJECTS = {"unit": ("unit", None), "street": ("region", "street"), "community": ("region", "community"),
           "grid": ("region", "grid"), "collector": ("collector", None), "post": ("post", None)}

# The core's grade colour words as painted (a light fill, so black text stays legible; E is dark).
GRADE_COLOURS = {"green": QColor(120, 200, 120), "blue": QColor(120, 170, 235), "yellow": QColor(245, 220, 90),
                 "red": QColor(235, 110, 100), "black": QColor(60, 60, 60)}


def object_labels() -> dict[str, str]:
    return {"unit": tr("Units"), "street": tr("Streets"), "community": tr("Communities"),
            "grid": tr("Unit grids"), "collector": tr("Collectors"),
            "post": tr("Centre posts (operators, shift leaders, dispatchers)")}


def kinds(object_type: str) -> tuple[str, ...]:
    """The result kinds an object type gives (posts give three)."""
    return evaluation.POSTS if object_type == "post" else (object_type,)


def indicator_columns(object_type: str) -> tuple[list[str], list[str]]:
    """(counts, rates) of the type's kinds, in the core's order, each once."""
    names = kinds(object_type)
    counts = list(dict.fromkeys(c for kind in names for c in evaluation.KINDS[kind][0]))
    rates = list(dict.fromkeys(r for kind in names for r in evaluation.KINDS[kind][1]))
    return counts, rates


def kind_label(kind: str) -> str:
    return {"operator": tr("Operator"), "leader": tr("Shift leader"), "dispatcher": tr("Dispatcher")}.get(kind, kind)


def heading(name: str) -> str:
    """A column's heading: an indicator, or one of id, name, kind, score, grade."""
    return _headings().get(name, name)


def _headings() -> dict[str, str]:
    return {
        "id": tr("Code"), "name": tr("Name"), "kind": tr("Post"), "score": tr("Score"), "grade": tr("Grade"),
        "registered": tr("Registered"), "public_registered": tr("Public reports registered"),
        "closure_due": tr("Closures due"), "closure_done": tr("Closed"), "closure_on_time": tr("Closed on time"),
        "disposal_due": tr("Disposals due"), "disposal_done": tr("Disposed"),
        "disposal_on_time": tr("Disposed on time"), "disposal_reworked": tr("Reworked"),
        "reports": tr("Reports"), "reports_decided": tr("Reports decided"), "reports_valid": tr("Valid reports"),
        "grid_registered": tr("Registered in own grids"),
        "grid_public_registered": tr("Public reports in own grids"),
        "verify_due": tr("Verifications due"), "verify_done": tr("Verified"), "verify_on_time": tr("Verified on time"),
        "check_due": tr("Checks due"), "check_done": tr("Checked"), "check_on_time": tr("Checked on time"),
        "received": tr("Received"), "verify_dispatch_due": tr("Verify tasks due"),
        "verify_dispatch_done": tr("Verify tasks sent"), "verify_dispatch_on_time": tr("Verify tasks on time"),
        "check_dispatch_due": tr("Check tasks due"), "check_dispatch_done": tr("Check tasks sent"),
        "check_dispatch_on_time": tr("Check tasks on time"), "register_due": tr("Registrations due"),
        "register_done": tr("Registrations made"), "register_on_time": tr("Registered on time"),
        "registered_accurate": tr("Registered accurately"), "close_due": tr("Closings due"),
        "close_done": tr("Closings made"), "close_on_time": tr("Closings on time"),
        "dispatched": tr("Dispatched"), "dispatched_accurate": tr("Dispatched accurately"),
        "dispatch_due": tr("Dispatches due"), "dispatch_done": tr("Dispatches made"),
        "dispatch_on_time": tr("Dispatched on time"),
        **_rate_headings(),
    }


def _rate_headings() -> dict[str, str]:
    return {
        "closure_rate": tr("Closure rate"), "on_time_closure_rate": tr("On-time closure rate"),
        "public_report_rate": tr("Public report rate"), "disposal_rate": tr("Disposal rate"),
        "on_time_disposal_rate": tr("On-time disposal rate"), "rework_rate": tr("Rework rate"),
        "valid_report_rate": tr("Valid report rate"), "missed_report_rate": tr("Missed report rate"),
        "on_time_verify_rate": tr("On-time verification rate"), "on_time_check_rate": tr("On-time check rate"),
        "on_time_verify_dispatch_rate": tr("On-time verify task rate"),
        "on_time_check_dispatch_rate": tr("On-time check task rate"),
        "on_time_register_rate": tr("On-time registration rate"),
        "accurate_register_rate": tr("Accurate registration rate"),
        "on_time_close_rate": tr("On-time closing rate"), "on_time_dispatch_rate": tr("On-time dispatch rate"),
        "accurate_dispatch_rate": tr("Accurate dispatch rate"),
    }
