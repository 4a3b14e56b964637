# SPDX-License-Identifier: GPL-2.0-or-later
"""Hop a platform callback to the UI thread when Kivy runs; call it directly otherwise (tests, CLI)."""

from __future__ import annotations

import functools
import sys
import threading
from collections.abc import Callable


def on_main_thread(callback: Callable) -> Callable:
    """`callback`, run on the UI thread: directly when called there (or when no Kivy app runs),
    else scheduled on Kivy's clock.

    Decided at call time, not at wrap time: importing Kivy here would parse the command line and open
    a window, and a module that merely imported `kivy.clock` (another test, a tool) must not turn
    every callback into one that waits for a clock tick nobody makes (plyer's GPS and camera answer
    on Android's threads, gpsd on ours)."""

    @functools.wraps(callback)
    def hop(*args, **kwargs):
        clock = sys.modules.get("kivy.clock")
        if clock is None or threading.current_thread() is threading.main_thread() or not _app_running():
            return callback(*args, **kwargs)
        clock.Clock.schedule_once(lambda _dt: callback(*args, **kwargs), 0)
        return None

    return hop


def _app_running() -> bool:
    app = sys.modules.get("kivy.app")
    return app is not None and app.App.get_running_app() is not None
