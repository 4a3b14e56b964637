# SPDX-License-Identifier: GPL-2.0-or-later
"""The shift review dock in a real QGIS, on a shift pushed through the real push path (review_shift):
each flagged item with the core's reason in Chinese, exactly the core's decisions offered, close,
rework, merge and discard moving the cases as the core says and audited, bulk closure, who gets the
dock, the poll, unload; and a Chinese screenshot with an item's photos and timeline."""

import importlib
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import centre_fixture as cf
import pytest
import review_shift as rs
from desk_modules import desk_set_aside

qgis_core = pytest.importorskip("qgis.core")
pytestmark = pytest.mark.qgis

from qgis.PyQt.QtCore import QBuffer, QByteArray, QCoreApplication, QIODevice, QTranslator  # noqa: E402
from qgis.PyQt.QtGui import QColor, QImage  # noqa: E402
from qgis.PyQt.QtWidgets import QApplication, QDockWidget, QMessageBox  # noqa: E402

from citygrid import messages  # noqa: E402
from citygrid.loop import casefile, workflow  # noqa: E402
from citygrid.problems import Problem  # noqa: E402
from citygrid.store import blobs, db  # noqa: E402
from citygrid.sync import review, review_decisions  # noqa: E402

MODULES = ("plugin", "review_dock", "review_decide", "review_shifts", "texts")
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "var" / "test-artifacts"
EXPECTED = {"passed": "review.awaiting_closure", "late": "review.late", "reassigned": "review.reassigned",
            "no_gps": "review.photo_no_gps", "far": "review.photo_far", "duplicate": "review.possible_duplicate"}


@pytest.fixture(scope="module")
def tree():
    with desk_set_aside():
        yield SimpleNamespace(**{n: importlib.import_module(f"citygrid_desk.{n}") for n in MODULES})


@pytest.fixture
def shown(monkeypatch):
    texts = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a: texts.append(text))
    return texts


@pytest.fixture
def shift(centre):
    conn = db.open_centre(centre)
    built = rs.build(conn, blobs.store_for(centre))
    conn.close()
    return SimpleNamespace(path=centre, **built)


@pytest.fixture
def open_desk(tree, qgis_iface, qgis_new_project, shift, shown):
    desks = []

    def open_as(username):
        desk = tree.plugin.CitygridDesk(qgis_iface)
        desk.initGui()
        assert desk.open_centre(str(shift.path), username, cf.PASSWORD), shown
        desks.append(desk)
        return desk
    yield open_as
    for desk in desks:
        desk.unload()


def _dock(desk):
    return next(p for p in desk.parts if type(p).__name__ == "ShiftReview").dock


def _core(shift, username="leader") -> dict:
    conn = db.open_centre(shift.path)
    try:
        return review.shift_review(conn, cf.actor(conn, username), *rs.window())
    finally:
        conn.close()


def _select(dock, shift, key) -> dict:
    assert dock.select(shift.items[key]["uuid"]), key
    return dock.item


def _case(shift, case_no) -> dict:
    conn = db.open_centre(shift.path)
    try:
        return {"row": workflow.case_row(conn, case_no), "events": workflow.events(conn, case_no),
                "photos": [p["sha256"] for p in casefile.photos(conn, case_no)]}
    finally:
        conn.close()


def _resolution(shift, key):
    conn = db.open_centre(shift.path)
    try:
        return review_decisions.resolution(conn, shift.items[key]["uuid"])
    finally:
        conn.close()


# --- what the dock shows ---------------------------------------------------------------------------

def test_the_default_window_is_the_current_shift_and_lists_what_the_core_lists(open_desk, shift):
    dock = _dock(open_desk("leader"))
    since, until = dock.window()
    assert since <= datetime.now(UTC) < until
    assert [i["uuid"] for i in dock.model.rows] == [i["uuid"] for i in _core(shift)["items"]]


def test_the_device_table_has_the_cores_counts_by_receipt_status(open_desk, shift):
    dock = _dock(open_desk("supervisor"))
    group = _core(shift, "supervisor")["devices"][0]
    cells = [dock.devices.item(0, c).text() for c in range(dock.devices.columnCount())]
    assert cells[:2] == ["dev-1", "collector01"]
    assert cells[3:9] == [str(group[c]) for c in ("items", "accepted", "duplicate", "conflict", "rejected",
                                                   "photos_missing")]
    assert group["items"] == len(shift.items) and group["conflict"] >= 1


def test_every_flagged_item_is_listed_with_the_cores_reason_in_chinese(open_desk, shift, chinese):
    dock = _dock(open_desk("leader"))
    for key, code in EXPECTED.items():
        item = _select(dock, shift, key)
        assert code in item["reasons"], key
        problem = Problem(code)
        problem.details = item["details"]
        words = messages.message(problem, lang="zh_CN")
        assert words != messages.TEXTS[code] and any("\u4e00" <= ch <= "\u9fff" for ch in words)
        row = dock.model.row_of(item["uuid"])
        assert words in dock.model.index(row, 4).data(), key
    assert dock.model.row_of(shift.items["failed"]["uuid"]) == -1  # a plain failed check needs no decision


@pytest.mark.parametrize("username", ["supervisor", "leader"])
def test_the_buttons_offered_are_exactly_the_cores_decisions_for_each_item(open_desk, shift, username):
    dock = _dock(open_desk(username))
    core = {i["uuid"]: i["decisions"] for i in _core(shift, username)["items"]}
    assert core and len(core) == dock.model.rowCount()
    for uuid, decisions in core.items():
        assert dock.select(uuid)
        assert sorted(dock.decisions.offered()) == sorted(decisions), uuid
    if username == "supervisor":
        assert all(d == ["discard"] for d in core.values())


def test_filtering_by_a_reason_shows_only_its_items_and_all_brings_them_back(open_desk, shift):
    dock = _dock(open_desk("leader"))
    every = dock.model.rowCount()
    dock.filter.setCurrentIndex(dock.filter.findData("review.late"))
    assert [i["uuid"] for i in dock.model.rows] == [shift.items["late"]["uuid"]]
    dock.filter.setCurrentIndex(dock.filter.findData(None))
    assert dock.model.rowCount() == every


def test_selecting_an_item_shows_its_photos_and_its_cases_timeline(open_desk, shift):
    dock = _dock(open_desk("leader"))
    _select(dock, shift, "far")
    assert dock.detail.photos.count() == 1
    assert dock.detail.photos.item(0).data(256) == shift.photos["far"]
    events = _case(shift, shift.cases["far"])["events"]
    assert dock.detail.timeline.rowCount() == len(events) > 1
    dock.select(None)
    assert dock.detail.photos.count() == 0 and dock.decisions.offered() == []


# --- deciding --------------------------------------------------------------------------------------

def test_close_closes_the_passed_checks_case_and_audits_who(open_desk, shift):
    dock = _dock(open_desk("leader"))
    _select(dock, shift, "passed")
    assert dock.decide("close")["status"] == "closed"
    case = _case(shift, shift.cases["passed"])
    assert case["row"]["status"] == "closed"
    assert (case["events"][-1]["action"], case["events"][-1]["actor"]) == ("close", "leader")
    assert _resolution(shift, "passed")["resolved_by"] == "leader"
    assert dock.model.row_of(shift.items["passed"]["uuid"]) == -1  # refreshed: decided items leave


def test_rework_asks_a_reason_and_sends_the_case_back_as_the_workflow_says(open_desk, shift, tree, monkeypatch):
    asked = []
    monkeypatch.setattr(tree.review_decide, "ask_reason", lambda *a: asked.append(a) or "照片看不清")
    dock = _dock(open_desk("leader"))
    item = _select(dock, shift, "late")
    assert "rework" in item["decisions"]
    done = dock.decide("rework")
    case = _case(shift, shift.cases["late"])
    assert asked and done["status"] == case["row"]["status"] != "check_passed"
    assert (case["events"][-1]["action"], case["events"][-1]["note"]) == ("rework", "照片看不清")
    assert _resolution(shift, "late")["resolution"] == "rework: 照片看不清"


def test_a_cancelled_reason_dialog_decides_nothing(open_desk, shift, tree, monkeypatch):
    monkeypatch.setattr(tree.review_decide, "ask_reason", lambda *a: None)
    dock = _dock(open_desk("leader"))
    _select(dock, shift, "late")
    before = _case(shift, shift.cases["late"])
    assert dock.decide("rework") is None
    assert _case(shift, shift.cases["late"]) == before and _resolution(shift, "late") is None


def test_merge_names_both_cases_and_keeps_both_reports_photos_on_the_survivor(open_desk, shift, tree, monkeypatch):
    asked = []
    monkeypatch.setattr(tree.review_decide, "confirm", lambda parent, title, text: asked.append(text) or True)
    dock = _dock(open_desk("leader"))
    item = _select(dock, shift, "duplicate")
    assert item["duplicate_of"] == shift.open_case
    done = dock.decide("merge")
    assert item["case_no"] in asked[0] and shift.open_case in asked[0]
    assert _case(shift, item["case_no"])["row"]["status"] == "voided"
    survivor = _case(shift, shift.open_case)
    assert shift.photos["report"] in survivor["photos"] and done["case_no"] == shift.open_case
    assert survivor["events"][-1]["action"] == "merge_duplicate"


def test_discard_without_a_reason_shows_the_cores_problem_and_changes_nothing(open_desk, shift, tree, monkeypatch,
                                                                             shown):
    monkeypatch.setattr(tree.review_decide, "ask_reason", lambda *a: "   ")
    dock = _dock(open_desk("supervisor"))
    _select(dock, shift, "reassigned")
    assert dock.decide("discard") is None
    assert shown == [messages.message(Problem("review.reason_required", uuid=shift.items["reassigned"]["uuid"]),
                                      lang=tree.texts.locale())]
    assert _resolution(shift, "reassigned") is None
    monkeypatch.setattr(tree.review_decide, "ask_reason", lambda *a: "已电话核实")
    before = _case(shift, shift.cases["reassigned"])
    assert dock.decide("discard")["reason"] == "已电话核实"
    assert _case(shift, shift.cases["reassigned"]) == before  # the case is untouched
    assert _resolution(shift, "reassigned")["resolution"] == "discard: 已电话核实"


def test_a_decision_not_offered_is_not_taken_even_when_asked_for(open_desk, shift):
    dock = _dock(open_desk("supervisor"))
    _select(dock, shift, "passed")
    assert dock.decide("close") is None and dock.decide("drop tables") is None
    assert _case(shift, shift.cases["passed"])["row"]["status"] == "check_passed"


def test_a_refusal_by_the_core_is_shown_in_words_and_the_dock_reads_the_shift_again(open_desk, shift, shown, tree):
    dock = _dock(open_desk("leader"))
    item = _select(dock, shift, "passed")
    conn = db.open_centre(shift.path)  # another desk decides first
    review_decisions.decide(conn, cf.actor(conn, "leader"), item["uuid"], "close")
    conn.close()
    assert dock.decide("close") is None
    assert shown and shown[0].startswith(messages.message(Problem("review.already_decided", uuid=item["uuid"],
                                                                  resolution="close"), lang=tree.texts.locale()))
    assert dock.model.row_of(item["uuid"]) == -1


def test_close_all_passed_checks_confirms_with_the_count_then_closes_them(open_desk, shift, tree, monkeypatch):
    asked = []
    monkeypatch.setattr(tree.review_decide, "confirm", lambda parent, title, text: asked.append(text) or False)
    dock = _dock(open_desk("leader"))
    passed = tree.review_decide.passed_checks(dock.shown["items"])
    assert passed and dock.close_all_passed() is None
    assert str(len(passed)) in asked[0] and _resolution(shift, "passed") is None
    monkeypatch.setattr(tree.review_decide, "confirm", lambda *a: True)
    assert dock.close_all_passed() == {"closed": len(passed)}
    assert _case(shift, shift.cases["passed"])["row"]["status"] == "closed"
    assert not tree.review_decide.passed_checks(dock.shown["items"])


def test_close_all_with_none_passed_says_so(open_desk, shift, monkeypatch, tree, shown):
    monkeypatch.setattr(tree.review_decide, "confirm", lambda *a: True)
    dock = _dock(open_desk("supervisor"))  # a supervisor may close none
    assert dock.close_all_passed() is None
    assert shown == [messages.message(Problem("review.nothing_to_close"), lang=tree.texts.locale())]


def test_marking_a_device_reviewed_marks_its_batches_and_shows_it(open_desk, shift):
    dock = _dock(open_desk("supervisor"))
    dock.devices.selectRow(0)
    assert dock.mark_reviewed() == 1
    assert _core(shift, "supervisor")["devices"][0]["batches"][0]["reviewed"]
    assert dock.devices.item(0, 9).text() == "Yes"


def test_the_poll_brings_in_a_batch_pushed_after_the_dock_opened(open_desk, shift):
    dock = _dock(open_desk("supervisor"))
    assert not dock.poll()
    conn = db.open_centre(shift.path)
    lonlat = rs.case_lonlat(conn, shift.open_case)
    receipts = rs.push(conn, blobs.store_for(shift.path), [rs.report(lonlat)], device="dev-2")
    conn.close()
    assert dock.poll()
    assert dock.model.row_of(receipts[0]["uuid"]) >= 0 and dock.devices.rowCount() == 2


# --- who gets it, and leaving ----------------------------------------------------------------------

@pytest.mark.parametrize("username", ["operator", "dispatcher", "gis"])
def test_roles_that_do_not_review_get_no_dock(open_desk, username, qgis_iface):
    desk = open_desk(username)
    assert _dock(desk) is None
    assert not [d for d in qgis_iface.mainWindow().findChildren(QDockWidget, "CitygridShiftReview")
                if d.parent() is not None]


@pytest.mark.parametrize("role", ["collector", "unit", None])
def test_a_collector_unit_or_anonymous_session_builds_no_dock(tree, qgis_iface, role):
    part = tree.review_dock.ShiftReview(qgis_iface, SimpleNamespace(role=role), None)
    assert part.dock is None and part.timer is None
    part.close()


def test_closing_the_centre_leaves_no_dock_timer_or_menu_entry(open_desk, qgis_iface):
    desk = open_desk("leader")
    part = next(p for p in desk.parts if type(p).__name__ == "ShiftReview")
    timer = part.timer
    desk.close_centre()
    assert not timer.isActive() and part.dock is None
    QApplication.processEvents()
    assert not [d for d in qgis_iface.mainWindow().findChildren(QDockWidget, "CitygridShiftReview")
                if d.parent() is not None]


# --- the shifts --------------------------------------------------------------------------------------

def test_shift_windows_day_night_and_a_night_that_ends_next_morning(tree):
    s = tree.review_shifts
    zone = "Asia/Shanghai"
    day = s.shift_of(datetime(2026, 12, 3, 3, 0, tzinfo=UTC), zone)  # 11:00 local
    assert [t.astimezone(s.ZoneInfo(zone)).hour for t in day] == [8, 20]
    night = s.shift_of(datetime(2026, 12, 3, 20, 0, tzinfo=UTC), zone)  # 04:00 local, Dec 4
    assert night[0].astimezone(s.ZoneInfo(zone)).day == 3 and night[1].astimezone(s.ZoneInfo(zone)).day == 4
    assert s.previous(day, zone)[1] == day[0]
    since, until = s.custom(datetime(2026, 12, 3).date(), s.time(20), s.time(8), zone)
    assert (until - since).total_seconds() == 12 * 3600


# --- Chinese -----------------------------------------------------------------------------------------

@pytest.fixture
def chinese(tmp_path, monkeypatch):
    tool = shutil.which("lrelease") or shutil.which("lrelease-qt5")
    if tool is None:
        pytest.skip("lrelease (qttools5-dev-tools) is needed to build the .qm")
    sources = sorted((ROOT / "qgis_plugin" / "citygrid_desk" / "i18n" / "zh_CN").glob("*.ts"))
    subprocess.run([tool, "-silent", *map(str, sources), "-qm", str(tmp_path / "zh_CN.qm")], check=True)
    translator = QTranslator()
    assert translator.load(str(tmp_path / "zh_CN.qm"))
    QCoreApplication.installTranslator(translator)
    monkeypatch.setattr(qgis_core.QgsApplication, "locale", staticmethod(lambda: "zh_CN"))
    yield
    QCoreApplication.removeTranslator(translator)


def _jpeg(colour: str) -> bytes:
    image = QImage(640, 480, QImage.Format_RGB32)
    image.fill(QColor(colour))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.WriteOnly)
    image.save(buffer, "JPEG")
    return bytes(data)


def test_the_dock_reads_in_chinese_with_an_items_photos_and_timeline_screenshot(tree, qgis_iface, qgis_new_project,
                                                                                 centre, shown, chinese):
    conn = db.open_centre(centre)
    store = blobs.store_for(centre)
    no = cf.case_at(conn, "checking", dx=15, at=rs.START)
    task = cf.open_task(conn, no, "check")["id"]
    shots = []
    for colour in ("#4a7a3a", "#8a6a3a"):
        data = _jpeg(colour)
        sha = store.put_bytes(data)
        rs.batch_file._record_photo(conn, sha, len(data), {}, "collector01")
        shots.append(sha)
    rs.push(conn, store, [rs.check(task, photos=shots)])
    conn.close()
    desk = tree.plugin.CitygridDesk(qgis_iface)
    desk.initGui()
    try:
        assert desk.open_centre(str(centre), "leader", cf.PASSWORD), shown
        dock = _dock(desk)
        assert dock.windowTitle() == "班末审核"
        assert dock.decisions.buttons["close"].text() == "通过并结案"
        dock.select(dock.model.rows[0]["uuid"])
        assert dock.detail.photos.count() == 2 and dock.detail.photos.placeholders() == 0
        assert "照片" in dock.model.index(0, 4).data()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        dock.resize(900, 1100)
        dock.show()
        QApplication.processEvents()
        assert dock.grab().save(str(ARTIFACTS / "review_dock_zh.png"))
    finally:
        desk.unload()
