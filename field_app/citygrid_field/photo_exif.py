# SPDX-License-Identifier: GPL-2.0-or-later
"""The evidence a photo carries in its EXIF: when it was taken (with the UTC offset) and where (WGS 84
with the fix's accuracy). Nothing else of the camera's EXIF is kept (device model, owner, thumbnails)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from fractions import Fraction

from PIL import Image
from PIL.TiffImagePlugin import IFDRational

from .platform.location import Fix

EXIF_IFD, GPS_IFD = 0x8769, 0x8825
DATETIME, SOFTWARE = 0x0132, 0x0131
ORIGINAL, OFFSET_ORIGINAL = 0x9003, 0x9011
GPS_VERSION, LAT_REF, LAT, LON_REF, LON = 0, 1, 2, 3, 4
GPS_TIME, GPS_DATUM, GPS_DATE, GPS_ERROR = 7, 18, 29, 31
STAMP = "%Y:%m:%d %H:%M:%S"


@dataclass(frozen=True)
class Stamp:
    """What a prepared photo says about itself (read back for display and for tests)."""

    taken: datetime | None
    lat: float | None = None
    lon: float | None = None
    accuracy: float | None = None


def evidence_exif(taken: datetime, fix: Fix | None, software: str = "citygrid field") -> Image.Exif:
    """A fresh EXIF block: DateTimeOriginal + OffsetTimeOriginal, and the GPS IFD when there is a fix."""
    exif = Image.Exif()
    exif[DATETIME] = taken.strftime(STAMP)
    exif[SOFTWARE] = software
    exif[EXIF_IFD] = {ORIGINAL: taken.strftime(STAMP), OFFSET_ORIGINAL: _offset(taken)}
    if fix is not None:
        exif[GPS_IFD] = _gps(fix)
    return exif


def original_time(exif: Image.Exif) -> datetime | None:
    """The camera's DateTimeOriginal with its offset (the device's zone if it has none); None if unusable."""
    try:
        ifd = exif.get_ifd(EXIF_IFD)
        when = datetime.strptime(str(ifd[ORIGINAL]).strip("\x00 "), STAMP)
        offset = ifd.get(OFFSET_ORIGINAL)
        if offset:
            return when.replace(tzinfo=_zone(str(offset)))
        return when.astimezone()
    except (KeyError, ValueError, TypeError, OverflowError, OSError):
        return None


def read_stamp(path) -> Stamp:
    """The time and position written in a photo's EXIF (None for what it does not carry)."""
    with Image.open(path) as image:
        exif = image.getexif()
    taken = original_time(exif)
    gps = exif.get_ifd(GPS_IFD)
    if LAT not in gps or LON not in gps:
        return Stamp(taken)
    lat = _degrees(gps[LAT]) * (-1 if gps.get(LAT_REF) == "S" else 1)
    lon = _degrees(gps[LON]) * (-1 if gps.get(LON_REF) == "W" else 1)
    accuracy = float(gps[GPS_ERROR]) if GPS_ERROR in gps else None
    return Stamp(taken, lat, lon, accuracy)


def _gps(fix: Fix) -> dict:
    when = fix.time.astimezone(UTC)
    return {
        GPS_VERSION: b"\x02\x03\x00\x00",
        LAT_REF: "N" if fix.lat >= 0 else "S", LAT: _dms(abs(fix.lat)),
        LON_REF: "E" if fix.lon >= 0 else "W", LON: _dms(abs(fix.lon)),
        GPS_TIME: (_rational(when.hour), _rational(when.minute), _rational(when.second)),
        GPS_DATE: when.strftime("%Y:%m:%d"),
        GPS_DATUM: "WGS-84",
        GPS_ERROR: _rational(fix.accuracy, 100),
    }


def _dms(value: float) -> tuple[IFDRational, IFDRational, IFDRational]:
    """Degrees, minutes and seconds (to 1/10000 s, about 3 mm) as EXIF rationals."""
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = (value - degrees - minutes / 60) * 3600
    return _rational(degrees), _rational(minutes), _rational(seconds, 10000)


def _rational(value: float, denominator: int = 1) -> IFDRational:
    fraction = Fraction(round(value * denominator), denominator)
    return IFDRational(fraction.numerator, fraction.denominator)


def _degrees(dms) -> float:
    degrees, minutes, seconds = (float(part) for part in dms)
    return degrees + minutes / 60 + seconds / 3600


def _offset(when: datetime) -> str:
    offset = when.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _zone(text: str) -> timezone:
    sign = -1 if text.startswith("-") else 1
    hours, minutes = text.lstrip("+-").split(":")
    return timezone(sign * timedelta(hours=int(hours), minutes=int(minutes)))
