# SPDX-License-Identifier: GPL-2.0-or-later
"""A small tus 1.0.0 client for one photo: creation, resume by HEAD, chunks with a sha256 checksum.

Each step is one request, so the sync job can be polled between chunks. The upload's URL is kept in the
store as soon as the centre names it, so a device killed mid-photo HEADs the offset and continues.
Each PATCH carries `Upload-Checksum: sha256 …` of its chunk: a chunk cut off is discarded whole by the
centre and sent again; the centre verifies the whole file's hash at the end (docs/field-app.md says
why this is ours and not tuspy).
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable

from citygrid.problems import Problem

from .outbox import Photo
from .session import Api

TUS = {"Tus-Resumable": "1.0.0"}
OCTETS = "application/offset+octet-stream"
CHUNK_BYTES = 512 * 1024
MAX_REFUSALS = 5  # a file that keeps failing its checksum is not sent for ever


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


class TusUpload:
    """One photo's upload; `step()` until `done`. `on_url(url)` keeps the upload's URL for a restart."""

    def __init__(self, api: Api, photo: Photo, on_url: Callable[[str | None], None],
                 chunk_bytes: int = CHUNK_BYTES):
        self.api, self.photo, self.on_url, self.chunk_bytes = api, photo, on_url, chunk_bytes
        self.url, self.offset = photo.upload_url, None  # None: ask the centre (HEAD) before sending
        self.refused = 0  # chunks the centre refused (409/460) in a row
        self.resumed_from: list[int] = []  # offsets a HEAD found after a cut or a restart (for tests, logs)

    @property
    def done(self) -> bool:
        return self.offset == self.photo.bytes

    def stale(self) -> None:
        """A request failed midway: ask the centre where it stands before sending more."""
        self.offset = None

    def step(self) -> int:
        """One request: create, HEAD or one chunk; -> bytes sent by it."""
        if self.url is None:
            return self._create()
        if self.offset is None:
            return self._head()
        return self._patch()

    def _create(self) -> int:
        meta = {"sha256": self.photo.sha256, "filename": f"{self.photo.sha256}", "content_type":
                self.photo.content_type}
        r = self.api.request("POST", "/api/v1/uploads/", headers={
            **TUS, "Upload-Length": str(self.photo.bytes),
            "Upload-Metadata": ",".join(f"{k} {_b64(v)}" for k, v in meta.items())})
        self.url = r.headers.get("Location")
        if not self.url:
            raise Problem("sync.bad_answer", reason="upload Location")
        self.on_url(self.url)
        self.offset = _offset(r)
        return 0

    def _head(self) -> int:
        r = self.api.request("HEAD", self.url, headers=TUS, ok=(404, 410))
        if r.status_code in (404, 410):  # expired or never finished being created: start again
            self.url = None
            self.on_url(None)
            return 0
        self.offset = _offset(r)
        if 0 < self.offset < self.photo.bytes:
            self.resumed_from.append(self.offset)
        return 0

    def _patch(self) -> int:
        start = self.offset
        with open(self.photo.path, "rb") as f:
            f.seek(start)
            chunk = f.read(self.chunk_bytes)
        digest = base64.b64encode(hashlib.sha256(chunk).digest()).decode()
        self.offset = None  # unknown until the centre answers
        r = self.api.request("PATCH", self.url, content=chunk, ok=(409, 460), headers={
            **TUS, "Upload-Offset": str(start), "Content-Type": OCTETS, "Upload-Checksum": f"sha256 {digest}"})
        if r.status_code in (409, 460):  # out of step, or the chunk arrived damaged: HEAD, then again
            self.refused += 1
            if self.refused > MAX_REFUSALS:
                raise Problem("upload.hash_mismatch")
            return 0
        self.offset, self.refused = _offset(r), 0
        return len(chunk)


def _offset(r) -> int:
    raw = r.headers.get("Upload-Offset", "")
    if not raw.isdigit():
        raise Problem("sync.bad_answer", reason="Upload-Offset")
    return int(raw)
