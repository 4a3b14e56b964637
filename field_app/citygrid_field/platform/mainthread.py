# SPDX-License-Identifier: GPL-2.0-or-later
"""Hop a platform callback to the UI thread when Kivy runs; call it directly otherwise (tests, CLI)."""

from __future__ import annotations

import sys
from collections.abc import Callable


def on_main_thread(callback: Callable) -> Callable:
    """`callback` wrapped in Kivy's `mainthread` if the app has imported Kivy's clock, else unchanged.

    Importing Kivy here would parse the command line and open a window: only a running app has
    `kivy.clock` loaded, and only a running app needs the hop (plyer's GPS and camera answer on
    Android's threads, gpsd on ours)."""
    clock = sys.modules.get("kivy.clock")
    if clock is None:
        return callback
    return clock.mainthread(callback)
