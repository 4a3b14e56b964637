# SPDX-License-Identifier: GPL-2.0-or-later
"""Driving view models without a window: Kivy's clock ticked by hand until a condition holds."""

import os
import time

os.environ.setdefault("KIVY_NO_ARGS", "1")
os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")

from kivy.clock import Clock  # noqa: E402


def tick_until(condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the view model did not get there in time")
        Clock.tick()
        time.sleep(0.01)
