# SPDX-License-Identifier: GPL-2.0-or-later
"""The device's services behind small facades (the plyer pattern): one `backend()` picks Android's
(plyer), a laptop's, or scriptable fakes for tests; the app receives them in its view models."""

from __future__ import annotations

import os
from dataclasses import dataclass

from citygrid.problems import Problem

from .camera import Camera, Chooser, DesktopCamera, FakeCamera, PlyerCamera, Webcam
from .gpsd import DesktopLocation
from .location import FakeLocation, LocationSource, PlyerLocation, parse_position
from .notify import DesktopNotifier, FakeNotifier, Notifier, PlyerNotifier
from .storage import FakeStorage, Storage, android_root, desktop_root

KINDS = ("android", "desktop", "fake")
ENV_KIND = "CITYGRID_FIELD_PLATFORM"
ENV_POSITION = "CITYGRID_FIELD_POSITION"


@dataclass(frozen=True)
class Platform:
    kind: str
    camera: Camera
    location: LocationSource
    storage: Storage
    notifier: Notifier


def detect(environ=os.environ) -> str:
    """android inside python-for-android (it sets ANDROID_ARGUMENT, as Kivy's own check reads), else desktop."""
    if environ.get(ENV_KIND):
        return environ[ENV_KIND]
    return "android" if "ANDROID_ARGUMENT" in environ else "desktop"


def backend(kind: str | None = None, *, data: str | os.PathLike | None = None, position: str | None = None,
            chooser: Chooser | None = None, webcam: Webcam | None = None, webcam_found=lambda: False,
            environ=os.environ) -> Platform:
    """The services for `kind` (default: detected). `data` is --data; `position` is 'lat,lon[,accuracy]'
    for a laptop without GPS (default: $CITYGRID_FIELD_POSITION); `chooser` is the laptop's file picker,
    `webcam` its webcam shot, used when `webcam_found()` says Kivy has one."""
    kind = kind or detect(environ)
    if kind == "android":
        return Platform(kind, PlyerCamera(), PlyerLocation(), Storage(data or android_root()), PlyerNotifier())
    if kind == "desktop":
        position = position or environ.get(ENV_POSITION)
        location = DesktopLocation(parse_position(position) if position else None)
        return Platform(kind, DesktopCamera(chooser, webcam, webcam_found), location, Storage(data or desktop_root(environ)),
                        DesktopNotifier())
    if kind == "fake":
        if data is None:
            raise Problem("platform.fake_needs_data")
        return Platform(kind, FakeCamera(), FakeLocation(), FakeStorage(data), FakeNotifier())
    raise Problem("platform.unknown", name=kind, known=", ".join(KINDS))
