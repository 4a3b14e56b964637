# SPDX-License-Identifier: GPL-2.0-or-later
"""Where the collector stands against the case: the one distance the task detail and the check / verify
form both show (a fix and the case's lat/lon from the store; None when either is missing)."""

from __future__ import annotations

from ..platform.location import Fix
from .language import Language
from .tasks_vm import distance_m


def case_point(case: dict) -> tuple[float, float] | None:
    """(lat, lon) of a pulled case, or None when it has no usable position."""
    lat, lon = case.get("lat"), case.get("lon")
    ok = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (lat, lon))
    return (float(lat), float(lon)) if ok else None


def case_distance(case: dict, fix: Fix | None) -> float | None:
    """Metres from the fix to the case, or None without a fix or a case position."""
    point = case_point(case)
    if fix is None or point is None:
        return None
    return distance_m(fix.lat, fix.lon, point[0], point[1])


def place_text(language: Language, fix: Fix | None, distance: float | None) -> str:
    """'position ±5 m · 12 m from the case', or 'no position yet', in the user's language."""
    tr = language.tr
    if fix is None:
        return tr("no position yet")
    text = tr("position ±{accuracy} m", accuracy=f"{fix.accuracy:.0f}")
    if distance is not None:
        text += " · " + tr("{distance} m from the case", distance=f"{distance:.0f}")
    return text
