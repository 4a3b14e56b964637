# SPDX-License-Identifier: GPL-2.0-or-later
"""tus 1.0.0 resumable uploads at /api/v1/uploads/ (core, creation, checksum, termination, expiration)."""

from __future__ import annotations

import sqlite3
from email.utils import format_datetime
from functools import partial

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from citygrid.problems import Problem

from . import deps, errors, params, photo_records
from .centre import Centre
from .uploads import CHECKSUM_ALGORITHMS, Upload, parse_checksum, parse_metadata

router = APIRouter(prefix="/api/v1/uploads", tags=["uploads"])
TUS = "1.0.0"
OCTETS = "application/offset+octet-stream"


def _tus_headers(extra: dict | None = None) -> dict:
    return {"Tus-Resumable": TUS, "Cache-Control": "no-store", **(extra or {})}


def _upload_headers(centre: Centre, up: Upload, extra: dict) -> dict:
    """tus expiration: every answer about an upload says when it goes if nothing more is sent."""
    expires = format_datetime(centre.uploads.expires_at(up.id), usegmt=True)
    return _tus_headers({**extra, "Upload-Expires": expires})


def _int_header(request: Request, name: str) -> int:
    raw = request.headers.get(name)
    if raw is None or not raw.isdigit():
        raise Problem("upload.bad_header", header=name)
    return int(raw)


def _own(centre: Centre, upload_id: str, s: deps.Session) -> Upload:
    """The caller's upload as it stands (repaired if a crash left it out of step); others' look absent."""
    if centre.uploads.get(upload_id).owner != s.actor.username:
        raise Problem("upload.not_found", upload_id=upload_id)
    return centre.uploads.status(upload_id)


@router.options("/", include_in_schema=False)
def options(centre: Centre = Depends(deps.centre)) -> Response:
    return Response(status_code=204, headers=_tus_headers({
        "Tus-Version": TUS, "Tus-Extension": "creation,creation-with-upload,checksum,termination,expiration",
        "Tus-Max-Size": str(centre.config.max_upload_bytes),
        "Tus-Checksum-Algorithm": ",".join(CHECKSUM_ALGORITHMS)}))


@router.post("/", status_code=201, responses={201: {"description": "created; Location names the upload"}},
             openapi_extra=params.tus("Tus-Resumable", "Upload-Length", "Upload-Metadata",
                                      optional=("Upload-Checksum",), body=False))
async def create(request: Request, s: deps.Session = Depends(deps.session),
                 centre: Centre = Depends(deps.centre), cx: sqlite3.Connection = Depends(deps.conn)) -> Response:
    """tus creation: Upload-Length and Upload-Metadata (sha256, filename, content_type) are required.
    With creation-with-upload the body (application/offset+octet-stream) is the first bytes, often all."""
    if request.headers.get("Tus-Resumable") != TUS:
        return _precondition_failed()
    meta = parse_metadata(request.headers.get("Upload-Metadata"))
    length = _int_header(request, "Upload-Length")
    sent = await run_in_threadpool(photo_records.has_sent, cx, meta.get("sha256"), s.actor.username)
    up = await run_in_threadpool(partial(centre.uploads.create, length, meta, s.actor.username, sent=sent))
    if not up.complete and request.headers.get("Content-Type") == OCTETS:
        up = await _receive(request, centre, up.id, 0, parse_checksum(request.headers.get("Upload-Checksum")))
    if up.complete:
        await run_in_threadpool(photo_records.record, cx, up)
    return Response(status_code=201, headers=_upload_headers(centre, up, {
        "Location": f"/api/v1/uploads/{up.id}", "Upload-Offset": str(up.offset)}))


async def _receive(request: Request, centre: Centre, upload_id: str, offset: int, checksum) -> Upload:
    """Stream the body on the event loop; locking, fsync, the hash check and the rename run in a worker
    thread, so one device's disk wait never stalls the others' uploads."""
    writer = await run_in_threadpool(centre.uploads.begin, upload_id, offset, checksum)
    try:
        async for chunk in request.stream():
            writer.write(chunk)
    except BaseException:
        await run_in_threadpool(centre.uploads.abort, writer)
        raise
    return await run_in_threadpool(centre.uploads.end, writer)


@router.head("/{upload_id}", openapi_extra=params.tus("Tus-Resumable"))
def head(upload_id: params.UploadId, request: Request, s: deps.Session = Depends(deps.session),
         centre: Centre = Depends(deps.centre), cx: sqlite3.Connection = Depends(deps.conn)) -> Response:
    """tus core: how many bytes the server holds."""
    up = _own(centre, upload_id, s)
    if up.complete:  # a crash may have come between finishing the bytes and recording the photo
        photo_records.record(cx, up)
    return Response(status_code=200, headers=_upload_headers(centre, up, {
        "Upload-Offset": str(up.offset), "Upload-Length": str(up.length)}))


@router.patch("/{upload_id}", status_code=204, openapi_extra=params.tus(
    "Tus-Resumable", "Upload-Offset", optional=("Upload-Checksum",), body=True))
async def patch(upload_id: params.UploadId, request: Request, s: deps.Session = Depends(deps.session),
                centre: Centre = Depends(deps.centre), cx: sqlite3.Connection = Depends(deps.conn)) -> Response:
    """tus core + checksum: append the body at Upload-Offset; the whole file's sha256 is verified."""
    if request.headers.get("Tus-Resumable") != TUS:
        return _precondition_failed()
    if request.headers.get("Content-Type") != OCTETS:
        raise Problem("request.unsupported_media", expected=OCTETS)
    up = await run_in_threadpool(_own, centre, upload_id, s)
    offset = _int_header(request, "Upload-Offset")
    if up.complete:  # a retry after a lost answer or a crash: record the photo if that never happened
        await run_in_threadpool(photo_records.record, cx, up)
        if offset == up.length:
            return Response(status_code=204, headers=_upload_headers(centre, up, {"Upload-Offset": str(up.offset)}))
    checksum = parse_checksum(request.headers.get("Upload-Checksum"))
    up = await _receive(request, centre, upload_id, offset, checksum)
    if up.complete:
        await run_in_threadpool(photo_records.record, cx, up)
    return Response(status_code=204, headers=_upload_headers(centre, up, {"Upload-Offset": str(up.offset)}))


@router.delete("/{upload_id}", status_code=204, openapi_extra=params.tus("Tus-Resumable"))
def delete(upload_id: params.UploadId, request: Request, s: deps.Session = Depends(deps.session),
           centre: Centre = Depends(deps.centre)) -> Response:
    """tus termination."""
    _own(centre, upload_id, s)
    centre.uploads.delete(upload_id)
    return Response(status_code=204, headers=_tus_headers())


def _precondition_failed() -> Response:
    return JSONResponse(errors.body("upload.tus_version", f"Tus-Resumable {TUS} required"),
                        status_code=412, headers={"Tus-Version": TUS})
