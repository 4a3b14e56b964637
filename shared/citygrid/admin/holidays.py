# SPDX-License-Identifier: GPL-2.0-or-later
"""The Chinese public holidays as published (国务院办公厅 notices): `resources/calendar/cn-holidays.csv`.

The file has the header `date,working,note`: `date` YYYY-MM-DD; `working` 0 for a day off (a holiday)
and 1 for a make-up working day on a weekend (调休上班); `note` free text (春节, 调休上班...). Only the
days that differ from the weekly pattern are listed; a year is "covered" when the file lists any day of
it. The same format is what `citygrid calendar import` reads. Text files only: no database here.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

from . import calendar

HEADER = calendar.HEADER
FILE_NAME = "cn-holidays.csv"


def default_file() -> Path:
    """$CITYGRID_RESOURCES/calendar/cn-holidays.csv, the repository's resources/, or the vendored copy."""
    env = os.environ.get("CITYGRID_RESOURCES")
    if env:
        return Path(env) / "calendar" / FILE_NAME
    package = Path(__file__).resolve().parents[1]  # citygrid/
    repo = package.parents[1] / "resources" / "calendar" / FILE_NAME
    return repo if repo.is_file() else package / "_resources" / "calendar" / FILE_NAME


def read(path: str | os.PathLike | None = None) -> list[tuple[date, int, str]]:
    """Every (day, working 0/1, note) of the file, sorted by day; read and checked by the one reader of
    the format (`admin.calendar.read_days`: a bad file names its line and reason)."""
    days = calendar.read_days(Path(path) if path is not None else default_file())
    return sorted((d.day, int(d.working), d.note) for d in days)


def between(first: date, last: date, path: str | os.PathLike | None = None) -> list[tuple[date, int, str]]:
    """The file's days from `first` to `last` inclusive."""
    return [d for d in read(path) if first <= d[0] <= last]


def years_covered(path: str | os.PathLike | None = None) -> frozenset[int]:
    return frozenset(d[0].year for d in read(path))
