# SPDX-License-Identifier: GPL-2.0-or-later
"""Run the real app on a device holding a 核查 task whose case has report and disposal photos (one not
downloaded yet), components nearby, an MBTiles basemap and a fix 35 m off; keep screenshots of the task
detail (map, distance, both photo strips) and of the laptop's file chooser, then choose a picture and a
text file named .jpg through it on the check form.

    python detail_shots.py WORK_DIR OUT_PREFIX WxH LANG

Prints each screenshot's path and what became of the choices; exits non-zero if the app did not get there."""

import os
import sys
from pathlib import Path

os.environ["KIVY_NO_ARGS"] = "1"
os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")

sys.path.insert(0, str(Path(__file__).parent))

from forms_shots import a_jpeg, shot  # noqa: E402


def device(work: Path):
    from forms_fixture import CASE_LAT, CASE_LON, CHECK, case
    from forms_fixture import device as fixture_device
    from report_world import mbtiles

    from citygrid.sync.protocol import PullItem, PullPage
    from citygrid_field.photos import file_sha256

    store = fixture_device(work / "device")
    mine = {name: a_jpeg(work / f"{name}.jpg", colour) for name, colour in
            (("report", (180, 140, 90)), ("disposal", (90, 160, 110)))}
    shas = {name: file_sha256(path) for name, path in mine.items()}
    far = "d" * 64  # a disposal photo the device has no thumbnail of yet
    data = case(CHECK["case_no"], [shas["report"], shas["disposal"], far]) | {
        "photo_stages": {shas["report"]: "report", shas["disposal"]: "disposal", far: "disposal"}}
    comps = [PullItem("component", f"320508010100000{i}", False, {"ObjID": f"320508010100000{i}", "ObjName": "上水井盖",
                                                               "lat": CASE_LAT - 0.0002, "lon": CASE_LON + (i - 1.5) * 0.0006})
             for i in (1, 2)]
    store.apply_page(PullPage("r2", False, (PullItem("case", CHECK["case_no"], False, data), *comps)))
    for name, path in mine.items():
        store.cx.execute("INSERT INTO photos (sha256, path, bytes, content_type) VALUES (?, ?, ?, 'image/jpeg')",
                         (shas[name], str(path), path.stat().st_size))
    mbtiles(work / "device" / "basemap.mbtiles", zoom=17, center=(CASE_LAT, CASE_LON))
    return store


def pictures(work: Path) -> Path:
    folder = work / "home" / "Pictures"
    folder.mkdir(parents=True)
    a_jpeg(folder / "IMG_20261124_0930.jpg", (200, 90, 60))
    (folder / "notes.txt").write_text("not a photo")
    (folder / "fake.JPG").write_text("a text file named like a photo")
    return folder


def main(work: str, prefix: str, size: str, lang: str) -> int:
    from citygrid_field.main import configure_kivy, window_size

    configure_kivy(window_size(size))
    from forms_fixture import CHECK, fix_at
    from kivy.clock import Clock
    from kivy.core.window import Window

    from citygrid_field.app import FieldApp
    from citygrid_field.platform import backend
    from citygrid_field.platform.camera import DesktopCamera
    from citygrid_field.ui.photo_picker import choose_photo

    work_dir = Path(work)
    store, folder = device(work_dir), pictures(work_dir)
    platform = backend("fake", data=work_dir / "device")
    app = FieldApp(store, lang=lang, platform=platform)
    original = (folder / "IMG_20261124_0930.jpg").read_bytes()

    def use_camera():
        object.__setattr__(platform, "camera", DesktopCamera(choose_photo(app.language, home=work_dir / "home")))
        app.detail_vm.fix = app.form_vm.fix = fix_at(35, accuracy=6)
        app.open_task(CHECK["id"])

    def choose(name):
        def step():
            popup = Window.children[0]
            popup.ids.chooser.selection = [str(folder / name)]
            popup.use(popup.ids.chooser.selection)
            print("chose", name, "photos", len(app.form_vm.photos), "form error", app.form_vm.error or "-",
                  "chooser error", popup.error or "-", flush=True)
        return step

    steps = [use_camera, lambda: app.manager.get_screen("task_detail").centre(), lambda: shot(app, prefix, "task-detail"),
             lambda: app.open_form(CHECK["id"]), lambda: app.form_vm.take_photo(), lambda: None, lambda: popup_shot(prefix, app.lang, "file-chooser"),
             choose("IMG_20261124_0930.jpg"), lambda: app.form_vm.take_photo(), lambda: None, choose("fake.JPG"),
             lambda: popup_shot(prefix, app.lang, "refused"), lambda: Window.children[0].give(None),
             lambda: shot(app, prefix, "check-form-chosen"),
             lambda: print("original unchanged", (folder / "IMG_20261124_0930.jpg").read_bytes() == original,
                           "fake kept", (folder / "fake.JPG").exists(), flush=True), app.stop]

    def run(_dt):
        steps.pop(0)()
        if steps:
            Clock.schedule_once(run, 0.5)
    Clock.schedule_once(run, 1.0)
    app.run()
    return 0


def popup_shot(prefix: str, lang: str, name: str) -> None:
    from kivy.core.window import Window

    chooser = Window.children[0].ids.chooser
    print("listed", sorted(Path(f).name for f in chooser.files if f != "../"), flush=True)
    final = f"{prefix}-{name}-{lang}.png"
    os.replace(Window.screenshot(final), final)  # Kivy numbers the name it is given
    print(final, flush=True)


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:5]))
