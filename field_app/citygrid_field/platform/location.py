# SPDX-License-Identifier: GPL-2.0-or-later
"""Where the collector stands: `LocationSource.start(on_fix)` / `stop()` with a plyer backend (Android's
GPS), a fixed configured position for a laptop, and a scriptable fake for tests (gpsd: gpsd.py)."""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from citygrid.problems import Problem

from .mainthread import on_main_thread


@dataclass(frozen=True)
class Fix:
    """One position: WGS 84 degrees, horizontal accuracy in metres (68 %), when, and from what source."""

    lat: float
    lon: float
    accuracy: float
    time: datetime
    source: str = "gps"

    def __post_init__(self):
        values = (self.lat, self.lon, self.accuracy)
        if not all(isinstance(v, int | float) and math.isfinite(v) for v in values):
            raise Problem("location.bad_fix", lat=self.lat, lon=self.lon, accuracy=self.accuracy)
        if not (-90 <= self.lat <= 90 and -180 <= self.lon <= 180 and self.accuracy >= 0):
            raise Problem("location.bad_fix", lat=self.lat, lon=self.lon, accuracy=self.accuracy)
        if self.time.tzinfo is None:
            raise Problem("location.bad_fix", lat=self.lat, lon=self.lon, accuracy=self.accuracy)


OnFix = Callable[[Fix], None]


class LocationSource:
    """The facade: `start(on_fix)` delivers fixes (on the UI thread when Kivy runs) until `stop()`."""

    def start(self, on_fix: OnFix) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError


class FakeLocation(LocationSource):
    """Scripted fixes for tests: `start` delivers nothing; each `advance()` delivers the next fix."""

    def __init__(self, fixes: Iterable[Fix] = ()):
        self._fixes = list(fixes)
        self._on_fix: OnFix | None = None
        self.started = 0

    def start(self, on_fix: OnFix) -> None:
        self._on_fix = on_fix
        self.started += 1

    def stop(self) -> None:
        self._on_fix = None

    @property
    def running(self) -> bool:
        return self._on_fix is not None

    def advance(self) -> Fix | None:
        """Deliver the next scripted fix to the listener (if one is started); None when none are left."""
        if not self._fixes:
            return None
        fix = self._fixes.pop(0)
        if self._on_fix is not None:
            self._on_fix(fix)
        return fix


class FixedLocation(LocationSource):
    """A laptop without GPS: the configured position, delivered once at start, marked `fixed`."""

    def __init__(self, lat: float, lon: float, accuracy: float = 50.0, clock=lambda: datetime.now(UTC)):
        self._position = (lat, lon, accuracy)
        Fix(lat, lon, accuracy, clock(), "fixed")  # refuse a bad configuration now, not at start
        self._clock = clock

    def start(self, on_fix: OnFix) -> None:
        lat, lon, accuracy = self._position
        on_fix(Fix(lat, lon, accuracy, self._clock(), "fixed"))

    def stop(self) -> None:
        pass


def parse_position(text: str) -> tuple[float, float, float]:
    """'lat,lon' or 'lat,lon,accuracy' (a --position option or CITYGRID_FIELD_POSITION) as numbers."""
    parts = [p.strip() for p in str(text).split(",")]
    try:
        numbers = [float(p) for p in parts]
    except ValueError:
        raise Problem("location.bad_position", value=text) from None
    if len(numbers) not in (2, 3):
        raise Problem("location.bad_position", value=text)
    lat, lon, accuracy = (numbers + [50.0])[:3]
    try:
        Fix(lat, lon, accuracy, datetime.now(UTC), "fixed")
    except Problem:
        raise Problem("location.bad_position", value=text) from None
    return lat, lon, accuracy


class PlyerLocation(LocationSource):
    """Android's GPS through plyer (imported at start, so the desktop never needs plyer).

    plyer answers on Android's threads with lat, lon and accuracy (metres) but no time: the time of
    arrival is the fix's time. Fixes plyer reports without a usable accuracy are dropped."""

    def __init__(self, min_time_ms: int = 1000, min_distance_m: float = 1.0, clock=lambda: datetime.now(UTC)):
        self._intervals = (min_time_ms, min_distance_m)
        self._clock = clock
        self.status: tuple[str, str] | None = None
        self._gps = None

    def start(self, on_fix: OnFix) -> None:
        try:
            gps = importlib.import_module("plyer").gps
        except ImportError as exc:
            raise Problem("location.unavailable", reason=str(exc)) from None
        deliver = on_main_thread(on_fix)
        gps.configure(on_location=lambda **kw: self._received(deliver, kw), on_status=self._on_status)
        gps.start(minTime=self._intervals[0], minDistance=self._intervals[1])
        self._gps = gps

    def stop(self) -> None:
        if self._gps is not None:
            self._gps.stop()
            self._gps = None

    def _received(self, deliver: OnFix, values: dict) -> None:
        try:
            fix = Fix(float(values["lat"]), float(values["lon"]), float(values["accuracy"]), self._clock())
        except (KeyError, TypeError, ValueError, Problem):
            return
        deliver(fix)

    def _on_status(self, stype: str, status: str) -> None:
        self.status = (stype, status)
