# SPDX-License-Identifier: GPL-2.0-or-later
"""GET /api/v1/sync/pull and POST /api/v1/sync/push (CONTRACT.md §4).

The wire types are the core's (`citygrid.sync.protocol`, shared with the field app); the pydantic
models here exist for the OpenAPI document only, and tests/server/test_wire_models.py holds them to
the protocol's dataclasses (same fields, same required ones, same enums)."""

from __future__ import annotations

import sqlite3
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from citygrid.sync import protocol
from citygrid.sync import pull as sync_pull
from citygrid.sync import push as sync_push

from . import bodies, deps, params
from .centre import Centre

router = APIRouter(prefix="/api/v1/sync", tags=["sync"], dependencies=[Depends(deps.protocol)])


class PullItem(BaseModel):  # protocol.PullItem
    type: str
    id: str
    deleted: bool
    data: dict[str, Any]


class PullOut(BaseModel):  # protocol.PullPage
    cursor: str
    has_more: bool
    items: list[PullItem]


# The push body as CONTRACT.md §4 has it, for the OpenAPI document only: the route reads the body
# itself and the core checks each item, answering a malformed one `rejected` in its receipt instead of
# refusing the whole batch.
DateTime = Annotated[str, Field(max_length=40, json_schema_extra={"format": "date-time"})]


class Location(BaseModel):  # protocol.Location
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    accuracy_m: float | None = Field(None, ge=0)


class CheckPayload(BaseModel):  # protocol.CheckResult
    """核查: the outcome of a check task; a failed check needs a reason or a note."""
    task_id: str = Field(min_length=1)
    outcome: Literal["pass", "fail"]
    reason: str | None = None
    note: str | None = None
    observed_at: DateTime
    location: Location | None = None


class VerifyPayload(BaseModel):  # protocol.VerifyResult
    """核实: whether a reported problem was found on site."""
    task_id: str = Field(min_length=1)
    outcome: Literal["confirmed", "not_found"]
    reason: str | None = Field(None, description="taken as for a check: it joins the note")
    note: str | None = None
    observed_at: DateTime
    location: Location | None = None


class ReportPayload(BaseModel):  # protocol.Report
    """上报: a new problem found in the field."""
    kind: Literal["component", "event"]
    class_code: str
    description: str = ""
    observed_at: DateTime
    location: Location
    ObjID: str | None = None


class _Item(BaseModel):  # protocol.PushItem
    uuid: str = Field(pattern=params.ITEM_UUID, description="made on the device, never reused")
    created_at: DateTime | None = None
    photos: list[Annotated[str, Field(pattern=params.SHA256)]] = Field([], max_length=protocol.MAX_PHOTOS)


class CheckItem(_Item):
    type: Literal["check"]
    payload: CheckPayload


class VerifyItem(_Item):
    type: Literal["verify"]
    payload: VerifyPayload


class ReportItem(_Item):
    type: Literal["report"]
    payload: ReportPayload


class PushIn(BaseModel):  # protocol.PushBatch
    batch_id: str = Field(pattern=params.BATCH_ID)
    device_id: str = Field(description="the device the token was issued to")
    items: list[Annotated[CheckItem | VerifyItem | ReportItem, Field(discriminator="type")]] = Field(
        max_length=protocol.MAX_ITEMS)


class Receipt(BaseModel):  # protocol.Receipt
    uuid: str
    status: Literal["accepted", "duplicate", "conflict", "rejected", "photos_missing"]
    code: str | None = None
    message: str | None = None
    missing: list[str] = []
    case_no: str | None = None


class PushOut(BaseModel):  # protocol.PushReply
    batch_id: str
    receipts: list[Receipt]


@router.get("/pull", response_model=PullOut)
def pull(cursor: str | None = Query(None, max_length=40, pattern=f"^{protocol.CURSOR.pattern}$"),
         limit: int = Query(500, ge=1, le=5000),
         s: deps.Session = Depends(deps.require("collector", "unit")),
         cx: sqlite3.Connection = Depends(deps.conn), centre: Centre = Depends(deps.centre)) -> dict:
    """Changes to the caller's tasks, their cases, grids, components and the dictionaries since `cursor`."""
    page = sync_pull.pull(cx, s.actor, s.device_id, cursor, min(limit, centre.config.max_pull_limit))
    # the core builds exactly the documented shape; skipping pydantic's re-validation of tens of
    # thousands of items halves the time of a large pull (schemathesis checks the shape)
    return JSONResponse(page)


@router.post("/push", response_model=PushOut, openapi_extra=bodies.documented(PushIn))
async def push(request: Request, s: deps.Session = Depends(deps.require("collector", "unit")),
               cx: sqlite3.Connection = Depends(deps.conn), centre: Centre = Depends(deps.centre)) -> dict:
    """A batch of field results; one receipt per item, in order. A malformed item is answered
    `rejected` in its receipt (and kept), so one bad item never blocks the rest of the batch."""
    batch = await bodies.read_json(request, centre.config.max_json_bytes, constants=True)  # after the token
    return await run_in_threadpool(sync_push.push, cx, s.actor, s.device_id, batch,
                                   store=centre.blobs, max_items=centre.config.max_push_items)

