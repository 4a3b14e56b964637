# SPDX-License-Identifier: GPL-2.0-or-later
"""Run the real app under Xvfb: pull the task list to refresh with touch events, the outbox with a held
item and its drop confirmation, settings' map download; keep a screenshot of each.

    python outbox_shots.py DATA_DIR OUT_PREFIX WxH

Prints `<name> <path>` per screenshot and `state <key>=<value>` lines the test asserts on.
"""

import os
import sys

os.environ["KIVY_NO_ARGS"] = "1"
os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")


def say(key, value) -> None:
    print(f"state {key}={value}", flush=True)


def shot(app, prefix: str, name: str) -> None:
    path = f"{prefix}-{name}-{app.lang}.png"
    os.replace(app.root_window.screenshot(f"{path}.shot.png"), path)  # the window, so a popup is in the picture
    print(name, path, flush=True)


def pull_steps(app, prefix: str) -> list:
    from kivy.tests.common import UnitTestTouch

    got = {}  # the list and the finger, once the app has built its screens

    def down():
        app.sync_vm.bind(running=lambda _vm, running: got.setdefault("starts", []).append(running))
        rv = got["rv"] = app.manager.get_screen("tasks").ids.list
        got["x"], got["top"] = rv.center_x, rv.top - 20
        got["touch"] = UnitTestTouch(got["x"], got["top"])
        got["touch"].touch_down()

    def move(dy):
        got["touch"].touch_move(got["x"], got["top"] - dy)
        if os.environ.get("PULL_DEBUG"):
            say("overscroll", (dy, got["rv"].pull, got["rv"].effect_y.overscroll))

    moves = [lambda dy=dy: move(dy) for dy in range(0, 400, 25)]
    return ([lambda: app.show("tasks"), lambda: None, lambda: None, down] + moves +
            [lambda: say("pull", got["rv"].pull), lambda: shot(app, prefix, "tasks-pull"),
             lambda: got["touch"].touch_up(), lambda: shot(app, prefix, "tasks-syncing"),
             lambda: say("syncs_started_by_pull", got.get("starts", []).count(True))])


def short_pull_steps(app) -> list:
    """A drag of 30 px (short of the threshold) lets go without a sync."""
    from kivy.tests.common import UnitTestTouch

    got = {}

    def down():
        rv = app.manager.get_screen("tasks").ids.list
        got["x"], got["top"], got["starts"] = rv.center_x, rv.top - 20, []
        app.sync_vm.bind(running=lambda _vm, running: got["starts"].append(running))
        got["touch"] = UnitTestTouch(got["x"], got["top"])
        got["touch"].touch_down()

    moves = [lambda dy=dy: got["touch"].touch_move(got["x"], got["top"] - dy) for dy in (10, 20, 30)]
    rv = lambda: app.manager.get_screen("tasks").ids.list  # noqa: E731
    return [down] + moves + [lambda: say("short", (rv().pull, rv().effect_y.overscroll, rv()._finger is got["touch"])),
                             lambda: got["touch"].touch_up(), lambda: None,
                             lambda: say("syncs_started_by_short_pull", got["starts"].count(True))]


def outbox_steps(app, prefix: str) -> list:
    from citygrid_field.ui.outbox_widgets import ask

    popup = []

    def open_drop():
        held = next(r for r in app.outbox_vm.rows if r["state"] == "blocked" and not r["can_drop_photo"])
        popup.append(ask(app.outbox_vm, held["uuid"], "drop"))
        say("question", popup[0].question.replace("\n", " "))

    return [lambda: app.show("outbox"), lambda: say("rows", len(app.outbox_vm.rows)),
            lambda: shot(app, prefix, "outbox"), open_drop, lambda: shot(app, prefix, "outbox-drop"),
            lambda: popup[0].ids.cancel.dispatch("on_release"),
            lambda: say("rows_after_keep", len(app.outbox_vm.rows))]


def settings_steps(app, prefix: str) -> list:
    return [lambda: app.show("settings"), lambda: app.settings_vm.map.start()]


def main(data: str, prefix: str, size: str) -> int:
    from citygrid_field.main import configure_kivy, window_size

    configure_kivy(window_size(size))
    from kivy.clock import Clock

    from citygrid_field.app import FieldApp
    from citygrid_field.platform import backend
    from citygrid_field.store import Store

    app = FieldApp(Store(data), lang="zh_CN", platform=backend("fake", data=data))
    steps = pull_steps(app, prefix) + [("wait", lambda: not app.sync_vm.running)] + short_pull_steps(app)
    steps += outbox_steps(app, prefix)
    steps += settings_steps(app, prefix) + [("wait", lambda: not app.settings_vm.map.running)]
    steps += [lambda: say("map", app.settings_vm.map.status), lambda: say("map_text", app.settings_vm.map.map_text),
              lambda: shot(app, prefix, "settings-map"),
              lambda: app.settings_vm.set_language("en"), lambda: app.show("outbox"),
              lambda: shot(app, prefix, "outbox"), app.stop]

    def run(_dt):
        step = steps[0]
        if isinstance(step, tuple):
            if not step[1]():
                return Clock.schedule_once(run, 0.1)
            steps.pop(0)
        else:
            steps.pop(0)()
        if steps:
            Clock.schedule_once(run, 0.05)
    Clock.schedule_once(run, 1.0)
    app.run()
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
