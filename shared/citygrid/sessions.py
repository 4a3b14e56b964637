# SPDX-License-Identifier: GPL-2.0-or-later
"""Device sessions: login with throttling, opaque bearer tokens stored hashed, expiry, revocation."""

from __future__ import annotations

import hashlib
import re
import secrets
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta

from . import accounts, db, times
from .problems import Problem

DEVICE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


@dataclass(frozen=True)
class Policy:
    token_ttl: timedelta = timedelta(hours=12)
    max_failures: int = 5          # failed logins for one user name ...
    window: timedelta = timedelta(minutes=15)  # ... within this window lock it out for the window


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def login(conn: sqlite3.Connection, username: str, password: str, device_id: str, *,
          policy: Policy = Policy(), now: datetime | None = None) -> tuple[str, datetime, accounts.Actor]:
    """-> (token, expires_at, actor). Wrong credentials and unknown users look the same."""
    now = now or times.now()
    if not isinstance(device_id, str) or not DEVICE_ID.match(device_id):
        raise Problem("auth.bad_device_id")
    _throttle(conn, username, now, policy)
    try:
        actor = accounts.authenticate(conn, username, password)
    except Problem:
        with db.transaction(conn):
            _attempt(conn, username, device_id, now, ok=False)
        raise
    token = secrets.token_urlsafe(32)
    expires = now + policy.token_ttl
    with db.transaction(conn):
        _attempt(conn, username, device_id, now, ok=True)
        conn.execute("INSERT INTO auth_tokens (token_hash, username, device_id, created_at, expires_at) "
                     "VALUES (?, ?, ?, ?, ?)",
                     (_digest(token), actor.username, device_id, times.to_db(now), times.to_db(expires)))
        conn.execute("INSERT INTO devices (device_id, username, first_seen, last_seen) VALUES (?, ?, ?, ?) "
                     "ON CONFLICT(device_id) DO UPDATE SET username = excluded.username, "
                     "last_seen = excluded.last_seen", (device_id, actor.username, times.to_db(now),
                                                        times.to_db(now)))
    return token, expires, actor


def _throttle(conn, username: str, now: datetime, policy: Policy) -> None:
    since = times.to_db(now - policy.window)
    last_ok = conn.execute("SELECT max(at) FROM login_attempts WHERE username = ? AND ok = 1",
                           (username,)).fetchone()[0]
    floor = max(since, last_ok or since)
    (failures,) = conn.execute("SELECT count(*) FROM login_attempts WHERE username = ? AND ok = 0 AND at > ?",
                               (username, floor)).fetchone()
    if failures >= policy.max_failures:
        raise Problem("auth.throttled", retry_after_s=int(policy.window.total_seconds()))


def _attempt(conn, username: str, device_id: str, now: datetime, *, ok: bool) -> None:
    conn.execute("INSERT INTO login_attempts (username, device_id, at, ok) VALUES (?, ?, ?, ?)",
                 (username[:64], device_id, times.to_db(now), int(ok)))


def resolve(conn: sqlite3.Connection, token: str | None, *, now: datetime | None = None) -> tuple[accounts.Actor, str]:
    """Bearer token -> (actor, device_id); expired, revoked or unknown tokens are refused."""
    if not token:
        raise Problem("auth.required")
    row = conn.execute("SELECT username, device_id, expires_at, revoked_at FROM auth_tokens WHERE token_hash = ?",
                       (_digest(token),)).fetchone()
    if row is None or row["revoked_at"] is not None:
        raise Problem("auth.token_invalid")
    if times.from_db(row["expires_at"]) <= (now or times.now()):
        raise Problem("auth.token_expired")
    try:
        return accounts.actor(conn, row["username"]), row["device_id"]
    except Problem:
        raise Problem("auth.token_invalid") from None


def revoke(conn: sqlite3.Connection, token: str, *, now: datetime | None = None) -> None:
    with db.transaction(conn):
        conn.execute("UPDATE auth_tokens SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL",
                     (times.to_db(now or times.now()), _digest(token)))
