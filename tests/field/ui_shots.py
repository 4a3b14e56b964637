# SPDX-License-Identifier: GPL-2.0-or-later
"""Run the real app on a data folder under Xvfb and keep a screenshot of each screen.

    python ui_shots.py DATA_DIR OUT_PREFIX WxH

Writes OUT_PREFIX-<screen>-<lang>.png for sign-in, tasks, outbox and settings in Chinese, then the task
list in English after a live switch, and prints each path; exits non-zero if the app did not get there.
"""

import os
import sys

os.environ["KIVY_NO_ARGS"] = "1"
os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")


def main(data: str, prefix: str, size: str) -> int:
    from citygrid_field.main import configure_kivy, window_size

    configure_kivy(window_size(size))
    from kivy.clock import Clock

    from citygrid_field.app import FieldApp
    from citygrid_field.platform import backend
    from citygrid_field.store import Store

    app = FieldApp(Store(data), lang="zh_CN", platform=backend("fake", data=data))
    steps = [lambda: app.show("sign_in"), lambda: shot(app, prefix, "sign-in"),
             lambda: app.show("tasks"), lambda: shot(app, prefix, "tasks"),
             lambda: app.show("outbox"), lambda: shot(app, prefix, "outbox"),
             lambda: app.show("settings"), lambda: shot(app, prefix, "settings"),
             lambda: app.settings_vm.set_language("en"), lambda: app.show("tasks"),
             lambda: shot(app, prefix, "tasks"), app.stop]

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
