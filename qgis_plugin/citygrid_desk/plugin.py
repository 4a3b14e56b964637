# SPDX-License-Identifier: GPL-2.0-or-later
"""The desk plugin: builds its menu in initGui(), removes exactly that in unload(), opens centres."""

from __future__ import annotations

import uuid
from pathlib import Path

from qgis.core import (
    QgsApplication,
    QgsCoordinateTransform,
    QgsCsException,
    QgsLayerTreeGroup,
    QgsProject,
    QgsRectangle,
    QgsSettings,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QCoreApplication, QTranslator
from qgis.PyQt.QtGui import QIcon
from qgis.PyQt.QtWidgets import QAction, QFileDialog, QMenu

from . import layers as desk_layers
from . import signin_dialog
from .assignments_dock import Assignments
from .case_dock import CaseDesk
from .component_part import ComponentPart
from .core import Problem, db, gpkg, sessions
from .evaluation_dock import Evaluation
from .intake_tool import IntakeTool
from .processing.provider import CitygridProvider
from .review_dock import ShiftReview
from .session import DeskSession, show_problem
from .texts import locale, tr

HERE = Path(__file__).resolve().parent
DEVICE_ID_KEY = "citygrid/device_id"  # QgsSettings: this QGIS installation's device id, made once
DEVICE_ID_PREFIX = "qgis-desk-"  # + a UUID: the centre's devices and login records show a desk, and which


def device_id() -> str:
    """This QGIS installation's device id for sign-ins, made on first use and kept in QgsSettings, so
    the centre tells desks apart (and a desk's own successes make it a trusted source for the lockout)."""
    settings = QgsSettings()
    value = settings.value(DEVICE_ID_KEY, "", type=str) or ""
    if not sessions.DEVICE_ID.fullmatch(value):  # missing, or edited into something the centre refuses
        value = f"{DEVICE_ID_PREFIX}{uuid.uuid4()}"
        settings.setValue(DEVICE_ID_KEY, value)
    return value


def part_classes() -> list:
    """The desk's parts, built when a centre opens, in menu order. A part is a class taking
    `(iface, session, menu)` that adds what the signed-in role may use (docks, actions, map tools)
    and removes exactly that in `close()`. Add one line per part here."""
    return [
        CaseDesk,
        IntakeTool,
        Assignments,
        ComponentPart,
        Evaluation,
        ShiftReview,
    ]


class CitygridDesk:
    """One instance per QGIS window (`qgis.utils.plugins['citygrid_desk']`)."""

    def __init__(self, iface):
        self.iface = iface
        self.menu: QMenu | None = None
        self.open_action: QAction | None = None
        self.translator: QTranslator | None = None
        self.session: DeskSession | None = None  # the open centre and who signed in
        self.parts: list = []    # the parts built for the open centre (see part_classes)
        self.group: QgsLayerTreeGroup | None = None
        self._pin: QgsVectorLayer | None = None
        self.provider: CitygridProvider | None = None  # the Processing provider `citygrid`

    @property
    def centre(self):
        """The core's connection to the open centre (None when none is open)."""
        return None if self.session is None else self.session.centre

    @property
    def actor(self):
        """The signed-in account (accounts.Actor), when credentials were given."""
        return None if self.session is None else self.session.actor

    @staticmethod
    def tr(text: str) -> str:
        return tr(text)

    def initProcessing(self):  # noqa: N802 (QGIS's name: qgis_process calls only this)
        if self.translator is None:
            self._install_translator()
        if self.provider is None:
            self.provider = CitygridProvider()
            QgsApplication.processingRegistry().addProvider(self.provider)

    def initGui(self):  # noqa: N802 (QGIS's name)
        self.initProcessing()
        self.menu = QMenu(self.tr("citygrid"), self.iface.mainWindow())
        self.menu.setObjectName("CitygridMenu")
        self.open_action = QAction(QIcon(str(HERE / "icon.svg")), self.tr("Open centre…"), self.iface.mainWindow())
        self.open_action.setObjectName("CitygridOpenCentre")
        self.open_action.triggered.connect(self.choose_centre)
        self.menu.addAction(self.open_action)
        bar = self.iface.mainWindow().menuBar()
        anchor = self.iface.firstRightStandardMenu()  # before Help, like QGIS's own menus
        if isinstance(anchor, QMenu):
            bar.insertMenu(anchor.menuAction(), self.menu)
        else:  # a test double of iface
            bar.addMenu(self.menu)

    def unload(self):
        self.close_centre()
        if self.open_action is not None:
            self.open_action.triggered.disconnect(self.choose_centre)
            self.open_action.deleteLater()
            self.open_action = None
        if self.menu is not None:
            self.iface.mainWindow().menuBar().removeAction(self.menu.menuAction())
            self.menu.deleteLater()
            self.menu = None
        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None
        if self.translator is not None:
            QCoreApplication.removeTranslator(self.translator)
            self.translator = None

    def _install_translator(self):
        qm = HERE / "i18n" / f"citygrid_desk_{self._locale()}.qm"
        translator = QTranslator()
        if qm.exists() and translator.load(str(qm)):
            QCoreApplication.installTranslator(translator)
            self.translator = translator

    @staticmethod
    def _locale() -> str:
        return locale()

    def choose_centre(self):
        path, _ = QFileDialog.getOpenFileName(self.iface.mainWindow(), self.tr("Open centre"), "",
                                              self.tr("Centre GeoPackage (*.gpkg)"))
        if path:
            self.open_centre(path)

    def open_centre(self, path, username=None, password=None) -> bool:
        """Open the centre at `path`, sign in (the dialog asks when no `username` is given) and add its
        layers in one group; a refusal is shown, a cancelled sign-in is quiet: either way nothing is added.

        QGIS's layers are opened (and read once) before the core's connection, and one stays pinned
        while the core's connection lives: GDAL opens and closes a file to identify it, and closing
        any descriptor drops every POSIX lock this process holds on the file, SQLite's included.
        The first read matters too: a layer GDAL opened while the file had no -wal, but first reads
        after the core's connection made one, fails with "unable to open database file".
        """
        try:
            opened = self._open(str(path), username, password)
        except Problem as problem:
            self.close_centre()
            self.show_problem(problem)
            return False
        if not opened:
            self.close_centre()
        return opened

    def _open(self, path, username, password) -> bool:
        problem = db.identify(path).problem()  # refuse a foreign file before GDAL or SQLite write to it
        if problem is not None:
            raise problem
        self.close_centre()
        layers = desk_layers.open_layers(path)
        self._pin = desk_layers.pin(path)
        self.session = DeskSession(path, db.open_centre(path))
        self.session.actor = self._sign_in(path, username, password)
        if self.session.actor is None:
            return False  # the user cancelled the sign-in
        desk_layers.dress(layers, self.session.centre, self.session.role)
        self.group = desk_layers.add_group(Path(path).stem, layers)
        self.session.layers = layers
        self._show_the_city(layers)
        self._build_parts()
        return True

    def _show_the_city(self, layers: dict) -> None:
        """The map shows the centre's grids (its whole area), read from their R-tree: QGIS zooms to the
        first layer added, and GDAL reports an empty extent for a layer whose gpkg_contents box is NULL
        (a centre without a basemap showed a blank map at 1:1)."""
        grids, box = layers.get("grids"), gpkg.extent(self.session.centre, "grids")
        if grids is None or box is None:
            return
        canvas = self.iface.mapCanvas()
        transform = QgsCoordinateTransform(grids.crs(), canvas.mapSettings().destinationCrs(), QgsProject.instance())
        try:
            extent = transform.transformBoundingBox(QgsRectangle(*box))
        except QgsCsException:
            return
        canvas.setExtent(extent.buffered(max(extent.width(), extent.height(), 1.0) * 0.05))
        canvas.refresh()

    def _sign_in(self, path, username, password):
        """The signed-in actor (the core throttles failures), or None when the dialog was cancelled."""
        centre = self.session.centre

        def check(name, secret):
            return sessions.sign_in(centre, name, secret or "", device_id())

        if username is not None:
            return check(username, password)
        title = db.meta(centre, "center_name", "") or Path(path).stem
        return signin_dialog.ask(self.iface.mainWindow(), title, check)

    def _build_parts(self):
        for part in part_classes():
            self.parts.append(part(self.iface, self.session, self.menu))

    def close_centre(self):
        """Close the parts and the core's connection (the layers stay in the project: they are the user's now)."""
        while self.parts:
            self.parts.pop().close()
        if self.session is not None:
            desk_layers.release(self.session.layers)
            self.session.centre.close()
            self.session = None
        self.group = None
        self._pin = None  # released after the core's connection, never before

    def show_problem(self, problem: Problem):
        show_problem(self.iface.mainWindow(), problem)
