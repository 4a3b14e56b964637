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
    try:
        return text_us((value - EPOCH) // _US)
    except OverflowError:  # an aware time near year 1 or 9999 whose UTC date does not exist
        check_range(value)
        raise


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
    """µs since the epoch -> the stored text, like `to_db` (ms truncated): the day's text is cached,
    the clock is put together from small tables (the bulk writers call this per row)."""
    minutes, rest = divmod(us, 60_000_000)
    day, minute = divmod(minutes, 1440)
    date_text = _DATES.get(day)
    if date_text is None:
        date_text = _date_text(day)
    second, micro = divmod(rest, 1_000_000)
    return f"{date_text}{_MINUTES[minute]}{_SECONDS[second]}{_MILLIS[micro // 1000]}"


def _date_text(day: int) -> str:
    """'YYYY-MM-DDT' of a day since the epoch, remembered (the cache starts over when full)."""
    if len(_DATES) >= _DATES_KEPT:  # instants from a caller spread over millennia: stay bounded
        _DATES.clear()
    text = _DATES[day] = (EPOCH + timedelta(days=day)).strftime("%Y-%m-%dT").zfill(11)
    return text


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)
_EXACT_US = 2 ** 32 * 10 ** 6
_DATES: dict[int, str] = {}  # days since the epoch -> 'YYYY-MM-DDT'
_DATES_KEPT = 10_000  # 27 years of days, ~1 MB: a centre's whole history stays cached
# 1,440 + 60 + 1,000 short strings (~0.2 MB, built in a millisecond); a table of all 86,400 clock
# seconds cost ~70 ms and ~6 MB at every import and was slower (its strings are spread over memory)
_MINUTES = tuple(f"{h:02d}:{m:02d}:" for h in range(24) for m in range(60))
_SECONDS = tuple(f"{s:02d}." for s in range(60))
_MILLIS = tuple(f"{k:03d}Z" for k in range(1000))


def from_db(text: str | None) -> datetime | None:
    if text is None or text == "":
        return None
    return parse(text)


def parse(text: str) -> datetime:
    """ISO 8601 with an offset or 'Z' -> aware datetime; a naive, malformed or out-of-range one is a Problem."""
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (ValueError, AttributeError, TypeError):
        raise Problem("time.malformed", value=shown(text)) from None
    if value.tzinfo is None:
        raise Problem("time.naive", value=shown(text))
    check_range(value)
    return value


def check_range(value: datetime) -> None:
    """Refuse an instant outside EARLIEST..LATEST (UTC), e.g. year 1 with a positive offset."""
    try:
        inside = EARLIEST <= value.astimezone(UTC) <= LATEST
    except OverflowError:  # year 1 or 9999 whose offset carries it outside datetime's range
        inside = False
    if not inside:
        raise Problem("time.out_of_range", value=shown(value.isoformat()), earliest=EARLIEST.isoformat(),
                      latest=LATEST.isoformat())


def shown(value, limit: int = 64) -> str:
    """A caller's value as short, encodable text for a problem's details (no lone surrogates)."""
    try:
        text = str(value)
    except ValueError:  # an integer beyond Python's digit limit for text
        text = f"<{type(value).__name__}>"
    return text[:limit].encode("utf-8", "replace").decode("utf-8")


# a day inside datetime's own range at both ends, so any zone (offsets are under a day) can show them
EARLIEST = datetime(1, 1, 2, tzinfo=UTC)
LATEST = datetime(9999, 12, 30, 23, 59, 59, 999999, tzinfo=UTC)
