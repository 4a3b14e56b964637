# SPDX-License-Identifier: GPL-2.0-or-later
"""A laptop with a GPS receiver: fixes from gpsd's JSON protocol (TCP 2947), read on a daemon thread."""

from __future__ import annotations

import json
import socket
import threading
from datetime import UTC, datetime

from citygrid.problems import Problem

from .location import Fix, FixedLocation, LocationSource, OnFix
from .mainthread import on_main_thread

WATCH = b'?WATCH={"enable":true,"json":true}\n'
MAX_LINE = 64 * 1024  # gpsd's reports are a few hundred bytes; a longer line is not gpsd


def fix_from_report(report: dict) -> Fix | None:
    """A Fix from one gpsd TPV report, or None (another class, no 2D fix, no accuracy, bad values)."""
    if report.get("class") != "TPV" or not isinstance(report.get("mode"), int) or report["mode"] < 2:
        return None
    accuracy = report.get("eph")
    if accuracy is None and "epx" in report and "epy" in report:
        accuracy = max(report["epx"], report["epy"])
    try:
        when = datetime.fromisoformat(str(report["time"]).replace("Z", "+00:00")) if "time" in report else None
        return Fix(float(report["lat"]), float(report["lon"]), float(accuracy),
                   when or datetime.now(UTC), "gpsd")
    except (KeyError, TypeError, ValueError, Problem):
        return None


class GpsdLocation(LocationSource):
    """Fixes from a running gpsd; `start` raises `location.unavailable` when none answers."""

    def __init__(self, host: str = "127.0.0.1", port: int = 2947, timeout: float = 1.0):
        self._address = (host, port)
        self._timeout = timeout
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None

    def start(self, on_fix: OnFix) -> None:
        try:
            sock = socket.create_connection(self._address, timeout=self._timeout)
            sock.sendall(WATCH)
        except OSError as exc:
            raise Problem("location.unavailable", reason=f"gpsd at {self._address[0]}:{self._address[1]}: {exc}") \
                from None
        sock.settimeout(None)
        self._sock = sock
        self._thread = threading.Thread(target=self._read, args=(sock, on_main_thread(on_fix)),
                                        name="gpsd", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        sock, self._sock = self._sock, None
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()
        if self._thread is not None:
            self._thread.join(timeout=2)
            self._thread = None

    def _read(self, sock: socket.socket, deliver: OnFix) -> None:
        try:
            with sock.makefile("rb") as lines:
                for line in iter(lambda: lines.readline(MAX_LINE), b""):
                    fix = _fix_from_line(line)
                    if fix is not None and self._sock is sock:
                        deliver(fix)
        except (OSError, ValueError):
            pass  # stop() closed the socket, or gpsd went away: no more fixes


def _fix_from_line(line: bytes) -> Fix | None:
    try:
        report = json.loads(line)
    except ValueError:
        return None
    return fix_from_report(report) if isinstance(report, dict) else None


class DesktopLocation(LocationSource):
    """A laptop: gpsd when it answers, else the configured position, else `location.unavailable`."""

    def __init__(self, position: tuple[float, float, float] | None = None, gpsd: GpsdLocation | None = None):
        self._gpsd = gpsd or GpsdLocation()
        self._fixed = FixedLocation(*position) if position else None
        self._current: LocationSource | None = None

    def start(self, on_fix: OnFix) -> None:
        try:
            self._gpsd.start(on_fix)
            self._current = self._gpsd
        except Problem:
            if self._fixed is None:
                raise
            self._current = self._fixed
            self._fixed.start(on_fix)

    def stop(self) -> None:
        if self._current is not None:
            self._current.stop()
            self._current = None


def gpsd_answers(host: str = "127.0.0.1", port: int = 2947, timeout: float = 0.3) -> bool:
    """Whether something listens on gpsd's port (the desktop backend then prefers it to a fixed position)."""
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except OSError:
        return False
    return True
