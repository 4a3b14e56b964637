# SPDX-License-Identifier: GPL-2.0-or-later
"""A laptop's camera, for `DesktopCamera`: a file chooser popup (Kivy's FileChooserListView, images
only, opening in the user's Pictures folder) and, when Kivy finds a webcam, a popup with its live
picture and a shutter button. Each answers once: the chosen or taken file, or None when cancelled.

The chosen file is only read: `ChooserCamera` copies it into capture/ and `photos.prepare` works on the
copy, so the user's original is never changed or deleted."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

from kivy.properties import ObjectProperty, StringProperty
from kivy.uix.popup import Popup
from PIL import Image, UnidentifiedImageError

from citygrid.problems import Problem

from .language import Language

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".bmp", ".tif", ".tiff", ".gif")
Answer = Callable[[str | None], None]


def is_image_name(name: str) -> bool:
    """Shown in the chooser: a picture's file name, whatever the case of its suffix."""
    return str(name).lower().endswith(IMAGE_SUFFIXES)


def pictures_folder(home: str | os.PathLike | None = None) -> Path:
    """The user's Pictures folder (XDG's, which may be a localised name such as ~/图片), else home."""
    home = Path(home or Path.home())
    for candidate in (_xdg_pictures(home), home / "Pictures", home / "图片"):
        if candidate is not None and candidate.is_dir():
            return candidate
    return home


def _xdg_pictures(home: Path) -> Path | None:
    try:
        text = (home / ".config" / "user-dirs.dirs").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    found = re.search(r'^XDG_PICTURES_DIR="([^"\n]*)"', text, re.M)
    return Path(found.group(1).replace("$HOME", str(home))) if found else None


class _Answering(Popup):
    """A popup that answers exactly once: with a path when used, with None however else it closes."""
    language = ObjectProperty()

    def __init__(self, answer: Answer, **kw):
        super().__init__(**kw)
        self._answer = answer

    def give(self, path: str | None) -> None:
        answer, self._answer = self._answer, None
        self.dismiss()
        if answer is not None:
            answer(path)

    def on_dismiss(self):
        if self._answer is not None:
            self.give(None)


class PhotoChooser(_Answering):
    """Choose a picture file; double-tap or 'Use this photo' answers with it."""
    folder = StringProperty("")

    def image_filter(self, _folder: str, name: str) -> bool:
        return is_image_name(name)

    error = StringProperty("")

    def use(self, selection) -> None:
        """Answer with the chosen file once it is a readable file; else say why and stay open."""
        if not selection:
            return
        chosen = str(selection[0])
        problem = readable_problem(chosen)
        if problem is not None:
            self.error = self.language.problem(problem)
            return
        self.give(chosen)


def readable_problem(path: str) -> Problem | None:
    """Why the chooser cannot hand this file on (gone, a folder, unreadable, not a picture), or None.
    Said in the chooser, naming the user's file; `photos.prepare` checks the copy again in full."""
    if not os.path.isfile(path):
        return Problem("photo.missing", path=path)
    try:
        with Image.open(path) as image:
            image.verify()
    except OSError as exc:
        if isinstance(exc, UnidentifiedImageError):
            return Problem("photo.not_an_image", path=path)
        return Problem("photo.unreadable", path=path, reason=exc.strerror or type(exc).__name__)
    except Exception as exc:  # noqa: BLE001 - whatever a hostile file makes Pillow raise is a refusal
        return Problem("photo.unreadable", path=path, reason=type(exc).__name__)
    return None


class WebcamShot(_Answering):
    """The webcam's live picture; the shutter saves a frame at `target` and answers with it."""
    target = StringProperty("")

    def shoot(self) -> None:
        self.ids.camera.export_to_png(self.target)
        self.ids.camera.play = False
        self.give(self.target if os.path.isfile(self.target) else None)

    def on_dismiss(self):
        self.ids.camera.play = False
        super().on_dismiss()


def choose_photo(language: Language, home=None) -> Callable[[Answer], None]:
    """The chooser `DesktopCamera` calls: opens the popup, answers through `answer`."""
    def open_chooser(answer: Answer) -> None:
        PhotoChooser(answer, language=language, folder=str(pictures_folder(home))).open()
    return open_chooser


def webcam_shot(language: Language) -> Callable[[str, Answer], None]:
    def open_webcam(target: str, answer: Answer) -> None:
        WebcamShot(answer, language=language, target=target).open()
    return open_webcam


def webcam_found() -> bool:
    """Kivy has a camera provider and it opens camera 0 (False on a laptop without a webcam)."""
    try:
        from kivy.core.camera import Camera as CoreCamera
        if CoreCamera is None:
            return False
        CoreCamera(index=0, resolution=(640, 480), stopped=True)
        return True
    except Exception:  # noqa: BLE001 - any provider failure means: no usable webcam, use the chooser
        return False
