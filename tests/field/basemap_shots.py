# SPDX-License-Identifier: GPL-2.0-or-later
"""Run the real app under Xvfb with no offline map, open the task detail and the report screen, then put
an MBTiles in place and fire settings' "installed" event (what a finished download fires): both open
maps must switch without a restart.

    python basemap_shots.py DATA_DIR NEW_MBTILES OUT_PREFIX WxH TASK_ID

Prints each screenshot's path and, last, a JSON line of what each map shows before and after."""

import json
import os
import sys

os.environ["KIVY_NO_ARGS"] = "1"
os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")


def main(data: str, new: str, prefix: str, size: str, task_id: str) -> int:
    from citygrid_field.main import configure_kivy, window_size

    configure_kivy(window_size(size))
    from kivy.clock import Clock

    from citygrid_field.app import FieldApp
    from citygrid_field.platform import backend
    from citygrid_field.store import Store

    app = FieldApp(Store(data), lang="zh_CN", platform=backend("fake", data=data))
    seen = {}
    steps = [lambda: app.open_task(task_id), lambda: app.show("report"), lambda: note(app, seen, "before"),
             lambda: shot(app, prefix, "before"), lambda: install(app, data, new), lambda: None,
             lambda: note(app, seen, "after"), lambda: shot(app, prefix, "report-after"),
             lambda: app.show("task_detail"), lambda: None, lambda: shot(app, prefix, "detail-after"), app.stop]

    def run(_dt):
        steps.pop(0)()
        if steps:
            Clock.schedule_once(run, 0.6)
    Clock.schedule_once(run, 1.0)
    app.run()
    print(json.dumps(seen), flush=True)
    return 0


def install(app, data: str, new: str) -> None:
    os.replace(new, os.path.join(data, "basemap.mbtiles"))  # as the download installs a whole file
    app.settings_vm.map.dispatch("on_installed")


def note(app, seen: dict, when: str) -> None:
    for name in ("report", "task_detail"):
        screen = app.manager.get_screen(name)
        path = screen.map.basemap.path
        seen[f"{name}-{when}"] = {"path": str(path) if path else None, "status": screen.map_status,
                                  "source": type(screen.map.map_source).__name__}


def shot(app, prefix: str, state: str) -> None:
    path = f"{prefix}-{state}-{app.lang}.png"
    app.root.export_to_png(path)
    print(path, flush=True)


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:6]))
