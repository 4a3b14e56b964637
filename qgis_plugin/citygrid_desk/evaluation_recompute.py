# SPDX-License-Identifier: GPL-2.0-or-later
"""The evaluation dock's main computation off the UI thread: the core's evaluation of one object type
over a period (0.4–2.6 s on a city's log) in a QgsTask on its own read-only connection. Cancelling
the task interrupts its SQL (a progress handler), so a superseded request stops early."""

from __future__ import annotations

import time

from qgis.core import QgsApplication, QgsTask

from .core import db, evaluation

CHECK_EVERY = 20_000  # SQLite VM steps between two looks at the task's cancel flag


def compute(task, path: str, by: str, level: str | None, start, end) -> tuple[list, float]:
    """(results, seconds) of `evaluation.evaluate`; interrupted when `task` is cancelled."""
    began = time.perf_counter()
    conn = db.open_centre(path, readonly=True)
    try:
        if task is not None:
            conn.set_progress_handler(lambda: 1 if task.isCanceled() else 0, CHECK_EVERY)
        results = evaluation.evaluate(conn, start, end, by, level=level)
    finally:
        conn.close()
    return results, time.perf_counter() - began


def start(path: str, by: str, level: str | None, start_at, end_at, done) -> QgsTask:
    """Run `compute` in QGIS's task manager; `done(outcome)` in the UI thread, where outcome is
    (results, seconds) or the exception (a Problem, or 'Task canceled'). Keep the task referenced."""
    def work(task):
        return compute(task, path, by, level, start_at, end_at)

    def finished(exception, result=None):
        done(exception if exception is not None else result)

    task = QgsTask.fromFunction(f"citygrid evaluation {by} {level or ''}", work, on_finished=finished)
    QgsApplication.taskManager().addTask(task)
    return task
