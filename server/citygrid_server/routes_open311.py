# SPDX-License-Identifier: GPL-2.0-or-later
"""Open311 GeoReport v2 under /open311/v2/ (errors in Open311's own `[{code, description}]` form)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

import citygrid
from citygrid import times
from citygrid.problems import Problem
from citygrid.sync import open311

from . import bodies, deps, errors, params

router = APIRouter(prefix="/open311/v2", tags=["open311"])
SPEC = "http://wiki.open311.org/GeoReport_v2"
LOCALE = Query(None, max_length=35, description="zh_CN or en for status_notes and errors (default: Accept-Language)")


class Open311Error(BaseModel):
    code: int
    description: str


OPENAPI_RESPONSES = {"4XX": {"model": list[Open311Error], "description": "GeoReport v2 error list"},
                     "5XX": {"model": list[Open311Error], "description": "GeoReport v2 error list"}}


@router.get("/discovery.json")
def discovery(request: Request) -> dict:
    """Where the endpoint is and what it speaks."""
    base = str(request.base_url).rstrip("/") + "/open311/v2/"
    return {"changeset": "2026-11-23T00:00:00Z", "contact": "the city management centre",
            "key_service": "ask the centre for an API key", "endpoints": [
                {"specification": SPEC, "url": base, "changeset": "2026-11-23T00:00:00Z", "type": "production",
                 "formats": ["application/json"]}], "version": citygrid.__version__}


@router.get("/services.json")
def services(cx: sqlite3.Connection = Depends(deps.conn)) -> list[dict]:
    """The standard component and event classes as Open311 services."""
    return open311.services(cx)


@router.get("/services/{service_code}.json")
def service(service_code: str, cx: sqlite3.Connection = Depends(deps.conn)):
    return open311.service_definition(cx, service_code)


class RequestCreated(BaseModel):
    service_request_id: str
    service_notice: str | None = None
    account_id: str | None = None


class RequestIn(BaseModel):
    """A GeoReport v2 service request (form-encoded per the spec, or the same fields as JSON)."""
    api_key: str
    service_code: str = Field(description="from services.json, e.g. event-0102")
    lat: float = Field(ge=-90, le=90)
    long: float = Field(ge=-180, le=180)
    description: str | None = None
    address_string: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    phone: str | None = None
    media_url: str | None = None


@router.post("/requests.json", status_code=201, response_model=list[RequestCreated], openapi_extra=bodies.documented(
    RequestIn, media=("application/x-www-form-urlencoded", "application/json")))
async def create(request: Request, cx: sqlite3.Connection = Depends(deps.conn)):
    """Create a service request (form-encoded per GeoReport v2, or JSON); needs `api_key`."""
    if (request.headers.get("content-type") or "").startswith("application/json"):
        form = await bodies.read_json(request, request.app.state.centre.config.max_body_bytes)
    else:
        form = await request.form()
    fields = _fields(form)
    created = await run_in_threadpool(open311.create_request, cx, fields.get("api_key"), fields)
    return JSONResponse([created], status_code=201)


def _fields(form) -> dict[str, str | None]:
    """A form's or a JSON object's fields as the flat text values GeoReport v2 defines; a list, an
    object or an uploaded file where text belongs is refused rather than handed to the core."""
    if not isinstance(form, Mapping):
        raise Problem("request.bad_json")
    out = {}
    for key, value in form.items():
        if not isinstance(value, (str, int, float, bool, type(None))):
            raise Problem("open311.bad_field", field=str(key)[:64])
        out[str(key)] = value if value is None or isinstance(value, str) else json.dumps(value)
    return out


@router.get("/requests.json")
def list_requests(request: Request, service_request_id: str | None = Query(None, max_length=2000),
                  service_code: str | None = Query(None, max_length=500),
                  start_date: params.date_time("requested at or after") = None,
                  end_date: params.date_time("requested before") = None,
                  status: str | None = Query(None, max_length=10), locale: str | None = LOCALE,
                  cx: sqlite3.Connection = Depends(deps.conn)):
    """Requests with the standard filters; at most 1000, newest first, default the last 90 days;
    `status_notes` a sentence in the client's language (`locale`, else Accept-Language)."""
    ids = [s.strip() for s in service_request_id.split(",") if s.strip()][:200] if service_request_id else None
    return open311.get_requests(cx, ids=ids, service_code=service_code,
                                start=times.parse(start_date) if start_date else None,
                                end=times.parse(end_date) if end_date else None, status=status,
                                lang=errors.client_language(request.headers.get("accept-language"), locale))


@router.get("/requests/{service_request_id}.json")
def one_request(service_request_id: str, request: Request, locale: str | None = LOCALE,
                cx: sqlite3.Connection = Depends(deps.conn)):
    return open311.get_request(cx, service_request_id,
                               lang=errors.client_language(request.headers.get("accept-language"), locale))
