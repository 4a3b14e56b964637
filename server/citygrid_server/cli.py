# SPDX-License-Identifier: GPL-2.0-or-later
"""`citygrid serve PATH [--host H] [--port P] [--workers N]` (registered as a CLI plugin)."""

from __future__ import annotations

import argparse
import logging
import os

from citygrid.i18n import _
from citygrid.problems import Problem

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


def add_parser(sub) -> None:
    text = _("run the sync service for a centre GeoPackage")
    p = sub.add_parser("serve", help=text, description=text)
    p.add_argument("path", metavar="PATH", help=_("the centre GeoPackage"))
    p.add_argument("--host", default="127.0.0.1", help=_("address to listen on (default 127.0.0.1)"))
    p.add_argument("--port", type=int, default=8765, help=_("port to listen on (default 8765)"))
    p.add_argument("--workers", type=int, default=1, help=_("worker processes (each with its own connections)"))
    p.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"],
                   help=_("how much the service logs (default info)"))
    p.add_argument("--graceful-timeout", type=int, default=30,
                   help=_("seconds to let in-flight requests finish on shutdown"))
    p.add_argument("--keep-alive", type=int, default=75,
                   help=_("seconds an idle connection stays open (devices reuse it between requests)"))
    p.add_argument("--max-photo-mb", type=float, default=20.0, help=_("largest photo accepted, in MB"))
    p.add_argument("--max-photo-mp", type=float, default=50.0,
                   help=_("largest photo accepted, in megapixels (bigger ones are refused, never decoded)"))
    p.add_argument("--token-hours", type=float, default=12.0, help=_("how long a device token stays valid"))
    p.add_argument("--upload-expiry-hours", type=float, default=72.0,
                   help=_("hours an unfinished photo upload is kept without progress (default 72)"))
    p.set_defaults(run=run)


def config_from_env():
    """The service settings `citygrid serve` hands to its worker processes through the environment."""
    from datetime import timedelta

    from .centre import ServiceConfig

    defaults = ServiceConfig()
    return ServiceConfig(
        token_ttl=timedelta(hours=float(os.environ.get("CITYGRID_TOKEN_HOURS", "12"))),
        max_upload_bytes=int(os.environ.get("CITYGRID_MAX_PHOTO_BYTES", defaults.max_upload_bytes)),
        max_photo_pixels=int(os.environ.get("CITYGRID_MAX_PHOTO_PIXELS", defaults.max_photo_pixels)),
        upload_expiry=timedelta(hours=float(os.environ.get(
            "CITYGRID_UPLOAD_EXPIRY_HOURS", defaults.upload_expiry.total_seconds() / 3600))))


def startup_line(path: str, host: str, port: int, workers: int) -> str:
    """What `serve` says before the service's own log starts (in the operator's language)."""
    return _("citygrid serve: {path} at http://{host}:{port}/ ({workers} worker process(es)); "
             "API under /api/v1, Open311 under /open311/v2, Ctrl+C stops").format(
        path=path, host=host, port=port, workers=workers)


def check_listen(host: str, port: int) -> None:
    """Refuse a port that is in use or a host we cannot listen on, binding as uvicorn will."""
    import errno
    import socket

    if not 0 <= port <= 65535:
        raise Problem("serve.bad_port", port=port)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET  # as uvicorn's Config.bind_socket
    try:
        with socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((host, port))
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise Problem("serve.port_in_use", host=host, port=port) from None
        reason = exc.strerror or str(exc)  # a name that does not resolve, an address not ours, EACCES
        raise Problem("serve.cannot_listen", host=host, port=port, reason=reason) from None
    except (UnicodeError, ValueError) as exc:  # a host name no resolver accepts
        raise Problem("serve.cannot_listen", host=host, port=port, reason=str(exc)) from None


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from .app import create_app

    if not 1 <= args.workers <= 64:
        raise Problem("serve.bad_workers", workers=args.workers)
    if not (0 < args.max_photo_mb <= 500 and 0 < args.token_hours <= 24 * 90 and 0.1 <= args.max_photo_mp <= 400):
        raise Problem("serve.bad_limit", max_photo_mb=args.max_photo_mb, token_hours=args.token_hours,
                      max_photo_mp=args.max_photo_mp)
    if not 1 <= args.upload_expiry_hours <= 24 * 90:
        raise Problem("serve.bad_upload_expiry", hours=args.upload_expiry_hours)
    path = os.path.abspath(args.path)
    os.environ["CITYGRID_CENTER"] = path
    os.environ["CITYGRID_MAX_PHOTO_BYTES"] = str(int(args.max_photo_mb * 1024 * 1024))
    os.environ["CITYGRID_TOKEN_HOURS"] = str(args.token_hours)
    os.environ["CITYGRID_MAX_PHOTO_PIXELS"] = str(int(args.max_photo_mp * 1_000_000))
    os.environ["CITYGRID_UPLOAD_EXPIRY_HOURS"] = str(args.upload_expiry_hours)
    create_app(path, config_from_env())  # validate the centre (missing, foreign, newer) before binding
    check_listen(args.host, args.port)  # one clear line, not uvicorn's log and exit 3
    logging.basicConfig(level=args.log_level.upper(), format=LOG_FORMAT)
    print(startup_line(path, args.host, args.port, args.workers), flush=True)
    uvicorn.run("citygrid_server.asgi:app", host=args.host, port=args.port, workers=args.workers,
                log_level=args.log_level, access_log=False, timeout_graceful_shutdown=args.graceful_timeout,
                timeout_keep_alive=args.keep_alive,
                factory=False)
    return 0
