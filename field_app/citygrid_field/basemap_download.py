# SPDX-License-Identifier: GPL-2.0-or-later
"""The offline map from the service (`GET /api/v1/basemap`), resumable and never half-installed.

The bytes go to `<data>/basemap.mbtiles.part`, with the ETag they belong to beside it
(`basemap.mbtiles.part.etag`). A cut download keeps both; the next run asks `Range: bytes=<size>-`
with `If-Range: <etag>`, so it resumes when the centre's map is still the same file and starts over
when it was replaced. A whole file is checked to open as MBTiles (read-only: metadata zooms, a tiles
table), synced to disk and renamed over `basemap.mbtiles` in one step; its ETag is kept in
`basemap.mbtiles.etag` so the next download asks `If-None-Match` and a 304 costs nothing. Whatever
fails, the map in use stays as it was. Runs on any thread: it touches files and the network only.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from citygrid.problems import Problem
from citygrid.sync import protocol

from .session import Api, Retryable, _refusal

if TYPE_CHECKING:
    import httpx  # imported when a download runs (settings are built at start)

BASEMAP, ROUTE = "basemap.mbtiles", "/api/v1/basemap"


@dataclass(frozen=True)
class MapFile:
    size: int
    modified: datetime


def on_device(data_dir: str | Path) -> MapFile | None:
    """Size and date of the map the app uses, or None."""
    try:
        st = (Path(data_dir) / BASEMAP).stat()
    except OSError:
        return None
    return MapFile(st.st_size, datetime.fromtimestamp(st.st_mtime, UTC))


def check_mbtiles(path: Path) -> None:
    """Raise `field_outbox.not_mbtiles` unless `path` opens read-only as an MBTiles with tiles."""
    try:
        cx = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            meta = dict(cx.execute("SELECT name, value FROM metadata").fetchall())
            int(meta["minzoom"]), int(meta["maxzoom"])
            cx.execute("SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles LIMIT 1").fetchall()
        finally:
            cx.close()
    except (sqlite3.Error, KeyError, ValueError, TypeError) as e:
        raise Problem("field_outbox.not_mbtiles", reason=str(e) or type(e).__name__) from None


class Download:
    """One run: `run()` -> "installed" or "current"; raises a Problem, the old map untouched."""

    def __init__(self, api: Api, data_dir: str | Path, on_progress: Callable[[int, int], None] | None = None):
        self.api, self.dir = api, Path(data_dir)
        self.on_progress = on_progress or (lambda done, total: None)
        self.target = self.dir / BASEMAP
        self.part, self.part_tag = self.dir / (BASEMAP + ".part"), self.dir / (BASEMAP + ".part.etag")
        self.tag = self.dir / (BASEMAP + ".etag")

    def run(self) -> str:
        import httpx

        try:
            with self.api.http.stream("GET", ROUTE, headers=self._headers()) as r:
                if r.status_code == 304:
                    return "current"
                if not r.is_success:
                    r.read()
                    raise _refusal(r, signed_in=True)
                self._receive(r)
        except (httpx.TransportError, OSError) as e:
            raise Problem("field_outbox.download_failed", reason=type(e).__name__) from None
        except Retryable as e:
            raise e.problem from None
        return self._install()

    def _headers(self) -> dict:
        h = {protocol.HEADER: str(protocol.PROTOCOL), "Accept-Language": self.api.lang.replace("_", "-")}
        if self.api.token:
            h["Authorization"] = f"Bearer {self.api.token}"
        if self.target.is_file() and (tag := _read(self.tag)):
            h["If-None-Match"] = tag
        if self.part.is_file() and (tag := _read(self.part_tag)):
            h.update({"Range": f"bytes={self.part.stat().st_size}-", "If-Range": tag})
        return h

    def _receive(self, r: httpx.Response) -> None:
        start = _resumed_at(r)
        if start != 0 and start != (self.part.stat().st_size if self.part.is_file() else 0):
            self._discard()  # a range we did not ask for: the next run starts over
            raise Problem("field_outbox.download_failed", reason=f"unexpected range {start}")
        self.part_tag.write_text(r.headers.get("etag", ""))
        total = start + int(r.headers.get("content-length") or 0)
        done = start
        with open(self.part, "r+b" if start else "wb") as f:
            f.seek(start)
            f.truncate()
            for chunk in r.iter_bytes():
                f.write(chunk)
                done += len(chunk)
                self.on_progress(done, total)
            f.flush()
            os.fsync(f.fileno())
        if total and done != total:
            raise Problem("field_outbox.download_failed", reason=f"{done} of {total} bytes")

    def _install(self) -> str:
        try:
            check_mbtiles(self.part)
        except Problem:
            self._discard()
            raise
        os.replace(self.part, self.target)  # atomic: the app sees the old map or the new one
        os.replace(self.part_tag, self.tag)
        return "installed"

    def _discard(self) -> None:
        self.part.unlink(missing_ok=True)
        self.part_tag.unlink(missing_ok=True)


def _resumed_at(r: httpx.Response) -> int | None:
    if r.status_code != 206:
        return 0
    unit, _, rest = r.headers.get("content-range", "").partition(" ")
    first = rest.partition("-")[0]
    return int(first) if unit == "bytes" and first.isdigit() else None


def _read(path: Path) -> str | None:
    try:
        return path.read_text().strip() or None
    except OSError:
        return None
