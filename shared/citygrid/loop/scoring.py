# SPDX-License-Identifier: GPL-2.0-or-later
"""Evaluation configuration and composite scores: weights, count-value step tables, grades."""

from __future__ import annotations

import json
import math
import sqlite3
from dataclasses import dataclass
from types import MappingProxyType

from ..problems import Problem
from ..store import db

# component -> (how its value is made, what it reads). "rate": rate × 100; "inverse": (1 − rate) × 100;
# any other word names a count step table in Config.count_steps and reads a count.
COMPONENTS: dict[str, dict[str, tuple[str, str]]] = {
    "collector": {
        "valid_report": ("rate", "valid_report_rate"),
        "missed_report": ("inverse", "missed_report_rate"),
        "on_time_verify": ("rate", "on_time_verify_rate"),
        "on_time_check": ("rate", "on_time_check_rate"),
    },
    "operator": {
        "received_count": ("activity", "received"),
        "on_time_verify_dispatch": ("rate", "on_time_verify_dispatch_rate"),
        "on_time_check_dispatch": ("rate", "on_time_check_dispatch_rate"),
    },
    "leader": {
        "on_time_register": ("rate", "on_time_register_rate"),
        "accurate_register": ("rate", "accurate_register_rate"),
        "on_time_close": ("rate", "on_time_close_rate"),
    },
    "dispatcher": {
        "dispatch_count": ("activity", "dispatched"),
        "on_time_dispatch": ("rate", "on_time_dispatch_rate"),
        "accurate_dispatch": ("rate", "accurate_dispatch_rate"),
    },
    "unit": {
        "registered_count": ("registered", "registered"),
        "closure": ("rate", "closure_rate"),
        "on_time_disposal": ("rate", "on_time_disposal_rate"),
        "rework": ("inverse", "rework_rate"),
    },
    "region": {
        "closure": ("rate", "closure_rate"),
        "on_time_closure": ("rate", "on_time_closure_rate"),
        "disposal": ("rate", "disposal_rate"),
        "on_time_disposal": ("rate", "on_time_disposal_rate"),
        "rework": ("inverse", "rework_rate"),
        "public_report": ("inverse", "public_report_rate"),
    },
}

DEFAULT_WEIGHTS = {
    "collector": {"valid_report": 0.4, "missed_report": 0.2, "on_time_verify": 0.2, "on_time_check": 0.2},
    "operator": {"received_count": 0.25, "on_time_verify_dispatch": 0.4, "on_time_check_dispatch": 0.35},
    "leader": {"on_time_register": 0.25, "accurate_register": 0.4, "on_time_close": 0.35},
    "dispatcher": {"dispatch_count": 0.2, "on_time_dispatch": 0.4, "accurate_dispatch": 0.4},
    "unit": {"registered_count": 0.1, "closure": 0.3, "on_time_disposal": 0.3, "rework": 0.3},
    # Not published (DOMAIN.md §5): our default, meant to be overridden by each city.
    "region": {"closure": 0.3, "on_time_closure": 0.4, "on_time_disposal": 0.2, "rework": 0.1},
}

# Rows (lowest count, value), highest first: the first row whose lowest count <= n gives the value.
DEFAULT_COUNT_STEPS = {
    "activity": ((2001, 100), (1201, 90), (501, 75), (301, 60), (101, 40), (0, 0)),
    "registered": ((1001, 0), (501, 40), (201, 60), (101, 75), (51, 90), (0, 100)),
}

# Rows (lowest score, grade, colour), highest first.
DEFAULT_GRADES = ((90, "A", "green"), (75, "B", "blue"), (60, "C", "yellow"), (40, "D", "red"),
                  (0, "E", "black"))

# Sources whose registered cases are problems the collectors missed (监督举报).
DEFAULT_PUBLIC_SOURCES = ("public", "hotline", "app", "media")

TOP_KEYS = ("weights", "count_steps", "grades", "public_sources")
WEIGHT_TOLERANCE = 1e-6


@dataclass(frozen=True)
class Config:
    """Weights per object kind, count step tables, grade table and the public sources."""

    weights: MappingProxyType
    count_steps: MappingProxyType
    grades: tuple[tuple[float, str, str], ...]
    public_sources: tuple[str, ...]


def default() -> Config:
    return _build({}, {}, None, None)


def load(conn: sqlite3.Connection) -> Config:
    """The configuration of this centre: defaults overridden by citygrid_meta.evaluation_weights."""
    return parse(db.meta(conn, "evaluation_weights", "") or "")


def parse(text: str) -> Config:
    """Defaults overridden by a JSON object; a malformed or inconsistent override is a Problem."""
    if not text.strip():
        return default()
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise Problem("evaluation.config_malformed", reason=str(exc)) from None
    if not isinstance(data, dict):
        raise Problem("evaluation.config_malformed", reason="not a JSON object")
    _known(data, TOP_KEYS, "")
    weights = _section(data, "weights")
    steps = _section(data, "count_steps")
    _known(weights, COMPONENTS, "weights.")
    _known(steps, DEFAULT_COUNT_STEPS, "count_steps.")
    return _build(weights, steps, data.get("grades"), data.get("public_sources"))


def _section(data: dict, key: str) -> dict:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise Problem("evaluation.config_malformed", reason=f"{key} is not an object")
    return value


def _known(data: dict, allowed, prefix: str) -> None:
    for key in data:
        if key not in allowed:
            raise Problem("evaluation.config_unknown_key", key=prefix + str(key))


def _build(weights: dict, steps: dict, grades, sources) -> Config:
    merged = {kind: _weights(kind, weights[kind]) if kind in weights else dict(w)
              for kind, w in DEFAULT_WEIGHTS.items()}
    tables = {name: _table(name, steps[name]) if name in steps else tuple(rows)
              for name, rows in DEFAULT_COUNT_STEPS.items()}
    return Config(
        weights=MappingProxyType({k: MappingProxyType(v) for k, v in merged.items()}),
        count_steps=MappingProxyType(tables),
        grades=_grades(grades) if grades is not None else DEFAULT_GRADES,
        public_sources=_sources(sources) if sources is not None else DEFAULT_PUBLIC_SOURCES)


def _weights(kind: str, given) -> dict[str, float]:
    if not isinstance(given, dict):
        raise Problem("evaluation.config_malformed", reason=f"weights.{kind} is not an object")
    _known(given, COMPONENTS[kind], f"weights.{kind}.")
    if not all(_number(w) and w >= 0 for w in given.values()):
        raise Problem("evaluation.config_bad_weights", kind=kind, total="not numbers >= 0")
    total = math.fsum(given.values())
    if abs(total - 1) > WEIGHT_TOLERANCE:
        raise Problem("evaluation.config_bad_weights", kind=kind, total=round(total, 6))
    return {key: float(w) for key, w in given.items()}


def _table(name: str, rows) -> tuple[tuple[int, float], ...]:
    ok = isinstance(rows, list) and rows and all(
        isinstance(r, list) and len(r) == 2 and _number(r[0]) and _number(r[1]) and r[0] >= 0
        and 0 <= r[1] <= 100 for r in rows)
    if not ok:
        raise Problem("evaluation.config_bad_table", table=name, reason="rows must be [lowest count, value 0-100]")
    ordered = tuple(sorted(((int(low), float(v)) for low, v in rows), reverse=True))
    if ordered[-1][0] != 0 or len({low for low, _ in ordered}) != len(ordered):
        raise Problem("evaluation.config_bad_table", table=name, reason="lowest counts must be distinct and include 0")
    return ordered


def _grades(rows) -> tuple[tuple[float, str, str], ...]:
    ok = isinstance(rows, list) and rows and all(
        isinstance(r, list) and len(r) == 3 and _number(r[0]) and isinstance(r[1], str)
        and isinstance(r[2], str) for r in rows)
    ordered = tuple(sorted(((float(low), g, c) for low, g, c in rows), reverse=True)) if ok else ()
    if not ordered or ordered[-1][0] > 0:
        raise Problem("evaluation.config_bad_table", table="grades",
                      reason="rows must be [lowest score, grade, colour] and reach 0")
    return ordered


def _sources(values) -> tuple[str, ...]:
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise Problem("evaluation.config_bad_table", table="public_sources", reason="must be a list of sources")
    return tuple(values)


def _number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def count_value(table, count: int) -> float:
    """The value a count earns from a step table (rows highest first)."""
    for low, value in table:
        if count >= low:
            return value
    return table[-1][1]


def grade(score: float | None, grades=DEFAULT_GRADES) -> tuple[str | None, str | None]:
    """(grade, colour) of a score; (None, None) when there is no score."""
    if score is None:
        return None, None
    for low, letter, colour in grades:
        if score >= low:
            return letter, colour
    return grades[-1][1], grades[-1][2]


def composite(kind: str, counts, rates, config: Config) -> float | None:
    """Weighted score 0-100 of one object, rounded to 2 decimals.

    A component whose rate is None (nothing was due) is left out and the remaining weights are
    rescaled; when no rate component has a value the object has no score.
    """
    components = COMPONENTS[_weight_kind(kind)]
    parts, any_rate = [], False
    for name, weight in config.weights[_weight_kind(kind)].items():
        value = _value(components[name], counts, rates, config)
        if value is not None and weight > 0:
            parts.append((weight, value))
            any_rate = any_rate or components[name][0] in ("rate", "inverse")
    total = math.fsum(w for w, _ in parts)
    if not any_rate or total <= 0:
        return None
    return round(math.fsum(w * v for w, v in parts) / total, 2)


def _weight_kind(kind: str) -> str:
    return "region" if kind in ("street", "community", "grid") else kind


def _value(component: tuple[str, str], counts, rates, config: Config) -> float | None:
    how, field = component
    if how == "rate":
        return None if rates.get(field) is None else rates[field] * 100
    if how == "inverse":
        return None if rates.get(field) is None else (1 - rates[field]) * 100
    return count_value(config.count_steps[how], counts.get(field, 0))
