# SPDX-License-Identifier: GPL-2.0-or-later
"""The ASGI application: `create_app(centre_path)`."""

from __future__ import annotations

import json
import logging
import time
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI

import citygrid
from citygrid.store import migrations
from citygrid.sync import protocol

from . import (
    bodies,
    errors,
    routes_auth,
    routes_basemap,
    routes_batches,
    routes_blobs,
    routes_open311,
    routes_sync,
    routes_uploads,
)
from .centre import Centre, ServiceConfig
from .housekeeping import Housekeeper

access_log = logging.getLogger("citygrid.access")


class AccessLog:
    """One JSON log line per request (client, method, path, status, ms); a plain ASGI middleware so request bodies stream through untouched
    (Starlette's BaseHTTPMiddleware would re-wrap every chunk of every photo upload)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        start, status = time.perf_counter(), [0]

        async def sending(message):
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            client = scope.get("client") or ("-",)
            access_log.info(json.dumps({"client": client[0], "method": scope["method"], "path": scope["path"],
                                        "status": status[0], "ms": round((time.perf_counter() - start) * 1000, 1)}))


def create_app(centre_path: str | Path, config: ServiceConfig | None = None) -> FastAPI:
    centre = Centre(Path(centre_path), config or ServiceConfig())

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        """The housekeeping sweep (expired uploads, old login records) runs while the service does."""
        keeper = Housekeeper(centre, centre.config.sweep_every.total_seconds())
        keeper.start()
        app.state.housekeeper = keeper
        try:
            yield
        finally:
            keeper.stop()

    app = FastAPI(title="citygrid sync service", version=citygrid.__version__, lifespan=lifespan,
                  description="Offline sync for citygrid field devices, resumable photo evidence, "
                              "shift batches and Open311 GeoReport v2.")
    app.state.centre = centre
    errors.install(app)

    app.add_middleware(bodies.BodyLimit, cap=bodies.caps(centre.config))
    app.add_middleware(AccessLog)  # outermost, so the log shows refused bodies too

    @app.get("/api/v1/health", tags=["service"])
    def health() -> dict:
        """Liveness and versions."""
        return {"status": "ok", "version": citygrid.__version__, "schema": migrations.latest(),
                "protocol": protocol.PROTOCOL, "oldest_protocol": protocol.OLDEST_PROTOCOL}

    for module in (routes_auth, routes_sync, routes_uploads, routes_blobs, routes_batches,
                   routes_basemap):
        app.include_router(module.router, responses=errors.OPENAPI_RESPONSES)
    app.include_router(routes_open311.router, responses=routes_open311.OPENAPI_RESPONSES)
    bodies.complete_openapi(app)
    return app
