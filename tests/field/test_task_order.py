# SPDX-License-Identifier: GPL-2.0-or-later
"""The task list's order is the collector's choice (按时限 / 按距离): due time by default, distance
only when chosen and only with a fix, the choice kept in the store's meta across restarts."""

import json
import os
import shutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from test_ui_tasks import NOW, case, page, task

from citygrid_field.platform.location import Fix
from citygrid_field.store import Store
from citygrid_field.ui.language import Language
from citygrid_field.ui.tasks_vm import TasksVM

ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "test-artifacts"
SHOTS = Path(__file__).with_name("order_shots.py")
NEAR_LATE = Fix(31.3001, 120.6, 8.0, NOW)  # beside C1, whose task is due last


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "d")
    s.apply_page(page(task(1, timedelta(hours=5)), task(2, timedelta(hours=1)), task(3, -timedelta(hours=3)),
                      cases=[case(1, 31.3000, 120.6), case(2, 31.3100, 120.6)]))
    s.put(username="collector01", token="tok", server="http://127.0.0.1:9")  # signed in: the list first
    yield s
    s.close()


def listed(vm: TasksVM) -> list[str]:
    return [r["case_no"] for r in vm.rows]


def test_a_fix_alone_does_not_reorder_the_list(store):
    vm = TasksVM(store, Language(lang="en"), now=lambda: NOW)
    vm.fix = NEAR_LATE
    assert vm.order == "due" and not vm.by_distance and listed(vm) == ["C3", "C2", "C1"]
    assert vm.rows[2]["due_text"].endswith(" 11 m")  # the distance is still said on the row


def test_without_a_fix_distance_waits_and_a_hint_says_why(store):
    vm = TasksVM(store, Language(lang="en"), now=lambda: NOW)
    vm.set_order("distance")
    assert vm.order == "distance" and not vm.by_distance and listed(vm) == ["C3", "C2", "C1"]
    assert "position fix" in vm.order_hint
    vm.language.lang = "zh_CN"
    assert "定位" in vm.order_hint
    vm.fix = NEAR_LATE
    assert vm.by_distance and vm.order_hint == "" and listed(vm) == ["C1", "C2", "C3"]


def test_the_choice_is_kept_across_restarts(store):
    first = TasksVM(store, Language(lang="en"), now=lambda: NOW)
    first.set_order("distance")
    assert store.get("task_order") == "distance"
    again = TasksVM(store, Language(lang="en"), now=lambda: NOW)
    again.fix = NEAR_LATE
    assert again.order == "distance" and listed(again) == ["C1", "C2", "C3"]
    again.set_order("due")
    assert TasksVM(store, Language(lang="en")).order == "due" and listed(again) == ["C3", "C2", "C1"]


@pytest.mark.parametrize("saved", ["nearest", "", "DISTANCE", "due; DROP TABLE tasks"])
def test_an_unknown_saved_order_falls_back_to_due_time(store, saved):
    store.put(task_order=saved)
    vm = TasksVM(store, Language(lang="en"), now=lambda: NOW)
    vm.fix = NEAR_LATE
    assert vm.order == "due" and listed(vm) == ["C3", "C2", "C1"]


def test_an_unknown_order_asked_for_is_ignored(store):
    vm = TasksVM(store, Language(lang="en"), now=lambda: NOW)
    vm.set_order("random")
    assert vm.order == "due" and store.get("task_order") is None


@pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="needs xvfb-run (Debian's xvfb)")
def test_the_toggle_on_the_screen_orders_by_distance_only_when_pressed_and_is_kept(store, tmp_path):
    def app_run(tag: str, *press: str) -> tuple[list[dict], list[Path]]:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "KIVY_HOME": str(tmp_path / "kivy")}
        run = subprocess.run(["xvfb-run", "-a", "-s", "-screen 0 1280x1280x24", sys.executable, str(SHOTS),
                              str(store.dir), str(ARTIFACTS / f"order-{tag}"), "720x1280", str(NEAR_LATE.lat),
                              str(NEAR_LATE.lon), *press], env=env, capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, run.stderr[-3000:]
        return json.loads(run.stdout.strip().splitlines()[-1]), [Path(p) for p in run.stdout.split() if p.endswith(".png")]

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    store.close()
    (start, fix, pressed), shots = app_run("first", "press")
    assert start["distance_disabled"] and start["due_down"] and "定位" in start["hint"]
    assert start["cases"] == fix["cases"] == ["C3", "C2", "C1"]  # a fix alone changes nothing
    assert not fix["distance_disabled"] and fix["hint"] == "" and fix["due_down"]
    assert pressed["cases"] == ["C1", "C2", "C3"] and pressed["distance_down"] and not pressed["due_down"]
    assert [p.name for p in shots] == ["order-first-no-fix-zh_CN.png", "order-first-fix-zh_CN.png",
                                       "order-first-by-distance-zh_CN.png"]
    (start, fix), _ = app_run("again")  # the next start: the choice waits for a fix, then applies
    assert start["cases"] == ["C3", "C2", "C1"] and start["distance_disabled"]
    assert fix["cases"] == ["C1", "C2", "C3"] and fix["distance_down"]
