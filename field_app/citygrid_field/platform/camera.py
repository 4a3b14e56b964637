# SPDX-License-Identifier: GPL-2.0-or-later
"""Taking a photo: `Camera.take(path, on_done)` calls `on_done(path)` once the file is there,
`on_done(None)` when the collector cancelled, or `on_done(problem)` when a capture that has already left
the caller (a chooser's or webcam's answer comes later, from a Kivy callback) failed: raising there
would end the app. Backends: plyer (Android), a laptop's (Kivy's webcam when
one is found, else a file chooser), a fake.

The captured file is raw: photos.prepare() checks, downscales and stamps it before anything keeps it."""

from __future__ import annotations

import importlib
import os
import shutil
from collections.abc import Callable
from pathlib import Path

from citygrid.problems import Problem

from .mainthread import on_main_thread

OnDone = Callable[[str | Problem | None], None]
# A chooser asks the user for a file and answers with its path, or None when cancelled (the app passes
# one that opens its Kivy file-chooser screen; tests pass a function).
Chooser = Callable[[Callable[[str | None], None]], None]
# A webcam shot leaves a picture from the webcam at the path it is given and answers with it (None: cancelled).
Webcam = Callable[[str, Callable[[str | None], None]], None]


class Camera:
    """The facade: `take(path, on_done)` leaves a captured image at `path` and reports it."""

    def take(self, path: str | os.PathLike, on_done: OnDone) -> None:
        raise NotImplementedError


class FakeCamera(Camera):
    """For tests: each `take` copies the next scripted file (None: the user cancels) to `path`."""

    def __init__(self, *photos: str | os.PathLike | None):
        self._photos = list(photos)
        self.taken: list[str] = []

    def take(self, path, on_done: OnDone) -> None:
        if not self._photos:
            raise Problem("camera.unavailable", reason="the fake camera has no more photos")
        source = self._photos.pop(0)
        if source is None:
            on_done(None)
            return
        shutil.copyfile(source, path)
        self.taken.append(str(path))
        on_done(str(path))


class ChooserCamera(Camera):
    """A laptop: the user picks an image file; a copy lands at `path` (the original is never touched)."""

    def __init__(self, chooser: Chooser | None):
        self._chooser = chooser

    def take(self, path, on_done: OnDone) -> None:
        if self._chooser is None:
            raise Problem("camera.unavailable", reason="no file chooser was given to the desktop camera")
        self._chooser(lambda chosen: self._chosen(chosen, path, on_done))

    @staticmethod
    def _chosen(chosen: str | None, path, on_done: OnDone) -> None:
        if not chosen:
            on_done(None)
            return
        source = Path(chosen)
        if not source.is_file():
            on_done(Problem("photo.missing", path=str(source)))
            return
        try:
            shutil.copyfile(source, path)
        except OSError as exc:  # gone or unreadable between the chooser's check and the copy
            Path(path).unlink(missing_ok=True)
            on_done(Problem("photo.unreadable", path=str(source), reason=exc.strerror or type(exc).__name__))
            return
        on_done(str(path))


class DesktopCamera(Camera):
    """A laptop: the webcam Kivy finds (asked once, on the first photo: opening a camera is slow and
    lights its lamp), else the file chooser, so a laptop without a webcam still attaches photos."""

    def __init__(self, chooser: Chooser | None, webcam: Webcam | None = None,
                 webcam_found: Callable[[], bool] = lambda: False):
        self.chooser, self._webcam, self._webcam_found, self._found = ChooserCamera(chooser), webcam, webcam_found, None

    @property
    def has_webcam(self) -> bool:
        if self._found is None:
            self._found = self._webcam is not None and bool(self._webcam_found())
        return self._found

    def take(self, path, on_done: OnDone) -> None:
        if self.has_webcam:
            self._webcam(str(path), on_done)
        else:
            self.chooser.take(path, on_done)


class PlyerCamera(Camera):
    """Android's camera app through plyer (imported on first use).

    Not verified on a device. plyer 2.1 hands the camera app a file:// URI, which Android 7+ refuses
    (FileUriExposedException, kivy/plyer#549, #812; a FileProvider fix is kivy/plyer#852, unmerged), and
    scoped storage keeps other apps out of ours: on current Android this backend needs that fix or an
    own ACTION_IMAGE_CAPTURE intent with a FileProvider (see field_app/buildozer.spec)."""

    def take(self, path, on_done: OnDone) -> None:
        try:
            camera = importlib.import_module("plyer").camera
        except ImportError as exc:
            raise Problem("camera.unavailable", reason=str(exc)) from None
        deliver = on_main_thread(on_done)
        target = str(path)

        def complete(filename):
            deliver(filename if filename and os.path.isfile(filename) else None)
            return False  # plyer deletes the file when the callback answers True

        try:
            camera.take_picture(filename=target, on_complete=complete)
        except NotImplementedError as exc:
            raise Problem("camera.unavailable", reason=str(exc) or "plyer has no camera here") from None
