# SPDX-License-Identifier: GPL-2.0-or-later
"""From a captured file to a photo the outbox can keep: checked to be an image and not a bomb, turned
upright, downscaled, stamped with time and position, hashed once and written whole or not at all.

`verify(path, sha256)` is asked again before an upload: a photo changed or removed on disk is reported,
never sent under the hash it was recorded with."""

from __future__ import annotations

import hashlib
import io
import os
import re
import uuid
import warnings
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from citygrid.problems import Problem

from .photo_exif import evidence_exif, original_time
from .platform.location import Fix
from .platform.storage import disk_problem

LONG_SIDE = 1600  # px: a case's detail readable on the desk, ~0.4 MB a photo
QUALITY = 85
DECODE_BUDGET = 50_000_000  # pixels actually decoded (after a JPEG's reduced-scale draft): ~150 MB RGB
PART = ".part"
CHUNK = 1 << 20


@dataclass(frozen=True)
class Photo:
    """A prepared photo: its file (named by its hash), the hash and size computed once, its stamp."""

    path: str
    sha256: str
    size: int
    width: int
    height: int
    taken: str  # ISO 8601 with offset


class PhotoState(StrEnum):
    UNCHANGED = "unchanged"
    CHANGED = "changed"
    MISSING = "missing"


def prepare(source, folder, *, fix: Fix | None = None, taken: datetime | None = None,
            long_side: int = LONG_SIDE, quality: int = QUALITY, budget: int = DECODE_BUDGET) -> Photo:
    """Check, turn upright, downscale and stamp `source` into `folder`/<sha256>.jpg; coded problems for
    what is not an image, damaged or too big to decode. `taken` defaults to the camera's own time."""
    if long_side < 16 or not 1 <= quality <= 95:
        raise Problem("photo.bad_settings", long_side=long_side, quality=quality)
    image, camera_time = _decoded(Path(source), long_side, budget)
    when = (taken or camera_time or datetime.now().astimezone()).replace(microsecond=0)
    if when.tzinfo is None:
        when = when.astimezone()  # a naive time is the device's local time
    data = _jpeg(image, evidence_exif(when, fix), quality)
    digest = hashlib.sha256(data).hexdigest()
    final = Path(folder) / f"{digest}.jpg"
    write_whole(final, data)
    return Photo(str(final), digest, len(data), image.width, image.height, when.isoformat())


def verify(path, sha256: str) -> PhotoState:
    """Whether the file at `path` still has the bytes `sha256` was computed from."""
    try:
        digest = file_sha256(path)
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return PhotoState.MISSING
    except OSError as exc:
        raise disk_problem(exc, path) from None
    return PhotoState.UNCHANGED if digest == str(sha256).lower() else PhotoState.CHANGED


def file_sha256(path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for chunk in iter(lambda: stream.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def write_whole(final: Path, data: bytes) -> None:
    """`data` at `final` after a fsync and a rename, so a kill at any moment leaves either the whole
    file under its name or only a hidden `.part` (sweep_partials() removes those at the next start)."""
    folder = final.parent
    part = folder / f".{final.name}.{uuid.uuid4().hex[:8]}{PART}"
    try:
        _write_synced(part, data)
        _place(part, final)
    except OSError as exc:
        part.unlink(missing_ok=True)
        raise disk_problem(exc, folder) from None
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    _sync_folder(folder)


def sweep_partials(folder) -> int:
    """Remove the `.part` files a killed write left in `folder`; how many there were."""
    swept = 0
    for part in Path(folder).glob(f".*{PART}"):
        part.unlink(missing_ok=True)
        swept += 1
    return swept


def _decoded(source: Path, long_side: int, budget: int) -> tuple[Image.Image, datetime | None]:
    """The image upright, in RGB and at most `long_side`, with the camera's time; refuses bad input."""
    try:
        with open(source, "rb") as stream:
            image = _opened(stream, source)
            camera_time = original_time(image.getexif())
            _load_within(image, source, long_side, budget)
    except (FileNotFoundError, NotADirectoryError):
        raise Problem("photo.missing", path=str(source)) from None
    except IsADirectoryError:
        raise Problem("photo.not_an_image", path=str(source)) from None
    image = _rgb(ImageOps.exif_transpose(image))
    image.thumbnail((long_side, long_side), Image.LANCZOS)
    return image, camera_time


def _opened(stream, source: Path) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # our budget decides below
            return Image.open(stream)
    except Image.DecompressionBombError as exc:
        pixels = re.search(r"\((\d+) pixels\)", str(exc))
        megapixels = round(int(pixels.group(1)) / 1e6, 1) if pixels else "?"
        raise Problem("photo.too_many_pixels", path=str(source), megapixels=megapixels,
                      max=round(Image.MAX_IMAGE_PIXELS * 2 / 1e6)) from None
    except UnidentifiedImageError:
        raise Problem("photo.not_an_image", path=str(source)) from None
    except Exception as exc:  # hostile headers raise what they like: a coded refusal, never a crash
        raise Problem("photo.unreadable", path=str(source), reason=f"{type(exc).__name__}: {exc}") from None


def _load_within(image: Image.Image, source: Path, long_side: int, budget: int) -> None:
    """Decode at the smallest scale that still gives `long_side` (JPEG's draft), within `budget` pixels."""
    width, height = image.size
    ratio = long_side / max(width, height, 1)
    if ratio < 1:
        image.draft("RGB", (max(1, int(width * ratio)), max(1, int(height * ratio))))
    if image.width * image.height > budget:
        raise Problem("photo.too_many_pixels", path=str(source), megapixels=round(width * height / 1e6, 1),
                      max=round(budget / 1e6))
    try:
        image.load()
    except Exception as exc:  # truncated, damaged or hostile data
        raise Problem("photo.unreadable", path=str(source), reason=f"{type(exc).__name__}: {exc}") from None


def _rgb(image: Image.Image) -> Image.Image:
    """RGB for JPEG; transparent parts become white (a screenshot's alpha, a PNG's palette)."""
    if image.mode == "RGB":
        return image
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        white = Image.new("RGB", rgba.size, "white")
        white.paste(rgba, mask=rgba.getchannel("A"))
        return white
    return image.convert("RGB")


def _jpeg(image: Image.Image, exif: Image.Exif, quality: int) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality, exif=exif.tobytes())
    return buffer.getvalue()


def _write_synced(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    finally:
        os.close(fd)


def _place(part: Path, final: Path) -> None:
    os.replace(part, final)


def _sync_folder(folder: Path) -> None:
    """Make the rename durable (POSIX); Windows cannot open a folder for fsync and needs no such step."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
