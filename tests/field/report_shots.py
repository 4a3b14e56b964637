# SPDX-License-Identifier: GPL-2.0-or-later
"""Run the real app on a data folder under Xvfb and keep screenshots of the new report screen.

    python report_shots.py DATA_DIR OUT_PREFIX WxH

Writes OUT_PREFIX-report-<state>-zh_CN.png: the empty form, then a component report filled in (class,
place from a fix, a picked component), and prints each path; exits non-zero if the app did not get there."""

import os
import sys

os.environ["KIVY_NO_ARGS"] = "1"
os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")


def main(data: str, prefix: str, size: str) -> int:
    from citygrid_field.main import configure_kivy, window_size

    configure_kivy(window_size(size))
    from kivy.clock import Clock
    from report_world import fix

    from citygrid_field.app import FieldApp
    from citygrid_field.platform import backend
    from citygrid_field.store import Store

    app = FieldApp(Store(data), lang="zh_CN", platform=backend("fake", data=data))
    vm = lambda: app.report_vm  # noqa: E731
    steps = [lambda: app.show("report"), lambda: None, lambda: None, lambda: shot(app, prefix, "empty"),
             lambda: setattr(vm(), "kind", "component"), lambda: vm().on_fix(fix()),
             lambda: vm().pick_component(vm().components[0]["obj_id"]),
             lambda: setattr(vm(), "description", "井盖破损，有安全隐患"), lambda: vm().submit(),
             lambda: shot(app, prefix, "filled"), app.stop]

    def run(_dt):
        steps.pop(0)()
        if steps:
            Clock.schedule_once(run, 0.5)
    Clock.schedule_once(run, 1.0)
    app.run()
    return 0


def shot(app, prefix: str, state: str) -> None:
    path = f"{prefix}-report-{state}-{app.lang}.png"
    app.root.export_to_png(path)
    print(path, flush=True)


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
