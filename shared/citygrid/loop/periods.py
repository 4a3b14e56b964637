# SPDX-License-Identifier: GPL-2.0-or-later
"""An evaluation period as a person writes it in one field: a year, a month, a day, or two bounds.

`2026` is the year, `2026-10` October 2026, `2026-10-07` that day, and `2026-10-01/2026-11-01`
(or `..` between the bounds) the half-open period [from, to) the core's evaluation takes; a bound
may also be an ISO 8601 time (naive = centre time), as `citygrid evaluate --from/--to` accept.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from .. import times
from ..problems import Problem
from ..store import db
from . import evaluation, transitions

_YEAR = re.compile(r"\d{4}")
_MONTH = re.compile(r"(\d{4})-(\d{1,2})")
_SEPARATORS = ("/", "..")


def parse_period(text) -> tuple[date | datetime, date | datetime]:
    """(start, end) of the period written as `text`; `periods.bad_period` when it is none of the forms."""
    value = str(text if text is not None else "").strip()
    try:
        return _parse(value)
    except (Problem, ValueError):
        raise Problem("periods.bad_period", value=value) from None


def _parse(value: str) -> tuple[date | datetime, date | datetime]:
    for separator in _SEPARATORS:
        if separator in value:
            start, end = (part.strip() for part in value.split(separator, 1))
            return evaluation.parse_when(start), evaluation.parse_when(end)
    if _YEAR.fullmatch(value):
        return date(int(value), 1, 1), date(int(value) + 1, 1, 1)
    month = _MONTH.fullmatch(value)
    if month:
        year, number = int(month[1]), int(month[2])
        start = date(year, number, 1)
        return start, date(year + number // 12, number % 12 + 1, 1)
    day = evaluation.parse_when(value)
    if not isinstance(day, date) or isinstance(day, datetime):
        raise ValueError(value)
    return day, day + timedelta(days=1)


def log_months(conn) -> list[str]:
    """'YYYY-MM' of every month from the log's first case event to its last (centre time), newest
    first; [] for an empty log. Read action by action through the (action, at) index: min and max
    of `at` over the whole log would scan it (seconds on a city's log)."""
    bounds = []
    for action in ("report", *transitions.ACTIONS):
        for agg in ("min", "max"):
            value = conn.execute(f"SELECT {agg}(at) FROM case_events WHERE action = ?", (action,)).fetchone()[0]
            bounds += [value] if value else []
    if not bounds:
        return []
    zone = times.zone(db.meta(conn, "timezone") or times.DEFAULT_ZONE)
    first, last = (times.from_db(t).astimezone(zone) for t in (min(bounds), max(bounds)))
    months, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = year + month // 12, month % 12 + 1
    return months[::-1]
