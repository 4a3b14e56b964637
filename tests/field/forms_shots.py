# SPDX-License-Identifier: GPL-2.0-or-later
"""Run the real app on a device holding the forms' fixture and keep screenshots of the task detail and
the check form (a photo taken through the fake camera, a fix 120 m away, 'fail' chosen).

    python forms_shots.py WORK_DIR OUT_PREFIX WxH

Prints each path; exits non-zero if the app did not get there (an exception on Kivy's clock)."""

import io
import os
import sys
from pathlib import Path

os.environ["KIVY_NO_ARGS"] = "1"
os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")

sys.path.insert(0, str(Path(__file__).parent))


def a_jpeg(path: Path, colour) -> Path:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (800, 600), colour)
    ImageDraw.Draw(image).rectangle((200, 150, 600, 450), fill=(90, 90, 90))
    buf = io.BytesIO()
    image.save(buf, "JPEG")
    path.write_bytes(buf.getvalue())
    return path


def device(work: Path):
    from forms_fixture import device as fixture_device

    report = a_jpeg(work / "report.jpg", (180, 140, 90))
    from citygrid_field.photos import file_sha256
    sha = file_sha256(report)
    store = fixture_device(work / "device", photos=(sha, "c" * 64))
    store.cx.execute("INSERT INTO photos (sha256, path, bytes, content_type) VALUES (?, ?, ?, 'image/jpeg')",
                     (sha, str(report), report.stat().st_size))
    return store


def main(work: str, prefix: str, size: str) -> int:
    from citygrid_field.main import configure_kivy, window_size

    configure_kivy(window_size(size))
    from forms_fixture import CHECK, fix_at
    from kivy.clock import Clock

    from citygrid_field.app import FieldApp
    from citygrid_field.platform import backend
    from citygrid_field.platform.camera import FakeCamera

    work_dir = Path(work)
    store = device(work_dir)
    platform = backend("fake", data=work_dir / "device")
    object.__setattr__(platform, "camera", FakeCamera(a_jpeg(work_dir / "raw.jpg", (60, 130, 200))))
    app = FieldApp(store, lang="zh_CN", platform=platform)

    def fill_form():
        app.open_form(CHECK["id"])
        app.form_vm.fix = fix_at(120, accuracy=6)
        app.form_vm.take_photo()
        app.form_vm.outcome, app.form_vm.reason = "fail", "路面仍有坑洼"

    steps = [lambda: app.open_task(CHECK["id"]), lambda: shot(app, prefix, "task-detail"),
             fill_form, lambda: shot(app, prefix, "check-form"),
             lambda: app.form_vm.save() or sys.exit("the form was not saved: " + app.form_vm.error),
             lambda: print("saved", app.form_vm.saved, flush=True), app.stop]

    def run(_dt):
        steps.pop(0)()
        if steps:
            Clock.schedule_once(run, 0.4)
    Clock.schedule_once(run, 1.0)
    app.run()
    return 0


def shot(app, prefix: str, screen: str) -> None:
    path = f"{prefix}-{screen}-{app.lang}.png"
    app.root.export_to_png(path)
    print(path, flush=True)


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
