# SPDX-License-Identifier: GPL-2.0-or-later
"""The Processing provider `citygrid`, registered by the plugin in initProcessing()/initGui() and
removed in unload()."""

from __future__ import annotations

from qgis.core import QgsProcessingProvider
from qgis.PyQt.QtGui import QIcon

from ..texts import tr
from .algorithm import ICON
from .assign_grids import AssignGrids
from .batch_files import ExportBatch, ImportBatch
from .evaluate import Evaluate
from .export_basemap import ExportBasemap
from .monthly_report import MonthlyReport

ALGORITHMS = (AssignGrids, Evaluate, ExportBasemap, ExportBatch, ImportBatch, MonthlyReport)


class CitygridProvider(QgsProcessingProvider):
    def id(self) -> str:
        return "citygrid"

    def name(self) -> str:
        return tr("citygrid")

    def longName(self) -> str:  # noqa: N802 (QGIS's name)
        return tr("citygrid digital city management")

    def icon(self) -> QIcon:
        return QIcon(str(ICON))

    def svgIconPath(self) -> str:  # noqa: N802 (QGIS's name)
        return str(ICON)

    def loadAlgorithms(self):  # noqa: N802 (QGIS's name)
        for algorithm in ALGORITHMS:
            self.addAlgorithm(algorithm())
