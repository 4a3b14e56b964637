# SPDX-License-Identifier: GPL-2.0-or-later
"""Typed path, query and header parameters, so /openapi.json says exactly what each route takes.

Path patterns are the ones the core checks (a value that fails them could never be found); date-time
query parameters are documented as RFC 3339 but parsed by the core, which takes any ISO 8601 time
with an offset; tus headers are read by the upload routes themselves (a missing Tus-Resumable must be
a 412, not a validation error), so they are declared here for the document only.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query
from pydantic import WithJsonSchema

from citygrid.sync import protocol


def whole(pattern) -> str:
    """A core regex (used with fullmatch) as a JSON Schema pattern, which matches anywhere unless anchored."""
    return f"^(?:{getattr(pattern, 'pattern', pattern)})$"


SHA256 = r"^[0-9a-f]{64}$"
UPLOAD_ID = r"^[0-9a-f]{32}$"
BATCH_ID = whole(protocol.BATCH_ID)
ITEM_UUID = whole(protocol.UUID)

Sha256 = Annotated[str, Path(pattern=SHA256, description="the photo's SHA-256, lower-case hex")]
UploadId = Annotated[str, Path(pattern=UPLOAD_ID, description="from the Location of the tus creation")]
BatchId = Annotated[str, Path(pattern=BATCH_ID, description="the device's push batch id")]
ItemUuid = Annotated[str, Path(pattern=ITEM_UUID, description="the pushed item's uuid")]


def date_time(description: str):
    """An optional date-time query parameter (ISO 8601 with an offset or Z)."""
    schema = {"type": "string", "format": "date-time", "maxLength": 40, "description": description}
    return Annotated[str | None, Query(max_length=40, description=description), WithJsonSchema(schema)]


def thumbnail_size(sizes: tuple[int, ...]):
    """The thumbnail size query parameter, documented as an enum; the route refuses other sizes itself."""
    return Annotated[int, Query(json_schema_extra={"enum": list(sizes)},
                                description="pixels on the long side")]


TUS_HEADERS = {
    "Tus-Resumable": {"type": "string", "enum": ["1.0.0"]},
    "Upload-Length": {"type": "integer", "minimum": 1},
    "Upload-Offset": {"type": "integer", "minimum": 0},
    # comma-separated `key base64value` pairs: sha256, content_type, filename; taken_at, lon, lat, accuracy_m
    "Upload-Metadata": {"type": "string",
                        "pattern": r"^[^\s,]+( [A-Za-z0-9+/]*={0,2})?(, ?[^\s,]+( [A-Za-z0-9+/]*={0,2})?)*$"},
    "Upload-Checksum": {"type": "string", "pattern": r"^(sha256|sha1|md5) [A-Za-z0-9+/]+={0,2}$"},
}
OCTETS = {"application/offset+octet-stream": {"schema": {"type": "string", "format": "binary"}}}


def tus(*required: str, optional: tuple[str, ...] = (), body: bool | None = None) -> dict:
    """`openapi_extra` for a tus route: its headers (Content-Type is the request body's media type in
    OpenAPI, so a route that takes bytes declares an application/offset+octet-stream body; `body`
    True = required, False = optional, None = no body)."""
    params = [{"name": name, "in": "header", "required": name in required, "schema": TUS_HEADERS[name]}
              for name in (*required, *optional)]
    extra: dict = {"parameters": params}
    if body is not None:
        extra["requestBody"] = {"required": body, "content": OCTETS}
    return extra
