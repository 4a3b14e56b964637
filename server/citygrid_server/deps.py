# SPDX-License-Identifier: GPL-2.0-or-later
"""Request dependencies: the centre, a connection, the authenticated actor."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from citygrid.loop import accounts
from citygrid.problems import Problem
from citygrid.sync import protocol as sync_protocol
from citygrid.sync import sessions

from .centre import Centre

bearer = HTTPBearer(auto_error=False, description="token from POST /api/v1/auth/login")


def centre(request: Request) -> Centre:
    return request.app.state.centre


def conn(c: Centre = Depends(centre)) -> Iterator[sqlite3.Connection]:
    with c.checkout() as cx:
        yield cx


@dataclass(frozen=True)
class Session:
    actor: accounts.Actor
    device_id: str
    token: str


def session(creds: HTTPAuthorizationCredentials | None = Depends(bearer),
            cx: sqlite3.Connection = Depends(conn)) -> Session:
    token = creds.credentials if creds else None
    actor, device = sessions.resolve(cx, token)
    return Session(actor, device, token)


def require(*roles: str):
    """Dependency factory: the session's role must be one of `roles`."""
    def check(s: Session = Depends(session)) -> Session:
        if s.actor.role not in roles:
            raise Problem("auth.forbidden", role=s.actor.role)
        return s
    return check


def protocol(request: Request, s: Session = Depends(session), cx: sqlite3.Connection = Depends(conn)) -> int:
    """The device's sync protocol (header `Citygrid-Protocol`, default 1), checked and recorded."""
    version = sync_protocol.check_version(request.headers.get(sync_protocol.HEADER))
    cx.execute("UPDATE devices SET protocol = ? WHERE device_id = ? AND protocol IS NOT ?",
               (version, s.device_id, version))
    return version
