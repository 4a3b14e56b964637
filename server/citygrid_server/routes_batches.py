# SPDX-License-Identifier: GPL-2.0-or-later
"""Shift batches for supervisors: GET /api/v1/batches, one batch, review, resolve flagged items."""

from __future__ import annotations

import sqlite3
from typing import Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from citygrid import times
from citygrid.sync import batches

from . import bodies, deps, params

router = APIRouter(prefix="/api/v1", tags=["batches"])
reviewer = deps.require(*batches.REVIEWERS)


class BatchOut(BaseModel):
    batch_id: str
    device_id: str
    username: str
    received_at: str
    last_push_at: str | None
    pushes: int
    items: int
    accepted: int
    duplicate: int
    conflict: int
    rejected: int
    photos_missing: int
    reviewed_by: str | None
    reviewed_at: str | None
    to_review: int = 0


class BatchList(BaseModel):
    batches: list[BatchOut]


class BatchDetail(BatchOut):
    items: list[dict[str, Any]]
    waiting_for_photos: list[dict[str, Any]]


class Resolution(BaseModel):
    resolution: str = Field(min_length=1, max_length=1000)


@router.get("/batches", response_model=BatchList)
def list_batches(since: params.date_time("received at or after") = None,
                 until: params.date_time("received before") = None,
                 username: str | None = Query(None, max_length=64), unreviewed: bool = False,
                 limit: int = Query(100, ge=1, le=1000), offset: int = Query(0, ge=0, le=10_000_000),
                 s: deps.Session = Depends(reviewer), cx: sqlite3.Connection = Depends(deps.conn)) -> dict:
    """Push batches, newest first, with counts per receipt status and the number of flagged items."""
    rows = batches.list_batches(cx, s.actor, since=times.parse(since) if since else None,
                                until=times.parse(until) if until else None, username=username,
                                unreviewed=unreviewed, limit=limit, offset=offset)
    return {"batches": rows}


@router.get("/batches/{batch_id}", response_model=BatchDetail)
def batch_detail(batch_id: params.BatchId, s: deps.Session = Depends(reviewer),
                 cx: sqlite3.Connection = Depends(deps.conn)) -> dict:
    """One batch with its items (payloads, outcomes, flags) and those still waiting for photos."""
    return batches.batch_detail(cx, s.actor, batch_id)


@router.post("/batches/{batch_id}/review", status_code=204)
def review(batch_id: params.BatchId, s: deps.Session = Depends(reviewer),
           cx: sqlite3.Connection = Depends(deps.conn)) -> None:
    """Mark the batch as reviewed by the caller."""
    batches.mark_reviewed(cx, s.actor, batch_id)


@router.post("/items/{uuid}/resolve", status_code=204, openapi_extra=bodies.documented(Resolution))
def resolve(uuid: params.ItemUuid, body: Resolution = Depends(bodies.after(reviewer, Resolution)),
            username: str | None = Query(None, max_length=64),
            s: deps.Session = Depends(reviewer), cx: sqlite3.Connection = Depends(deps.conn)) -> None:
    """Resolve a flagged item (conflict, rejection, possible duplicate) with the supervisor's decision.
    Item uuids are unique per account: when two accounts sent the same one (409 `item.ambiguous`),
    `username` says whose item is meant."""
    batches.resolve_item(cx, s.actor, uuid, body.resolution, username=username)
