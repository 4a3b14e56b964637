# SPDX-License-Identifier: GPL-2.0-or-later
"""Coded problems -> HTTP statuses and the contract's JSON error body; never a stack trace.

The `message` is in the client's language (Accept-Language: zh* Chinese, en* English, else the
server's own default from its locale, citygrid.i18n.detect); the `code` is the same in every language.
Each response passes its language to messages.message: the process-wide language is never set, so
concurrent requests in different languages cannot see each other's.
"""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import iter_route_contexts
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from citygrid import i18n
from citygrid.messages import message
from citygrid.problems import Problem
from citygrid.store import db

log = logging.getLogger("citygrid.server")


class ErrorDetail(BaseModel):
    code: str
    message: str
    details: dict[str, Any] | None = None


class ErrorOut(BaseModel):
    error: ErrorDetail


OPENAPI_RESPONSES = {"4XX": {"model": ErrorOut, "description": "a coded client error"},
                     "5XX": {"model": ErrorOut, "description": "a coded server error (never a stack trace)"}}

# exact codes first, then prefixes; anything else a client sent is a 400
EXACT = {
    "auth.throttled": 429, "auth.forbidden": 403, "auth.bad_device_id": 400, "case.forbidden_role": 403, "task.not_yours": 403,
    "access.denied": 403, "upload.offset_mismatch": 409, "upload.checksum_mismatch": 460,
    "upload.hash_mismatch": 460, "upload.content_mismatch": 415, "upload.too_large": 413,
    "upload.content_type": 415, "upload.already_complete": 409, "upload.exceeds_length": 409,
    "request.too_large": 413, "request.unsupported_media": 415, "db.locked": 503, "db.io_error": 503, "db.readonly": 503,
    "db.unavailable": 503, "db.newer_schema": 503, "db.older_schema": 503, "db.disk_full": 503,
    "protocol.unsupported": 426, "protocol.too_old": 426, "sync.bad_cursor": 409, "case.illegal_transition": 409,
    "open311.bad_key": 403, "open311.unknown_service": 404, "upload.busy": 423, "item.ambiguous": 409,
    "upload.too_many_pixels": 413, "upload.not_an_image": 415, "blob.too_many_pixels": 422, "blob.not_an_image": 422,
    "upload.expired": 410,
}
PREFIXES = {"auth.": 401, "db.": 500}
RETRY = {"db.locked": "2", "db.io_error": "5", "db.readonly": "30", "db.unavailable": "30", "db.newer_schema": "300",
         "db.older_schema": "300", "db.disk_full": "60"}  # Retry-After seconds: the same request may well succeed


def status_for(code: str) -> int:
    if code in EXACT:
        return EXACT[code]
    if code.endswith("not_found"):
        return 404
    for prefix, status in PREFIXES.items():
        if code.startswith(prefix):
            return status
    return 400


def body(code: str, text: str, details: dict | None = None) -> dict:
    err = {"code": code, "message": text}
    if details:
        err["details"] = {k: v for k, v in details.items() if isinstance(v, (str, int, float, bool, list, type(None)))}
    return {"error": err}


def client_language(accept_language: str | None, locale: str | None = None) -> str:
    """zh_CN or en for a client: an explicit `locale` (Open311's parameter) first, then the
    Accept-Language entry with the highest q (RFC 9110 §12.5.4) that is Chinese or English, else the
    server's default language."""
    if locale and locale.strip().lower()[:2] in ("zh", "en"):
        return i18n.normalize(locale)
    ranked = []
    for order, part in enumerate((accept_language or "")[:500].split(",")):
        tag, *params = (p.strip() for p in part.split(";"))
        q = 1.0
        for param in params:
            if param.lower().startswith("q="):
                try:
                    q = float(param[2:])
                except ValueError:
                    q = 0.0
        if q > 0 and tag.lower()[:2] in ("zh", "en"):
            ranked.append((-q, order, tag))
    return i18n.normalize(min(ranked)[2]) if ranked else i18n.detect()


def request_language(request) -> str:
    """The language to answer `request` (a Request or an ASGI scope's Headers) in."""
    headers = getattr(request, "headers", request)
    query = getattr(request, "query_params", None)
    return client_language(headers.get("accept-language"), query.get("locale") if query is not None else None)


def problem_response(path: str, exc: Problem, lang: str | None = None) -> JSONResponse:
    """The coded answer to a problem in `lang` (None: the server's default); under /open311/ in
    GeoReport v2's error list form."""
    lang = lang or i18n.detect()
    if "path" in exc.details:  # a server file path is nobody's business outside the server
        exc = Problem(exc.code, **{**exc.details, "path": i18n.gettext("the centre", lang)})
    status = status_for(exc.code)
    headers = {"Retry-After": RETRY[exc.code]} if exc.code in RETRY else None
    if "retry_after_s" in exc.details:  # a problem that knows when to come back (auth.throttled)
        headers = {"Retry-After": str(exc.details["retry_after_s"])}
    if path.startswith("/open311/"):  # GeoReport v2 clients expect its error list
        return JSONResponse([{"code": status, "description": message(exc, lang)}], status_code=status,
                            headers=headers)
    return JSONResponse(body(exc.code, message(exc, lang), exc.details), status_code=status, headers=headers)


def allowed_methods(request: Request) -> list[str]:
    """Every method some route serves at this path (the router names only the first route's)."""
    methods: set[str] = set()
    for route in iter_route_contexts(request.app.routes):  # included routers' routes, with prefixes
        regex = getattr(route, "path_regex", None)
        if route.methods and regex is not None and regex.match(request.scope["path"]):
            methods |= route.methods
    return sorted(methods)


def install(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem):
        if status_for(exc.code) >= 500:
            log.error("problem %s on %s %s", exc, request.method, request.url.path)
        return problem_response(request.url.path, exc, request_language(request))

    @app.exception_handler(sqlite3.Error)
    async def _sqlite(request: Request, exc: sqlite3.Error):
        """SQLite trouble outside a coded path (a busy or failing disk, another program's lock)."""
        return await _problem(request, db.translate(exc))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()))
        # pydantic's reason is English; the sentence around it is in the client's language
        text = message(Problem("request.invalid", where=where, reason=first.get("msg", "invalid")),
                       request_language(request))
        if request.url.path.startswith("/open311/"):  # GeoReport v2 clients expect its error list
            return JSONResponse([{"code": 422, "description": text}], status_code=422)
        return JSONResponse(body("request.invalid", text), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        # FastAPI answers a body it cannot parse (bad or too deeply nested JSON) with a plain 400
        code = {400: "request.bad_json", 404: "http.not_found",
                405: "http.method_not_allowed"}.get(exc.status_code, "http.error")
        headers, details = dict(getattr(exc, "headers", None) or {}), None
        if exc.status_code == 405:  # RFC 9110 §15.5.6: Allow lists every method the path serves
            details = {"allowed": allowed_methods(request)}
            headers["Allow"] = ", ".join(details["allowed"])
        said = {"method": request.method, "status": exc.status_code, "allowed": ", ".join((details or {}).get(
            "allowed", ())), "detail": str(exc.detail)}
        text = message(Problem(code, **said), request_language(request))
        if request.url.path.startswith("/open311/"):
            return JSONResponse([{"code": exc.status_code, "description": text}],
                                status_code=exc.status_code, headers=headers)
        return JSONResponse(body(code, text, details), status_code=exc.status_code, headers=headers)

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception):
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        text = message(Problem("server.error"), request_language(request))
        return JSONResponse(body("server.error", text), status_code=500)
