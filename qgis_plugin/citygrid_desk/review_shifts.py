# SPDX-License-Identifier: GPL-2.0-or-later
"""The shift review's time windows, in the centre's zone: the shift that contains a moment (the centre's
shifts begin at the local times `review.shift_starts` reads, 08:00 and 20:00 unless the centre says
otherwise; each runs to the next start, the last into the next morning), today's first shift, the last
12 hours, or a date with from–to times. A window is `(since, until)` as aware datetimes, `until`
excluded, as `review.shift_review` takes it."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DEFAULT_STARTS = (time(8), time(20))  # review.SHIFT_STARTS, for a centre that cannot be read
CHOICES = ("current", "today", "last12", "custom")


def shift_of(moment: datetime, zone: str, starts=DEFAULT_STARTS) -> tuple[datetime, datetime]:
    """The shift that contains `moment`: from the last start at or before it to the next start."""
    day = moment.astimezone(ZoneInfo(zone)).date()
    begins = [_at(day + timedelta(days=d), s, zone) for d in (-1, 0, 1) for s in sorted(starts)]
    n = max(i for i, begin in enumerate(begins) if begin <= moment)
    return begins[n], begins[n + 1]


def previous(window: tuple[datetime, datetime], zone: str, starts=DEFAULT_STARTS) -> tuple[datetime, datetime]:
    """The shift before the one starting at `window[0]`."""
    return shift_of(window[0] - timedelta(minutes=1), zone, starts)


def todays_day_shift(now: datetime, zone: str, starts=DEFAULT_STARTS) -> tuple[datetime, datetime]:
    """Today's first shift (the day shift with the default hours)."""
    day = now.astimezone(ZoneInfo(zone)).date()
    return shift_of(_at(day, min(starts), zone), zone, starts)


def last_hours(now: datetime, hours: int = 12) -> tuple[datetime, datetime]:
    return now - timedelta(hours=hours), now + timedelta(seconds=1)


def custom(day: date, start: time, end: time, zone: str) -> tuple[datetime, datetime]:
    """`day` from `start` to `end`; an end not after the start is the next morning (a night shift)."""
    since = datetime.combine(day, start, ZoneInfo(zone))
    until = datetime.combine(day, end, ZoneInfo(zone))
    return since, until if until > since else until + timedelta(days=1)


def first_hours(starts) -> tuple[time, time]:
    """The first shift's from–to times, for the custom choice's time fields."""
    ordered = sorted(starts)
    return ordered[0], ordered[1] if len(ordered) > 1 else ordered[0]


def _at(day: date, start: time, zone: str) -> datetime:
    return datetime.combine(day, start, ZoneInfo(zone))
