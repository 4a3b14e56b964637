# SPDX-License-Identifier: GPL-2.0-or-later
"""The PyInstaller one-folder bundle (`build.spec`, `make field-bundle`): built once into a temporary
folder, then run with an environment that has no venv, no PYTHONPATH and no Python on PATH: its help,
a refused data folder in the user's language (the core's PO files are inside), and a real window
under X that reaches Kivy's main loop and is then stopped. Slow: the build takes about a minute."""

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    pytest.importorskip("PyInstaller", reason="`make field-bundle` installs PyInstaller into the venv")
    out = tmp_path_factory.mktemp("bundle")
    done = subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
                           "--distpath", str(out / "dist"), "--workpath", str(out / "build"),
                           str(ROOT / "build.spec"), "--", "--only", "field"],
                          capture_output=True, text=True, timeout=600, cwd=out)
    assert done.returncode == 0, done.stderr[-3000:]
    return out / "dist" / "citygrid-field"


def bare_env(home: Path) -> dict:
    """No venv, no PYTHONPATH, no Python on PATH: only what a laptop without Python has."""
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8"}
    if os.environ.get("DISPLAY"):
        env["DISPLAY"] = os.environ["DISPLAY"]
    return env


def test_the_bundle_holds_the_layouts_the_catalogues_and_the_cjk_font(bundle):
    inside = bundle / "_internal"
    assert {p.name for p in (inside / "citygrid_field" / "ui").glob("*.kv")} >= {"tasks.kv", "sign_in.kv"}
    assert (inside / "citygrid" / "locale" / "zh_CN" / "LC_MESSAGES" / "field_ui.po").is_file()
    if Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc").is_file():
        assert (inside / "fonts" / "wqy-microhei.ttc").is_file()


def test_the_bundle_answers_help_without_the_venv(bundle, tmp_path):
    done = subprocess.run([str(bundle / "citygrid-field"), "--help"], capture_output=True, text=True,
                          env=bare_env(tmp_path), timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "--server" in done.stdout and "--data" in done.stdout and "zh_CN" in done.stdout


def test_a_data_folder_that_is_a_file_is_refused_in_chinese_before_any_window(bundle, tmp_path):
    (tmp_path / "not-a-folder").write_text("x")
    done = subprocess.run([str(bundle / "citygrid-field"), "--data", str(tmp_path / "not-a-folder"),
                           "--lang", "zh_CN"], capture_output=True, text=True, env=bare_env(tmp_path), timeout=60)
    assert done.returncode == 2, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    assert any("\u4e00" <= ch <= "\u9fff" for ch in done.stderr), done.stderr


def test_the_bundle_opens_its_window_and_reaches_the_main_loop(bundle, tmp_path):
    command = [str(bundle / "citygrid-field"), "--data", str(tmp_path / "device"), "--lang", "zh_CN",
               "--server", "http://127.0.0.1:9", "--window", "720x1280"]
    if not os.environ.get("DISPLAY"):
        if not shutil.which("xvfb-run"):
            pytest.skip("no display and no xvfb-run")
        command = ["xvfb-run", "-a", "-s", "-screen 0 1280x1280x24", *command]
    log_path = tmp_path / "app.log"
    with open(log_path, "wb") as out:
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=bare_env(tmp_path),
                                start_new_session=True)
    log = wait_for_main_loop(proc, log_path, timeout=60)
    assert "Start application main loop" in log, log[-3000:]
    assert "Traceback" not in log, log[-3000:]
    assert (tmp_path / "device" / "field.db").is_file()  # the app made its store


def wait_for_main_loop(proc: subprocess.Popen, log_path: Path, timeout: float) -> str:
    """Read the app's log until Kivy's main loop starts (then stop the app), it exits or time runs out."""
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline and proc.poll() is None \
                and "Start application main loop" not in log_path.read_text(errors="replace"):
            time.sleep(0.2)
        time.sleep(1.0)  # a few frames drawn: a crash in the first layout shows here
        log = log_path.read_text(errors="replace")
        assert proc.poll() is None, f"the app exited ({proc.returncode}): {log[-3000:]}"
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, 15)
            proc.wait(15)
    return log
