# SPDX-License-Identifier: GPL-2.0-or-later
"""Request dependencies: the centre, a connection, the authenticated actor."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from citygrid import accounts, sessions
from citygrid.problems import Problem

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
