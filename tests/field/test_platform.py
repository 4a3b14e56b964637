# SPDX-License-Identifier: GPL-2.0-or-later
"""The device's services behind facades: each fake scripts what tests need, each desktop backend works
on a laptop, the plyer backends call plyer as it documents, and `backend()` picks them."""

import errno
import math
import os
import sys
import threading
import types
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image

from citygrid.problems import Problem
from citygrid_field.platform import backend, camera, location, notify, storage
from citygrid_field.platform.location import Fix

NOW = datetime(2026, 5, 4, 1, 2, 3, tzinfo=UTC)


def fix(lat=30.27, lon=120.16, accuracy=8.0):
    return Fix(lat, lon, accuracy, NOW)


@pytest.fixture
def plyer(monkeypatch):
    """A stand-in `plyer` module recording the calls the backends make, in plyer's documented shape."""
    module = types.SimpleNamespace(calls=[])
    module.gps = types.SimpleNamespace(
        configure=lambda **kw: module.calls.append(("configure", kw)),
        start=lambda **kw: module.calls.append(("start", kw)),
        stop=lambda: module.calls.append(("stop",)))
    module.camera = types.SimpleNamespace(take_picture=lambda **kw: module.calls.append(("take", kw)))
    module.notification = types.SimpleNamespace(notify=lambda **kw: module.calls.append(("notify", kw)))
    module.storagepath = types.SimpleNamespace(get_application_dir=lambda: "/data/user/0/org.citygrid/files")
    monkeypatch.setitem(sys.modules, "plyer", module)
    return module


@pytest.fixture
def no_plyer(monkeypatch):
    monkeypatch.setitem(sys.modules, "plyer", None)  # `import plyer` raises ImportError


def photo_file(path):
    Image.new("RGB", (8, 8), "red").save(path, "JPEG")
    return path


# --- location -----------------------------------------------------------------------------------

def test_fake_location_delivers_scripted_fixes_in_order_only_while_started():
    got = []
    fake = location.FakeLocation([fix(1, 1), fix(2, 2), fix(3, 3)])
    fake.advance()  # nobody listens yet: the fix is consumed, not delivered
    fake.start(got.append)
    fake.advance()
    fake.stop()
    fake.advance()
    assert [f.lat for f in got] == [2] and fake.advance() is None and not fake.running


@pytest.mark.parametrize("values", [(91, 0, 5), (0, -181, 5), (0, 0, -1), (math.nan, 0, 5), (0, math.inf, 5),
                                    (0, 0, math.nan), ("30", 120, 5)])
def test_a_fix_refuses_impossible_values(values):
    with pytest.raises(Problem) as caught:
        Fix(*values, NOW)
    assert caught.value.code == "location.bad_fix"


def test_a_fix_refuses_a_time_without_zone():
    with pytest.raises(Problem):
        Fix(30, 120, 5, datetime(2026, 5, 4, 1, 2, 3))


def test_fixed_location_delivers_the_configured_position_marked_fixed():
    got = []
    location.FixedLocation(30.5, 120.5, 20, clock=lambda: NOW).start(got.append)
    assert got == [Fix(30.5, 120.5, 20, NOW, "fixed")]


@pytest.mark.parametrize("text, expected", [("30.27,120.16", (30.27, 120.16, 50.0)),
                                            (" 30.27 , 120.16 , 20 ", (30.27, 120.16, 20.0))])
def test_a_position_option_is_lat_lon_and_an_optional_accuracy(text, expected):
    assert location.parse_position(text) == expected


@pytest.mark.parametrize("text", ["", "abc", "30.27", "1,2,3,4", "91,0", "0,181", "nan,0", "1,2,-5", "1;2"])
def test_a_bad_position_option_is_a_coded_problem(text):
    with pytest.raises(Problem) as caught:
        location.parse_position(text)
    assert caught.value.code == "location.bad_position" and caught.value.details["value"] == text


def test_plyer_location_configures_gps_and_drops_fixes_without_accuracy(plyer):
    got = []
    source = location.PlyerLocation(min_time_ms=500, clock=lambda: NOW)
    source.start(got.append)
    on_location = plyer.calls[0][1]["on_location"]
    on_location(lat=30.1, lon=120.1, speed=0, bearing=0, altitude=5, accuracy=7.5)
    on_location(lat=30.2, lon=120.2, accuracy=None)
    on_location(lat=300, lon=120.2, accuracy=3)
    plyer.calls[0][1]["on_status"]("provider-disabled", "gps")
    source.stop()
    assert got == [Fix(30.1, 120.1, 7.5, NOW)] and source.status == ("provider-disabled", "gps")
    assert [c[0] for c in plyer.calls] == ["configure", "start", "stop"]
    assert plyer.calls[1][1] == {"minTime": 500, "minDistance": 1.0}


def test_plyer_location_without_plyer_is_location_unavailable(no_plyer):
    with pytest.raises(Problem) as caught:
        location.PlyerLocation().start(lambda f: None)
    assert caught.value.code == "location.unavailable"


def _fake_kivy(monkeypatch, running: bool) -> list:
    """A stand-in kivy.clock / kivy.app: scheduled callbacks are kept to run by hand."""
    scheduled = []
    clock = types.SimpleNamespace(Clock=types.SimpleNamespace(schedule_once=lambda fn, dt: scheduled.append(fn)))
    app = types.SimpleNamespace(App=types.SimpleNamespace(get_running_app=lambda: object() if running else None))
    monkeypatch.setitem(sys.modules, "kivy.clock", clock)
    monkeypatch.setitem(sys.modules, "kivy.app", app)
    return scheduled


def _from_another_thread(fn, *args, **kwargs):
    worker = threading.Thread(target=fn, args=args, kwargs=kwargs)
    worker.start()
    worker.join()


def test_callbacks_from_another_thread_hop_to_kivys_clock_while_the_app_runs(plyer, monkeypatch):
    scheduled = _fake_kivy(monkeypatch, running=True)
    got = []
    location.PlyerLocation(clock=lambda: NOW).start(got.append)
    _from_another_thread(plyer.calls[0][1]["on_location"], lat=1, lon=2, accuracy=3)
    assert got == [] and len(scheduled) == 1  # not on the GPS thread: on the UI thread's next tick
    scheduled[0](0)
    assert got == [Fix(1, 2, 3, NOW)]


@pytest.mark.parametrize("running", [True, False])
def test_callbacks_run_at_once_on_the_main_thread_or_without_a_running_app(plyer, monkeypatch, running):
    scheduled = _fake_kivy(monkeypatch, running=running)
    got = []
    location.PlyerLocation(clock=lambda: NOW).start(got.append)
    plyer.calls[0][1]["on_location"](lat=1, lon=2, accuracy=3)
    if not running:
        _from_another_thread(plyer.calls[0][1]["on_location"], lat=1, lon=2, accuracy=3)
    assert scheduled == [] and got == [Fix(1, 2, 3, NOW)] * (1 if running else 2)


# --- camera -------------------------------------------------------------------------------------

def test_fake_camera_takes_its_scripted_photos_then_a_cancel_then_refuses(tmp_path):
    source = photo_file(tmp_path / "scripted.jpg")
    fake = camera.FakeCamera(source, None)
    done = []
    fake.take(tmp_path / "a.jpg", done.append)
    fake.take(tmp_path / "b.jpg", done.append)
    assert done == [str(tmp_path / "a.jpg"), None]
    assert (tmp_path / "a.jpg").read_bytes() == source.read_bytes()
    with pytest.raises(Problem) as caught:
        fake.take(tmp_path / "c.jpg", done.append)
    assert caught.value.code == "camera.unavailable"


def test_chooser_camera_copies_the_chosen_file_and_leaves_the_original(tmp_path):
    original = photo_file(tmp_path / "DSC_0001.jpg")
    before = original.read_bytes()
    done = []
    camera.ChooserCamera(lambda answer: answer(str(original))).take(tmp_path / "captured.jpg", done.append)
    assert done == [str(tmp_path / "captured.jpg")] and (tmp_path / "captured.jpg").read_bytes() == before
    assert original.read_bytes() == before


def test_chooser_camera_reports_a_cancel_as_none(tmp_path):
    done = []
    camera.ChooserCamera(lambda answer: answer(None)).take(tmp_path / "x.jpg", done.append)
    assert done == [None] and not (tmp_path / "x.jpg").exists()


def test_chooser_camera_answers_a_vanished_choice_with_a_problem_and_refuses_a_missing_chooser(tmp_path):
    """The chooser answers from a Kivy callback: a problem there goes to `on_done`, raising would end the app."""
    done = []
    camera.ChooserCamera(lambda answer: answer(str(tmp_path / "gone.jpg"))).take(tmp_path / "x.jpg", done.append)
    assert [p.code for p in done] == ["photo.missing"] and not (tmp_path / "x.jpg").exists()
    with pytest.raises(Problem) as caught:
        camera.ChooserCamera(None).take(tmp_path / "x.jpg", lambda p: None)
    assert caught.value.code == "camera.unavailable"


def test_chooser_camera_answers_an_unreadable_choice_with_a_coded_problem(tmp_path, monkeypatch):
    original, done = photo_file(tmp_path / "locked.jpg"), []

    def denied(*_a, **_k):
        raise PermissionError(13, "Permission denied")
    monkeypatch.setattr(camera.shutil, "copyfile", denied)
    camera.ChooserCamera(lambda answer: answer(str(original))).take(tmp_path / "x.jpg", done.append)
    assert [p.code for p in done] == ["photo.unreadable"] and original.exists()
    assert not (tmp_path / "x.jpg").exists()


def test_desktop_camera_without_a_webcam_takes_the_photo_from_the_chooser(tmp_path):
    original, asked, done = photo_file(tmp_path / "DSC_0002.jpg"), [], []
    desk = camera.DesktopCamera(lambda answer: answer(str(original)), webcam=lambda *a: asked.append(a),
                                webcam_found=lambda: False)
    desk.take(tmp_path / "captured.jpg", done.append)
    assert done == [str(tmp_path / "captured.jpg")] and asked == [] and original.exists()


def test_desktop_camera_uses_the_webcam_kivy_found_and_asks_for_it_once(tmp_path):
    found, shots, done = [], [], []

    def webcam(target, answer):
        shots.append(target)
        photo_file(target)
        answer(target)
    desk = camera.DesktopCamera(lambda answer: pytest.fail("the chooser was asked"), webcam=webcam,
                                webcam_found=lambda: found.append(1) or True)
    desk.take(tmp_path / "a.jpg", done.append)
    desk.take(tmp_path / "b.jpg", done.append)
    assert done == shots == [str(tmp_path / "a.jpg"), str(tmp_path / "b.jpg")] and found == [1]


def test_desktop_camera_with_neither_chooser_nor_webcam_is_camera_unavailable(tmp_path):
    with pytest.raises(Problem) as caught:
        camera.DesktopCamera(None, webcam=None, webcam_found=lambda: True).take(tmp_path / "x.jpg", lambda p: None)
    assert caught.value.code == "camera.unavailable"


def test_plyer_camera_keeps_the_file_it_reports(plyer, tmp_path):
    done = []
    target = tmp_path / "shot.jpg"
    camera.PlyerCamera().take(target, done.append)
    kwargs = plyer.calls[0][1]
    assert kwargs["filename"] == str(target)
    photo_file(target)
    assert kwargs["on_complete"](str(target)) is False  # True would make plyer delete the photo
    assert kwargs["on_complete"](str(tmp_path / "never-written.jpg")) is False
    assert done == [str(target), None]


def test_plyer_camera_without_plyer_is_camera_unavailable(no_plyer, tmp_path):
    with pytest.raises(Problem) as caught:
        camera.PlyerCamera().take(tmp_path / "x.jpg", lambda p: None)
    assert caught.value.code == "camera.unavailable"


# --- storage ------------------------------------------------------------------------------------

@pytest.mark.parametrize("environ, platform, expected", [
    ({"XDG_DATA_HOME": "/xdg", "HOME": "/home/c"}, "linux", "/xdg/citygrid-field"),
    ({"XDG_DATA_HOME": "relative", "HOME": "/home/c"}, "linux", "/home/c/.local/share/citygrid-field"),
    ({"HOME": "/home/c"}, "linux", "/home/c/.local/share/citygrid-field"),
    ({"LOCALAPPDATA": "/users/c/AppData/Local", "HOME": "/x"}, "win32", "/users/c/AppData/Local/citygrid-field"),
])
def test_the_desktop_data_folder_follows_xdg_or_windows(environ, platform, expected):
    assert storage.desktop_root(environ, platform) == Path(expected)


def test_android_data_folder_is_the_apps_private_files(plyer):
    assert storage.android_root() == Path("/data/user/0/org.citygrid/files/citygrid-field")


def test_android_data_folder_without_plyer_is_a_coded_problem(no_plyer):
    with pytest.raises(Problem) as caught:
        storage.android_root()
    assert caught.value.code == "storage.unavailable"


def test_ready_creates_the_folders_and_leaves_no_probe(tmp_path):
    store = storage.Storage(tmp_path / "deep" / "data").ready()
    assert store.photos.is_dir() and os.listdir(store.root) == ["photos"]
    assert store.database == tmp_path / "deep" / "data" / "field.db"


def test_a_data_path_that_is_a_file_is_not_a_folder(tmp_path):
    (tmp_path / "data").write_text("x")
    for root in (tmp_path / "data", tmp_path / "data" / "below"):
        with pytest.raises(Problem) as caught:
            storage.Storage(root).ready()
        assert caught.value.code == "storage.not_a_folder"


def test_a_read_only_data_folder_is_a_coded_problem_not_a_crash(tmp_path, monkeypatch):
    real_open = os.open

    def read_only(path, flags, *args):
        if flags & os.O_CREAT:
            raise OSError(errno.EROFS, "Read-only file system", str(path))
        return real_open(path, flags, *args)
    monkeypatch.setattr(storage.os, "open", read_only)
    with pytest.raises(Problem) as caught:
        storage.Storage(tmp_path).ready()
    assert caught.value.code == "storage.read_only" and caught.value.details["path"] == str(tmp_path)


def test_a_full_device_is_storage_full_with_the_free_space():
    with open("/dev/full", "wb", buffering=0) as full, pytest.raises(OSError) as caught:
        full.write(b"x")  # the kernel's real ENOSPC
    problem = storage.disk_problem(caught.value, "/tmp")
    assert problem.code == "storage.full" and problem.details["free_mb"] >= 0


def test_ready_refuses_a_folder_with_too_little_free_space(tmp_path, monkeypatch):
    monkeypatch.setattr(storage.shutil, "disk_usage", lambda p: types.SimpleNamespace(free=10 * 2**20))
    with pytest.raises(Problem) as caught:
        storage.Storage(tmp_path).ready()
    assert caught.value.code == "storage.full" and caught.value.details == {
        "path": str(tmp_path), "free_mb": 10, "need_mb": 50}


def test_fake_storage_scripts_a_full_device(tmp_path):
    fake = storage.FakeStorage(tmp_path, free_bytes=2**20)
    with pytest.raises(Problem) as caught:
        fake.ready()
    assert caught.value.code == "storage.full"
    fake.free_bytes = None
    assert fake.ready().photos.is_dir()


# --- notifications ------------------------------------------------------------------------------

def test_fake_notifier_keeps_what_it_was_told():
    fake = notify.FakeNotifier()
    assert fake.notify("同步完成", "3 项已送达")
    assert fake.sent == [("同步完成", "3 项已送达")]


def test_desktop_notifier_without_a_desktop_logs_and_says_so(caplog):
    caplog.set_level("INFO", "citygrid_field.notify")
    assert notify.DesktopNotifier(program=None).notify("同步完成", "3 项已送达") is False
    assert "同步完成: 3 项已送达" in caplog.text


def fake_program(tmp_path, body):
    program = tmp_path / "notify-send"
    program.write_text(f"#!/bin/sh\n{body}\n")
    program.chmod(0o755)
    return str(program)


def test_desktop_notifier_passes_title_and_text_as_arguments_never_through_a_shell(tmp_path):
    record = tmp_path / "args"
    program = fake_program(tmp_path, f'printf "%s\\n" "$@" > {record}')
    assert notify.DesktopNotifier(program).notify("-t; rm -rf /", "$(reboot)")
    assert record.read_text().splitlines() == ["--app-name", "citygrid", "--", "-t; rm -rf /", "$(reboot)"]


def test_desktop_notifier_failing_or_hanging_is_false_not_an_error(tmp_path):
    assert notify.DesktopNotifier(fake_program(tmp_path, "exit 3")).notify("t", "x") is False
    assert notify.DesktopNotifier(fake_program(tmp_path, "sleep 5"), timeout=0.2).notify("t", "x") is False


def test_plyer_notifier_calls_plyer_and_survives_its_failure(plyer):
    assert notify.PlyerNotifier().notify("同步完成", "3 项已送达")
    assert plyer.calls == [("notify", {"title": "同步完成", "message": "3 项已送达", "app_name": "citygrid",
                                       "timeout": 10})]
    plyer.notification.notify = lambda **kw: (_ for _ in ()).throw(RuntimeError("permission refused"))
    assert notify.PlyerNotifier().notify("t", "x") is False


# --- backend() ----------------------------------------------------------------------------------

def test_backend_is_android_inside_python_for_android_without_importing_plyer_yet(no_plyer, tmp_path):
    chosen = backend(data=tmp_path, environ={"ANDROID_ARGUMENT": "/data/app"})
    assert chosen.kind == "android" and isinstance(chosen.camera, camera.PlyerCamera)
    assert isinstance(chosen.location, location.PlyerLocation) and chosen.storage.root == tmp_path


def test_backend_is_desktop_elsewhere_with_xdg_data_and_the_environments_position(tmp_path):
    chosen = backend(environ={"HOME": str(tmp_path), "CITYGRID_FIELD_POSITION": "30.27,120.16,20"})
    assert chosen.kind == "desktop" and chosen.storage.root == tmp_path / ".local/share/citygrid-field"
    assert isinstance(chosen.camera, camera.DesktopCamera) and isinstance(chosen.notifier, notify.DesktopNotifier)


def test_backend_refuses_a_bad_position_in_the_environment(tmp_path):
    with pytest.raises(Problem) as caught:
        backend("desktop", data=tmp_path, environ={"CITYGRID_FIELD_POSITION": "here"})
    assert caught.value.code == "location.bad_position"


def test_backend_can_be_forced_to_the_fakes_which_need_a_data_folder(tmp_path):
    chosen = backend(data=tmp_path, environ={"CITYGRID_FIELD_PLATFORM": "fake"})
    assert isinstance(chosen.location, location.FakeLocation) and isinstance(chosen.storage, storage.FakeStorage)
    with pytest.raises(Problem) as caught:
        backend("fake")
    assert caught.value.code == "platform.fake_needs_data"


def test_backend_refuses_an_unknown_platform(tmp_path):
    with pytest.raises(Problem) as caught:
        backend("ios", data=tmp_path)
    assert caught.value.code == "platform.unknown" and "desktop" in caught.value.details["known"]

