# SPDX-License-Identifier: GPL-2.0-or-later
"""Run the real app under Xvfb on a data folder with placed tasks and drive the task list's order toggle
(按时限 / 按距离) through its buttons; a position fix arrives from a scripted location source.

    python order_shots.py DATA_DIR OUT_PREFIX WxH LAT LON [press]

Without `press`: a screenshot before the fix, one after it (the order must not change by itself), then
the 按距离 button pressed and a screenshot. With `press` omitted on a second run the kept choice shows.
Prints each screenshot's path and, last, a JSON line of what the list and the buttons showed."""

import json
import os
import sys
from datetime import UTC, datetime

os.environ["KIVY_NO_ARGS"] = "1"
os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")


def main(data: str, prefix: str, size: str, lat: str, lon: str, press: str = "") -> int:
    from citygrid_field.main import configure_kivy, window_size

    configure_kivy(window_size(size))
    from kivy.clock import Clock

    from citygrid_field.app import FieldApp
    from citygrid_field.platform import Platform
    from citygrid_field.platform.camera import FakeCamera
    from citygrid_field.platform.location import FakeLocation, Fix
    from citygrid_field.platform.notify import FakeNotifier
    from citygrid_field.platform.storage import FakeStorage
    from citygrid_field.store import Store

    fix = Fix(float(lat), float(lon), 6.0, datetime.now(UTC))
    platform = Platform("fake", FakeCamera(), FakeLocation([fix]), FakeStorage(data), FakeNotifier())
    app = FieldApp(Store(data), lang="zh_CN", platform=platform)
    seen = []
    bar = lambda: app.manager.get_screen("tasks").ids  # noqa: E731
    steps = [lambda: note(app, seen, "start"), lambda: shot(app, prefix, "no-fix"), platform.location.advance,
             lambda: note(app, seen, "fix"), lambda: shot(app, prefix, "fix")]
    if press:
        steps += [lambda: bar().by_distance.trigger_action(0), lambda: None,
                  lambda: note(app, seen, "pressed"), lambda: shot(app, prefix, "by-distance")]
    steps.append(app.stop)

    def run(_dt):
        steps.pop(0)()
        if steps:
            Clock.schedule_once(run, 0.4)
    Clock.schedule_once(run, 1.0)
    app.run()
    print(json.dumps(seen), flush=True)
    return 0


def note(app, seen: list, when: str) -> None:
    ids = app.manager.get_screen("tasks").ids
    seen.append({"when": when, "cases": [r["case_no"] for r in app.tasks_vm.rows],
                 "distance_disabled": ids.by_distance.disabled,
                 "distance_down": ids.by_distance.state == "down",
                 "due_down": ids.by_due.state == "down", "hint": app.tasks_vm.order_hint})


def shot(app, prefix: str, state: str) -> None:
    path = f"{prefix}-{state}-{app.lang}.png"
    app.root.export_to_png(path)
    print(path, flush=True)


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:7]))
