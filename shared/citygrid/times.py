# SPDX-License-Identifier: GPL-2.0-or-later
"""Timestamps: stored as GeoPackage DATETIME text in UTC, handled as aware datetimes."""

from __future__ import annotations

from datetime import UTC, datetime
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
    u = value.astimezone(UTC)
    return u.strftime("%Y-%m-%dT%H:%M:%S.") + f"{u.microsecond // 1000:03d}Z"


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
