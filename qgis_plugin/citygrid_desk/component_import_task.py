# SPDX-License-Identifier: GPL-2.0-or-later
"""One run of the core's importer as a QgsTask: a validation (dry run) or the import itself.

The task opens its own connection to the centre (the desk's one belongs to the main thread, and an
import holds one long write transaction): the importer validates every row and writes all of them
in that transaction only when none is bad. Its progress callback drives the task's progress and,
when the user cancels, raises `desk.import_cancelled`, which rolls the transaction back: nothing
is written. `done(task)` is called in the main thread when the task ends, whatever the outcome.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from qgis.core import QgsTask

from .core import Problem, db, importer

# each stage's share of the progress bar: (start, span) in percent
STAGES = {"read": (0, 40), "check": (40, 30), "write": (70, 30)}


class ImportTask(QgsTask):
    """`import_layer(kind, source)` into the centre at `centre_path`; `result` or `problem` after."""

    def __init__(self, description: str, centre_path: str, kind: str, source, mapping: dict,
                 dry_run: bool, done: Callable[[ImportTask], None], *, update: bool = False):
        super().__init__(description, QgsTask.CanCancel)
        self.centre_path, self.kind, self.source, self.mapping = centre_path, kind, source, mapping
        self.dry_run, self.done, self.update = dry_run, done, update
        self.result: importer.ImportResult | None = None
        self.problem: Problem | None = None

    def run(self) -> bool:
        try:
            conn = db.open_centre(self.centre_path)
            try:
                self.result = importer.import_layer(
                    conn, self.kind, self.source.path, layer=self.source.layer, mapping=self.mapping,
                    dry_run=self.dry_run, update=self.update, source_crs=self.source.crs, progress=self._progress)
            finally:
                conn.close()
        except Problem as problem:
            self.problem = problem
            return False
        except sqlite3.DatabaseError as exc:  # e.g. the centre locked by another writer too long
            self.problem = db.translate(exc, self.centre_path)
            return False
        return True

    def _progress(self, stage: str, done: int, total: int) -> None:
        if self.isCanceled():
            raise Problem("desk.import_cancelled")
        start, span = STAGES.get(stage, (0, 100))
        self.setProgress(start + span * (done / total if total else 1.0))

    def finished(self, ok: bool) -> None:  # noqa: ARG002 (QGIS's signature; the outcome is on self)
        if self.problem is None and self.result is None:
            self.problem = Problem("desk.import_cancelled")  # cancelled before it started
        self.done(self)
