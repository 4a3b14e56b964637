# SPDX-License-Identifier: GPL-2.0-or-later
"""The real app's screens under Xvfb, portrait phone and laptop sizes; screenshots kept in
var/test-artifacts/field-*.png (look at them: Chinese visible, nothing clipped)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from capture import shift
from test_sync_live import FAST, PASSWORD

from citygrid_field.session import Api, sign_in, signed_in_api
from citygrid_field.store import Store
from citygrid_field.sync_client import SyncJob

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "var" / "test-artifacts"
SHOTS = Path(__file__).with_name("ui_shots.py")

pytestmark = pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="needs xvfb-run (Debian's xvfb)")


def a_shift_on_the_device(world, tmp_path) -> Path:
    store = Store(world["data"])
    sign_in(store, Api(world["server"].url), "collector01", PASSWORD)
    SyncJob(store, signed_in_api(store), FAST).run()
    shift(store, tmp_path / "photos")
    store.close()
    return world["data"]


def colours(path: Path) -> int:
    from PIL import Image

    with Image.open(path) as image:
        return len(image.convert("RGB").resize((200, 200)).getcolors(40000) or [])


@pytest.mark.parametrize("size, name", [("720x1280", "portrait"), ("1280x800", "laptop")])
def test_each_screen_draws_in_chinese_and_english_at_phone_and_laptop_sizes(world, tmp_path, size, name):
    data = a_shift_on_the_device(world, tmp_path)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "KIVY_HOME": str(tmp_path / "kivy")}
    run = subprocess.run(["xvfb-run", "-a", "-s", "-screen 0 1280x1280x24", sys.executable, str(SHOTS),
                          str(data), str(ARTIFACTS / f"field-{name}"), size],
                         env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-3000:]
    paths = [Path(p) for p in run.stdout.split() if p.endswith(".png")]
    assert [p.name for p in paths] == [f"field-{name}-{s}.png" for s in
                                       ("sign-in-zh_CN", "tasks-zh_CN", "outbox-zh_CN", "settings-zh_CN", "tasks-en")]
    from PIL import Image

    for p in paths:
        with Image.open(p) as image:
            assert image.size == tuple(int(v) for v in size.split("x")), p
        assert colours(p) > 20, f"{p} looks blank"
