# SPDX-License-Identifier: GPL-2.0-or-later
"""A small tus 1.0.0 client for one photo: creation-with-upload, resume by HEAD, chunks with a checksum.

Each step is one request, so the sync job can be polled between chunks. The first chunk goes with the
POST (tus creation-with-upload): a photo smaller than a chunk — the usual case — is one request. When
bytes are left, the upload's URL is kept in the store as soon as the centre names it, so a device
killed mid-photo HEADs the offset and continues. Each request carries `Upload-Checksum: sha256 …` of
its chunk: a chunk cut off is discarded whole by the centre and sent again.

The file is hashed once, as its chunks are read (a resumed upload reads the bytes before its offset
once more): the last chunk is sent only when the whole file's sha256 is the photo's, so a file changed
since it was taken never completes under the old hash (`field.photo_changed`; the centre checks the
whole hash again). docs/field-app.md says why this is ours and not tuspy.
"""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Callable

from citygrid.problems import Problem

from .outbox import Photo
from .session import Api

TUS = {"Tus-Resumable": "1.0.0"}
OCTETS = "application/offset+octet-stream"
CHUNK_BYTES = 4 * 1024 * 1024  # a phone photo in one request; small enough to hold in memory
MAX_REFUSALS = 5  # a file that keeps failing its checksum is not sent for ever


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


class TusUpload:
    """One photo's upload; `step()` until `done`. `on_url(url)` keeps the upload's URL for a restart
    (not called when the photo went whole with the POST: the caller keeps the URL with `done`)."""

    def __init__(self, api: Api, photo: Photo, on_url: Callable[[str | None], None],
                 chunk_bytes: int = CHUNK_BYTES):
        self.api, self.photo, self.on_url, self.chunk_bytes = api, photo, on_url, chunk_bytes
        self.url, self.offset = photo.upload_url, None  # None: ask the centre (HEAD) before sending
        self.refused, self.high = 0, 0  # refusals (409/460) since the offset last passed `high`
        self.resumed_from: list[int] = []  # offsets a HEAD found after a cut or a restart (for tests, logs)
        self.hasher, self.hashed = hashlib.sha256(), 0  # the file's bytes [0, hashed) seen so far

    @property
    def done(self) -> bool:
        return self.offset == self.photo.bytes

    def stale(self) -> None:
        """A request failed midway: ask the centre where it stands before sending more."""
        self.offset = None

    def step(self) -> int:
        """One request: create (with the first chunk), HEAD or one chunk; -> bytes the centre took."""
        if self.url is None:
            return self._create()
        if self.offset is None:
            return self._head()
        return self._patch()

    def _create(self) -> int:
        chunk, digest = self._chunk(0)
        meta = {"sha256": self.photo.sha256, "filename": f"{self.photo.sha256}", "content_type":
                self.photo.content_type}
        r = self.api.request("POST", "/api/v1/uploads/", content=chunk, ok=(460,), headers={
            **TUS, "Upload-Length": str(self.photo.bytes), "Content-Type": OCTETS,
            "Upload-Metadata": ",".join(f"{k} {_b64(v)}" for k, v in meta.items()),
            "Upload-Checksum": f"sha256 {digest}"})
        if r.status_code == 460:  # the chunk arrived damaged: the centre kept nothing, create again
            return self._refused()
        url = r.headers.get("Location")
        if not url:
            raise Problem("sync.bad_answer", reason="upload Location")
        self.url, self.offset = url, _offset(r)
        self._advanced()
        if not self.done:
            self.on_url(self.url)
        return self.offset

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
        chunk, digest = self._chunk(start)
        self.offset = None  # unknown until the centre answers
        r = self.api.request("PATCH", self.url, content=chunk, ok=(409, 460), headers={
            **TUS, "Upload-Offset": str(start), "Content-Type": OCTETS, "Upload-Checksum": f"sha256 {digest}"})
        if r.status_code in (409, 460):  # out of step, or the chunk arrived damaged: HEAD, then again
            return self._refused()
        self.offset = _offset(r)
        self._advanced()
        return max(0, self.offset - start)

    def _advanced(self) -> None:
        """Refusals are forgiven only by new ground: a centre that keeps dropping the whole file at its
        last chunk (its hash check fails) and restarting from 0 ends as `upload.hash_mismatch`."""
        if self.offset > self.high:
            self.refused, self.high = 0, self.offset

    def _refused(self) -> int:
        self.refused += 1
        if self.refused > MAX_REFUSALS:
            raise Problem("upload.hash_mismatch")
        return 0

    # --- reading the file: hashed once, checked before its last byte is sent ---------------------------

    def _chunk(self, start: int) -> tuple[bytes, str]:
        """The chunk at `start` and its base64 sha256; raises field.photo_changed / _gone when the
        file is not the photo taken (before the chunk that would complete it is sent)."""
        try:
            with open(self.photo.path, "rb") as f:
                if os.fstat(f.fileno()).st_size != self.photo.bytes:
                    self._changed()
                if self.hashed != start:  # a resume, or the centre kept less than was sent: hash again
                    self.hasher, self.hashed = _hash_prefix(f, start), start
                f.seek(start)
                chunk = f.read(self.chunk_bytes)
        except OSError:
            self._forget()
            raise Problem("field.photo_gone", path=self.photo.path) from None
        whole = start == 0 and len(chunk) == self.photo.bytes
        digest = hashlib.sha256(chunk).digest() if not whole else None
        self.hasher.update(chunk)
        self.hashed = start + len(chunk)
        if self.hashed == self.photo.bytes and self.hasher.hexdigest() != self.photo.sha256:
            self._changed()
        return chunk, base64.b64encode(digest or self.hasher.digest()).decode()

    def _changed(self):
        self._forget()
        raise Problem("field.photo_changed", path=self.photo.path)

    def _forget(self) -> None:
        """Bytes of a changed file may sit on the centre: a later try starts a new upload."""
        self.hashed = -1
        if self.url is not None:
            self.url = None
            self.on_url(None)


def _hash_prefix(f, end: int):
    h, f_pos = hashlib.sha256(), 0
    f.seek(0)
    while f_pos < end:
        block = f.read(min(1 << 20, end - f_pos))
        if not block:
            break
        h.update(block)
        f_pos += len(block)
    return h


def _offset(r) -> int:
    raw = r.headers.get("Upload-Offset", "")
    if not raw.isdigit():
        raise Problem("sync.bad_answer", reason="Upload-Offset")
    return int(raw)
