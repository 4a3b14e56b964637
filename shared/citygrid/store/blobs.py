# SPDX-License-Identifier: GPL-2.0-or-later
"""Content-addressed photo store beside the GeoPackage: center.blobs/ab/cd/<sha256>."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

from ..problems import Problem

_HEX64 = re.compile(r"[0-9a-f]{64}")
CHUNK = 1 << 20


def store_for(gpkg_path: str | os.PathLike) -> BlobStore:
    p = Path(gpkg_path)
    return BlobStore(p.with_name(p.stem + ".blobs"))


def check_digest(sha256: str) -> str:
    if not isinstance(sha256, str) or not _HEX64.fullmatch(sha256):
        raise Problem("blob.bad_digest", sha256=str(sha256)[:80])
    return sha256


class BlobStore:
    """Blobs named by their SHA-256; written to a temp file, fsynced, then renamed into place."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    def path(self, sha256: str) -> Path:
        check_digest(sha256)
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def has(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def put_bytes(self, data: bytes, expected: str | None = None) -> str:
        digest = hashlib.sha256(data).hexdigest()
        if expected is not None and expected != digest:
            raise Problem("blob.hash_mismatch", expected=expected, actual=digest)
        if not self.has(digest):
            self._write(digest, [data])
        return digest

    def put_file(self, source: str | os.PathLike, expected: str | None = None) -> str:
        """Hash while streaming a file in; a mismatch with `expected` stores nothing."""
        h = hashlib.sha256()
        self.root.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as out, open(source, "rb") as src:
                while chunk := src.read(CHUNK):
                    h.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            digest = h.hexdigest()
            if expected is not None and expected != digest:
                raise Problem("blob.hash_mismatch", expected=expected, actual=digest)
            self._place(tmp, digest)
            return digest
        finally:
            if os.path.exists(tmp):
                os.remove(tmp)

    def verify(self, sha256: str) -> bool:
        """True when the stored bytes still hash to their name."""
        h = hashlib.sha256()
        with open(self.path(sha256), "rb") as fh:
            while chunk := fh.read(CHUNK):
                h.update(chunk)
        return h.hexdigest() == sha256

    def _write(self, digest: str, chunks) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as out:
                for c in chunks:
                    out.write(c)
                out.flush()
                os.fsync(out.fileno())
            self._place(tmp, digest)
        finally:
            if os.path.exists(tmp):
                os.remove(tmp)

    def _place(self, tmp: str, digest: str) -> None:
        target = self.path(digest)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp, target)
