# SPDX-License-Identifier: GPL-2.0-or-later
"""Photos read safely: dimensions from the header before anything is decoded, thumbnails within a cap.

A PNG of one colour compresses a billion pixels into a few hundred kilobytes, and decoding it takes
gigabytes. So before any decoding two limits are checked, on upload and again for each thumbnail:
the pixel count (a setting, 50 MP by default) and the memory the decode would take. A JPEG is decoded
at 1/2–1/8 scale (libjpeg's DCT scaling), so even a 50 MP photo takes a few MB; a PNG is decoded
whole, so one of 16 MP in colour is the most that fits. Full decodes also run two at a time at most,
so a burst of first thumbnails cannot add up.
"""

from __future__ import annotations

import io
import os
import tempfile
import threading
import warnings
from pathlib import Path

from PIL import Image, ImageOps

from citygrid.problems import Problem

DEFAULT_MAX_PIXELS = 50_000_000  # phone cameras make 12–50 MP
DECODE_BUDGET = 64 * 1024 * 1024  # bytes one thumbnail may decode into
THUMB_SIZES = (128, 256, 512)
FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG"}
_BOMBS = (Image.DecompressionBombError, Image.DecompressionBombWarning)
_DECODING = threading.BoundedSemaphore(2)

# Pillow only warns between its own limit (89 MP) and twice that; here the warning is a refusal. Set
# once for the process: warnings.catch_warnings() per call is not thread-safe, and requests run in threads.
warnings.filterwarnings("error", category=Image.DecompressionBombWarning)


def check_upload(path: str | os.PathLike, content_type: str, max_pixels: int) -> tuple[int, int]:
    """(width, height) of an uploaded photo from its header; refuses what is no photo, or one whose
    thumbnails could not be made within the limits."""
    try:
        with Image.open(path) as im:
            fmt, (width, height) = im.format, im.size
            fits = _fits(im, max(THUMB_SIZES), max_pixels)
    except _BOMBS:
        raise Problem("upload.too_many_pixels", max_pixels=max_pixels) from None
    except Exception:  # whatever Pillow trips over in a hostile header
        raise Problem("upload.not_an_image", content_type=content_type) from None
    if fmt != FORMATS.get(content_type):
        raise Problem("upload.content_mismatch", content_type=content_type)
    if not fits:
        raise Problem("upload.too_many_pixels", width=width, height=height, max_pixels=max_pixels)
    return width, height


def cached_thumbnail(root: Path, source: Path, sha256: str, size: int, max_pixels: int) -> Path:
    """The JPEG thumbnail of a blob, made once; rendered into a temp file and renamed, so concurrent
    requests never see half a thumbnail."""
    target = root / ".thumbs" / f"{sha256}-{size}.jpg"
    if target.exists():
        return target
    data = render_thumbnail(source, sha256, size, max_pixels)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".jpg")
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    os.replace(tmp, target)
    return target


def render_thumbnail(source: Path, sha256: str, size: int, max_pixels: int) -> bytes:
    """JPEG bytes no larger than `size` on the long side; the limits are checked before decoding."""
    try:
        with Image.open(source) as im:
            if not _fits(im, size, max_pixels):
                raise Problem("blob.too_many_pixels", sha256=sha256, width=im.width, height=im.height,
                              max_pixels=max_pixels)
            with _DECODING:
                im.thumbnail((size, size))
            small = ImageOps.exif_transpose(im).convert("RGB")
            out = io.BytesIO()
            small.save(out, "JPEG", quality=80)
            return out.getvalue()
    except Problem:
        raise
    except _BOMBS:
        raise Problem("blob.too_many_pixels", sha256=sha256, max_pixels=max_pixels) from None
    except Exception:  # a truncated or corrupt file: Pillow raises OSError, SyntaxError, ValueError, ...
        raise Problem("blob.not_an_image", sha256=sha256) from None


def _fits(im: Image.Image, size: int, max_pixels: int) -> bool:
    """Whether `im` may be decoded for a thumbnail of `size`; sets a JPEG to decode at reduced scale."""
    if im.width * im.height > max_pixels:
        return False
    if im.format == "JPEG":
        im.draft("RGB", (size, size))  # the smallest scale still >= size (a long panorama barely shrinks)
    return im.width * im.height * _bytes_per_pixel(im.mode) <= DECODE_BUDGET


def _bytes_per_pixel(mode: str) -> int:
    """As Pillow holds a decoded image: one byte for bilevel, grey and palette, four for colour."""
    if mode in ("1", "L", "P"):
        return 1
    return 2 if mode.startswith("I;16") else 4
