# SPDX-License-Identifier: GPL-2.0-or-later
"""Request bodies: a size cap on every route before anything reads, and one careful JSON reader.

A body is never read whole before it is known to be small enough, and a route that authenticates
reads its body only after the token was checked (FastAPI reads pydantic body parameters before it
resolves dependencies, so such routes take their body through `after(...)` instead).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from itertools import accumulate

from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers

from citygrid.problems import Problem

from . import errors
from .centre import ServiceConfig

MAX_DEPTH = 32  # a push body nests 5 deep (batch, items, item, payload, location); 32 is ample
JSON_TYPE = re.compile(r"^application/([a-z0-9.+-]+\+)?json\s*(;|$)", re.IGNORECASE)


def caps(config: ServiceConfig) -> Callable[[str], int]:
    """The largest body each path may send: tus uploads are bounded by the largest photo (their own
    Upload-Length checks cut a longer PATCH), a push by `max_json_bytes`, anything else is small."""
    def cap(path: str) -> int:
        if path.startswith("/api/v1/uploads"):
            return config.max_upload_bytes
        if path == "/api/v1/sync/push":
            return config.max_json_bytes
        return config.max_body_bytes
    return cap


class _TooLarge(Exception):
    """Raised into the app by the counting `receive`; the app's own answer to it is replaced by a 413."""


class BodyLimit:
    """Refuses a body over its route's cap with 413 `request.too_large`: up front by Content-Length,
    or by counting the bytes of a chunked body as they stream, reading no further once over.

    A plain ASGI middleware (not BaseHTTPMiddleware), so an accepted body streams through untouched.
    """

    def __init__(self, app, cap: Callable[[str], int]):
        self.app = app
        self.cap = cap

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = self.cap(scope["path"])
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            return await _refuse(scope, receive, send, limit)
        received, over, started = 0, False, False

        async def counted():
            nonlocal received, over
            if over:
                raise _TooLarge  # an app that caught the first one reads no further either
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    over = True
                    raise _TooLarge
            return message

        async def sending(message):
            nonlocal started
            if over and not started:
                return  # whatever the app made of the cut read (a 400, a 500) is not the answer
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, sending)
        except Exception:
            if not over or started:
                raise
        if over and not started:
            await _refuse(scope, receive, send, limit)


def _content_length(scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            return int(value) if value.isdigit() else None
    return None


async def _refuse(scope, receive, send, limit: int) -> None:
    lang = errors.client_language(Headers(scope=scope).get("accept-language"))
    response = errors.problem_response(scope["path"], Problem("request.too_large", max_bytes=limit), lang)
    response.headers["Connection"] = "close"  # stop the client sending the rest
    await response(scope, receive, send)


async def read_json(request: Request, limit: int, *, max_depth: int = MAX_DEPTH, constants: bool = False):
    """The body parsed as JSON: sent as application/json, at most `limit` bytes, nested at most
    `max_depth` deep; a coded 4xx otherwise, never a RecursionError. With `constants`, NaN and
    Infinity are read as floats, for a caller that judges each value itself (push: one item's NaN
    is that item's `rejected` receipt, not a refused batch the device could never get past)."""
    if not JSON_TYPE.match(request.headers.get("content-type") or ""):
        raise Problem("request.unsupported_media", expected="application/json")
    raw = await _read_capped(request, limit)
    return await run_in_threadpool(parse_json, raw, max_depth, constants)


async def _read_capped(request: Request, limit: int) -> bytes:
    size, chunks = 0, []
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise Problem("request.too_large", max_bytes=limit)
        chunks.append(chunk)
    return b"".join(chunks)


def parse_json(raw: bytes, max_depth: int = MAX_DEPTH, constants: bool = False):
    if nesting_exceeds(raw, max_depth):
        raise Problem("request.too_deep", max_depth=max_depth)
    try:
        return json.loads(raw) if constants else json.loads(raw, parse_constant=_not_json)
    except RecursionError:  # cannot happen after the check above; kept so it never becomes a 500
        raise Problem("request.too_deep", max_depth=max_depth) from None
    except (ValueError, UnicodeDecodeError):
        raise Problem("request.bad_json") from None


def _not_json(constant: str):
    raise ValueError(f"{constant} is not JSON")  # Python's json takes NaN and Infinity; RFC 8259 does not


# a JSON string, or an unterminated one running to the end: it always matches where it starts, so
# the scan stays linear whatever the input (a pattern that can fail would retry at every quote)
_STRING = re.compile(rb'"[^"\\]*(?:\\[\s\S]?[^"\\]*)*(?:"|\Z)')
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_STEPS = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")  # +1 and, read as a signed byte, -1


def nesting_exceeds(raw: bytes, max_depth: int) -> bool:
    """True when the JSON text nests arrays/objects deeper than `max_depth`, measured without parsing
    (so without recursion): strings are blanked, brackets become +1/-1 steps, the deepest point is
    the largest running sum. Linear; about 0.1 s for 4 MB."""
    steps = _STRING.sub(b"", raw).translate(_STEPS, _NOT_BRACKETS)
    return max(accumulate(memoryview(steps).cast("b")), default=0) > max_depth


def after(auth, model: type[BaseModel]):
    """A dependency: the JSON body validated as `model`, read only once `auth` has passed, so an
    anonymous or forbidden caller's body is never read. Document it with `documented(model)`."""
    async def body(request: Request, _session=Depends(auth)) -> BaseModel:
        limit = request.app.state.centre.config.max_body_bytes
        data = await read_json(request, limit)
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            raise RequestValidationError([{**e, "loc": ("body", *e["loc"])}
                                          for e in exc.errors(include_url=False)]) from None
    return body


DOCUMENTED: dict[str, type[BaseModel]] = {}


def documented(model: type[BaseModel], media: tuple[str, ...] = ("application/json",)) -> dict:
    """`openapi_extra` for a route that reads its body by hand: a required body of `model`'s schema,
    which `complete_openapi` adds to components/schemas."""
    DOCUMENTED[model.__name__] = model
    ref = f"#/components/schemas/{model.__name__}"
    return {"requestBody": {"required": True, "content": {m: {"schema": {"$ref": ref}} for m in media}}}


def complete_openapi(app) -> None:
    """Put the models of hand-read bodies into the app's components/schemas, where their routes refer."""
    generate = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is None:
            schemas = generate().setdefault("components", {}).setdefault("schemas", {})
            for name, model in DOCUMENTED.items():
                schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
                for key, value in {**schema.pop("$defs", {}), name: schema}.items():
                    if schemas.setdefault(key, value) != value:
                        raise RuntimeError(f"two different schemas named {key} in the OpenAPI document")
        return app.openapi_schema

    app.openapi = openapi
