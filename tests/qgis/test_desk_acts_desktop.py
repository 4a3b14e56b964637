# SPDX-License-Identifier: GPL-2.0-or-later
"""Desktop tier: in the real `qgis` with the built zip, a leader registers (立案) a case through the case
desk's widgets — status filter, row, action button, dialog, OK — and the core holds the move; an
operator is not offered that action. Screenshots: desk-act-zh_CN.png, desk-act-dialog-zh_CN.png,
desk-act-en.png."""

import shutil
import sqlite3

import pytest
from desktop import OPEN_CENTRE, available, build_zip, install, run

from citygrid import demo
from citygrid.demo import org

pytestmark = [pytest.mark.qgis, pytest.mark.slow,
              pytest.mark.skipif(not available(), reason="needs Debian's qgis desktop and xvfb-run (make deps)")]

# Finds the case desk, filters it to STATUS, selects the first row, clicks ACTION's button (when the
# role is offered it), screenshots the dialog and clicks its OK button.
ACT_ON_CASE = r'''
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtTest import QTest
from qgis.PyQt.QtWidgets import QDialogButtonBox, QDockWidget


@step(1500)
def filter_to_status():
    global dock
    dock = iface.mainWindow().findChild(QDockWidget, "CitygridCaseDesk")
    out["dock_visible"] = dock is not None and dock.isVisible()
    box = dock.filters.statuses
    for i in range(box.count()):
        if box.itemData(i) == STATUS:
            box.setItemCheckState(i, Qt.Checked)
    dock.filters.emit_filter()
    out["filter"] = repr(dock.filters.filter())
    out["items"] = [box.itemData(i) for i in range(box.count())]
    out["model_rows"] = len(dock.model.rows)


@step(1500)
def select_first_row():
    out["statuses_shown"] = sorted({r["status"] for r in dock.model.rows})
    dock.table.selectRow(0)
    out["case_no"] = dock.model.rows[0]["case_no"]


@step(1500)
def click_the_action():
    out["buttons"] = sorted(dock.detail.buttons)
    button = dock.detail.buttons.get(ACTION)
    if button is not None:
        QTest.mouseClick(button, Qt.LeftButton)


@step(1000)
def confirm_in_the_dialog():
    dialog = getattr(dock.detail, "dialog", None)
    out["dialog_shown"] = dialog is not None and dialog.isVisible()
    if not out["dialog_shown"]:
        return
    out["preview"] = dialog.preview.text()
    screen_shot(DIALOG_SHOT)
    QTest.mouseClick(dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.Ok), Qt.LeftButton)


@step(1500)
def after():
    out["summary"] = dock.detail.summary.text()
    shot(SHOT_NAME)
'''


@pytest.fixture(scope="module")
def demo_and_zip(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("desk-acts")
    centre = tmp / "center.gpkg"
    demo.build(centre, scale=demo.scale("small"), seed=1)
    return centre, build_zip(tmp / "citygrid_desk.zip")


@pytest.fixture
def built(demo_and_zip, tmp_path):
    """A fresh copy of the demo centre for each test (acting changes it), and the zip."""
    centre = tmp_path / "centre" / "center.gpkg"
    centre.parent.mkdir()
    shutil.copy(demo_and_zip[0], centre)
    return centre, demo_and_zip[1]


def _act(built, tmp_path, lang, username, status, action, shot):
    centre, zip_path = built
    profiles = install(zip_path, tmp_path / "profiles", lang=lang)
    return run(profiles, [OPEN_CENTRE, ACT_ON_CASE], {
        "CENTRE": str(centre), "USERNAME": username, "PASSWORD": org.PASSWORD, "STATUS": status,
        "ACTION": action, "SHOT_NAME": f"{shot}.png", "DIALOG_SHOT": f"{shot}-dialog.png"})


def _case(centre, case_no):
    with sqlite3.connect(f"file:{centre}?mode=ro", uri=True) as conn:
        status = conn.execute("SELECT status, step_due_at FROM cases WHERE case_no = ?", (case_no,)).fetchone()
        last = conn.execute("SELECT action, actor FROM case_events WHERE case_no = ? ORDER BY fid DESC LIMIT 1",
                            (case_no,)).fetchone()
    return status, last


def test_a_leader_registers_a_case_through_the_desks_widgets(built, tmp_path):
    out = _act(built, tmp_path, "zh_CN", "leader", "pending_register", "register", "desk-act-zh_CN")
    assert out["errors"] == [] and out["opened"] and out["dock_visible"], out
    assert out["statuses_shown"] == ["pending_register"]
    assert "register" in out["buttons"] and out["dialog_shown"], out
    (status, due), (action, actor) = _case(built[0], out["case_no"])
    assert (status, action, actor) == ("registered", "register", "leader")
    assert due is not None  # the dispatch step's time limit started
    assert "已立案" in out["summary"], out["summary"]


def test_an_operator_is_not_offered_registration_and_nothing_moves(built, tmp_path):
    out = _act(built, tmp_path, "en", "operator", "pending_register", "register", "desk-act-en")
    assert out["errors"] == [] and out["opened"], out
    assert "register" not in out["buttons"] and not out["dialog_shown"], out
    (status, _), (action, _) = _case(built[0], out["case_no"])
    assert status == "pending_register" and action != "register"
