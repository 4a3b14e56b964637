# SPDX-License-Identifier: GPL-2.0-or-later
"""citygrid:assign_grids — a point layer of components with BGID set to the covering unit grid's code.

Points are placed in the centre's CRS (transformed when the layer has another one) and looked up
in bulk by the core (`geocode.grids_at`: one read of the grids' R-tree, a bucket grid, polygon tests),
a batch at a time so a cancel is heard and memory stays flat. A point outside every grid (or
without a geometry) gets NULL, and the log says how many.
"""

from __future__ import annotations

from qgis.core import (
    QgsCoordinateTransform,
    QgsCsException,
    QgsFeatureSink,
    QgsField,
    QgsFields,
    QgsProcessing,
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
)
from qgis.PyQt.QtCore import QVariant

from ..core import Problem, geocode
from .algorithm import CENTRE, CentreAlgorithm, centre_connection, centre_crs, centre_parameter, failure

BGID = "BGID"
BATCH = 20_000


def bgid_fields(fields: QgsFields) -> tuple[QgsFields, int]:
    """The source's fields with a text BGID (an existing BGID of any case or type is replaced in
    place), and its index."""
    out, index = QgsFields(), -1
    for i, field in enumerate(fields):
        if field.name().upper() == BGID:
            field, index = QgsField(field.name(), QVariant.String, "String", 32), i
        out.append(field)
    if index < 0:
        out.append(QgsField(BGID, QVariant.String, "String", 32))
        index = out.count() - 1
    return out, index


def centre_point(geometry, transform: QgsCoordinateTransform) -> tuple[float, float] | None:
    """The feature's point (a multipoint's first) in the centre's CRS; None when it has none."""
    if geometry is None or geometry.isEmpty():
        return None
    point = geometry.vertexAt(0)
    try:
        xy = transform.transform(point.x(), point.y())
    except QgsCsException:
        return None
    return geocode.finite_xy(xy.x(), xy.y())


class AssignGrids(CentreAlgorithm):
    NAME = "assign_grids"
    INPUT, OUTPUT, OUTSIDE = "INPUT", "OUTPUT", "OUTSIDE"

    def displayName(self) -> str:  # noqa: N802 (QGIS's name)
        return self.tr("Assign unit grids (BGID)")

    def shortHelpString(self) -> str:  # noqa: N802 (QGIS's name)
        return self.tr("Sets the BGID field of every point to the code of the centre's unit grid that "
                       "covers it (the lowest code on a shared edge). Points outside every grid, or "
                       "without a geometry, get NULL; the log gives their number. A layer in another "
                       "CRS is transformed to the centre's CRS for the lookup; the output keeps the "
                       "layer's CRS and fields.")

    def initAlgorithm(self, config=None):  # noqa: N802 (QGIS's name)
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.INPUT, self.tr("Component points"), [QgsProcessing.TypeVectorPoint]))
        self.addParameter(centre_parameter())
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT, self.tr("Components with BGID"), QgsProcessing.TypeVectorPoint))
        self.addOutput(QgsProcessingOutputNumber(self.OUTSIDE, self.tr("Points outside every grid")))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802 (QGIS's name)
        source = self.parameterAsSource(parameters, self.INPUT, context)
        if source is None:
            raise QgsProcessingException(self.invalidSourceError(parameters, self.INPUT))
        if not source.sourceCrs().isValid():
            raise failure(Problem("desk.layer_without_crs", layer=source.sourceName()))
        fields, index = bgid_fields(source.fields())
        with centre_connection(self.parameterAsFile(parameters, CENTRE, context)) as conn:
            transform = QgsCoordinateTransform(source.sourceCrs(), centre_crs(conn), context.transformContext())
            sink, dest = self.parameterAsSink(parameters, self.OUTPUT, context, fields, source.wkbType(),
                                              source.sourceCrs())
            if sink is None:
                raise QgsProcessingException(self.invalidSinkError(parameters, self.OUTPUT))
            pad = fields.count() > source.fields().count()  # BGID added after the source's fields
            total, outside = self._assign(conn, source, (sink, index, pad), transform, feedback)
        self._report(feedback, total, outside)
        return {self.OUTPUT: dest, self.OUTSIDE: outside}

    def _assign(self, conn, source, target, transform, feedback) -> tuple[int, int]:
        """(features written, features without a grid), a batch at a time."""
        total, outside, batch, count = 0, 0, [], max(source.featureCount(), 1)
        for feature in source.getFeatures():
            if feedback.isCanceled():
                break
            batch.append(feature)
            if len(batch) == BATCH:
                outside += self._write(conn, batch, target, transform)
                total += len(batch)
                batch = []
                feedback.setProgress(100.0 * total / count)
        outside += self._write(conn, batch, target, transform)
        return total + len(batch), outside

    @staticmethod
    def _write(conn, features, target, transform) -> int:
        sink, index, pad = target
        points = [centre_point(f.geometry(), transform) for f in features]
        found = iter(geocode.grids_at(conn, [p for p in points if p is not None]))
        codes = [None if p is None else next(found) for p in points]
        for feature, code in zip(features, codes, strict=True):  # in place: attributes() costs 20 µs a feature
            if pad:
                feature.padAttributes(1)
            feature.setAttribute(index, code)
        sink.addFeatures(features, QgsFeatureSink.FastInsert)
        return codes.count(None)

    def _report(self, feedback, total: int, outside: int) -> None:
        feedback.pushInfo(self.tr("{total} points placed in unit grids").format(total=total - outside))
        if outside:
            feedback.pushWarning(self.tr("{outside} of {total} points are outside every unit grid (or have "
                                         "no point): their BGID is NULL").format(outside=outside, total=total))
