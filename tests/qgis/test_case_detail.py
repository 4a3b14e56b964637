# SPDX-License-Identifier: GPL-2.0-or-later
"""The detail pane in a real QGIS: the buttons each role gets, each action through its dialog and the core."""

import importlib
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import centre_fixture as cf
import pytest
from desk_modules import desk_set_aside

from citygrid import times
from citygrid.loop import accounts, casefile, workflow
from citygrid.store import blobs, db

pytest.importorskip("qgis.core")
from qgis.PyQt.QtCore import QCoreApplication, QTranslator  # noqa: E402
from qgis.PyQt.QtGui import QColor, QImage  # noqa: E402
from qgis.PyQt.QtWidgets import QLabel  # noqa: E402

pytestmark = pytest.mark.qgis
ROOT = Path(__file__).resolve().parents[2]
T = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # Monday 09:00 in Suzhou


@pytest.fixture(scope="module")
def desk():
    """The plugin's package from the working tree, dropped again afterwards so that the zip tests
    (test_desk_plugin.py) import their own copy, not this one cached in sys.modules."""
    with desk_set_aside():
        yield importlib.import_module("citygrid_desk.case_detail"), importlib.import_module("citygrid_desk.session")


@pytest.fixture
def shown(monkeypatch, desk):
    """Texts the desk shows in message boxes (captured, never a modal dialog in a test)."""
    texts = []
    session_module = importlib.import_module("citygrid_desk.session")
    monkeypatch.setattr(session_module.QMessageBox, "warning", lambda parent, title, text: texts.append(text))
    return texts


@pytest.fixture
def other(centre):
    """A second connection to the centre: another desk, or the sync service."""
    conn = db.open_centre(centre)
    yield conn
    conn.close()


@pytest.fixture
def pane_for(centre, qgis_app, shown, desk):
    """pane_for(username) -> a CaseDetail signed in as that account (clock fixed at T)."""
    made = []
    case_detail, session = desk

    def make(username):
        conn = db.open_centre(centre)
        actor = None if username is None else accounts.actor(conn, username)
        pane = case_detail.CaseDetail(session.DeskSession(str(centre), conn, actor), clock=lambda: T)
        made.append(pane)
        return pane

    yield make
    for pane in made:
        pane.session.centre.close()
        pane.deleteLater()


def _events(conn, case_no):
    return [e["action"] for e in workflow.events(conn, case_no)]


@pytest.mark.parametrize(("status", "username", "offered"), [
    ("reported", "operator", ["accept", "send_verify", "reject"]),
    ("reported", "leader", ["reject", "void"]),
    ("pending_register", "leader", ["reject", "register", "void"]),
    ("registered", "dispatcher", ["dispatch", "park"]),
    ("dispatched", "dispatcher", ["return", "extend", "park"]),
    ("dispatched", "unit_hw", ["request_return", "request_extension", "report_disposal"]),
    ("dispatched", "unit_sw", []),  # not its unit's case
    ("dispatched", "leader", ["void"]),
    ("disposed", "operator", ["send_check"]),
    ("checking", "operator", ["reassign_task"]),
    ("checking", "supervisor", ["reassign_task"]),
    ("checking", "collector01", []),  # check results come from the field app
    ("checking", "gis", []),
    ("check_passed", "leader", ["close", "rework", "void"]),
    ("check_passed", "dispatcher", []),
])
def test_the_pane_offers_exactly_the_roles_actions_in_the_cases_status(pane_for, other, status, username, offered):
    case_no = cf.case_at(other, status, at=T)
    pane = pane_for(username)
    pane.show_case(case_no)
    assert list(pane.buttons) == offered


def test_without_signing_in_the_pane_shows_the_case_and_offers_nothing(pane_for, other):
    case_no = cf.case_at(other, "reported", at=T)
    pane = pane_for(None)
    pane.show_case(case_no)
    assert pane.buttons == {} and case_no in pane.summary.text()


def test_accept_through_its_dialog_moves_the_case_and_emits_acted(pane_for, other):
    case_no = cf.case_at(other, "reported", at=T)
    pane = pane_for("operator")
    pane.show_case(case_no)
    emitted = []
    pane.acted.connect(emitted.append)
    pane.buttons["accept"].click()
    pane.dialog.accept()
    assert workflow.case_row(other, case_no)["status"] == "pending_register"
    assert emitted == [case_no]
    assert list(pane.buttons) == ["reject"]  # what the operator may still do in pending_register


def test_send_verify_defaults_to_the_grids_collector_and_takes_another_one(pane_for, other):
    case_no = cf.case_at(other, "reported", grid="320508001002001", at=T)
    pane = pane_for("operator")
    pane.show_case(case_no)
    dialog = pane.open_action("send_verify")
    assert dialog.collector.currentData() == "collector02"  # the grid's own collector first
    dialog.collector.setCurrentIndex(dialog.collector.findData("collector01"))
    dialog.accept()
    assert workflow.case_row(other, case_no)["status"] == "verifying"
    assert cf.open_task(other, case_no, "verify")["assignee"] == "collector01"


def test_register_previews_the_deadline_the_core_then_writes(pane_for, other):
    case_no = cf.case_at(other, "pending_register", at=T)
    pane = pane_for("leader")
    pane.show_case(case_no)
    dialog = pane.open_action("register")
    assert dialog.condition.currentData() == 1
    expected = casefile.preview_register(other, case_no, 1, accounts.actor(other, "leader"), T)
    assert "2026-11-23 09:30" in dialog.preview.text()  # dispatch due: 09:00 + 0.5 working hour
    assert "2026-11-23 13:00" not in dialog.preview.text()
    assert "2026-11-23 15:00" in dialog.preview.text()  # 09:00 + 4 working hours (lunch 12-14 skipped)
    dialog.accept()
    case = workflow.case_row(other, case_no)
    assert (case["status"], case["condition_id"]) == ("registered", 1)
    assert times.from_db(case["step_due_at"]) == expected["step_due"]
    workflow.act(other, case_no, "dispatch", accounts.actor(other, "dispatcher"), at=T, unit_code="HW")
    assert times.from_db(workflow.case_row(other, case_no)["deadline_at"]) == expected["deadline"]


def test_dispatch_preselects_the_suggested_unit_and_takes_an_override(pane_for, other):
    case_no = cf.case_at(other, "registered", at=T)
    suggested = workflow.suggest_unit(other, case_no)
    pane = pane_for("dispatcher")
    pane.show_case(case_no)
    dialog = pane.open_action("dispatch")
    assert dialog.unit.currentData() == suggested == "PJ"  # an event: territory first
    assert "2026-11-23 15:00" in dialog.preview.text()
    dialog.unit.setCurrentIndex(dialog.unit.findData("SW"))
    dialog.accept()
    case = workflow.case_row(other, case_no)
    assert (case["status"], case["unit_code"]) == ("dispatched", "SW")


def test_a_void_without_reason_is_refused_clearly_and_writes_nothing(pane_for, other, shown):
    case_no = cf.case_at(other, "registered", at=T)
    before = _events(other, case_no)
    pane = pane_for("leader")
    pane.show_case(case_no)
    dialog = pane.open_action("void")
    dialog.note.setPlainText("   ")
    dialog.accept()
    assert shown and "reason" in shown[-1].lower()
    assert dialog.isVisible() and dialog.event is None  # still open, to give the reason
    assert _events(other, case_no) == before and workflow.case_row(other, case_no)["status"] == "registered"
    dialog.note.setPlainText("与已立案件重复")
    dialog.accept()
    assert workflow.case_row(other, case_no)["status"] == "voided"
    assert workflow.events(other, case_no)[-1]["note"] == "与已立案件重复"


def test_a_leaders_rework_needs_a_reason_previews_the_deadline_and_goes_back_to_the_same_unit(
        pane_for, other, shown):
    case_no = cf.case_at(other, "check_passed", at=T)
    before = _events(other, case_no)
    pane = pane_for("leader")
    pane.show_case(case_no)
    dialog = pane.open_action("rework")
    assert "HW" in dialog.preview.text() and "2026-11-23 15:00" in dialog.preview.text()  # 09:00 + 4 working h
    dialog.accept()
    assert shown and "reason" in shown[-1].lower() and dialog.isVisible() and dialog.event is None
    assert _events(other, case_no) == before and workflow.case_row(other, case_no)["status"] == "check_passed"
    dialog.note.setPlainText("垃圾仍未清运")
    dialog.accept()
    case = workflow.case_row(other, case_no)
    assert (case["status"], case["unit_code"], case["rework_count"]) == ("dispatched", "HW", 1)
    assert times.from_db(case["deadline_at"]) == datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
    assert workflow.events(other, case_no)[-1]["note"] == "垃圾仍未清运"
    assert cf.open_task(other, case_no, "dispose")["unit_code"] == "HW" and list(pane.buttons) == ["void"]


def test_the_rework_preview_shows_the_cores_refusal_for_a_case_without_a_unit(pane_for, other):
    case_no = cf.case_at(other, "check_passed", at=T)
    other.execute("UPDATE cases SET unit_code = NULL WHERE case_no = ?", (case_no,))
    pane = pane_for("leader")
    pane.show_case(case_no)
    assert "no responsible unit" in pane.open_action("rework").preview.text()


def test_a_stale_pane_gives_the_coded_problem_and_then_shows_the_case_as_it_is(pane_for, other, shown):
    case_no = cf.case_at(other, "reported", at=T)
    pane = pane_for("operator")
    pane.show_case(case_no)
    workflow.act(other, case_no, "accept", accounts.actor(other, "operator"), at=T)  # another desk, meanwhile
    before = _events(other, case_no)
    dialog = pane.open_action("accept")
    dialog.accept()
    assert len(shown) == 1 and "pending_register" in shown[0] and "accept" in shown[0]
    assert not dialog.isVisible() and dialog.event is None
    assert _events(other, case_no) == before
    assert "Awaiting registration" in pane.summary.text() and list(pane.buttons) == ["reject"]


def test_extend_by_hours_previews_and_writes_the_new_deadline(pane_for, other):
    case_no = cf.case_at(other, "dispatched", at=T)
    pane = pane_for("dispatcher")
    pane.show_case(case_no)
    dialog = pane.open_action("extend")
    dialog.hours.setValue(2)
    assert "2026-11-23 17:00" in dialog.preview.text()  # 15:00 + 2 working hours
    dialog.accept()
    case = workflow.case_row(other, case_no)
    assert case["deadline_at"] == times.to_db(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))


def test_park_and_restore_through_their_dialogs(pane_for, other):
    case_no = cf.case_at(other, "registered", at=T)
    pane = pane_for("dispatcher")
    pane.show_case(case_no)
    pane.open_action("park").accept()
    assert workflow.case_row(other, case_no)["status"] == "parked" and list(pane.buttons) == ["restore"]
    pane.open_action("restore").accept()
    assert workflow.case_row(other, case_no)["status"] == "registered"


def test_reassign_offers_the_other_collectors_and_moves_the_task(pane_for, other):
    case_no = cf.case_at(other, "checking", at=T)
    pane = pane_for("supervisor")
    pane.show_case(case_no)
    dialog = pane.open_action("reassign_task")
    assert [dialog.collector.itemData(i) for i in range(dialog.collector.count())] == ["collector02"]
    dialog.accept()
    assert cf.open_task(other, case_no, "check")["assignee"] == "collector02"
    assert _events(other, case_no)[-1] == "reassign_task"


def test_the_timeline_shows_every_event_with_actions_and_statuses_named(pane_for, other):
    case_no = cf.case_at(other, "checking", at=T)
    pane = pane_for("operator")
    pane.show_case(case_no)
    table = pane.timeline
    assert table.rowCount() == len(workflow.events(other, case_no)) == 6
    assert [table.item(r, 1).text().split(":")[0] for r in range(3)] == [
        "Report", "Accept the report", "Register the case"]
    assert table.item(0, 0).text() == "2026-11-23 09:00\noperator (Operator)"  # local time, who and role
    assert "\nto collector01\n" in table.item(5, 1).text()  # whom the 核查 went to
    assert table.item(3, 1).text() == ("Dispatch to a unit: Registered, awaiting dispatch → Dispatched, in disposal\n"
                                       "Unit HW\nstep due 2026-11-23 09:30")


def _photo(store, colour="#3070c0", size=(1600, 1200)) -> str:
    image = QImage(*size, QImage.Format_RGB32)
    image.fill(QColor(colour))
    path = store.root.parent / f"tmp-{colour[1:]}.jpg"
    store.root.mkdir(parents=True, exist_ok=True)
    assert image.save(str(path), "JPEG")
    sha = store.put_file(path)
    path.unlink()
    return sha


def _reported_with(conn, shas) -> str:
    x, y = cf.centre_point("320508001001001")
    return workflow.report(conn, accounts.actor(conn, "operator"), kind="event", class_code="0102", x=x, y=y,
                           description="路边暴露垃圾", source="hotline", at=T, photos=shas,
                           address="平江路 12 号")


def test_photos_show_thumbnails_and_a_corrupt_or_missing_one_a_placeholder(pane_for, other, centre):
    store = blobs.store_for(centre)
    good = _photo(store)
    corrupt = store.put_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    missing = "cd" * 32
    case_no = _reported_with(other, [good, corrupt, missing])
    pane = pane_for("operator")
    pane.show_case(case_no)
    assert pane.photos.count() == 3 and pane.photos.placeholders() == 2
    pane.photos.show_full(pane.photos.item(0))
    assert max(pane.photos.dialog.image.width(), pane.photos.dialog.image.height()) == 1600
    pane.photos.show_full(pane.photos.item(1))
    assert pane.photos.dialog.image is None  # the dialog says so instead


def test_a_huge_photo_is_read_scaled_never_whole(tmp_path, qgis_app, desk):
    read_scaled = importlib.import_module("citygrid_desk.photo_view").read_scaled
    store = blobs.BlobStore(tmp_path / "b.blobs")
    sha = _photo(store, size=(6000, 4000))
    image = read_scaled(store.path(sha), 112)
    assert image.width() == 112 and 74 <= image.height() <= 75  # 6000 x 4000 scaled, never decoded whole


def _install_zh_cn(tmp_path):
    tool = shutil.which("lrelease") or shutil.which("lrelease-qt5")
    if tool is None:
        pytest.skip("lrelease is missing (Debian: qttools5-dev-tools)")
    qm = tmp_path / "zh_CN.qm"
    sources = sorted(str(p) for p in (ROOT / "qgis_plugin" / "citygrid_desk" / "i18n" / "zh_CN").glob("*.ts"))
    subprocess.run([tool, "-silent", *sources, "-qm", str(qm)], check=True)
    translator = QTranslator()
    assert translator.load(str(qm))
    QCoreApplication.installTranslator(translator)
    return translator


def test_the_pane_in_chinese_with_a_timeline_and_a_photo_is_saved_as_an_artefact(pane_for, other, centre, tmp_path):
    translator = _install_zh_cn(tmp_path)
    try:
        case_no = _reported_with(other, [_photo(blobs.store_for(centre))])
        for action, who, params in (("accept", "operator", {}), ("register", "leader", {"condition_id": 1})):
            workflow.act(other, case_no, action, accounts.actor(other, who), at=T, **params)
        pane = pane_for("dispatcher")
        pane.resize(560, 1100)
        pane.show_case(case_no)
        assert "派遣" in [b.text() for b in pane.buttons.values()]
        out = ROOT / "var" / "test-artifacts" / "case-detail-zh_CN.png"
        out.parent.mkdir(parents=True, exist_ok=True)
        pane.show()
        assert pane.grab().save(str(out))
        dialog = pane.open_action("dispatch")
        dialog.resize(520, dialog.sizeHint().height())
        assert dialog.grab().save(str(out.with_name("case-dispatch-dialog-zh_CN.png")))
        dialog.reject()
    finally:
        QCoreApplication.removeTranslator(translator)


def test_a_leader_in_chinese_sees_the_rework_button_and_its_preview(pane_for, other, tmp_path):
    translator = _install_zh_cn(tmp_path)
    try:
        case_no = cf.case_at(other, "check_passed", at=T)
        pane = pane_for("leader")
        pane.show_case(case_no)
        assert pane.buttons["rework"].text() == "返工"
        dialog = pane.open_action("rework")
        assert "理由（必填）" in [w.text() for w in dialog.findChildren(QLabel)]
        assert dialog.preview.text().startswith("退回 HW 返工（第 1 次）")
        dialog.reject()
    finally:
        QCoreApplication.removeTranslator(translator)
