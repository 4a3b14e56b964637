# SPDX-License-Identifier: GPL-2.0-or-later
"""Small pictures of a case's photos for the task detail: the device's own file when it has the photo
(one it took), else a thumbnail fetched once from `/api/v1/blobs/<sha256>/thumbnail` and kept under
`thumbs/`. A fetched thumbnail is checked to be a small JPEG before it is kept (it is not the photo,
so its hash cannot be checked); a hash that is not one is never put in a URL."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from citygrid.problems import Problem
from citygrid.sync.items import SHA256

from .photos import write_whole
from .session import Api
from .store import Store

SIZE = 256
MAX_BYTES = 2 * 1024 * 1024


class Thumbs:
    def __init__(self, store: Store):
        self.store, self.folder = store, Path(store.dir) / "thumbs"

    def local(self, sha256: str) -> str | None:
        """A file on the device showing this photo, or None."""
        row = self.store.cx.execute("SELECT path FROM photos WHERE sha256 = ?", (sha256,)).fetchone()
        for path in ((Path(row[0]),) if row else ()) + (self.folder / f"{sha256}.jpg",):
            if path.is_file():
                return str(path)
        return None

    def fetch(self, api: Api, sha256: str, size: int = SIZE) -> str:
        """The thumbnail from the centre, kept whole under `thumbs/`; -> its path."""
        if not isinstance(sha256, str) or not SHA256.fullmatch(sha256):
            raise Problem("blob.bad_digest", sha256=str(sha256)[:80])
        data = api.request("GET", f"/api/v1/blobs/{sha256}/thumbnail", params={"size": size}).content
        _check_jpeg(data, sha256)
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{sha256}.jpg"
        write_whole(path, data)
        return str(path)

    def fetch_missing(self, api: Api, hashes) -> int:
        """Fetch the thumbnails the device lacks; -> how many arrived (a refused one is skipped)."""
        got = 0
        for sha in hashes:
            if self.local(sha) is None:
                try:
                    self.fetch(api, sha)
                    got += 1
                except Problem:
                    continue  # not visible to this account any more, or not an image: shown as missing
        return got


def _check_jpeg(data: bytes, sha256: str) -> None:
    if len(data) > MAX_BYTES:
        raise Problem("photo.unreadable", path=sha256, reason="thumbnail too large")
    try:
        with Image.open(io.BytesIO(data)) as image:
            ok = image.format == "JPEG" and max(image.size) <= 1024
            image.verify()
    except Exception as exc:  # anything a hostile answer raises is a refusal, never a crash
        raise Problem("photo.unreadable", path=sha256, reason=type(exc).__name__) from None
    if not ok:
        raise Problem("photo.not_an_image", path=sha256)
