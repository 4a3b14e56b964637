# SPDX-License-Identifier: GPL-2.0-or-later
"""POST /api/v1/auth/login and /logout."""

from __future__ import annotations

import asyncio
import sqlite3

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from citygrid import times
from citygrid.sync import sessions

from . import deps
from .centre import Centre

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


class LoginIn(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)
    device_id: str = Field(min_length=1, max_length=128)


class UserOut(BaseModel):
    username: str
    role: str
    display_name: str


class LoginOut(BaseModel):
    token: str
    expires_at: str
    user: UserOut


@router.post("/login", response_model=LoginOut)
async def login(body: LoginIn, request: Request, cx: sqlite3.Connection = Depends(deps.conn),
                centre: Centre = Depends(deps.centre)) -> LoginOut:
    """Exchange a centre account's credentials for a bearer token bound to a device.

    Failed logins are throttled per client address and per account (429 `auth.throttled` with
    Retry-After); a deactivated account answers like a wrong password.
    """
    # uvicorn has already replaced the peer by X-Forwarded-For when the peer is a trusted proxy
    client = request.client.host if request.client else None

    def work() -> LoginOut:
        token, expires, actor = sessions.login(cx, body.username, body.password, body.device_id,
                                               client=client, policy=centre.config.session_policy())
        row = cx.execute("SELECT display_name FROM users WHERE username = ?", (actor.username,)).fetchone()
        return LoginOut(token=token, expires_at=times.to_db(expires),
                        user=UserOut(username=actor.username, role=actor.role, display_name=row[0]))

    return await asyncio.get_running_loop().run_in_executor(centre.login_pool, work)


@router.post("/logout", status_code=204)
def logout(s: deps.Session = Depends(deps.session), cx: sqlite3.Connection = Depends(deps.conn)) -> None:
    """Revoke the token used for this request."""
    sessions.revoke(cx, s.token)
