# SPDX-License-Identifier: GPL-2.0-or-later
"""citygrid:monthly_report — the centre's monthly report as a multi-page PDF from a print layout:
title, the month's totals with the standard's rates, the grid choropleth with legend and scale bar,
the ranking tables of units, streets and collectors, and the ranking chart (docs/desk.md).

The month, the centre and the template are checked before anything is computed; nothing is written
when one of them is wrong. Runs in the main thread (a print layout is not built off it)."""

from __future__ import annotations

from qgis.core import (
    QgsProcessingAlgorithm,
    QgsProcessingParameterFile,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterString,
)

from .. import report_build, report_data, report_maps
from ..core import Problem
from .algorithm import CENTRE, CentreAlgorithm, centre_connection, centre_parameter, failure


class MonthlyReport(CentreAlgorithm):
    NAME = "monthly_report"
    MONTH, OUTPUT, TEMPLATE = "MONTH", "OUTPUT", "TEMPLATE"

    def displayName(self) -> str:  # noqa: N802 (QGIS's name)
        return self.tr("Monthly report (PDF)")

    def shortHelpString(self) -> str:  # noqa: N802 (QGIS's name)
        return self.tr("The centre's monthly report as a PDF: totals (reports received, registered, closures "
                       "due, closed, closed on time, closure rate, on-time closure rate), the grid map, the "
                       "rankings of units, streets and collectors and a chart. MONTH is YYYY-MM. A template "
                       "(.qpt, or the setting citygrid/report_template) replaces the layout; its items are "
                       "found by id.")

    def flags(self):
        return super().flags() | QgsProcessingAlgorithm.FlagNoThreading

    def initAlgorithm(self, config=None):  # noqa: N802 (QGIS's name)
        self.addParameter(centre_parameter())
        self.addParameter(QgsProcessingParameterString(self.MONTH, self.tr("Month (YYYY-MM)")))
        self.addParameter(QgsProcessingParameterFileDestination(self.OUTPUT, self.tr("Report"),
                                                                self.tr("PDF files (*.pdf)")))
        self.addParameter(QgsProcessingParameterFile(self.TEMPLATE, self.tr("Layout template (.qpt)"),
                                                     extension="qpt", optional=True))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802 (QGIS's name)
        month = self.parameterAsString(parameters, self.MONTH, context)
        output = self.parameterAsFileOutput(parameters, self.OUTPUT, context)
        path = self.parameterAsFile(parameters, CENTRE, context)
        try:
            report_data.parse_month(month)
            template = report_build.template_path(self.parameterAsFile(parameters, self.TEMPLATE, context))
            report_build.open_layout(report_maps.report_project(), template, month)
        except Problem as problem:
            raise failure(problem) from None
        with centre_connection(path) as conn:
            data = report_data.gather(conn, path, month, lambda p: feedback.setProgress(p * 0.6))
        try:
            pages = report_build.write_report(data, path, output, template)
        except Problem as problem:
            raise failure(problem) from None
        feedback.setProgress(100)
        feedback.pushInfo(self.tr("{pages} pages written to {path}").format(pages=pages, path=output))
        return {self.OUTPUT: output}
