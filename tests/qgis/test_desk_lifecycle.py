# SPDX-License-Identifier: GPL-2.0-or-later
"""The whole desk as QGIS runs it: every role opens a centre and gets its parts; unload leaves nothing
behind (docks, actions, menus, toolbar icons, map tools, signal connections, the processing provider);
refused files (not a centre, a newer centre, a locked centre) give a clear message and add or write nothing."""

import hashlib
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import centre_fixture as cf
import pytest
from test_refused_files import FILES

qgis_core = pytest.importorskip("qgis.core")
pytestmark = pytest.mark.qgis

import citygrid_desk  # noqa: E402  (the working tree's plugin: pytest's pythonpath)
from qgis.core import QgsApplication, QgsProject  # noqa: E402
from qgis.PyQt.QtCore import QEvent  # noqa: E402
from qgis.PyQt.QtWidgets import QAction, QApplication, QDockWidget, QMessageBox, QToolBar  # noqa: E402

# role -> the desk's docks that role gets
DOCKS = {"operator": {"CitygridCaseDesk"}, "leader": {"CitygridCaseDesk", "CitygridAssignments", "CitygridEvaluation",
                                                         "CitygridShiftReview"},
         "dispatcher": {"CitygridCaseDesk"},
         "supervisor": {"CitygridCaseDesk", "CitygridAssignments", "CitygridEvaluation", "CitygridShiftReview"},
         "gis": {"CitygridCaseDesk"}}


@pytest.fixture
def shown(monkeypatch):
    texts = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a: texts.append(text))
    return texts


@pytest.fixture
def desk(qgis_iface, qgis_new_project):
    plugin = citygrid_desk.classFactory(qgis_iface)
    plugin.initGui()
    yield plugin
    if plugin.menu is not None:
        plugin.unload()
    QgsProject.instance().removeAllMapLayers()


def _settle() -> None:
    """Run the event loop's deferred deletions (deleteLater), as QGIS's own loop would."""
    QApplication.processEvents()
    QApplication.sendPostedEvents(None, QEvent.DeferredDelete)


def _citygrid_docks(iface) -> set:
    _settle()
    return {d.objectName() for d in iface.mainWindow().findChildren(QDockWidget)
            if d.objectName().startswith("Citygrid") and d.parent() is not None}


def _citygrid_actions(iface) -> list:
    _settle()
    window = iface.mainWindow()
    found = [a.objectName() for a in window.findChildren(QAction) if a.objectName().startswith("Citygrid")]
    for bar in window.findChildren(QToolBar):
        found += [a.text() for a in bar.actions() if a.objectName().startswith("Citygrid")]
    return found


def _providers() -> set:
    return {p.id() for p in QgsApplication.processingRegistry().providers()}


def _bare_receivers(desk, centre, monkeypatch) -> int:
    """Receivers of the cases layer's selectionChanged when the desk builds no part (QGIS's own)."""
    with monkeypatch.context() as m:
        # the module the desk was built from (other test modules re-import the working-tree plugin)
        m.setattr(sys.modules[type(desk).__module__], "part_classes", lambda: [])
        assert desk.open_centre(str(centre), "leader", cf.PASSWORD)
        cases = desk.session.layers["cases"]
        bare = cases.receivers(cases.selectionChanged)
        desk.close_centre()
        QgsProject.instance().removeAllMapLayers()
    return bare


@pytest.mark.parametrize("role", sorted(DOCKS))
def test_each_role_gets_its_docks_and_unload_leaves_nothing_behind(desk, centre, qgis_iface, shown, role,
                                                                   monkeypatch):
    bare = _bare_receivers(desk, centre, monkeypatch)
    assert desk.open_centre(str(centre), role, cf.PASSWORD), shown
    assert desk.actor.role == role
    assert _citygrid_docks(qgis_iface) == DOCKS[role]
    assert "citygrid" in _providers()
    cases = desk.session.layers["cases"]
    canvas = qgis_iface.mapCanvas()
    assert cases.receivers(cases.selectionChanged) > bare
    desk.unload()
    QApplication.processEvents()
    assert _citygrid_docks(qgis_iface) == set()
    assert _citygrid_actions(qgis_iface) == []
    assert "citygrid" not in _providers()
    assert canvas.mapTool() is None or "citygrid" not in type(canvas.mapTool()).__module__
    assert cases.receivers(cases.selectionChanged) == bare  # the desk's map sync is disconnected
    assert desk.session is None and desk.parts == []


def test_closing_and_reopening_a_centre_builds_the_parts_once(desk, centre, qgis_iface, shown):
    assert desk.open_centre(str(centre), "leader", cf.PASSWORD)
    assert desk.open_centre(str(centre), "leader", cf.PASSWORD)
    docks = [d for d in qgis_iface.mainWindow().findChildren(QDockWidget) if d.objectName() == "CitygridCaseDesk"]
    QApplication.processEvents()
    assert len([d for d in docks if d.parent() is not None]) == 1
    assert len(desk.parts) == len({type(p) for p in desk.parts})


def _digest(path: Path) -> dict:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(path.parent.iterdir()) if p.is_file()}


@pytest.mark.parametrize("kind", sorted(FILES))
def test_a_refused_file_is_named_clearly_and_nothing_is_added_or_written(desk, tmp_path, shown, kind):
    make, code = FILES[kind]
    path = tmp_path / "files" / "centre.gpkg"
    path.parent.mkdir()
    make(path)
    before = _digest(path) if path.is_file() else None
    assert desk.open_centre(str(path), "leader", "whatever") is False
    assert len(shown) == 1 and shown[0] and "Traceback" not in shown[0], shown
    assert QgsProject.instance().mapLayers() == {} and desk.session is None
    assert (_digest(path) if path.is_file() else None) == before


LOCKER = r'''
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("PRAGMA locking_mode = EXCLUSIVE")  # a program that keeps the file to itself
c.execute("BEGIN EXCLUSIVE")
c.execute("UPDATE citygrid_meta SET value = value WHERE key = 'code_scheme'")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
c.execute("ROLLBACK")
'''


def test_a_centre_another_program_holds_locked_is_refused_clearly_then_opens(desk, centre, shown):
    locker = subprocess.Popen([sys.executable, "-c", LOCKER, str(centre), "30"], stdout=subprocess.PIPE, text=True)
    try:
        assert locker.stdout.readline().strip() == "locked"
        started = time.monotonic()
        assert desk.open_centre(str(centre), "leader", cf.PASSWORD) is False
        assert time.monotonic() - started < 25  # refused after the busy timeout, not hung until the lock goes
        assert len(shown) == 1 and "Traceback" not in shown[0], shown
        locker.kill()
        assert QgsProject.instance().mapLayers() == {} and desk.session is None
    finally:
        locker.wait(timeout=30)
    assert desk.open_centre(str(centre), "leader", cf.PASSWORD), shown[1:]
    with sqlite3.connect(f"file:{centre}?mode=ro", uri=True) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
