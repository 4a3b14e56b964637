# SPDX-License-Identifier: GPL-2.0-or-later
"""Desktop tier: in the real `qgis` with the built zip, a shift leader opens a centre a device has
pushed a shift to, raises the shift review dock, selects the passed check, clicks 通过并结案 and the
case is closed by the core; then the reworked (返工) late check asks its reason in a dialog. The
evaluation dock is there too. Screenshots: review-desktop-zh_CN.png, review-desktop-rework-zh_CN.png,
evaluation-desktop-zh_CN.png."""

import sqlite3

import centre_fixture as cf
import pytest
import review_shift as rs
from desktop import OPEN_CENTRE, available, build_zip, install, run

from citygrid.store import blobs, db

pytestmark = [pytest.mark.qgis, pytest.mark.slow,
              pytest.mark.skipif(not available(), reason="needs Debian's qgis desktop and xvfb-run (make deps)")]

REVIEW = r'''
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtTest import QTest
from qgis.PyQt.QtWidgets import QApplication, QDockWidget, QInputDialog, QPushButton


@step(2000)
def raise_the_review():
    global dock
    dock = iface.mainWindow().findChild(QDockWidget, "CitygridShiftReview")
    out["docks"] = sorted(d.objectName() for d in iface.mainWindow().findChildren(QDockWidget)
                          if d.objectName().startswith("Citygrid"))
    dock.raise_()
    out["scale"] = iface.mapCanvas().scale()
    out["items"] = {i["uuid"]: i["reasons"] for i in dock.shown["items"]}
    out["selected"] = dock.select(PASSED)


@step(1500)
def click_close():
    out["offered"] = dock.decisions.offered()
    out["reasons_shown"] = dock.model.data(dock.model.index(0, dock.model.columnCount() - 1))
    shot(SHOT)
    QTest.mouseClick(dock.findChild(QPushButton, "CitygridReview_close"), Qt.LeftButton)


@step(1500)
def select_the_late_check():
    out["left"] = sorted(i["uuid"] for i in dock.shown["items"])
    out["selected_late"] = dock.select(LATE)
    out["late_offered"] = dock.decisions.offered()
    later(type_the_reason, 1500)
    QTest.mouseClick(dock.findChild(QPushButton, "CitygridReview_rework"), Qt.LeftButton)


def type_the_reason():
    dialog = QApplication.activeModalWidget()
    out["reason_dialog"] = type(dialog).__name__ if dialog else None
    if isinstance(dialog, QInputDialog):
        screen_shot(REWORK_SHOT)
        dialog.setTextValue("井盖仍松动，请重新处置")
        dialog.accept()


@step(3000)
def raise_the_evaluation():
    out["after_rework"] = sorted(i["uuid"] for i in dock.shown["items"])
    evaluation = iface.mainWindow().findChild(QDockWidget, "CitygridEvaluation")
    out["evaluation"] = evaluation is not None
    if evaluation is not None:
        evaluation.raise_()


@step(3000)
def evaluation_shot():
    shot(EVAL_SHOT)
'''


@pytest.fixture
def shift(tmp_path):
    centre = tmp_path / "centre" / "center.gpkg"
    centre.parent.mkdir()
    cf.build(centre)
    conn = db.open_centre(centre)
    built = rs.build(conn, blobs.store_for(centre))
    conn.close()
    return centre, built


def _case(centre, case_no):
    with sqlite3.connect(f"file:{centre}?mode=ro", uri=True) as conn:
        status = conn.execute("SELECT status FROM cases WHERE case_no = ?", (case_no,)).fetchone()[0]
        last = conn.execute("SELECT action, actor, note FROM case_events WHERE case_no = ? ORDER BY fid DESC "
                            "LIMIT 1", (case_no,)).fetchone()
    return status, last


def test_a_leader_closes_a_passed_check_and_reworks_a_late_one_in_the_real_desk(shift, tmp_path):
    centre, built = shift
    passed, late = built["items"]["passed"]["uuid"], built["items"]["late"]["uuid"]
    profiles = install(build_zip(tmp_path / "citygrid_desk.zip"), tmp_path / "profiles", lang="zh_CN")
    out = run(profiles, [OPEN_CENTRE, REVIEW], {
        "CENTRE": str(centre), "USERNAME": "leader", "PASSWORD": cf.PASSWORD, "PASSED": passed, "LATE": late,
        "SHOT": "review-desktop-zh_CN.png", "REWORK_SHOT": "review-desktop-rework-zh_CN.png",
        "EVAL_SHOT": "evaluation-desktop-zh_CN.png"})
    assert out["errors"] == [] and out["opened"], out
    assert {"CitygridShiftReview", "CitygridEvaluation", "CitygridCaseDesk"} <= set(out["docks"]), out
    assert 100 < out["scale"] < 100_000, out["scale"]  # the city on the map, not a blank 1:1
    assert out["selected"] and "close" in out["offered"], out
    assert passed not in out["left"] and late in out["left"], out
    status, (action, actor, _note) = _case(centre, built["cases"]["passed"])
    assert (status, action, actor) == ("closed", "close", "leader")
    assert out["selected_late"] and "rework" in out["late_offered"] and out["reason_dialog"] == "QInputDialog", out
    assert late not in out["after_rework"], out
    status, (action, actor, note) = _case(centre, built["cases"]["late"])
    assert (status, action, actor) == ("dispatched", "rework", "leader") and "井盖仍松动" in (note or ""), note
