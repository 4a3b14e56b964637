# SPDX-License-Identifier: GPL-2.0-or-later
"""Timestamps: stored as GeoPackage DATETIME text in UTC, handled as aware datetimes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .problems import Problem

UTC = UTC
DEFAULT_ZONE = "Asia/Shanghai"


def zone(name: str = DEFAULT_ZONE) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise Problem("config.bad_timezone", timezone=name) from None


def now() -> datetime:
    return datetime.now(UTC)


def to_db(value: datetime | None) -> str | None:
    """Aware datetime -> 'YYYY-MM-DDTHH:MM:SS.sssZ' (GeoPackage DATETIME, sortable as text)."""
    if value is None:
        return None
    if value.tzinfo is None:
        raise Problem("time.naive", value=value.isoformat())
    return text_us((value - EPOCH) // _US)


def to_us(value: datetime) -> int:
    """Aware datetime -> µs since 1970-01-01T00:00Z (exact integer arithmetic)."""
    if value.tzinfo is None:
        raise Problem("time.naive", value=value.isoformat())
    return (value - EPOCH) // _US


def from_us(us: int, tz=UTC) -> datetime:
    """µs since the epoch -> aware datetime in `tz` (UTC by default)."""
    if 0 <= us < _EXACT_US:  # a double of seconds holds every µs exactly until 2106: the fast C path
        return datetime.fromtimestamp(us / 1e6, tz)
    return (EPOCH + timedelta(microseconds=us)).astimezone(tz)


def text_us(us: int) -> str:
    """µs since the epoch -> the stored text, like `to_db` (ms truncated); cached per day and second."""
    seconds, micro = divmod(us, 1_000_000)
    day, second = divmod(seconds, 86400)
    date_text = _DATES.get(day)
    if date_text is None:
        date_text = _DATES[day] = (EPOCH + timedelta(days=day)).strftime("%Y-%m-%dT").zfill(11)
    return date_text + _CLOCK[second] + _MS[micro // 1000]


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)
_EXACT_US = 2 ** 32 * 10 ** 6
_DATES: dict[int, str] = {}  # days since the epoch -> 'YYYY-MM-DDT' (a few thousand in practice)
_CLOCK = tuple(f"{h:02d}:{m:02d}:{s:02d}." for h in range(24) for m in range(60) for s in range(60))
_MS = tuple(f"{k:03d}Z" for k in range(1000))


def from_db(text: str | None) -> datetime | None:
    if text is None or text == "":
        return None
    return parse(text)


def parse(text: str) -> datetime:
    """ISO 8601 with an offset or 'Z' -> aware datetime; a naive or malformed one is a Problem."""
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (ValueError, AttributeError):
        raise Problem("time.malformed", value=str(text)) from None
    if value.tzinfo is None:
        raise Problem("time.naive", value=text)
    return value
