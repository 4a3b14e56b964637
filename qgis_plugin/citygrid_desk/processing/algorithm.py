# SPDX-License-Identifier: GPL-2.0-or-later
"""What every citygrid algorithm shares: its texts in the user's language, the CENTRE parameter, and
the core's coded problems turned into QgsProcessingException messages (never a traceback)."""

from __future__ import annotations

import contextlib
from pathlib import Path

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsProcessingAlgorithm,
    QgsProcessingException,
    QgsProcessingParameterFile,
)
from qgis.PyQt.QtGui import QIcon

from ..core import Problem, coverage, db, messages
from ..texts import locale, tr

ICON = Path(__file__).resolve().parents[1] / "icon.svg"
CENTRE = "CENTRE"


def failure(problem: Problem) -> QgsProcessingException:
    """The exception Processing shows for a coded problem, in the user's language."""
    return QgsProcessingException(messages.message(problem, lang=locale()))


@contextlib.contextmanager
def centre_connection(path: str):
    """The core's read-only connection to the centre at `path`, closed on leaving; a file that is not
    a centre (or a newer one) is a QgsProcessingException with the core's message."""
    try:
        conn = db.open_centre(path, readonly=True)
    except Problem as problem:
        raise failure(problem) from None
    try:
        yield conn
    except Problem as problem:
        raise failure(problem) from None
    finally:
        conn.close()


def centre_crs(conn) -> QgsCoordinateReferenceSystem:
    """The centre's storage CRS for QGIS: its authority code when it has one, else its WKT."""
    authid, wkt = coverage.centre_crs(conn)
    found = QgsCoordinateReferenceSystem(authid) if authid else QgsCoordinateReferenceSystem()
    return found if found.isValid() else QgsCoordinateReferenceSystem.fromWkt(wkt)


def centre_parameter() -> QgsProcessingParameterFile:
    return QgsProcessingParameterFile(CENTRE, tr("Centre GeoPackage"), extension="gpkg")


class CentreAlgorithm(QgsProcessingAlgorithm):
    """A citygrid algorithm: `NAME` is its id in the provider; subclasses give the texts."""

    NAME = ""

    def name(self) -> str:
        return self.NAME

    def createInstance(self):  # noqa: N802 (QGIS's name)
        return type(self)()

    def icon(self) -> QIcon:
        return QIcon(str(ICON))

    def tr(self, text: str) -> str:
        return tr(text)
