# SPDX-License-Identifier: GPL-2.0-or-later
"""citygrid:evaluate — the core's evaluation of one object type over a period, as a table.

One row per evaluated object, the columns as the core names them (as `citygrid evaluate --format
csv` writes them): kind, id, name, the counts, the rates (fractions, NULL when nothing was due),
score, grade, colour. The columns come from the object type, so an empty period still gives them.
"""

from __future__ import annotations

from qgis.core import (
    QgsFeature,
    QgsFeatureSink,
    QgsField,
    QgsFields,
    QgsProcessing,
    QgsProcessingException,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterString,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QVariant

from ..core import evaluation, periods
from .algorithm import CENTRE, CentreAlgorithm, centre_connection, centre_parameter

# The object types, as the core takes them: (by, level) and the kinds of rows they give.
OBJECTS = (("unit", None, ("unit",)), ("region", "street", ("street",)), ("region", "community", ("community",)),
           ("region", "grid", ("grid",)), ("collector", None, ("collector",)),
           ("post", None, evaluation.POSTS))


def columns(kinds) -> tuple[list[str], list[str]]:
    """(counts, rates) of the kinds, in the core's order, each once."""
    counts = list(dict.fromkeys(c for kind in kinds for c in evaluation.KINDS[kind][0]))
    rates = list(dict.fromkeys(r for kind in kinds for r in evaluation.KINDS[kind][1]))
    return counts, rates


def table_fields(counts, rates) -> QgsFields:
    fields = QgsFields()
    for name in ("kind", "id", "name"):
        fields.append(QgsField(name, QVariant.String))
    for name in counts:
        fields.append(QgsField(name, QVariant.Int))
    for name in (*rates, "score"):
        fields.append(QgsField(name, QVariant.Double))
    for name in ("grade", "colour"):
        fields.append(QgsField(name, QVariant.String))
    return fields


class Evaluate(CentreAlgorithm):
    NAME = "evaluate"
    PERIOD, OBJECT, OUTPUT = "PERIOD", "OBJECT", "OUTPUT"

    def displayName(self) -> str:  # noqa: N802 (QGIS's name)
        return self.tr("Evaluate (indicators, scores, grades)")

    def shortHelpString(self) -> str:  # noqa: N802 (QGIS's name)
        return self.tr("The centre's evaluation of one object type over a period, one row per object: "
                       "counts, rates (fractions, NULL when nothing was due), composite score, grade and "
                       "colour, named as the core names them. Period: a year (2026), a month (2026-10), "
                       "a day (2026-10-07) or FROM/TO (2026-10-01/2026-11-01, the end excluded), in the "
                       "centre's time zone.")

    def object_labels(self) -> list[str]:
        return [self.tr("by unit"), self.tr("by street"), self.tr("by community"), self.tr("by unit grid"),
                self.tr("by collector"), self.tr("by centre post (operators, shift leaders, dispatchers)")]

    def initAlgorithm(self, config=None):  # noqa: N802 (QGIS's name)
        self.addParameter(centre_parameter())
        self.addParameter(QgsProcessingParameterString(self.PERIOD, self.tr("Evaluation period")))
        self.addParameter(QgsProcessingParameterEnum(self.OBJECT, self.tr("Object type"), self.object_labels(),
                                                     defaultValue=0))
        self.addParameter(QgsProcessingParameterFeatureSink(self.OUTPUT, self.tr("Evaluation"),
                                                            QgsProcessing.TypeVector))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802 (QGIS's name)
        by, level, kinds = OBJECTS[self.parameterAsEnum(parameters, self.OBJECT, context)]
        text = self.parameterAsString(parameters, self.PERIOD, context)
        with centre_connection(self.parameterAsFile(parameters, CENTRE, context)) as conn:
            start, end = periods.parse_period(text)
            results = evaluation.evaluate(conn, start, end, by, level=level)
            empty = evaluation.log_range(conn, start, end)
        if empty is not None:
            feedback.pushWarning(self.tr("No case events in {period}: every count is zero").format(period=text))
        counts, rates = columns(kinds)
        fields = table_fields(counts, rates)
        sink, dest = self.parameterAsSink(parameters, self.OUTPUT, context, fields, QgsWkbTypes.NoGeometry)
        if sink is None:
            raise QgsProcessingException(self.invalidSinkError(parameters, self.OUTPUT))
        sink.addFeatures([self._row(fields, r, counts, rates) for r in results], QgsFeatureSink.FastInsert)
        feedback.pushInfo(self.tr("{count} objects evaluated").format(count=len(results)))
        return {self.OUTPUT: dest}

    @staticmethod
    def _row(fields, result, counts, rates) -> QgsFeature:
        row = QgsFeature(fields)
        row.setAttributes([result.kind, result.id, result.name, *(result.counts.get(c) for c in counts),
                           *(result.rates.get(r) for r in rates), result.score, result.grade, result.colour])
        return row
