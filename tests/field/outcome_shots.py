# SPDX-License-Identifier: GPL-2.0-or-later
"""Run the real app under Xvfb on a device that learned outcomes: the outbox's 已办 list and its rows.

    python outcome_shots.py DATA_DIR OUT_PREFIX WxH

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
    os.replace(app.root_window.screenshot(f"{path}.shot.png"), path)
    print(name, path, flush=True)


def main(data: str, prefix: str, size: str) -> int:
    from citygrid_field.main import configure_kivy, window_size

    configure_kivy(window_size(size))
    from kivy.clock import Clock

    from citygrid_field.app import FieldApp
    from citygrid_field.platform import backend
    from citygrid_field.store import Store

    app = FieldApp(Store(data), lang="zh_CN", platform=backend("fake", data=data))
    vm = lambda: app.outbox_vm  # noqa: E731
    steps = [lambda: app.show("outbox"), lambda: vm().show("sent"), lambda: None,
             lambda: say("sent", " | ".join(r["text"] for r in vm().sent)),
             lambda: shot(app, prefix, "sent"), lambda: vm().show("outbox"), lambda: None,
             lambda: say("rows", " | ".join(r["status_text"] for r in vm().rows)),
             lambda: shot(app, prefix, "outbox"), app.stop]

    def run(_dt):
        steps.pop(0)()
        if steps:
            Clock.schedule_once(run, 0.2)
    Clock.schedule_once(run, 1.0)
    app.run()
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
