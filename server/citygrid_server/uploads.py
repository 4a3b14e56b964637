# SPDX-License-Identifier: GPL-2.0-or-later
"""Resumable photo uploads (the storage side of tus 1.0.0: core, creation, checksum, termination).

Why our own and not a tus library: the Python tus servers we looked at lack the checksum extension,
and we must verify the SHA-256 of the whole file before it exists as a blob. Each upload is a data
file plus a small JSON state file in `<blobs>/.uploads/`; the state is replaced atomically after the
data is fsynced, so a crash leaves at worst unacknowledged bytes past the recorded offset, which are
cut off on the next append.

Finishing is three steps, each safe to die after: the bytes are verified (hash, type, pixel count) and
the state says offset == length but not complete; the data file is moved into the blob store (or,
when those bytes are stored already, deleted); the state says complete. A state that does not match
the files (the server died between steps, or a file vanished) is repaired under the upload's lock
before anyone reads or appends: finished if the bytes were verified, otherwise started again from 0.
Knowing a hash proves nothing, so existing bytes stand in for an upload only when the same account
sent them before (the caller says so). An upload not touched for `expiry` (tus expiration) is gone:
refused as `upload.expired` at once, its files removed by `remove_idle` (the service's sweep).
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import json
import os
import time
import uuid
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from citygrid.problems import Problem
from citygrid.store.blobs import BlobStore, check_digest

from . import images

CONTENT_TYPES = {"image/jpeg": (b"\xff\xd8\xff",), "image/png": (b"\x89PNG\r\n\x1a\n",)}
CHECKSUM_ALGORITHMS = ("sha256", "sha1", "md5")
DEFAULT_MAX_SIZE = 20 * 1024 * 1024
PHOTO_KEYS = ("taken_at", "lon", "lat", "accuracy_m")
DEFAULT_EXPIRY = timedelta(hours=72)  # a phone off over a weekend still resumes; a dead one's bytes go


@dataclass(frozen=True)
class Upload:
    id: str
    length: int
    offset: int
    sha256: str
    content_type: str
    filename: str
    owner: str
    complete: bool = False
    meta: dict = field(default_factory=dict)  # photo metadata: taken_at, lon, lat, accuracy_m

    @property
    def remaining(self) -> int:
        return self.length - self.offset


def parse_metadata(header: str | None) -> dict[str, str]:
    """tus Upload-Metadata: comma-separated `key base64value` pairs."""
    out: dict[str, str] = {}
    for pair in (header or "").split(","):
        pair = pair.strip()
        if not pair:
            continue
        key, _, value = pair.partition(" ")
        try:
            out[key] = base64.b64decode(value.strip(), validate=True).decode("utf-8") if value else ""
        except (ValueError, UnicodeDecodeError):
            raise Problem("upload.bad_metadata", key=key) from None
    return out


def parse_checksum(header: str | None) -> tuple[str, bytes] | None:
    """tus Upload-Checksum: `<algorithm> <base64 digest>`."""
    if not header:
        return None
    algo, _, value = header.strip().partition(" ")
    if algo not in CHECKSUM_ALGORITHMS:
        raise Problem("upload.checksum_algorithm", algorithm=algo)
    try:
        return algo, base64.b64decode(value.strip(), validate=True)
    except ValueError:
        raise Problem("upload.bad_checksum_header") from None


class UploadStore:
    """Uploads in progress for one centre, finished into its content-addressed blob store."""

    def __init__(self, blobs: BlobStore, *, max_size: int = DEFAULT_MAX_SIZE,
                 max_pixels: int = images.DEFAULT_MAX_PIXELS, expiry: timedelta = DEFAULT_EXPIRY):
        self.blobs = blobs
        self.max_size = max_size
        self.max_pixels = max_pixels
        self.expiry = expiry
        self.root = blobs.root / ".uploads"

    def create(self, length: int, metadata: dict[str, str], owner: str, *, sent: bool = False) -> Upload:
        """A new upload; complete at once only when `sent`: this owner sent these very bytes before."""
        sha = check_digest((metadata.get("sha256") or "").lower())
        ctype = metadata.get("content_type") or metadata.get("filetype") or ""
        if ctype not in CONTENT_TYPES:
            raise Problem("upload.content_type", content_type=ctype, allowed=sorted(CONTENT_TYPES))
        if length <= 0:
            raise Problem("upload.empty")
        if length > self.max_size:
            raise Problem("upload.too_large", length=length, max_size=self.max_size)
        extra = {k: metadata[k][:64] for k in PHOTO_KEYS if k in metadata}
        up = Upload(uuid.uuid4().hex, length, 0, sha, ctype, metadata.get("filename", "")[:200], owner,
                    meta=extra)
        if sent and self.blobs.has(sha):  # this account already sent these bytes: nothing to send
            up = replace(up, offset=length, complete=True)
        self.root.mkdir(parents=True, exist_ok=True)
        if not up.complete:
            self._data(up.id).touch()
        self._save(up)
        return up

    def get(self, upload_id: str) -> Upload:
        path = self._state(upload_id)
        try:
            up = Upload(**json.loads(path.read_text()))
        except (FileNotFoundError, ValueError, TypeError):
            raise Problem("upload.not_found", upload_id=upload_id[:64]) from None
        if self.touched(upload_id) + self.expiry.total_seconds() <= time.time():
            raise Problem("upload.expired", upload_id=upload_id, hours=round(self.expiry.total_seconds() / 3600))
        return up

    def touched(self, upload_id: str) -> float:
        """When the upload last changed (epoch seconds): its state saved or bytes written; 0 if none."""
        times = [0.0]
        for p in (self._state(upload_id), self._data(upload_id)):
            with suppress(FileNotFoundError):
                times.append(p.stat().st_mtime)
        return max(times)

    def expires_at(self, upload_id: str) -> datetime:
        return datetime.fromtimestamp(self.touched(upload_id), UTC) + self.expiry

    def remove_idle(self, upload_id: str, now: float) -> bool:
        """Remove the upload's files if untouched for `expiry`; one being written (locked) is kept."""
        cutoff = now - self.expiry.total_seconds()
        if self.touched(upload_id) > cutoff:
            return False
        try:
            with self._locked(upload_id):
                if self.touched(upload_id) > cutoff:  # written since the first look
                    return False
                for p in (self._state(upload_id), self._state(upload_id).with_suffix(".tmp"), self._data(upload_id)):
                    p.unlink(missing_ok=True)
        except Problem:  # upload.busy: a request is writing it
            return False
        (self.root / f"{upload_id}.lock").unlink(missing_ok=True)
        return True

    def status(self, upload_id: str) -> Upload:
        """The upload as it stands, repaired first if a crash left its files out of step."""
        up = self.get(upload_id)
        if not self._needs_repair(up):
            return up
        try:
            with self._locked(upload_id):
                return self._repair(self.get(upload_id))
        except Problem as exc:
            if exc.code != "upload.busy":
                raise
            return up  # a request holding the upload is finishing it right now

    def delete(self, upload_id: str) -> None:
        self.get(upload_id)
        with self._locked(upload_id):
            # the state first: a death in between leaves no upload, not one whose bytes went missing
            for p in (self._state(upload_id), self._data(upload_id)):
                p.unlink(missing_ok=True)
        (self.root / f"{upload_id}.lock").unlink(missing_ok=True)

    @contextmanager
    def append(self, upload_id: str, offset: int, checksum: tuple[str, bytes] | None = None):
        """Context yielding a writer; on exit the bytes written are verified and acknowledged.

        Without a checksum, bytes received before a cut connection are kept (tus resumes there); with
        one, a chunk that does not match is discarded whole.
        """
        writer = self.begin(upload_id, offset, checksum)
        try:
            yield writer
        except BaseException:
            self.abort(writer)
            raise
        self.end(writer)

    # begin / abort / end split the append so a server can stream the body on its event loop and
    # do the blocking parts (lock, fsync, hash check, rename) in a worker thread.

    def begin(self, upload_id: str, offset: int, checksum: tuple[str, bytes] | None = None) -> _ChunkWriter:
        lock = self._lock(upload_id)
        try:
            up = self._repair(self.get(upload_id))
            if up.complete:
                raise Problem("upload.already_complete", upload_id=upload_id)
            if offset != up.offset:
                raise Problem("upload.offset_mismatch", expected=up.offset, got=offset)
            writer = _ChunkWriter(self._data(upload_id), up, checksum)
        except BaseException:
            _unlock(lock)
            raise
        writer.lock, writer.upload = lock, up
        return writer

    def abort(self, writer: _ChunkWriter) -> None:
        """The body was cut: keep what arrived unless a checksum must cover the whole chunk."""
        try:
            if writer.checksum is None:
                self._save(replace(writer.upload, offset=writer.commit()))
            else:
                writer.discard()
        finally:
            _unlock(writer.lock)

    def end(self, writer: _ChunkWriter) -> Upload:
        try:
            up = writer.upload
            if writer.checksum is not None and not writer.checksum_ok():
                writer.discard()
                raise Problem("upload.checksum_mismatch", algorithm=writer.checksum[0])
            up = replace(up, offset=writer.commit())
            if up.offset == up.length:
                up = self._finish(up, writer)
            self._save(up)
            writer.result = up
            return up
        finally:
            _unlock(writer.lock)

    def _finish(self, up: Upload, writer: _ChunkWriter) -> Upload:
        self._verify(up, *writer.whole_digest())
        self._save(up)  # offset == length, not complete: verified bytes, to be placed
        return self._place(up)

    def _verify(self, up: Upload, digest: str, head: bytes) -> None:
        """Hash, declared type and pixel count; bytes that fail are dropped whole (restart from 0)."""
        try:
            if digest != up.sha256:
                raise Problem("upload.hash_mismatch", expected=up.sha256, actual=digest)
            if not any(head.startswith(m) for m in CONTENT_TYPES[up.content_type]):
                raise Problem("upload.content_mismatch", content_type=up.content_type)
            images.check_upload(self._data(up.id), up.content_type, self.max_pixels)
        except Problem:
            self._restart(up)
            raise

    def _place(self, up: Upload) -> Upload:
        """Move verified bytes into the store; identical stored bytes are kept, not rewritten."""
        data = self._data(up.id)
        if self.blobs.has(up.sha256) and self.blobs.verify(up.sha256):
            data.unlink()
        else:  # new bytes, or a stored copy that rotted: these verified ones replace it
            self.blobs._place(str(data), up.sha256)
        return replace(up, complete=True)

    def _needs_repair(self, up: Upload) -> bool:
        if up.complete:
            return not self.blobs.has(up.sha256)
        try:  # a data file shorter than the acknowledged offset (or none) lost acknowledged bytes
            short = self._data(up.id).stat().st_size < up.offset
        except FileNotFoundError:
            short = True
        return up.offset == up.length or short

    def _repair(self, up: Upload) -> Upload:
        """Bring state and files back in step after a crash; call with the upload's lock held."""
        if not self._needs_repair(up):
            return up
        if up.complete:  # its blob vanished from the store: the bytes must come again
            return self._restart(up)
        data = self._data(up.id)
        if up.offset == up.length and data.is_file():  # verified, died before placing
            try:
                self._verify(up, *_hash_file(data))
            except Problem:  # the file changed on disk, or a lower pixel cap since: _verify restarted it
                return self.get(up.id)
            up = self._place(up)
        elif up.offset == up.length and self.blobs.has(up.sha256) and self.blobs.verify(up.sha256):
            up = replace(up, complete=True)  # placed (or a duplicate dropped), died before saying so
        else:  # acknowledged bytes are gone: start again
            return self._restart(up)
        self._save(up)
        return up

    def _restart(self, up: Upload) -> Upload:
        with open(self._data(up.id), "wb"):
            pass
        up = replace(up, offset=0, complete=False)
        self._save(up)
        return up

    def _save(self, up: Upload) -> None:
        tmp = self._state(up.id).with_suffix(".tmp")
        with open(tmp, "w") as fh:
            json.dump(asdict(up), fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self._state(up.id))

    @contextmanager
    def _locked(self, upload_id: str):
        """One writer per upload across threads and worker processes."""
        lock = self._lock(upload_id)
        try:
            yield
        finally:
            _unlock(lock)

    def _lock(self, upload_id: str):
        self._check_id(upload_id)
        self.root.mkdir(parents=True, exist_ok=True)
        fh = open(self.root / f"{upload_id}.lock", "a+")
        try:  # never wait: a retried PATCH must not block behind a stalled one
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.close()
            raise Problem("upload.busy", upload_id=upload_id) from None
        return fh

    def _check_id(self, upload_id: str) -> None:
        if len(upload_id) != 32 or any(c not in "0123456789abcdef" for c in upload_id):
            raise Problem("upload.not_found", upload_id=upload_id[:64])

    def _state(self, upload_id: str) -> Path:
        self._check_id(upload_id)
        return self.root / f"{upload_id}.json"

    def _data(self, upload_id: str) -> Path:
        self._check_id(upload_id)
        return self.root / f"{upload_id}.part"


class _ChunkWriter:
    """Appends one PATCH body at the acknowledged offset, hashing it as it goes."""

    def __init__(self, path: Path, up: Upload, checksum):
        self.fh = open(path, "r+b")
        self.fh.truncate(up.offset)  # drop bytes past the last acknowledged offset
        self.fh.seek(up.offset)
        self.start = up.offset
        self.limit = up.length
        self.written = 0
        self.checksum = checksum
        self.hasher = hashlib.new(checksum[0]) if checksum else None
        self.result: Upload | None = None
        self.lock = None
        self.upload = up
        self.path = path
        self.whole = None  # sha256 of the file so far, kept while writing from offset 0 (the usual case)
        if up.offset == 0:
            self.whole, self.head = hashlib.sha256(), b""

    def write(self, chunk: bytes) -> None:
        if self.start + self.written + len(chunk) > self.limit:
            raise Problem("upload.exceeds_length", length=self.limit)
        self.fh.write(chunk)
        if self.hasher:
            self.hasher.update(chunk)
        if self.whole is not None:
            self.whole.update(chunk)
            if len(self.head) < 16:
                self.head += chunk[: 16 - len(self.head)]
        self.written += len(chunk)

    def whole_digest(self) -> tuple[str, bytes]:
        """(sha256 hex, first bytes) of the whole file; a resumed upload is read back once."""
        if self.whole is not None:
            return self.whole.hexdigest(), self.head
        return _hash_file(self.path)

    def checksum_ok(self) -> bool:
        return self.hasher is not None and self.hasher.digest() == self.checksum[1]

    def commit(self) -> int:
        self.fh.flush()
        os.fsync(self.fh.fileno())
        self.fh.close()
        return self.start + self.written

    def discard(self) -> None:
        self.fh.truncate(self.start)
        self.fh.close()


def _unlock(fh) -> None:
    fcntl.flock(fh, fcntl.LOCK_UN)
    fh.close()


def _hash_file(path: Path) -> tuple[str, bytes]:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        head = fh.read(16)
        h.update(head)
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest(), head
