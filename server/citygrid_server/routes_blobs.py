# SPDX-License-Identifier: GPL-2.0-or-later
"""GET/HEAD /api/v1/blobs/<sha256>: photo bytes for users allowed to see the case."""

from __future__ import annotations

import sqlite3

from fastapi import APIRouter, Depends
from fastapi.responses import FileResponse

from citygrid.problems import Problem
from citygrid.store import blobs

from . import deps, images, params
from .centre import Centre

router = APIRouter(prefix="/api/v1/blobs", tags=["photos"])
CENTRE_ROLES = {"admin", "operator", "leader", "dispatcher", "supervisor", "gis"}


def can_see(cx: sqlite3.Connection, actor, sha256: str) -> bool:
    """Centre staff see every photo; others the ones whose bytes they sent, or that belong to their cases."""
    if actor.role in CENTRE_ROLES:
        return True
    mine = cx.execute("SELECT 1 FROM photo_senders WHERE sha256 = ? AND username = ?",
                      (sha256, actor.username)).fetchone()
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


ThumbSize = params.thumbnail_size(images.THUMB_SIZES)


@router.get("/{sha256}/thumbnail", response_class=FileResponse,
            responses={200: {"content": {"image/jpeg": {}}}})
def thumbnail(sha256: params.Sha256, size: ThumbSize = 256, s: deps.Session = Depends(deps.session),
              cx: sqlite3.Connection = Depends(deps.conn), centre: Centre = Depends(deps.centre)):
    """A JPEG no larger than `size` pixels on its long side (128, 256 or 512), made once and cached.
    A blob that is no image, or has more pixels than the centre allows, is a coded 4xx."""
    if size not in images.THUMB_SIZES:
        raise Problem("blob.bad_thumbnail_size", size=size, allowed=list(images.THUMB_SIZES))
    path, _ctype = _blob(sha256, s, cx, centre)
    thumb = images.cached_thumbnail(centre.blobs.root, path, sha256, size, centre.config.max_photo_pixels)
    return FileResponse(thumb, media_type="image/jpeg",
                        headers={"Cache-Control": "private, max-age=31536000, immutable"})
