# SPDX-License-Identifier: GPL-2.0-or-later
"""`citygrid calendar import`: holidays and make-up working days from a CSV (`date,working,note`).

The format (docs/adopting.md, "Work calendar"): UTF-8 (a BOM is fine), header exactly
`date,working,note`, one row per day that differs from the usual week: `date` YYYY-MM-DD, `working`
0 = a holiday (放假), 1 = a make-up working day on a weekend (调休上班), `note` free text (春节).
`resources/calendar/cn-holidays.csv` uses it; `scripts/holidays-from-chinese-calendar.py` writes it.

Every row is checked before anything is written; the days are replaced in one transaction (with
`replace_years`, every other override of the years the file covers goes too: the file is then the
whole truth for those years). A "working" day that is a working weekday anyway changes nothing and
is reported as a warning.

Deadlines already computed keep their value: a case's `deadline_at` (and a step's `step_due_at`) is
what the unit was given when the step started; a new calendar applies to the deadlines computed
after the import. The report counts the open cases whose deadline spans a changed day, so the
centre can tell those units.
"""

from __future__ import annotations

import csv
import io
import os
import re
import sqlite3
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..loop import deadlines
from ..problems import Problem
from ..store import db

HEADER = ("date", "working", "note")
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_OPEN = ("'closed'", "'voided'", "'rejected'")


@dataclass(frozen=True)
class Day:
    day: date
    working: bool
    note: str
    line: int


@dataclass
class Report:
    days: int
    years: tuple[int, ...]
    holidays: int
    working_days: int
    removed: int = 0
    warnings: list[dict] = field(default_factory=list)  # {"line", "date", "reason"}
    open_cases_spanning: int = 0
    written: bool = True

    def to_wire(self) -> dict:
        return {"days": self.days, "years": list(self.years), "holidays": self.holidays,
                "working_days": self.working_days, "removed": self.removed, "warnings": self.warnings,
                "open_cases_spanning": self.open_cases_spanning, "written": self.written}


def _bad(path, line: int, reason: str) -> Problem:
    return Problem("calendar.bad_csv_row", file=str(path), line=line, reason=reason)


def read_days(path: str | os.PathLike) -> list[Day]:
    """The file's days, every row checked (`calendar.*` problems name the file and line)."""
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise Problem("calendar.csv_unreadable", file=str(path), reason=exc.strerror or str(exc)) from None
    except UnicodeDecodeError as exc:
        raise Problem("calendar.csv_unreadable", file=str(path), reason=f"not UTF-8 (byte {exc.start})") from None
    reader = csv.reader(io.StringIO(text))
    days: list[Day] = []
    first: dict[date, int] = {}
    try:
        header = next(reader, [])
        if tuple(h.strip() for h in header) != HEADER:
            raise Problem("calendar.bad_import_header", file=str(path), expected=",".join(HEADER),
                          found=",".join(header))
        for row in reader:
            line = reader.line_num
            if not any(f.strip() for f in row):
                continue
            if len(row) != len(HEADER):
                raise _bad(path, line, f"expected 3 fields (date,working,note), found {len(row)}")
            raw, working, note = (f.strip() for f in row)
            try:
                day = date.fromisoformat(raw) if _DAY.fullmatch(raw) else None
            except ValueError:
                day = None
            if day is None:
                raise _bad(path, line, f"not a date YYYY-MM-DD: {raw!r}")
            if working not in ("0", "1"):
                raise _bad(path, line, f"working must be 0 (holiday) or 1 (make-up working day), not {working!r}")
            if day in first:
                raise _bad(path, line, f"{day} repeated (first on line {first[day]})")
            first[day] = line
            days.append(Day(day, working == "1", note, line))
    except csv.Error as exc:
        raise _bad(path, reader.line_num, f"CSV: {exc}") from None
    if not days:
        raise Problem("calendar.empty_import", file=str(path))
    return days


def import_days(conn: sqlite3.Connection, path: str | os.PathLike, *, replace_years: bool = False,
                dry_run: bool = False) -> Report:
    """Write the file's days into calendar_days in one transaction; returns what it did."""
    days = read_days(path)
    weekdays = deadlines.WorkCalendar.from_db(conn).weekdays
    warnings = [{"line": d.line, "date": d.day.isoformat(), "reason": "working_weekday"}
                for d in days if d.working and d.day.isoweekday() in weekdays]
    years = tuple(sorted({d.day.year for d in days}))
    report = Report(len(days), years, sum(not d.working for d in days), sum(d.working for d in days),
                    warnings=warnings, written=not dry_run)
    low, high = min(d.day for d in days).isoformat(), max(d.day for d in days).isoformat()
    with db.transaction(conn):
        if replace_years:
            marks = ", ".join("?" * len(years))
            listed = {d.day.isoformat() for d in days}
            stale = [r[0] for r in conn.execute(
                f"SELECT day FROM calendar_days WHERE CAST(substr(day, 1, 4) AS INTEGER) IN ({marks})", years)
                if r[0] not in listed]
            report.removed = len(stale)
            if not dry_run:
                conn.executemany("DELETE FROM calendar_days WHERE day = ?", [(d,) for d in stale])
        report.open_cases_spanning = conn.execute(
            f"SELECT count(*) FROM cases WHERE status NOT IN ({', '.join(_OPEN)}) AND deadline_at IS NOT NULL "
            "AND substr(deadline_at, 1, 10) >= ? AND substr(coalesce(dispatched_at, reported_at), 1, 10) <= ?",
            (low, high)).fetchone()[0]
        if not dry_run:
            conn.executemany("INSERT INTO calendar_days (day, working, note) VALUES (?, ?, ?) ON CONFLICT(day) "
                             "DO UPDATE SET working = excluded.working, note = excluded.note",
                             [(d.day.isoformat(), int(d.working), d.note or None) for d in days])
            deadlines.WorkCalendar.from_db(conn)  # the result must still be a usable calendar
    return report
