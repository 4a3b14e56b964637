# SPDX-License-Identifier: GPL-2.0-or-later
"""The month-by-month composite score of one object, computed off the UI thread: one core evaluation
per month is seconds on a city's log, so a QgsTask runs them on its own read-only connection."""

from __future__ import annotations

from datetime import date

from qgis.core import QgsApplication, QgsTask

from .core import db, evaluation, periods

MONTHS = 6


def months_up_to(month: str, count: int = MONTHS) -> list[str]:
    """`count` months ending with `month` ('YYYY-MM'), oldest first."""
    year, number = (int(part) for part in month.split("-"))
    out = []
    for _ in range(count):
        out.append(f"{year:04d}-{number:02d}")
        year, number = (year - 1, 12) if number == 1 else (year, number - 1)
    return out[::-1]


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def scores(conn, by: str, level: str | None, oid: str, months: list[str]) -> list[tuple[str, float | None]]:
    """(month, score of object `oid`) for each month, the core's figures."""
    out = []
    for month in months:
        start, end = periods.parse_period(month)
        found = [r.score for r in evaluation.evaluate(conn, start, end, by, level=level) if r.id == oid]
        out.append((month, found[0] if found else None))
    return out


def start(path: str, by: str, level: str | None, oid: str, months: list[str], done) -> QgsTask:
    """Run `scores` in QGIS's task manager on a read-only connection; `done(points)` in the UI thread
    (`done(None)` when it failed). Keep the returned task referenced until it finishes."""
    def work(_task):
        conn = db.open_centre(path, readonly=True)
        try:
            return scores(conn, by, level, oid, months)
        finally:
            conn.close()

    def finished(exception, result=None):
        done(None if exception is not None else result)

    task = QgsTask.fromFunction(f"citygrid trend {oid}", work, on_finished=finished)
    QgsApplication.taskManager().addTask(task)
    return task
