# SPDX-License-Identifier: GPL-2.0-or-later
"""Telling the collector something while the app is in the background (a sync finished, a receipt
needs a look): `notify(title, text)`. A notification that cannot be shown is logged, never raised."""

from __future__ import annotations

import importlib
import logging
import shutil
import subprocess

log = logging.getLogger("citygrid_field.notify")
APP_NAME = "citygrid"


class Notifier:
    """The facade: `notify(title, text)` shows one short message; True if the platform took it."""

    def notify(self, title: str, text: str) -> bool:
        raise NotImplementedError


class FakeNotifier(Notifier):
    """For tests: keeps every (title, text) it was given."""

    def __init__(self):
        self.sent: list[tuple[str, str]] = []

    def notify(self, title: str, text: str) -> bool:
        self.sent.append((title, text))
        return True


class DesktopNotifier(Notifier):
    """A laptop: the log always, and the desktop's notification (notify-send) when there is one."""

    def __init__(self, program: str | None = "notify-send", timeout: float = 2.0):
        self._program = shutil.which(program) if program else None
        self._timeout = timeout

    def notify(self, title: str, text: str) -> bool:
        log.info("%s: %s", title, text)
        if self._program is None:
            return False
        try:
            done = subprocess.run([self._program, "--app-name", APP_NAME, "--", title, text],
                                  capture_output=True, timeout=self._timeout, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            log.warning("no desktop notification: %s", exc)
            return False
        return done.returncode == 0


class PlyerNotifier(Notifier):
    """Android's notification shade through plyer (needs POST_NOTIFICATIONS on Android 13+)."""

    def notify(self, title: str, text: str) -> bool:
        log.info("%s: %s", title, text)
        try:
            importlib.import_module("plyer").notification.notify(
                title=title, message=text, app_name=APP_NAME, timeout=10)
        except Exception as exc:  # a refused permission or a missing service must not stop a sync
            log.warning("no notification: %s", exc)
            return False
        return True
