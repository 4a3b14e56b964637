# SPDX-License-Identifier: GPL-2.0-or-later
"""The new report screen in the real app under Xvfb at 720×1280 (zh_CN), over an MBTiles basemap made
here; screenshots kept in var/test-artifacts/field-report-*.png (look at them)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from report_world import mbtiles, pulled_store

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "var" / "test-artifacts"
SHOTS = Path(__file__).with_name("report_shots.py")

pytestmark = pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="needs xvfb-run (Debian's xvfb)")


def colours(path: Path) -> int:
    from PIL import Image

    with Image.open(path) as image:
        return len(image.convert("RGB").resize((200, 200)).getcolors(40000) or [])


def test_the_report_screen_draws_in_chinese_at_phone_size_with_the_offline_map(tmp_path):
    data = tmp_path / "device"
    pulled_store(data).close()
    mbtiles(data / "basemap.mbtiles", zoom=17)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "KIVY_HOME": str(tmp_path / "kivy")}
    run = subprocess.run(["xvfb-run", "-a", "-s", "-screen 0 1280x1280x24", sys.executable, str(SHOTS),
                          str(data), str(ARTIFACTS / "field-portrait"), "720x1280"],
                         env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-3000:]
    paths = [Path(p) for p in run.stdout.split() if p.endswith(".png")]
    assert [p.name for p in paths] == ["field-portrait-report-empty-zh_CN.png", "field-portrait-report-filled-zh_CN.png"]
    from PIL import Image

    for p in paths:
        with Image.open(p) as image:
            assert image.size == (720, 1280), p
        assert colours(p) > 20, f"{p} looks blank"
    with Image.open(paths[0]) as image:  # the basemap's tiles (red 200 in the test's PNGs) fill the map
        assert image.convert("RGB").getpixel((360, 700))[0] == 200
    assert not (data / "cache").exists() and not (ROOT / "cache").exists()  # mapview's cache stays in --data
