# SPDX-License-Identifier: GPL-2.0-or-later
"""The task detail and the check form in the real app under Xvfb at 720×1280 (zh_CN); screenshots kept
in var/test-artifacts/field-forms-portrait-*.png (looked at: Chinese visible, nothing clipped)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from citygrid_field.outbox import Outbox
from citygrid_field.store import Store

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "var" / "test-artifacts"
SHOTS = Path(__file__).with_name("forms_shots.py")

pytestmark = pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="needs xvfb-run (Debian's xvfb)")


def test_detail_and_check_form_draw_in_chinese_at_720x1280_and_the_form_saves_one_item(tmp_path):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SHOTS.parent), *sys.path]),
           "KIVY_HOME": str(tmp_path / "kivy")}
    run = subprocess.run(["xvfb-run", "-a", "-s", "-screen 0 1280x1280x24", sys.executable, str(SHOTS),
                          str(tmp_path), str(ARTIFACTS / "field-forms-portrait"), "720x1280"],
                         env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-3000:]
    paths = [Path(p) for p in run.stdout.split() if p.endswith(".png")]
    assert [p.name for p in paths] == ["field-forms-portrait-task-detail-zh_CN.png",
                                       "field-forms-portrait-check-form-zh_CN.png"]
    for p in paths:
        with Image.open(p) as image:
            assert image.size == (720, 1280)
            assert len(image.convert("RGB").resize((200, 200)).getcolors(40000) or []) > 20, f"{p} looks blank"
    store = Store(tmp_path / "device")
    [entry] = Outbox(store).entries()
    store.close()
    assert entry.type == "check" and len(entry.photos) == 1 and f"saved {entry.uuid}" in run.stdout
