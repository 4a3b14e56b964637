# SPDX-License-Identifier: GPL-2.0-or-later
"""Import grids or a component inventory from any layer QGIS has open, through the core's importer.

The GIS technician picks a layer and the target, checks the field mapping, then validates: the
core reads and checks every row (a dry run) and the report lists each bad row with its field and
the problem in the user's language. Only a validation without bad rows enables "Import", which
runs the same import for real as a cancellable QgsTask; the importer writes all rows in one
transaction or none. Afterwards the centre's layers are reloaded.
"""

from __future__ import annotations

from qgis.core import QgsApplication, QgsMapLayerProxyModel
from qgis.gui import QgsMapLayerComboBox
from qgis.PyQt import sip
from qgis.PyQt.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
)

from .component_import_source import prepare, source_fields
from .component_import_task import ImportTask
from .component_issues import IssueTable
from .component_mapping import MappingTable
from .core import Problem
from .texts import tr

RUNNING: set = set()  # tasks still running (PyQGIS needs a reference until a task ends)


class ImportDialog(QDialog):
    """Layer and target, field mapping, validation report, import with progress and cancel."""

    def __init__(self, session, parent=None):
        super().__init__(parent)
        self.session = session
        self.setObjectName("CitygridImportDialog")
        self.setWindowTitle(tr("Import into the centre"))
        self.task: ImportTask | None = None
        self.source = None      # the ImportSource of the last validation
        self.validated = False  # the last validation found no bad row and nothing changed since
        self.last = None        # the last ImportResult
        self._build()
        self.refresh_fields()

    # --- the form -----------------------------------------------------------------------------

    def _build(self):
        self.layer_box = QgsMapLayerComboBox(self)
        self.layer_box.setFilters(QgsMapLayerProxyModel.VectorLayer)
        self.kind_box = QComboBox(self)
        self.kind_box.addItem(tr("Grids"), "grids")
        self.kind_box.addItem(tr("Components"), "components")
        self.update_box = QCheckBox(tr("Replace the rows the centre already has (same code or ObjID)"), self)
        self.mapping = MappingTable(self)
        self.report = IssueTable(self)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 100)
        layout = QVBoxLayout(self)
        layout.addLayout(self._form())
        layout.addWidget(self.mapping, 3)
        layout.addLayout(self._buttons())
        layout.addWidget(self.progress)
        layout.addWidget(self.summary)
        layout.addWidget(self.report, 2)
        layout.addWidget(self._close_box())
        self._connect()
        self.resize(900, 700)

    def _form(self):
        form = QFormLayout()
        form.addRow(tr("Layer"), self.layer_box)
        form.addRow(tr("Import as"), self.kind_box)
        form.addRow("", self.update_box)
        return form

    def _buttons(self):
        self.validate_button = QPushButton(tr("Validate"), self)
        self.import_button = QPushButton(tr("Import"), self)
        self.cancel_button = QPushButton(tr("Cancel import"), self)
        row = QHBoxLayout()
        for button in (self.validate_button, self.import_button, self.cancel_button):
            row.addWidget(button)
        row.addStretch(1)
        return row

    def _close_box(self):
        box = QDialogButtonBox(self)
        box.addButton(QPushButton(tr("Close"), self), QDialogButtonBox.RejectRole)
        box.rejected.connect(self.reject)
        return box

    def _connect(self):
        self.layer_box.layerChanged.connect(self.refresh_fields)
        self.kind_box.currentIndexChanged.connect(self.refresh_fields)
        self.update_box.toggled.connect(self.invalidate)
        self.mapping.changed.connect(self.invalidate)
        self.validate_button.clicked.connect(self.validate)
        self.import_button.clicked.connect(self.start_import)
        self.cancel_button.clicked.connect(self.stop)

    @property
    def kind(self) -> str:
        return self.kind_box.currentData()

    def refresh_fields(self, *_):
        layer = self.layer_box.currentLayer()
        self.mapping.show_fields(self.kind, source_fields(layer) if layer is not None else [])
        self.invalidate()

    def invalidate(self, *_):
        """Anything changed: the last validation no longer holds."""
        self.validated = False
        self._forget_source()
        self.report.show_issues([])
        self.summary.setText("")
        self._set_busy(False)

    def _forget_source(self):
        if self.source is not None and self.task is None:
            self.source.cleanup()
        self.source = None

    def _set_busy(self, busy: bool):
        self.validate_button.setEnabled(not busy)
        self.import_button.setEnabled(not busy and self.validated)
        self.cancel_button.setEnabled(busy)
        for widget in (self.layer_box, self.kind_box, self.update_box, self.mapping):
            widget.setEnabled(not busy)

    # --- validation and import ----------------------------------------------------------------

    def validate(self):
        """A dry run of the core's import over the chosen layer, as a task; the report follows."""
        layer = self.layer_box.currentLayer()
        if layer is None or self.task is not None:
            return
        self.invalidate()
        try:
            self.source = prepare(layer)
        except Problem as problem:
            self.summary.setText(self.session.message(problem))
            return
        self._start(dry_run=True)

    def start_import(self):
        """The validated import, for real, as a cancellable task."""
        if self.validated and self.task is None and self.source is not None:
            self._start(dry_run=False)

    def _start(self, dry_run: bool):
        title = tr("Validating {layer}") if dry_run else tr("Importing {layer}")
        self.task = ImportTask(title.format(layer=self.layer_box.currentLayer().name()), self.session.path,
                               self.kind, self.source, self.mapping.mapping(), dry_run, self._done,
                               update=self.update_box.isChecked())
        self.task.progressChanged.connect(self._progressed)
        self.progress.setValue(0)
        self.summary.setText(title.format(layer=self.layer_box.currentLayer().name()) + "…")
        self._set_busy(True)
        RUNNING.add(self.task)
        QgsApplication.taskManager().addTask(self.task)

    def _progressed(self, value: float):
        if not sip.isdeleted(self):
            self.progress.setValue(int(value))

    def stop(self):
        """Cancel the running task (its transaction is rolled back: nothing written)."""
        if self.task is not None:
            self.task.cancel()

    def _done(self, task: ImportTask):
        RUNNING.discard(task)
        if sip.isdeleted(self):  # the dialog went (the centre closed) while the task ran
            task.source.cleanup()
            return
        self.task = None
        self.last = task.result
        if task.problem is not None:
            self._failed(task.problem)
        elif task.dry_run:
            self._validated(task.result)
        else:
            self._imported(task.result)
        self._set_busy(False)

    def _failed(self, problem: Problem):
        self.validated = False
        self._forget_source()
        self.progress.setValue(0)
        self.summary.setText(self.session.message(problem))

    def _validated(self, result):
        self.report.show_issues(result.issues, self.source.row)
        bad = len(result.bad_rows)
        self.validated = bad == 0
        if bad:
            text = tr("{bad} of {total} rows are bad: nothing will be written. Correct them and validate again.")
            self.summary.setText(text.format(bad=bad, total=result.total))
        else:
            text = tr("All {total} rows are valid. Import them into the centre.")
            self.summary.setText(text.format(total=result.total))

    def _imported(self, result):
        self.report.show_issues(result.issues, self.source.row)
        self.validated = False
        self._forget_source()
        if not result.written:
            text = tr("{bad} rows are bad now: nothing was written.")
            self.summary.setText(text.format(bad=len(result.bad_rows)))
            return
        text = tr("Imported: {inserted} new, {updated} replaced, {unchanged} unchanged.")
        self.summary.setText(text.format(inserted=result.inserted, updated=result.updated,
                                         unchanged=result.unchanged))
        self._reload_layers()

    def _reload_layers(self):
        for layer in self.session.layers.values():
            if not sip.isdeleted(layer) and not layer.isEditable():
                layer.reload()
                layer.updateExtents()
                layer.triggerRepaint()
