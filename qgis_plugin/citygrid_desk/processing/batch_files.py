# SPDX-License-Identifier: GPL-2.0-or-later
"""citygrid:export_batch and citygrid:import_batch — a device batch as a file, for sites with no
connection to the service (docs/sync-service.md, "Batches as files").

Export: SOURCE is a field app's data folder (its `field.db` outbox) or a folder with `batch.json` and
the photos, OUTPUT the .zip. Import: the .zip pushed into CENTRE through the core's push path as the
collector's device would, the receipts optionally written to RECEIPTS; importing twice changes nothing
(every item's receipt is then `duplicate`). The core checks the whole file first and refuses it whole.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from qgis.core import (
    QgsProcessingOutputNumber,
    QgsProcessingOutputString,
    QgsProcessingParameterFile,
    QgsProcessingParameterFileDestination,
)

from ..core import Problem, batch_file, batch_sources, blobs, db
from .algorithm import CENTRE, CentreAlgorithm, centre_parameter, failure

STATUSES = ("accepted", "duplicate", "conflict", "rejected", "photos_missing")  # outputs ACCEPTED, ...


class ExportBatch(CentreAlgorithm):
    NAME = "export_batch"
    SOURCE, OUTPUT, ITEMS, PHOTOS = "SOURCE", "OUTPUT", "ITEMS", "PHOTOS"

    def displayName(self) -> str:  # noqa: N802 (QGIS's name)
        return self.tr("Export a device batch to a file")

    def shortHelpString(self) -> str:  # noqa: N802 (QGIS's name)
        return self.tr("Writes the items waiting in a field app's outbox (its data folder, with field.db), "
                       "or a folder with batch.json and the photos, as one batch file (.zip) that "
                       "citygrid:import_batch pushes into a centre without a network.")

    def initAlgorithm(self, config=None):  # noqa: N802 (QGIS's name)
        self.addParameter(QgsProcessingParameterFile(self.SOURCE, self.tr("Field app data folder or batch folder"),
                                                     behavior=QgsProcessingParameterFile.Folder))
        self.addParameter(QgsProcessingParameterFileDestination(self.OUTPUT, self.tr("Batch file"),
                                                                self.tr("Batch file (*.zip)")))
        self.addOutput(QgsProcessingOutputNumber(self.ITEMS, self.tr("Items")))
        self.addOutput(QgsProcessingOutputNumber(self.PHOTOS, self.tr("Photos")))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802 (QGIS's name)
        source = Path(self.parameterAsFile(parameters, self.SOURCE, context))
        output = self.parameterAsFileOutput(parameters, self.OUTPUT, context)
        try:
            if (source / batch_sources.FIELD_DB).is_file():
                manifest = batch_sources.export_outbox(source, output)
            else:
                manifest = batch_sources.export_folder(source, output)
        except Problem as problem:
            raise failure(problem) from None
        feedback.pushInfo(self.tr("{items} items, {photos} photos written to {file}").format(
            items=len(manifest["items"]), photos=len(manifest["photos"]), file=output))
        return {self.OUTPUT: output, self.ITEMS: len(manifest["items"]), self.PHOTOS: len(manifest["photos"])}


class ImportBatch(CentreAlgorithm):
    NAME = "import_batch"
    INPUT, RECEIPTS, BATCH = "INPUT", "RECEIPTS", "BATCH_ID"

    def displayName(self) -> str:  # noqa: N802 (QGIS's name)
        return self.tr("Import a device batch file")

    def shortHelpString(self) -> str:  # noqa: N802 (QGIS's name)
        return self.tr("Pushes a batch file into the centre as its collector's device would: the same "
                       "receipts and the same shift review as a batch sent over the network. Importing a "
                       "file twice changes nothing (every receipt is then 'duplicate'). The receipts can be "
                       "written to a file for the device.")

    def initAlgorithm(self, config=None):  # noqa: N802 (QGIS's name)
        self.addParameter(centre_parameter())
        self.addParameter(QgsProcessingParameterFile(self.INPUT, self.tr("Batch file"), extension="zip"))
        self.addParameter(QgsProcessingParameterFileDestination(
            self.RECEIPTS, self.tr("Receipts"), self.tr("Receipts (*.json)"), optional=True,
            createByDefault=False))
        self.addOutput(QgsProcessingOutputString(self.BATCH, self.tr("Batch")))
        for status in STATUSES:
            self.addOutput(QgsProcessingOutputNumber(status.upper(), status))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802 (QGIS's name)
        centre = self.parameterAsFile(parameters, CENTRE, context)
        receipts = self.parameterAsFileOutput(parameters, self.RECEIPTS, context) or None
        try:
            conn = db.open_centre(centre)
        except Problem as problem:
            raise failure(problem) from None
        try:
            reply = batch_file.import_batch(conn, self.parameterAsFile(parameters, self.INPUT, context),
                                            store=blobs.store_for(centre), receipts_to=receipts)
        except Problem as problem:
            raise failure(problem) from None
        finally:
            conn.close()
        counts = Counter(r["status"] for r in reply["receipts"])
        feedback.pushInfo(self.tr("Batch {batch_id}: {counts}").format(
            batch_id=reply["batch_id"], counts=", ".join(f"{k} {v}" for k, v in sorted(counts.items()))))
        return {self.BATCH: reply["batch_id"], self.RECEIPTS: receipts,
                **{s.upper(): counts.get(s, 0) for s in STATUSES}}
