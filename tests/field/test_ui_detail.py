# SPDX-License-Identifier: GPL-2.0-or-later
"""The task detail (map, distance, report / disposal photo strips) and the laptop's file chooser in the
real app under Xvfb: portrait 720×1280 and a laptop's 1280×800 in zh_CN, and portrait in English.
Screenshots in var/test-artifacts/field-detail-*.png (looked at: map with the case, device and component
markers; 上报照片 (1) and 处置照片 (2) with a 尚未下载 tile; the chooser lists only pictures)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "var" / "test-artifacts"
SHOTS = Path(__file__).with_name("detail_shots.py")
NAMES = ("task-detail", "file-chooser", "refused", "check-form-chosen")

pytestmark = pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="needs xvfb-run (Debian's xvfb)")


def run_shots(tmp_path, name: str, size: str, lang: str) -> tuple[str, list[Path]]:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SHOTS.parent), *sys.path]),
           "KIVY_HOME": str(tmp_path / "kivy")}
    run = subprocess.run(["xvfb-run", "-a", "-s", "-screen 0 1400x1400x24", sys.executable, str(SHOTS),
                          str(tmp_path), str(ARTIFACTS / f"field-detail-{name}"), size, lang],
                         env=env, capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, run.stderr[-3000:]
    paths = [Path(p) for p in run.stdout.split() if p.endswith(".png")]
    assert [p.name for p in paths] == [f"field-detail-{name}-{n}-{lang}.png" for n in NAMES]
    width, height = (int(v) for v in size.split("x"))
    for p in paths:
        with Image.open(p) as image:
            assert image.size == (width, height)
            assert len(image.convert("RGB").resize((200, 200)).getcolors(40000) or []) > 20, f"{p} looks blank"
    return run.stdout, paths


@pytest.mark.parametrize(("name", "size"), [("portrait", "720x1280"), ("laptop", "1280x800")])
def test_detail_and_file_chooser_in_chinese_take_a_picture_and_refuse_a_text_file(tmp_path, name, size):
    out, _ = run_shots(tmp_path, name, size, "zh_CN")
    assert "listed ['IMG_20261124_0930.jpg', 'fake.JPG']" in out  # notes.txt is not offered
    assert "chose IMG_20261124_0930.jpg photos 1 form error - chooser error -" in out
    assert "fake.JPG 不是图片" in out and "chose fake.JPG photos 1 form error -" in out
    assert "original unchanged True fake kept True" in out


def test_detail_in_english(tmp_path):
    out, _ = run_shots(tmp_path, "portrait", "720x1280", "en")
    assert "fake.JPG is not an image" in out
