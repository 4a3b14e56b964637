# SPDX-License-Identifier: GPL-2.0-or-later
"""The monthly report from the evaluation dock: the month's evaluations (the slow part, seconds on a
city's log) in a QgsTask with progress on its own read-only connection; the layout is then built and
exported in the UI thread (QGIS print layouts belong to it), and the message bar links the file."""

from __future__ import annotations

from qgis.core import Qgis, QgsApplication, QgsTask
from qgis.PyQt.QtCore import QUrl
from qgis.PyQt.QtGui import QDesktopServices
from qgis.PyQt.QtWidgets import QPushButton

from . import report_build, report_data
from .core import Problem, db
from .texts import tr


def start(centre: str, month: str, output: str, done) -> QgsTask:
    """`done(output, pages)` when written, `done(output, problem or exception)` when not (UI thread)."""
    def work(task):
        conn = db.open_centre(centre, readonly=True)
        try:
            return report_data.gather(conn, centre, month, lambda p: task.setProgress(p * 0.8))
        finally:
            conn.close()

    def finished(exception, data=None):
        if exception is not None:
            done(output, exception)
            return
        try:
            pages = report_build.write_report(data, centre, output, report_build.template_path())
        except Problem as problem:
            done(output, problem)
            return
        done(output, pages)

    task = QgsTask.fromFunction(tr("Monthly report of {month}").format(month=month), work, on_finished=finished)
    QgsApplication.taskManager().addTask(task)
    return task


def announce(bar, path: str) -> None:
    """A success message with the file as a link and a button that opens it."""
    url = QUrl.fromLocalFile(path)
    text = tr("Monthly report written: {path}").format(path=f'<a href="{url.toString()}">{path}</a>')
    item = bar.createMessage(tr("citygrid"), text)
    button = QPushButton(tr("Open"))
    button.clicked.connect(lambda: QDesktopServices.openUrl(url))
    item.layout().addWidget(button)
    bar.pushWidget(item, Qgis.Success, 0)
