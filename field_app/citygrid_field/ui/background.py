# SPDX-License-Identifier: GPL-2.0-or-later
"""Run a blocking call off the UI thread and hand its result back on Kivy's clock.

A view model gives `work` (run on a daemon thread) and `done(result, error)` (run by the clock on the UI
thread, so it may set properties). Tests drive it with `Clock.tick()` until the model says it is idle.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from kivy.clock import Clock


def in_background(work: Callable[[], object], done: Callable[[object, BaseException | None], None]) -> None:
    def run():
        try:
            result, error = work(), None
        except Exception as e:  # handed to the UI thread, which shows it in the user's language
            result, error = None, e
        Clock.schedule_once(lambda _dt: done(result, error), 0)
    threading.Thread(target=run, name="citygrid-ui-work", daemon=True).start()
