# SPDX-License-Identifier: GPL-2.0-or-later
"""The Chinese public holidays as published (国务院办公厅 notices): `resources/calendar/cn-holidays.csv`.

The file has the header `date,working,note`: `date` YYYY-MM-DD; `working` 0 for a day off (a holiday)
and 1 for a make-up working day on a weekend (调休上班); `note` free text (春节, 调休上班...). Only the
days that differ from the weekly pattern are listed; a year is "covered" when the file lists any day of
it. The same format is what `citygrid calendar import` reads. Text files only: no database here.
"""

from __future__ import annotations

import csv
import io
import os
from datetime import date
from pathlib import Path

from ..problems import Problem

HEADER = ("date", "working", "note")
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
    """Every (day, working 0/1, note) of the file, sorted by day; a bad file names its line and reason."""
    p = Path(path) if path is not None else default_file()
    try:
        text = p.read_bytes().decode("utf-8-sig")  # Excel writes a BOM
    except (OSError, UnicodeDecodeError) as exc:
        raise Problem("holidays.unreadable", file=str(p), reason=getattr(exc, "strerror", None) or str(exc)) from None
    reader = csv.reader(io.StringIO(text))
    header = tuple(h.strip() for h in next(reader, []))
    if header != HEADER:
        raise Problem("holidays.bad_header", file=str(p), header=",".join(header))
    out, seen = [], set()
    for record in reader:
        if not any(c.strip() for c in record):
            continue
        try:
            day = date.fromisoformat(record[0].strip())
            working = {"0": 0, "1": 1}[record[1].strip()]
        except (ValueError, KeyError, IndexError):
            raise Problem("holidays.bad_row", file=str(p), line=reader.line_num,
                          reason="expected YYYY-MM-DD,0|1,note") from None
        if day in seen:
            raise Problem("holidays.bad_row", file=str(p), line=reader.line_num, reason=f"{day} repeated")
        seen.add(day)
        out.append((day, working, record[2].strip() if len(record) > 2 else ""))
    return sorted(out)


def between(first: date, last: date, path: str | os.PathLike | None = None) -> list[tuple[date, int, str]]:
    """The file's days from `first` to `last` inclusive."""
    return [d for d in read(path) if first <= d[0] <= last]


def years_covered(path: str | os.PathLike | None = None) -> frozenset[int]:
    return frozenset(d[0].year for d in read(path))
