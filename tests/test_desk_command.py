# SPDX-License-Identifier: GPL-2.0-or-later
"""`citygrid desk` and `make demo`'s script: the profile, the exact QGIS command line and environment,
and clear refusals (not a centre, no qgis, no display) before anything is written or started."""

import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from citygrid import cli
from citygrid.commands import desk

ROOT = Path(__file__).resolve().parents[1]
PLUGIN = ROOT / "qgis_plugin" / "citygrid_desk"
pytestmark = pytest.mark.usefixtures("english")

FAKE_QGIS = """#!/bin/sh
# stands in for qgis: records its argv and the environment it got, then ends
{python} - "$@" <<'EOF'
import json, os, sys
json.dump({{"argv": sys.argv[1:], "env": dict(os.environ)}}, open({out!r}, "w"))
EOF
"""


@pytest.fixture
def fake_qgis(tmp_path):
    """A `qgis` stand-in on PATH-less CITYGRID_QGIS: where it writes what it was started with."""
    out = tmp_path / "qgis-started.json"
    program = tmp_path / "fake-qgis"
    program.write_text(FAKE_QGIS.format(python=sys.executable, out=str(out)))
    program.chmod(0o755)
    return program, out


@pytest.fixture
def started(monkeypatch):
    """Replaces the launch: the argv and env `citygrid desk` would start QGIS with."""
    calls = []
    monkeypatch.setattr(desk, "start", lambda argv, env: calls.append((argv, env)) or 0)
    return calls


@pytest.fixture
def desktop_env(monkeypatch, fake_qgis):
    monkeypatch.setenv("DISPLAY", ":42")
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("CITYGRID_QGIS", str(fake_qgis[0]))
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    monkeypatch.setenv("PYTHONPATH", "/elsewhere")
    monkeypatch.setenv("CITYGRID_PASSWORD", "s3cret-demo")


def ini(profile: Path) -> str:
    return (profile / "QGIS" / "QGIS3.ini").read_text()


def test_desk_starts_qgis_with_the_working_tree_plugin_in_a_prepared_profile(
        centre, tmp_path, started, desktop_env, fake_qgis):
    profiles = tmp_path / "qgis-profile"
    assert cli.main(["desk", str(centre), "--user", "operator", "--profile", str(profiles)]) == 0
    [(argv, env)] = started
    profile = profiles / "profiles" / "default"
    script = profile / "citygrid-desk-startup.py"
    assert argv == [str(fake_qgis[0]), "--profiles-path", str(profiles), "--profile", "default", "--nologo",
                    "--noversioncheck", "--code", str(script)]
    link = profile / "python" / "plugins" / "citygrid_desk"
    assert link.is_symlink() and link.resolve() == PLUGIN
    for line in ("citygrid_desk=true", "overrideFlag=true", "userLocale=zh-Hans", "checkVersion=false",
                 "NewsFeed\\httpsfeedqgisorg\\disabled=true", "plugin_installer\\checkOnStart=false"):
        assert line in ini(profile).splitlines()
    assert env["PYTHONPATH"].split(os.pathsep) == [str(ROOT / "shared"), "/elsewhere"]
    assert "QT_QPA_PLATFORM" not in env and env["DISPLAY"] == ":42"
    assert env["CITYGRID_PASSWORD"] == "s3cret-demo"  # handed over in the environment only
    code = script.read_text()
    assert f"CENTRE = {str(Path(centre).resolve())!r}" in code and "USERNAME = 'operator'" in code
    assert "s3cret-demo" not in code and "open_centre(CENTRE, USERNAME, password)" in code


def test_the_start_up_script_opens_the_centre_through_the_plugin(centre, tmp_path, desktop_env):
    launch = desk.prepare(centre, user="leader", profiles=tmp_path / "p")
    opened = []

    class Desk:
        def open_centre(self, *args):
            opened.append(args)
            return False

    fake_utils = type(sys)("qgis.utils")
    fake_utils.plugins = {"citygrid_desk": Desk()}
    timers = []
    namespace = {}
    code = launch.script.read_text().replace("import qgis.utils\n", "").replace(
        "from qgis.PyQt.QtCore import QTimer\n", "")
    exec(code, {"qgis": type("q", (), {"utils": fake_utils}),  # noqa: S102 (our own generated script)
                "QTimer": type("T", (), {"singleShot": staticmethod(lambda ms, f: timers.append(f))}),
                **namespace})
    [run] = timers
    run()
    assert opened == [(str(Path(centre).resolve()), "leader", "s3cret-demo")]
    assert "CITYGRID_PASSWORD" not in os.environ  # QGIS's own children never see it


def test_without_user_the_desk_opens_with_its_sign_in_and_no_password(centre, tmp_path, desktop_env):
    launch = desk.prepare(centre, profiles=tmp_path / "p")
    assert "USERNAME = None" in launch.script.read_text()


def test_lang_en_gives_an_english_qgis_and_the_global_lang_counts_too(centre, tmp_path, started, desktop_env):
    for n, argv in enumerate((["desk", str(centre), "--lang", "en"], ["--lang", "en", "desk", str(centre)])):
        profiles = tmp_path / f"p{n}"
        assert cli.main([*argv, "--profile", str(profiles)]) == 0
        assert "userLocale=en_US" in ini(profiles / "profiles" / "default").splitlines()


def test_a_second_start_keeps_the_users_qgis_settings_and_puts_the_desk_back(centre, tmp_path, desktop_env):
    profiles = tmp_path / "p"
    profile = profiles / "profiles" / "default"
    (profile / "QGIS").mkdir(parents=True)
    (profile / "QGIS" / "QGIS3.ini").write_text(
        "[PythonPlugins]\ncitygrid_desk=false\nprocessing=true\n\n[locale]\nuserLocale=en_US\n\n"
        "[UI]\ngeometry=@ByteArray(\\x1\\xd9\\xd0)\nrecent\\1\\path=/tmp/a b.qgz\n")
    (profile / "python" / "plugins").mkdir(parents=True)
    (profile / "python" / "plugins" / "citygrid_desk").symlink_to(tmp_path)  # an old checkout
    desk.prepare(centre, profiles=profiles)
    lines = ini(profile).splitlines()
    assert "citygrid_desk=true" in lines and "citygrid_desk=false" not in lines and "processing=true" in lines
    assert "userLocale=zh-Hans" in lines and "userLocale=en_US" not in lines
    assert "geometry=@ByteArray(\\x1\\xd9\\xd0)" in lines and "recent\\1\\path=/tmp/a b.qgz" in lines
    assert lines.index("overrideFlag=true") < lines.index("[UI]")  # in its own section
    assert (profile / "python" / "plugins" / "citygrid_desk").resolve() == PLUGIN


def test_ini_merge_sets_keys_in_their_sections_and_adds_missing_sections():
    merged = desk.ini_merge("[a]\nx=1\n\n[b]\ny=2\n", {"a": {"x": "9", "z": "3"}, "c": {"k": "v"}})
    assert merged == "[a]\nx=9\nz=3\n\n[b]\ny=2\n\n[c]\nk=v\n"
    assert desk.ini_merge("", {"s": {"k": "v"}}) == "[s]\nk=v\n"


@pytest.mark.parametrize("kind", ["missing", "text", "plain_sqlite", "directory"])
def test_a_path_that_is_not_a_centre_is_refused_before_anything_is_written(kind, tmp_path, started, desktop_env,
                                                                          capsys):
    path = tmp_path / "thing.gpkg"
    if kind == "text":
        path.write_text("not a database")
    elif kind == "plain_sqlite":
        sqlite3.connect(path).execute("CREATE TABLE t (x)").connection.close()
    elif kind == "directory":
        path.mkdir()
    profiles = tmp_path / "p"
    assert cli.main(["desk", str(path), "--profile", str(profiles)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("citygrid: error: ") and str(path) in err and "Traceback" not in err
    assert not profiles.exists() and started == []


def test_no_qgis_is_refused_with_what_to_install(centre, tmp_path, started, desktop_env, monkeypatch, capsys):
    monkeypatch.setenv("CITYGRID_QGIS", "qgis-not-installed-here")
    assert cli.main(["desk", str(centre), "--profile", str(tmp_path / "p")]) == 1
    assert "QGIS desktop (qgis-not-installed-here) is not installed" in capsys.readouterr().err
    assert not (tmp_path / "p").exists() and started == []


def test_no_display_is_refused_and_says_how_to_get_one(centre, tmp_path, started, desktop_env, monkeypatch, capsys):
    monkeypatch.delenv("DISPLAY")
    assert cli.main(["desk", str(centre), "--profile", str(tmp_path / "p")]) == 1
    assert "DISPLAY and WAYLAND_DISPLAY are unset" in capsys.readouterr().err
    assert not (tmp_path / "p").exists() and started == []


def test_wayland_alone_is_a_display(centre, tmp_path, started, desktop_env, monkeypatch):
    monkeypatch.delenv("DISPLAY")
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-0")
    assert cli.main(["desk", str(centre), "--profile", str(tmp_path / "p")]) == 0 and len(started) == 1


def test_the_refusal_is_chinese_under_a_chinese_locale(tmp_path, started, desktop_env, capsys):
    assert cli.main(["--lang", "zh_CN", "desk", str(tmp_path / "none.gpkg")]) == 1
    err = capsys.readouterr().err
    assert "错误" in err and "none.gpkg" in err


def test_another_plugin_folder_in_the_profile_is_not_overwritten(centre, tmp_path, started, desktop_env, capsys):
    theirs = tmp_path / "p" / "profiles" / "default" / "python" / "plugins" / "citygrid_desk"
    theirs.mkdir(parents=True)
    (theirs / "metadata.txt").write_text("[general]\nname=theirs\n")
    assert cli.main(["desk", str(centre), "--profile", str(tmp_path / "p")]) == 1
    assert "is in the way" in capsys.readouterr().err and started == []
    assert (theirs / "metadata.txt").read_text() == "[general]\nname=theirs\n"


def test_dry_run_prints_the_command_line_and_starts_nothing(centre, tmp_path, started, desktop_env, capsys):
    assert cli.main(["desk", str(centre), "--profile", str(tmp_path / "p"), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "--profiles-path" in out and "--code" in out and started == []


def test_the_real_launch_runs_the_program_with_that_env(centre, tmp_path, desktop_env, fake_qgis):
    assert cli.main(["desk", str(centre), "--profile", str(tmp_path / "p")]) == 0
    seen = json.loads(fake_qgis[1].read_text())
    assert seen["argv"][:2] == ["--profiles-path", str(tmp_path / "p")]
    assert seen["env"]["PYTHONPATH"].startswith(str(ROOT / "shared"))


# ---- scripts/demo.sh (what `make demo` runs once the venv and the demo centre exist) ----

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _demo(centre, env, port):
    cli_cmd = f"{sys.executable} -m citygrid"
    env = {**env, "CITYGRID_CLI": cli_cmd, "CITYGRID_DEMO_PORT": str(port),
           "PYTHONPATH": os.pathsep.join([str(ROOT / "shared"), str(ROOT / "server"), env.get("PYTHONPATH", "")])}
    return subprocess.Popen(["bash", str(ROOT / "scripts" / "demo.sh"), str(centre)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)


def _serving(proc, port, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=0.5).status_code == 200:
                return True
        except httpx.HTTPError:
            time.sleep(0.3)
    return False


def _stop(proc) -> str:
    os.killpg(proc.pid, 15)
    out, _ = proc.communicate(timeout=30)
    return out


@pytest.fixture
def demo_env(tmp_path, fake_qgis, centre):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    return {**env, "CITYGRID_QGIS": str(fake_qgis[0]), "LANGUAGE": "en"}


@pytest.mark.slow
def test_make_demo_with_a_display_starts_the_desk_and_serves_the_same_centre(centre, demo_env, fake_qgis):
    port = free_port()
    proc = _demo(centre, {**demo_env, "DISPLAY": ":42"}, port)
    try:
        assert _serving(proc, port), proc.stdout.read() if proc.poll() is not None else "not serving"
        deadline = time.monotonic() + 30
        while not fake_qgis[1].exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        seen = json.loads(fake_qgis[1].read_text())
    finally:
        out = _stop(proc)
    assert "--code" in seen["argv"] and seen["env"]["DISPLAY"] == ":42"
    assert "QGIS is starting with the citygrid desk" in out and "operator / citygrid-demo" in out
    assert f"http://127.0.0.1:{port}" in out


@pytest.mark.slow
def test_make_demo_headless_says_so_and_keeps_serving(centre, demo_env, fake_qgis):
    port = free_port()
    proc = _demo(centre, demo_env, port)
    try:
        assert _serving(proc, port)
    finally:
        out = _stop(proc)
    assert "no display" in out and "serving only" in out and not fake_qgis[1].exists()
