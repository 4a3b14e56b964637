# SPDX-License-Identifier: GPL-2.0-or-later
"""A map downloaded in settings reaches every open map at once (the report screen's, the task detail's),
not at the next start: `BasemapWatch` is the one place that says the basemap changed."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from report_world import HERE, mbtiles, pulled_store

from citygrid.sync.protocol import PullItem, PullPage
from citygrid_field.ui.basemap_watch import BasemapWatch
from citygrid_field.ui.map_view import BASEMAP, BlankSource, FieldMap

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "var" / "test-artifacts"
SHOTS = Path(__file__).with_name("basemap_shots.py")
TASK = {"id": "t1", "kind": "check", "case_no": "C1", "due_at": "2026-11-25T00:00:00Z", "status": "open"}
CASE = {"case_no": "C1", "lat": HERE[0], "lon": HERE[1], "address": "平江路 1 号", "description": "井盖破损"}


def test_before_any_map_asks_nothing_is_opened_and_a_change_costs_nothing(tmp_path):
    watch = BasemapWatch(tmp_path)
    watch.changed()
    assert watch.basemap is None
    mbtiles(tmp_path / BASEMAP)
    assert watch.current().path == tmp_path / BASEMAP  # the first map opens what is there now


def test_a_change_switches_a_map_bound_to_the_watch(tmp_path):
    watch = BasemapWatch(tmp_path)
    m = FieldMap(watch.current())
    watch.bind(basemap=lambda _w, b: m.use(b))
    assert isinstance(m.map_source, BlankSource) and m.basemap.path is None
    mbtiles(tmp_path / BASEMAP)
    watch.changed()
    assert m.basemap.path == tmp_path / BASEMAP and not isinstance(m.map_source, BlankSource)


def test_a_broken_new_file_leaves_a_blank_map_that_says_why(tmp_path):
    watch = BasemapWatch(tmp_path)
    m = FieldMap(watch.current())
    watch.bind(basemap=lambda _w, b: m.use(b))
    (tmp_path / BASEMAP).write_bytes(b"<html>captive portal</html>")
    watch.changed()
    assert isinstance(m.map_source, BlankSource) and m.basemap.problem.code == "field_report.bad_basemap"


@pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="needs xvfb-run (Debian's xvfb)")
def test_a_finished_download_switches_the_open_report_and_detail_maps_without_a_restart(tmp_path):
    data = tmp_path / "device"
    store = pulled_store(data)
    store.apply_page(PullPage("c2", False, (PullItem("task", "t1", False, TASK), PullItem("case", "C1", False, CASE))))
    store.close()
    new = mbtiles(tmp_path / "new.mbtiles", zoom=17)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "KIVY_HOME": str(tmp_path / "kivy")}
    run = subprocess.run(["xvfb-run", "-a", "-s", "-screen 0 1280x1280x24", sys.executable, str(SHOTS), str(data),
                          str(new), str(ARTIFACTS / "basemap-switch"), "720x1280", "t1"],
                         env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-3000:]
    seen = json.loads(run.stdout.strip().splitlines()[-1])
    for name in ("report", "task_detail"):
        assert seen[f"{name}-before"]["path"] is None and seen[f"{name}-before"]["source"] == "BlankSource"
        assert seen[f"{name}-after"]["path"] == str(data / BASEMAP), seen
        assert seen[f"{name}-after"]["source"] == "MBTilesMapSource" and "basemap.mbtiles" in seen[f"{name}-after"]["status"]
    from PIL import Image

    shots = [Path(p) for p in run.stdout.split() if p.endswith(".png")]
    assert [p.name for p in shots] == ["basemap-switch-before-zh_CN.png", "basemap-switch-report-after-zh_CN.png",
                                       "basemap-switch-detail-after-zh_CN.png"]
    with Image.open(shots[0]) as before, Image.open(shots[1]) as after:
        assert before.convert("RGB").getpixel((360, 700))[0] != 200  # blank, then the new tiles (red 200)
        assert after.convert("RGB").getpixel((360, 700))[0] == 200
