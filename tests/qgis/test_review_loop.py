# SPDX-License-Identifier: GPL-2.0-or-later
"""The whole loop as a centre lives it (issue 13, Tests, first bullet), in a real QGIS.

A real `citygrid serve` (its own process on 127.0.0.1) over a built centre; collector01's field app data
dir signs in and pulls with the field app's own `SyncJob`; offline it makes a passed check (a real JPEG),
a failed check, a late check (its task due before the pull), a check on a task the operator reassigns to
collector02 meanwhile, and a report repeating an open case; it syncs. The supervisor opens the centre in
the desk and the review dock lists each flagged with the core's reason in Chinese, and discards the
reassigned check with a reason; the leader closes the passed check, reworks the late one and merges the
duplicate; the cases move as the core says. The device syncs again and its store and outbox say so.
"""

import importlib
import io
import sys
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import centre_fixture as cf
import pytest
from desk_modules import desk_set_aside

pytest.importorskip("qgis.core")
pytest.importorskip("uvicorn")
ROOT = Path(__file__).resolve().parents[2]
sys.path.append(str(ROOT / "tests" / "server"))
sys.path.append(str(ROOT / "field_app"))
from live import LiveServer  # noqa: E402

from citygrid import crs, messages, times  # noqa: E402
from citygrid.loop import workflow  # noqa: E402
from citygrid.problems import Problem  # noqa: E402
from citygrid.store import db, gpkg  # noqa: E402
from citygrid.sync.protocol import CheckResult, Location, Outcome, Report, ReportKind  # noqa: E402
from citygrid_field.outbox import Outbox  # noqa: E402
from citygrid_field.session import Api, sign_in, signed_in_api  # noqa: E402
from citygrid_field.store import Store  # noqa: E402
from citygrid_field.sync_client import Settings, SyncJob  # noqa: E402

pytestmark = [pytest.mark.qgis, pytest.mark.slow]
FAST = Settings(backoff_s=0.05, backoff_max_s=0.5, max_failures=40)
CHECKS = {"passed": 10, "failed": 25, "late": 40, "reassigned": 55}  # dx in metres within the grid
FLAGGED = {"passed": "review.awaiting_closure", "late": "review.late", "reassigned": "review.reassigned",
           "duplicate": "review.possible_duplicate"}


@pytest.fixture(scope="module")
def desk_module():
    with desk_set_aside():
        yield importlib.import_module("citygrid_desk.plugin")


def _centre(path: Path) -> dict:
    """A centre with four 核查 tasks for collector01 (one due an hour ago) and an open case to repeat."""
    cf.build(path)
    conn = db.open_centre(path)
    try:
        start = times.now() - timedelta(hours=3)
        cases = {k: cf.case_at(conn, "checking", dx=dx, at=start) for k, dx in CHECKS.items()}
        tasks = {k: cf.open_task(conn, no, "check")["id"] for k, no in cases.items()}
        assert {cf.open_task(conn, no, "check")["assignee"] for no in cases.values()} == {"collector01"}
        with db.transaction(conn):
            conn.execute("UPDATE tasks SET due_at = ? WHERE id = ?",
                         (times.to_db(times.now() - timedelta(hours=1)), tasks["late"]))
        open_case = cf.case_at(conn, "reported", dx=80, dy=80, at=start)
        x, y = gpkg.decode(workflow.case_row(conn, open_case)["geom"])[1]
        return {"cases": cases, "tasks": tasks, "open_case": open_case, "open_at": crs.to_lonlat(x + 5, y, 4549)}
    finally:
        conn.close()


def _jpeg(path: Path) -> Path:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (640, 480), (90, 140, 60)).save(buf, "JPEG", quality=90)
    path.write_bytes(buf.getvalue())
    return path


def _sync(store: Store):
    result = SyncJob(store, signed_in_api(store), FAST).run()
    assert result.problem is None, result.problem
    return result


def _shift(store: Store, world, photos: Path) -> dict:
    """The offline shift; -> uuid by key."""
    box, now = Outbox(store), times.now()
    held = {t["id"]: t for t in store.tasks("check")}
    assert set(world.tasks.values()) <= set(held)

    def here(key):
        case = store.record("case", world.cases[key])
        return Location(case["lon"], case["lat"], 4.0)

    photos.mkdir()
    out = {"passed": box.add(CheckResult(world.tasks["passed"], Outcome.PASS, now, location=here("passed")),
                             [_jpeg(photos / "passed.jpg")]),
           "failed": box.add(CheckResult(world.tasks["failed"], Outcome.FAIL, now, reason="垃圾仍在",
                                         location=here("failed"))),
           "late": box.add(CheckResult(world.tasks["late"], Outcome.PASS, now, location=here("late"))),
           "reassigned": box.add(CheckResult(world.tasks["reassigned"], Outcome.PASS, now,
                                             location=here("reassigned")))}
    out["duplicate"] = box.add(Report(ReportKind.EVENT, "0102", now, Location(*world.open_at, 3.0), "又见暴露垃圾"))
    return out


def _reassign_while_offline(world) -> None:
    conn = db.open_centre(world.path)
    try:
        workflow.reassign(conn, world.tasks["reassigned"], "collector02", cf.actor(conn, "operator"))
    finally:
        conn.close()


@pytest.fixture
def world(tmp_path):
    path = tmp_path / "centre.gpkg"
    built = _centre(path)
    server = LiveServer(path).start()
    yield SimpleNamespace(path=path, url=server.url, data=tmp_path / "device", **built)
    server.stop()


@pytest.fixture
def desk(desk_module, qgis_iface, qgis_new_project, monkeypatch):
    from qgis.core import QgsApplication
    from qgis.PyQt.QtWidgets import QMessageBox

    monkeypatch.setattr(QgsApplication, "locale", staticmethod(lambda: "zh_CN"))  # the core's words in Chinese
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a: shown.append(text))
    opened = []

    def open_as(path, username):
        plugin = desk_module.CitygridDesk(qgis_iface)
        plugin.initGui()
        assert plugin.open_centre(str(path), username, cf.PASSWORD), shown
        opened.append(plugin)
        return next(p for p in plugin.parts if type(p).__name__ == "ShiftReview").dock
    yield SimpleNamespace(open_as=open_as, shown=shown, close=lambda: _unload(opened))
    _unload(opened)


def _unload(opened: list) -> None:
    while opened:
        opened.pop().unload()


def _decide(dock, review_decide, monkeypatch, uuid: str, decision: str, note: str | None = None):
    monkeypatch.setattr(review_decide, "ask_reason", lambda *a: note)
    monkeypatch.setattr(review_decide, "confirm", lambda *a: True)
    assert dock.select(uuid), uuid
    assert decision in dock.decisions.offered(), (decision, dock.item["decisions"])
    done = dock.decide(decision)
    assert done is not None, decision
    return done


def _status(path, case_no) -> str:
    conn = db.open_centre(path, readonly=True)
    try:
        return workflow.case_row(conn, case_no)["status"]
    finally:
        conn.close()


def _chinese(code: str, item: dict) -> str:
    problem = Problem(code)
    problem.details = item["details"]
    return messages.message(problem, lang="zh_CN")


def test_a_shift_pushed_by_the_field_app_is_reviewed_in_the_desk_and_the_next_pull_tells_the_device(
        world, desk, monkeypatch, tmp_path):
    store = Store(world.data)
    sign_in(store, Api(world.url, lang="zh_CN"), "collector01", cf.PASSWORD)
    _sync(store)
    uuids = _shift(store, world, tmp_path / "photos")
    _reassign_while_offline(world)
    receipts = _sync(store).receipts
    assert receipts[uuids["reassigned"]] == "conflict" and receipts[uuids["passed"]] == "accepted", receipts
    entries = {e.uuid: e for e in Outbox(store).entries()}
    dup_case = entries[uuids["duplicate"]].case_no
    assert _status(world.path, world.cases["failed"]) not in ("checking", "check_passed")

    dock = desk.open_as(world.path, "supervisor")
    review_decide = sys.modules["citygrid_desk.review_decide"]
    rows = {i["uuid"]: i for i in dock.model.rows}
    for key, code in FLAGGED.items():
        item = rows[uuids[key]]
        assert code in item["reasons"], (key, item["reasons"])
        words = _chinese(code, item)
        assert any("\u4e00" <= ch <= "\u9fff" for ch in words)
        assert words in dock.model.index(dock.model.row_of(item["uuid"]), 4).data(), key
    assert rows[uuids["duplicate"]]["duplicate_of"] == world.open_case
    assert uuids["failed"] not in rows  # a plain failed check needs no decision: the workflow moved it
    _decide(dock, review_decide, monkeypatch, uuids["reassigned"], "discard", "已电话核实，由collector02处理")
    desk.close()

    dock = desk.open_as(world.path, "leader")
    assert _decide(dock, review_decide, monkeypatch, uuids["passed"], "close")["status"] == "closed"
    reworked = _decide(dock, review_decide, monkeypatch, uuids["late"], "rework", "超时核查，请重新处置")
    merged = _decide(dock, review_decide, monkeypatch, uuids["duplicate"], "merge")
    assert {i["uuid"] for i in dock.model.rows}.isdisjoint(uuids.values())  # every decided item left the list
    assert _status(world.path, world.cases["passed"]) == "closed"
    assert _status(world.path, world.cases["late"]) == reworked["status"] != "check_passed"
    assert _status(world.path, dup_case) == "voided" and merged["case_no"] == world.open_case
    assert _status(world.path, world.cases["reassigned"]) == "checking"  # a discard leaves the case alone

    assert store.record("case", world.cases["passed"]) is not None  # held until the next pull
    _sync(store)  # the next pull
    held = {t["case_no"] for t in store.tasks()}
    assert held.isdisjoint(world.cases.values()), held
    assert all(store.record("case", world.cases[k]) is None for k in ("passed", "late", "failed", "reassigned"))
    entries = {e.uuid: e for e in Outbox(store).entries()}
    assert "监督员" in entries[uuids["reassigned"]].text("zh_CN")
    assert dup_case in entries[uuids["duplicate"]].text("zh_CN")
    # The tasks went because the checks completed them; what each decision was reaches the device as an
    # outcome of the item (pull type `outcome`), said in the outbox's 已办 list.
    assert store.record("case", dup_case) is None
    from citygrid_field.ui.outcomes_text import outcome_text

    learned = {o["uuid"]: o for o in store.outcomes()}
    said = {key: outcome_text(learned[uuids[key]], "zh_CN") for key in ("passed", "late", "duplicate", "reassigned")}
    assert (learned[uuids["passed"]]["decision"], learned[uuids["passed"]]["case_status"]) == ("close", "closed")
    assert said["passed"] == f"核查 {world.cases['passed']}：已结案"
    assert said["late"] == "返工：超时核查，请重新处置"
    assert said["duplicate"] == f"已合并到案件 {world.open_case}"
    assert said["reassigned"] == "已搁置：已电话核实，由collector02处理"
