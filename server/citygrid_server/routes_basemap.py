# SPDX-License-Identifier: GPL-2.0-or-later
"""GET/HEAD /api/v1/basemap: the offline map (MBTiles) for the signed-in user's area.

The desk's `citygrid:export_basemap` writes the files; the service only serves them. They live beside
the centre in `<stem>.basemaps/` (like `<stem>.blobs/`): `<username>.mbtiles` for one account, else
`centre.mbtiles` for everyone. None is a coded 404 (`basemap.not_found`). The ETag is Starlette's
(mtime and size), `If-None-Match` answers 304, and `Range` / `If-Range` let a cut download resume.
"""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import FileResponse

from citygrid.problems import Problem

from . import deps
from .centre import Centre

router = APIRouter(prefix="/api/v1/basemap", tags=["basemap"], dependencies=[Depends(deps.protocol)])
MEDIA = "application/vnd.mapbox-vector-tile+sqlite"  # no registered type: clients must not rely on it
SHARED = "centre"
_SAFE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}")


def folder(centre_path: str | Path) -> Path:
    """`center.gpkg` → `center.basemaps/` beside it."""
    p = Path(centre_path)
    return p.with_name(p.stem + ".basemaps")


def basemap_for(centre_path: str | Path, username: str) -> Path | None:
    """The user's own map, else the centre-wide one; a name that is not a plain file name is never joined."""
    root = folder(centre_path)
    names = [username] if _SAFE_NAME.fullmatch(username or "") and username != SHARED else []
    for name in names + [SHARED]:
        path = root / f"{name}.mbtiles"
        if path.is_file():
            return path
    return None


def _response(request: Request, s: deps.Session, centre: Centre) -> Response:
    path = basemap_for(centre.path, s.actor.username)
    if path is None:
        raise Problem("basemap.not_found", username=s.actor.username)
    try:
        st = path.stat()  # one stat: ETag, length and the bytes sent agree
    except OSError:
        raise Problem("basemap.not_found", username=s.actor.username) from None
    response = FileResponse(path, media_type=MEDIA, filename="basemap.mbtiles", stat_result=st,
                            headers={"Cache-Control": "private, no-cache"})
    etag = response.headers["etag"]
    wanted = [t.strip() for t in request.headers.get("if-none-match", "").split(",")]
    if etag in wanted or "*" in wanted:
        return Response(status_code=304, headers={"ETag": etag, "Cache-Control": "private, no-cache"})
    return response


@router.get("", response_class=FileResponse,
            responses={200: {"content": {MEDIA: {}}, "description": "the MBTiles file (or the asked Range: 206)"},
                       206: {"description": "the asked byte range"}, 304: {"description": "not changed (If-None-Match)"}})
def get_basemap(request: Request, s: deps.Session = Depends(deps.session), centre: Centre = Depends(deps.centre)):
    """The offline map for the signed-in user's area: `<username>.mbtiles`, else `centre.mbtiles`."""
    return _response(request, s, centre)


@router.head("")
def head_basemap(request: Request, s: deps.Session = Depends(deps.session), centre: Centre = Depends(deps.centre)):
    """Size, date and ETag of the map without its bytes."""
    return _response(request, s, centre)
