# SPDX-License-Identifier: GPL-2.0-or-later
"""What the core's importer reads for a layer QGIS has open: its file, or a temporary GeoPackage copy.

The importer (`admin.importer.import_layer`) reads files through GDAL. A layer QGIS reads through
OGR, unfiltered and without unsaved edits, is imported from its own file and layer; any other layer
(a memory layer, a delimited-text CSV, a filtered or edited layer) is first written as it is shown
to a temporary GeoPackage with `QgsVectorFileWriter`, and the report's rows are mapped back to the
layer's own feature ids.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from qgis.core import (
    QgsCoordinateTransformContext,
    QgsFeatureRequest,
    QgsProviderRegistry,
    QgsVectorFileWriter,
    QgsVectorLayer,
)

from .core import Problem

COPY_LAYER = "source"


@dataclass
class ImportSource:
    """A file and layer name the importer reads, with the source's CRS and the row-id translation."""

    path: str
    layer: str | None
    crs: str | None = None
    rows: dict = field(default_factory=dict)  # importer row (fid in the copy) -> the layer's feature id
    folder: tempfile.TemporaryDirectory | None = None  # the copy's folder, removed by cleanup()

    def row(self, fid: int) -> int:
        return self.rows.get(fid, fid)

    def cleanup(self) -> None:
        if self.folder is not None:
            self.folder.cleanup()
            self.folder = None


def source_fields(layer: QgsVectorLayer) -> list[str]:
    return [f.name() for f in layer.fields()]


def prepare(layer: QgsVectorLayer) -> ImportSource:
    """The file the importer reads for `layer` (see the module's docstring)."""
    own = _own_file(layer)
    return own if own is not None else _copy(layer)


def _own_file(layer: QgsVectorLayer) -> ImportSource | None:
    if layer.providerType() != "ogr" or layer.subsetString() or layer.isModified():
        return None
    parts = QgsProviderRegistry.instance().decodeUri("ogr", layer.source())
    path = parts.get("path") or ""
    if not Path(path).is_file():
        return None
    crs = layer.crs().authid() if layer.crs().isValid() else None
    return ImportSource(path, parts.get("layerName") or None, crs or None)


def _copy(layer: QgsVectorLayer) -> ImportSource:
    folder = tempfile.TemporaryDirectory(prefix="citygrid-import-")
    path = str(Path(folder.name) / "source.gpkg")
    options = QgsVectorFileWriter.SaveVectorOptions()
    options.driverName, options.layerName, options.fileEncoding = "GPKG", COPY_LAYER, "UTF-8"
    written = QgsVectorFileWriter.writeAsVectorFormatV3(layer, path, QgsCoordinateTransformContext(), options)
    if written[0] != QgsVectorFileWriter.NoError:
        folder.cleanup()
        raise Problem("desk.import_copy_failed", layer=layer.name(), reason=written[1] or str(written[0]))
    request = QgsFeatureRequest().setFlags(QgsFeatureRequest.NoGeometry).setNoAttributes()
    rows = {i: f.id() for i, f in enumerate(layer.getFeatures(request), 1)}  # written in this order
    return ImportSource(path, COPY_LAYER, None, rows, folder)
