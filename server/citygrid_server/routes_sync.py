# SPDX-License-Identifier: GPL-2.0-or-later
"""GET /api/v1/sync/pull and POST /api/v1/sync/push (CONTRACT.md §4)."""

from __future__ import annotations

import sqlite3
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from citygrid import sync_pull, sync_push

from . import bodies, deps
from .centre import Centre

router = APIRouter(prefix="/api/v1/sync", tags=["sync"], dependencies=[Depends(deps.protocol)])


class PullItem(BaseModel):
    type: str
    id: str
    deleted: bool
    data: dict[str, Any]


class PullOut(BaseModel):
    cursor: str
    has_more: bool
    items: list[PullItem]


class PushItem(BaseModel):
    uuid: str
    type: Literal["check", "verify", "report"]
    created_at: str | None = None
    payload: dict[str, Any]
    photos: list[str] = []


class PushIn(BaseModel):
    batch_id: str
    device_id: str
    items: list[PushItem]


class Receipt(BaseModel):
    uuid: str
    status: Literal["accepted", "duplicate", "conflict", "rejected", "photos_missing"]
    code: str | None = None
    message: str | None = None
    missing: list[str] = []
    case_no: str | None = None


class PushOut(BaseModel):
    batch_id: str
    receipts: list[Receipt]


@router.get("/pull", response_model=PullOut)
def pull(cursor: str | None = Query(None, max_length=40, pattern=r"^r[0-9]{1,18}$"), limit: int = Query(500, ge=1, le=5000),
         s: deps.Session = Depends(deps.require("collector", "unit")),
         cx: sqlite3.Connection = Depends(deps.conn), centre: Centre = Depends(deps.centre)) -> dict:
    """Changes to the caller's tasks, their cases, grids, components and the dictionaries since `cursor`."""
    page = sync_pull.pull(cx, s.actor, s.device_id, cursor, min(limit, centre.config.max_pull_limit))
    # the core builds exactly the documented shape; skipping pydantic's re-validation of tens of
    # thousands of items halves the time of a large pull (schemathesis checks the shape)
    return JSONResponse(page)


@router.post("/push", response_model=PushOut, openapi_extra={"requestBody": {
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PushIn"}}}, "required": True}})
async def push(request: Request, s: deps.Session = Depends(deps.require("collector", "unit")),
               cx: sqlite3.Connection = Depends(deps.conn), centre: Centre = Depends(deps.centre)) -> dict:
    """A batch of field results; one receipt per item, in order. A malformed item is answered
    `rejected` in its receipt (and kept), so one bad item never blocks the rest of the batch."""
    batch = await bodies.read_json(request, centre.config.max_json_bytes)  # only now: after the token
    return await run_in_threadpool(sync_push.push, cx, s.actor, s.device_id, batch,
                                   store=centre.blobs, max_items=centre.config.max_push_items)

