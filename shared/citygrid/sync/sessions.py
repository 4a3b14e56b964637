# SPDX-License-Identifier: GPL-2.0-or-later
"""Device sessions: login with throttling, opaque bearer tokens stored hashed, expiry, revocation.

Login throttling (defaults in `Policy`; the service's `ServiceConfig` sets them):

- **Per client address**: 30 failed logins from one address within 15 minutes, whatever user names
  they tried, refuse every further login from that address (`auth.throttled`) until the oldest of
  them is 15 minutes old. This stops one source spraying a guess over many accounts. A success does
  not clear it (an attacker's own account must not reset the count). IPv6 addresses are counted per
  /64 network, since one host usually holds a whole /64.
- **Per account**: 5 failed logins for one user name within 15 minutes (since its last success)
  refuse further logins to it from sources that are not trusted, until the oldest of them is 15
  minutes old.
- **Trusted sources**: a client address or device id that signed in successfully as that account
  within the last 30 days is not locked out by other sources' failures: for it, only its own failed
  logins to that account count against the 5 (and its address limit applies as to everyone). So
  someone guessing `admin` from elsewhere cannot lock the real admin out of their usual desk or
  phone. A device id is chosen by the device: it only earns this exemption, never access.
- Every lockout ends by itself: refused attempts are not recorded, so they do not extend it, and
  `retry_after_s` says when it ends.
- **Atomic**: the limits are checked and the attempt is recorded as a failure in one write
  transaction (BEGIN IMMEDIATE) before the slow password check, and flipped to a success after it,
  so parallel guesses (threads or worker processes on one file) cannot all pass the check.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
import re
import secrets
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta

from .. import times
from ..loop import accounts
from ..problems import Problem
from ..store import db

# login_attempts and auth_tokens rows are also the record of who signed in from where: kept at least six
# months (the Cybersecurity Law, art. 21, for network logs), and never less than the throttling reads
RECORDS_KEPT = timedelta(days=183)
_PRUNE_BATCH = 2000  # rows per write transaction, so a first prune of a big table never holds the lock long
DEVICE_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")  # whole string: use fullmatch ($ admits a newline)
_KEY_CHARS = 64


@dataclass(frozen=True)
class Policy:
    token_ttl: timedelta = timedelta(hours=12)
    max_failures: int = 5                      # failed logins for one account ...
    window: timedelta = timedelta(minutes=15)  # ... or one address, within this window, lock it out
    client_max_failures: int = 30              # failed logins from one client address, any user names
    trusted_for: timedelta = timedelta(days=30)  # a source that signed in this recently is trusted


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def client_key(host: str | None) -> str | None:
    """What the address limit counts: an IPv4 address, an IPv6 /64 network, or the name as given."""
    if not host:
        return None
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return str(host)[:_KEY_CHARS]
    if address.version == 6 and address.ipv4_mapped:
        return str(address.ipv4_mapped)
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def login(conn: sqlite3.Connection, username: str, password: str, device_id: str, *, client: str | None = None,
          policy: Policy = Policy(), now: datetime | None = None) -> tuple[str, datetime, accounts.Actor]:
    """-> (token, expires_at, actor). Wrong credentials, unknown and deactivated users look the same.

    `client` is the network address the request came from (None when unknown: no address limit).
    """
    now = now or times.now()
    if not isinstance(device_id, str) or not DEVICE_ID.fullmatch(device_id):
        raise Problem("auth.bad_device_id")
    source = _Source(str(username)[:_KEY_CHARS], device_id, client_key(client))
    attempt = _admit(conn, source, now, policy)
    actor = accounts.authenticate(conn, username, password)  # on failure the attempt stays a failure
    token = secrets.token_urlsafe(32)
    expires = now + policy.token_ttl
    with db.transaction(conn):
        conn.execute("UPDATE login_attempts SET ok = 1 WHERE fid = ?", (attempt,))
        conn.execute("INSERT INTO auth_tokens (token_hash, username, device_id, created_at, expires_at) "
                     "VALUES (?, ?, ?, ?, ?)",
                     (_digest(token), actor.username, device_id, times.to_db(now), times.to_db(expires)))
        _seen(conn, device_id, actor.username, now)
    return token, expires, actor


def sign_in(conn: sqlite3.Connection, username: str, password: str, device_id: str, *,
            policy: Policy = Policy(), now: datetime | None = None) -> accounts.Actor:
    """-> the actor, under `login`'s per-account limits, with no token issued: for a program that
    works on the centre's file itself (the QGIS desk), where a session token would mean nothing. The
    device is recorded in `devices` as a login's is."""
    now = now or times.now()
    if not isinstance(device_id, str) or not DEVICE_ID.fullmatch(device_id):
        raise Problem("auth.bad_device_id")
    attempt = _admit(conn, _Source(str(username)[:_KEY_CHARS], device_id, None), now, policy)
    actor = accounts.authenticate(conn, username, password)  # on failure the attempt stays a failure
    with db.transaction(conn):
        conn.execute("UPDATE login_attempts SET ok = 1 WHERE fid = ?", (attempt,))
        _seen(conn, device_id, actor.username, now)
    return actor


def _seen(conn: sqlite3.Connection, device_id: str, username: str, now: datetime) -> None:
    conn.execute("INSERT INTO devices (device_id, username, first_seen, last_seen) VALUES (?, ?, ?, ?) "
                 "ON CONFLICT(device_id) DO UPDATE SET username = excluded.username, "
                 "last_seen = excluded.last_seen", (device_id, username, times.to_db(now), times.to_db(now)))


@dataclass(frozen=True)
class _Source:
    username: str
    device_id: str
    client: str | None


def _admit(conn: sqlite3.Connection, source: _Source, now: datetime, policy: Policy) -> int:
    """Check both limits and record the attempt as a failure, atomically; -> the attempt's fid."""
    with db.transaction(conn):
        _check_client(conn, source, now, policy)
        _check_account(conn, source, now, policy)
        cur = conn.execute("INSERT INTO login_attempts (username, device_id, client, at, ok) VALUES (?, ?, ?, ?, 0)",
                           (source.username, source.device_id, source.client, times.to_db(now)))
        return cur.lastrowid


def _check_client(conn, source: _Source, now: datetime, policy: Policy) -> None:
    if source.client is None:
        return
    since = times.to_db(now - policy.window)
    _refuse_when_full(conn, "client = ? AND ok = 0 AND at > ?", (source.client, since),
                      policy.client_max_failures, now, policy.window)


def _check_account(conn, source: _Source, now: datetime, policy: Policy) -> None:
    since = times.to_db(now - policy.window)
    (last_ok,) = conn.execute("SELECT max(fid) FROM login_attempts WHERE username = ? AND ok = 1 AND at > ?",
                              (source.username, since)).fetchone()  # by fid: a success and a failure may share a ms
    where, params = "username = ? AND ok = 0 AND at > ? AND fid > ?", [source.username, since, last_ok or 0]
    if _trusted(conn, source, now, policy):  # only its own failures count
        where += " AND (client = ? OR device_id = ?)"
        params += [source.client, source.device_id]
    _refuse_when_full(conn, where, params, policy.max_failures, now, policy.window)


def _trusted(conn, source: _Source, now: datetime, policy: Policy) -> bool:
    row = conn.execute("SELECT 1 FROM login_attempts WHERE username = ? AND ok = 1 AND at > ? "
                       "AND (client = ? OR device_id = ?) LIMIT 1",
                       (source.username, times.to_db(now - policy.trusted_for), source.client,
                        source.device_id)).fetchone()
    return row is not None


def _refuse_when_full(conn, where: str, params, limit: int, now: datetime, window: timedelta) -> None:
    """`auth.throttled` when `limit` failures match; it lasts until the limit-th newest ages out."""
    row = conn.execute(f"SELECT at FROM login_attempts WHERE {where} ORDER BY at DESC LIMIT 1 OFFSET ?",
                       (*params, max(limit, 1) - 1)).fetchone()
    if row is not None:
        ends = times.from_db(row[0]) + window
        raise Problem("auth.throttled", retry_after_s=max(1, math.ceil((ends - now).total_seconds())))


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


def prune(conn: sqlite3.Connection, *, policy: Policy = Policy(), now: datetime | None = None) -> tuple[int, int]:
    """Delete login attempts older than `RECORDS_KEPT` (or the policy's trust period, if longer) and
    auth tokens that expired that long ago; -> (attempts, tokens) deleted."""
    keep = max(RECORDS_KEPT, policy.trusted_for, policy.window)
    cutoff = times.to_db((now or times.now()) - keep)
    return (_delete_batched(conn, "login_attempts", "at < ?", cutoff),
            _delete_batched(conn, "auth_tokens", "expires_at < ?", cutoff))


def _delete_batched(conn: sqlite3.Connection, table: str, where: str, cutoff: str) -> int:
    """A read first: nothing to delete (the usual pass) takes no write lock."""
    deleted = 0
    while conn.execute(f"SELECT 1 FROM {table} WHERE {where} LIMIT 1", (cutoff,)).fetchone() is not None:
        with db.transaction(conn):
            deleted += conn.execute(f"DELETE FROM {table} WHERE fid IN (SELECT fid FROM {table} WHERE {where} "
                                    "LIMIT ?)", (cutoff, _PRUNE_BATCH)).rowcount
    return deleted


def revoke(conn: sqlite3.Connection, token: str, *, now: datetime | None = None) -> None:
    with db.transaction(conn):
        conn.execute("UPDATE auth_tokens SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL",
                     (times.to_db(now or times.now()), _digest(token)))
