# SPDX-License-Identifier: GPL-2.0-or-later
"""Small real MBTiles files for the map download tests, and a transport that cuts a download."""

import os
import sqlite3
from pathlib import Path

import httpx


def mbtiles(path: Path, tiles: int = 40, seed: int = 0) -> Path:
    """An MBTiles with `tiles` random 4 KiB tiles (incompressible, so the file is ~`tiles` × 4 KiB)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    cx = sqlite3.connect(path)
    cx.executescript("CREATE TABLE metadata (name TEXT, value TEXT);"
                     "CREATE TABLE tiles (zoom_level INT, tile_column INT, tile_row INT, tile_data BLOB);")
    cx.executemany("INSERT INTO metadata VALUES (?, ?)",
                   [("name", f"test {seed}"), ("format", "png"), ("minzoom", "14"), ("maxzoom", "17")])
    cx.executemany("INSERT INTO tiles VALUES (17, ?, ?, ?)", [(i, seed, os.urandom(4096)) for i in range(tiles)])
    cx.commit()
    cx.close()
    return path


class CutTransport(httpx.BaseTransport):
    """The real network, but a download stops (a transport error) after `cut_after` body bytes, once."""

    def __init__(self, cut_after: int | None = None):
        self.inner, self.cut_after, self.asked = httpx.HTTPTransport(), cut_after, []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.asked.append(dict(request.headers))
        r = self.inner.handle_request(request)
        if self.cut_after is None:
            return r
        limit, self.cut_after = self.cut_after, None
        return httpx.Response(r.status_code, headers=r.headers, stream=_Cut(r.stream, limit))


class _Cut(httpx.SyncByteStream):
    def __init__(self, inner, limit: int):
        self.inner, self.limit = inner, limit

    def __iter__(self):
        sent = 0
        for chunk in self.inner:
            if sent + len(chunk) >= self.limit:
                yield chunk[: self.limit - sent]
                raise httpx.ReadError("cut by the test")
            sent += len(chunk)
            yield chunk

    def close(self):
        self.inner.close()
