# SPDX-License-Identifier: GPL-2.0-or-later
"""`citygrid serve PATH [--host H] [--port P] [--workers N]` (registered as a CLI plugin)."""

from __future__ import annotations

import argparse
import logging
import os

from citygrid.problems import Problem

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


def add_parser(sub) -> None:
    p = sub.add_parser("serve", help="run the sync service for a centre GeoPackage")
    p.add_argument("path", help="the centre GeoPackage")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--workers", type=int, default=1, help="worker processes (each with its own connections)")
    p.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    p.add_argument("--graceful-timeout", type=int, default=30,
                   help="seconds to let in-flight requests finish on shutdown")
    p.add_argument("--keep-alive", type=int, default=75,
                   help="seconds an idle connection stays open (devices reuse it between requests)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from .app import create_app

    if not 1 <= args.workers <= 64:
        raise Problem("serve.bad_workers", workers=args.workers)
    path = os.path.abspath(args.path)
    create_app(path)  # validate the centre (missing, foreign, newer schema) before binding the port
    os.environ["CITYGRID_CENTER"] = path
    logging.basicConfig(level=args.log_level.upper(), format=LOG_FORMAT)
    uvicorn.run("citygrid_server.asgi:app", host=args.host, port=args.port, workers=args.workers,
                log_level=args.log_level, access_log=False, timeout_graceful_shutdown=args.graceful_timeout,
                timeout_keep_alive=args.keep_alive,
                factory=False)
    return 0
