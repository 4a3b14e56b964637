# SPDX-License-Identifier: GPL-2.0-or-later
"""The real app under Xvfb (720×1280): the task list pulled down with touch events starts a sync, the
outbox shows a held item with its buttons and the discard confirmation, settings downloads the map.
Screenshots in var/test-artifacts/outbox-*.png (look at them)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from capture import shift
from mbtiles_fixture import mbtiles
from test_sync_live import FAST, PASSWORD

from citygrid_field.basemap_download import BASEMAP
from citygrid_field.session import Api, sign_in, signed_in_api
from citygrid_field.store import Store
from citygrid_field.sync_client import SyncJob
from citygrid_field.ui.outbox_vm import size_text
from citygrid_server.routes_basemap import folder

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "var" / "test-artifacts"
SHOTS = Path(__file__).with_name("outbox_shots.py")

pytestmark = pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="needs xvfb-run (Debian's xvfb)")


def a_held_shift(world, tmp_path) -> Path:
    store = Store(world["data"])
    sign_in(store, Api(world["server"].url), "collector01", PASSWORD)
    SyncJob(store, signed_in_api(store), FAST).run()
    shift(store, tmp_path / "photos")
    (tmp_path / "photos" / "c0.jpg").unlink()
    (tmp_path / "photos" / "r.jpg").write_bytes(b"not the photo any more")
    SyncJob(store, signed_in_api(store), FAST).run()
    store.close()
    return world["data"]


def test_pull_to_refresh_the_held_outbox_and_the_map_download_in_the_real_app(world, tmp_path):
    data = a_held_shift(world, tmp_path)
    served = mbtiles(folder(world["path"]) / "collector01.mbtiles", tiles=50)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "KIVY_HOME": str(tmp_path / "kivy")}
    run = subprocess.run(["xvfb-run", "-a", "-s", "-screen 0 1280x1280x24", sys.executable, str(SHOTS),
                          str(data), str(ARTIFACTS / "outbox"), "720x1280"],
                         env=env, capture_output=True, text=True, timeout=240)
    assert run.returncode == 0, run.stderr[-3000:]
    state = dict(line[6:].split("=", 1) for line in run.stdout.splitlines() if line.startswith("state "))
    assert state["pull"] == "release" and state["syncs_started_by_pull"] == "1", run.stdout
    assert state["syncs_started_by_short_pull"] == "0", run.stdout
    assert "丢弃上报" in state["question"] and "永远不会送达中心；如问题仍在，请重新上报" in state["question"], state
    assert state["rows"] == state["rows_after_keep"] == "3"  # "keep it" loses nothing
    assert state["map"] == "新地图已启用" and state["map_text"].startswith(f"本机离线地图：{size_text(served.stat().st_size)}，")
    assert (data / BASEMAP).read_bytes() == served.read_bytes()
    names = [line.split()[0] for line in run.stdout.splitlines() if line.endswith(".png")]
    assert names == ["tasks-pull", "tasks-syncing", "outbox", "outbox-drop", "settings-map", "outbox"]
