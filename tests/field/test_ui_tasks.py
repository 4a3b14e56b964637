# SPDX-License-Identifier: GPL-2.0-or-later
"""The task list and the sync button's models: collector01's tasks from a real serve, sorted and marked."""

from datetime import UTC, datetime, timedelta

from capture import shift
from test_sync_live import PASSWORD
from ui_driver import tick_until

from citygrid.sync.protocol import PullItem, PullPage
from citygrid_field.platform.location import Fix
from citygrid_field.session import Api, sign_in
from citygrid_field.store import Store
from citygrid_field.sync_client import Progress, Settings
from citygrid_field.ui.language import Language
from citygrid_field.ui.outbox_vm import OutboxVM
from citygrid_field.ui.sync_vm import SyncVM, fraction
from citygrid_field.ui.tasks_vm import TasksVM, distance_m

FAST = Settings(backoff_s=0.05, backoff_max_s=0.2, max_failures=3)


def synced(store: Store, language: Language) -> SyncVM:
    vm = SyncVM(store, language, FAST)
    assert vm.start()
    tick_until(lambda: not vm.running)
    return vm


def test_sign_in_sync_and_the_list_shows_collector01s_tasks(world):
    store, lang = Store(world["data"]), Language(lang="zh_CN")
    sign_in(store, Api(world["server"].url), "collector01", PASSWORD)
    sync, tasks = synced(store, lang), TasksVM(store, lang)
    assert sync.phase == "done" and sync.fraction == 1.0 and "同步完成" in sync.outcome, sync.outcome
    tasks.refresh()
    cases = {r["case_no"] for r in tasks.rows}
    assert set(world["cases"]["checks"]) | {world["cases"]["verify"]} <= cases
    assert tasks.counts.startswith("核查 2 件 · 核实 1 件")
    assert any(r["title"].startswith("核实") for r in tasks.rows)


def test_sync_without_a_session_says_sign_in_and_starts_nothing(tmp_path):
    vm = SyncVM(Store(tmp_path / "device"), Language(lang="en"))
    assert not vm.start() and not vm.running
    assert vm.needs_sign_in and vm.outcome == "sign in to the server first"


def test_a_dead_server_ends_the_sync_with_its_reason_and_keeps_the_outbox(world, tmp_path):
    store, lang = Store(world["data"]), Language(lang="en")
    sign_in(store, Api(world["server"].url), "collector01", PASSWORD)
    synced(store, lang)
    uuids = set(shift(store, tmp_path / "photos").values())
    world["server"].kill()
    vm = synced(store, lang)
    assert vm.phase == "failed" and "cannot be reached" in vm.outcome
    box = OutboxVM(store, lang, vm)
    box.refresh()
    assert {r["uuid"] for r in box.rows} == uuids and all(r["can_retry"] for r in box.rows)
    assert box.counts.startswith("3 waiting")


def test_the_progress_bar_moves_forward_through_the_phases():
    steps = [Progress("check"), Progress("pull"), Progress("upload", 3, 0, 100, 0), Progress("upload", 3, 0, 100, 60),
             Progress("push", 3, 1, 100, 100), Progress("push", 3, 3, 100, 100), Progress("done")]
    values = [fraction(p) for p in steps]
    assert values == sorted(values) and values[-1] == 1.0 and 0 < values[0] < 0.1
    assert fraction(Progress("upload", 1, 0, 0, 0)) == fraction(Progress("upload"))  # no bytes: no division


def page(*tasks, cases=()) -> PullPage:
    items = [PullItem("task", t["id"], False, t) for t in tasks]
    items += [PullItem("case", c["case_no"], False, c) for c in cases]
    return PullPage("c1", False, tuple(items))


NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


def task(i, due, kind="check"):
    at = None if due is None else (NOW + due).isoformat()
    return {"id": f"t{i}", "kind": kind, "case_no": f"C{i}", "due_at": at, "status": "open"}


def case(i, lat, lon):
    return {"case_no": f"C{i}", "lat": lat, "lon": lon, "address": f"路{i}号"}


def test_tasks_sort_by_due_time_and_mark_overdue_and_due_soon(tmp_path):
    store = Store(tmp_path / "d")
    store.apply_page(page(task(1, timedelta(days=2)), task(2, -timedelta(hours=1)), task(3, timedelta(minutes=30)),
                          task(4, None, "verify"), cases=[case(1, 31.3, 120.6)]))
    vm = TasksVM(store, Language(lang="en"), now=lambda: NOW)
    vm.refresh()
    assert [r["case_no"] for r in vm.rows] == ["C2", "C3", "C1", "C4"]
    assert [r["flag"] for r in vm.rows] == ["overdue", "soon", "", ""]
    assert "overdue" in vm.rows[0]["due_text"] and vm.rows[3]["due_text"] == "no due time"
    assert vm.counts == "3 checks · 1 verifications · 1 overdue · 1 due soon"
    vm.language.lang = "zh_CN"
    assert vm.counts == "核查 3 件 · 核实 1 件 · 超时 1 件 · 即将到期 1 件" and "已超时" in vm.rows[0]["due_text"]


def test_by_distance_with_a_fix_the_nearest_comes_first_and_shows_its_distance(tmp_path):
    store = Store(tmp_path / "d")
    store.apply_page(page(task(1, timedelta(hours=5)), task(2, timedelta(hours=1)), task(3, -timedelta(hours=3)),
                          cases=[case(1, 31.3000, 120.6), case(2, 31.3100, 120.6)]))
    vm = TasksVM(store, Language(lang="en"), now=lambda: NOW)
    vm.set_order("distance")
    vm.fix = Fix(31.3001, 120.6, 8.0, NOW)
    assert [r["case_no"] for r in vm.rows] == ["C1", "C2", "C3"]  # C3 has no place: after the placed ones
    assert vm.rows[0]["due_text"].endswith(" 11 m") and vm.rows[1]["due_text"].endswith("1.1 km")


def test_a_malformed_due_time_from_the_centre_is_listed_last_not_a_crash(tmp_path):
    store = Store(tmp_path / "d")
    store.apply_page(page(task(1, timedelta(hours=1)), {**task(2, None), "due_at": "tomorrow-ish"}))
    vm = TasksVM(store, Language(lang="en"), now=lambda: NOW)
    vm.refresh()
    assert [r["case_no"] for r in vm.rows] == ["C1", "C2"] and vm.rows[1]["flag"] == ""


def test_distance_is_the_great_circle_distance():
    assert abs(distance_m(31.0, 120.0, 31.0, 120.0)) < 1e-6
    assert abs(distance_m(0, 0, 1, 0) - 111_195) < 5
