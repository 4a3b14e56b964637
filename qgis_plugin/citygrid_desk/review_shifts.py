# SPDX-License-Identifier: GPL-2.0-or-later
"""The shift review's time windows, in the centre's zone: the day shift (08:00–20:00), the night shift
(20:00–08:00 the next morning), the last 12 hours, or a date with from–to times. A window is
`(since, until)` as aware datetimes, `until` excluded, as `review.shift_review` takes it."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DAY_START, NIGHT_START = 8, 20   # hours of the day the two shifts begin (local time)
CHOICES = ("current", "today", "last12", "custom")


def shift_of(moment: datetime, zone: str) -> tuple[datetime, datetime]:
    """The day or night shift that contains `moment`."""
    local = moment.astimezone(ZoneInfo(zone))
    day = local.date()
    if DAY_START <= local.hour < NIGHT_START:
        return _at(day, DAY_START, zone), _at(day, NIGHT_START, zone)
    if local.hour < DAY_START:
        day -= timedelta(days=1)
    return _at(day, NIGHT_START, zone), _at(day + timedelta(days=1), DAY_START, zone)


def previous(window: tuple[datetime, datetime], zone: str) -> tuple[datetime, datetime]:
    """The shift before the one starting at `window[0]`."""
    return shift_of(window[0] - timedelta(minutes=1), zone)


def todays_day_shift(now: datetime, zone: str) -> tuple[datetime, datetime]:
    day = now.astimezone(ZoneInfo(zone)).date()
    return _at(day, DAY_START, zone), _at(day, NIGHT_START, zone)


def last_hours(now: datetime, hours: int = 12) -> tuple[datetime, datetime]:
    return now - timedelta(hours=hours), now + timedelta(seconds=1)


def custom(day: date, start: time, end: time, zone: str) -> tuple[datetime, datetime]:
    """`day` from `start` to `end`; an end not after the start is the next morning (a night shift)."""
    since = datetime.combine(day, start, ZoneInfo(zone))
    until = datetime.combine(day, end, ZoneInfo(zone))
    return since, until if until > since else until + timedelta(days=1)


def _at(day: date, hour: int, zone: str) -> datetime:
    return datetime.combine(day, time(hour), ZoneInfo(zone))
