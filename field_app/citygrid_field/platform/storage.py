# SPDX-License-Identifier: GPL-2.0-or-later
"""Where the app keeps its data (--data, else the platform's place) and a clear coded problem, never a
crash, when that place is a file, read-only or full."""

from __future__ import annotations

import errno
import importlib
import os
import shutil
import sys
import uuid
from pathlib import Path

from citygrid.problems import Problem

APP_DIR = "citygrid-field"
MIN_FREE = 50 * 1024 * 1024  # below this a shift's photos no longer fit: refuse before capturing
READ_ONLY = {errno.EROFS, errno.EACCES, errno.EPERM}
FULL = {errno.ENOSPC, errno.EDQUOT}


def desktop_root(environ=os.environ, platform: str = sys.platform) -> Path:
    """The laptop's data place: %LOCALAPPDATA% on Windows, $XDG_DATA_HOME or ~/.local/share elsewhere."""
    if platform.startswith("win") and environ.get("LOCALAPPDATA"):
        return Path(environ["LOCALAPPDATA"]) / APP_DIR
    xdg = environ.get("XDG_DATA_HOME")
    if xdg and os.path.isabs(xdg):  # the XDG spec: a relative value is invalid and ignored
        return Path(xdg) / APP_DIR
    return Path(environ.get("HOME") or Path.home()) / ".local" / "share" / APP_DIR


def android_root() -> Path:
    """The app's private files directory on Android (plyer's storagepath; no permission needed)."""
    try:
        storagepath = importlib.import_module("plyer").storagepath
        return Path(storagepath.get_application_dir()) / APP_DIR
    except (ImportError, NotImplementedError, AttributeError) as exc:
        raise Problem("storage.unavailable", reason=str(exc) or type(exc).__name__) from None


def disk_problem(exc: OSError, path) -> Problem:
    """The coded problem for an OSError met writing under `path` (read-only, full, or another reason)."""
    if exc.errno in FULL:
        return Problem("storage.full", path=str(path), free_mb=free_mb(path), need_mb=MIN_FREE // 2**20)
    if exc.errno in READ_ONLY:
        return Problem("storage.read_only", path=str(path), reason=exc.strerror or str(exc))
    if exc.errno in (errno.ENOTDIR, errno.EEXIST):
        return Problem("storage.not_a_folder", path=str(path))
    return Problem("storage.failed", path=str(path), reason=exc.strerror or str(exc))


def free_mb(path) -> int:
    """Free megabytes on the file system holding `path` (or its nearest existing parent); -1 if unknown."""
    probe = Path(path)
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    try:
        return shutil.disk_usage(probe).free // 2**20
    except OSError:
        return -1


class Storage:
    """The data folder and its parts; `ready()` creates and probes it once at start."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root).expanduser()

    @property
    def photos(self) -> Path:
        return self.root / "photos"

    @property
    def database(self) -> Path:
        return self.root / "field.db"  # the store's file (store.py)

    def ready(self) -> Storage:
        """Create the folders and prove a file can be written and synced there, or raise a coded problem."""
        if self.root.exists() and not self.root.is_dir():
            raise Problem("storage.not_a_folder", path=str(self.root))
        try:
            self.photos.mkdir(parents=True, exist_ok=True)
            self._probe()
        except OSError as exc:
            raise disk_problem(exc, self.root) from None
        self.check_space()
        return self

    def check_space(self, needed: int = MIN_FREE) -> None:
        """Raise `storage.full` when fewer than `needed` bytes are free (before a capture, not after)."""
        free = free_mb(self.root)
        if 0 <= free < needed // 2**20:
            raise Problem("storage.full", path=str(self.root), free_mb=free, need_mb=needed // 2**20)

    def _probe(self) -> None:
        probe = self.root / f".probe-{uuid.uuid4().hex}"
        try:
            fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                os.write(fd, b"citygrid")
                os.fsync(fd)
            finally:
                os.close(fd)
        finally:
            probe.unlink(missing_ok=True)


class FakeStorage(Storage):
    """For tests: a folder under tmp, with free space that can be set (to script a full device)."""

    def __init__(self, root, free_bytes: int | None = None):
        super().__init__(root)
        self.free_bytes = free_bytes

    def check_space(self, needed: int = MIN_FREE) -> None:
        if self.free_bytes is not None and self.free_bytes < needed:
            raise Problem("storage.full", path=str(self.root), free_mb=self.free_bytes // 2**20,
                          need_mb=needed // 2**20)
