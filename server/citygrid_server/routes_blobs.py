# SPDX-License-Identifier: GPL-2.0-or-later
"""GET/HEAD /api/v1/blobs/<sha256>: photo bytes for users allowed to see the case."""

from __future__ import annotations

import sqlite3

from fastapi import APIRouter, Depends
from fastapi.responses import FileResponse

from citygrid import blobs
from citygrid.problems import Problem

from . import deps, params
from .centre import Centre

router = APIRouter(prefix="/api/v1/blobs", tags=["photos"])
CENTRE_ROLES = {"admin", "operator", "leader", "dispatcher", "supervisor", "gis"}


def can_see(cx: sqlite3.Connection, actor, sha256: str) -> bool:
    """Centre staff see every photo; others the ones they uploaded or that belong to their cases."""
    if actor.role in CENTRE_ROLES:
        return True
    mine = cx.execute("SELECT 1 FROM photos WHERE sha256 = ? AND uploaded_by = ?", (sha256, actor.username)).fetchone()
    if mine:
        return True
    if actor.role == "unit":
        sql = ("SELECT 1 FROM case_photos p JOIN cases c ON c.case_no = p.case_no "
               "WHERE p.sha256 = ? AND c.unit_code = ? LIMIT 1")
        return cx.execute(sql, (sha256, actor.unit_code)).fetchone() is not None
    if actor.role == "collector":
        sql = ("SELECT 1 FROM case_photos p JOIN tasks t ON t.case_no = p.case_no "
               "WHERE p.sha256 = ? AND t.assignee = ? AND t.status = 'open' LIMIT 1")
        return cx.execute(sql, (sha256, actor.username)).fetchone() is not None
    return False


def _blob(sha256: str, s: deps.Session, cx: sqlite3.Connection, centre: Centre):
    blobs.check_digest(sha256)
    row = cx.execute("SELECT content_type FROM photos WHERE sha256 = ?", (sha256,)).fetchone()
    # unknown and forbidden look the same, so hashes cannot be probed
    if row is None or not centre.blobs.has(sha256) or not can_see(cx, s.actor, sha256):
        raise Problem("blob.not_found", sha256=sha256)
    return centre.blobs.path(sha256), row[0]


@router.get("/{sha256}", response_class=FileResponse, responses={200: {"content": {"image/jpeg": {}, "image/png": {}}}})
def get_blob(sha256: params.Sha256, s: deps.Session = Depends(deps.session),
             cx: sqlite3.Connection = Depends(deps.conn), centre: Centre = Depends(deps.centre)):
    """The photo's bytes."""
    path, ctype = _blob(sha256, s, cx, centre)
    return FileResponse(path, media_type=ctype, headers={"ETag": f'"{sha256}"',
                                                         "Cache-Control": "private, max-age=31536000, immutable"})


@router.head("/{sha256}")
def head_blob(sha256: params.Sha256, s: deps.Session = Depends(deps.session),
              cx: sqlite3.Connection = Depends(deps.conn), centre: Centre = Depends(deps.centre)):
    """Presence test: 200 when the server holds the photo, 404 otherwise."""
    path, ctype = _blob(sha256, s, cx, centre)
    return FileResponse(path, media_type=ctype, headers={"ETag": f'"{sha256}"'})


THUMB_SIZES = (128, 256, 512)
ThumbSize = params.thumbnail_size(THUMB_SIZES)


@router.get("/{sha256}/thumbnail", response_class=FileResponse,
            responses={200: {"content": {"image/jpeg": {}}}})
def thumbnail(sha256: params.Sha256, size: ThumbSize = 256, s: deps.Session = Depends(deps.session),
              cx: sqlite3.Connection = Depends(deps.conn), centre: Centre = Depends(deps.centre)):
    """A JPEG no larger than `size` pixels on its long side (128, 256 or 512), made once and cached."""
    if size not in THUMB_SIZES:
        raise Problem("blob.bad_thumbnail_size", size=size, allowed=list(THUMB_SIZES))
    path, _ctype = _blob(sha256, s, cx, centre)
    return FileResponse(make_thumbnail(centre.blobs.root, path, sha256, size), media_type="image/jpeg",
                        headers={"Cache-Control": "private, max-age=31536000, immutable"})


def make_thumbnail(root, source, sha256: str, size: int):
    """Render into a temp file and rename, so concurrent requests never see half a thumbnail."""
    import os
    import tempfile

    from PIL import Image, ImageOps, UnidentifiedImageError

    target = root / ".thumbs" / f"{sha256}-{size}.jpg"
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with Image.open(source) as im:
            im = ImageOps.exif_transpose(im).convert("RGB")
            im.thumbnail((size, size))
            fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".jpg")
            with os.fdopen(fd, "wb") as out:
                im.save(out, "JPEG", quality=80)
    except (UnidentifiedImageError, OSError):
        raise Problem("blob.not_an_image", sha256=sha256) from None
    os.replace(tmp, target)
    return target
