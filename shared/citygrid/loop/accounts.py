# SPDX-License-Identifier: GPL-2.0-or-later
"""Users, roles and scrypt password hashes; `Actor` is who acts in the workflow and the server."""

from __future__ import annotations

import base64
import os
import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from .. import codes, times
from ..problems import Problem
from ..store import db
from ..store.schema_v1 import ROLES

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2 ** 14, 8, 1
SALT_BYTES, HASH_BYTES = 16, 32
MIN_PASSWORD = 8
MAX_PASSWORD = 1024  # scrypt cost does not depend on length, but nobody types more
_USERNAME = re.compile(r"[a-z0-9_.-]{2,32}")


# --- password hashes -----------------------------------------------------------------------

def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int, length: int) -> bytes:
    import hashlib  # here, not at import: OpenSSL's libcrypto is 3.6 MB resident, needed only at login

    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=length,
                          maxmem=256 * n * r * p + (1 << 20))


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """`scrypt$n$r$p$salt_b64$hash_b64` with a fresh 16-byte salt (or the given one: a repeatable demo)."""
    if salt is None:
        salt = os.urandom(SALT_BYTES)
    elif not isinstance(salt, bytes) or len(salt) < SALT_BYTES:
        raise ValueError(f"salt: at least {SALT_BYTES} bytes")
    digest = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P, HASH_BYTES)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    """True when `password` matches the stored hash (constant-time compare; a corrupt hash never matches)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        n, r, p = int(n), int(r), int(p)
        salt, digest = base64.b64decode(salt, validate=True), base64.b64decode(digest, validate=True)
    except (ValueError, AttributeError):
        return False
    sane = 2 <= n <= 2 ** 20 and n & (n - 1) == 0 and 1 <= r <= 32 and 1 <= p <= 16 and digest
    if scheme != "scrypt" or not sane:
        return False
    import hmac  # beside hashlib (see _scrypt)

    return hmac.compare_digest(_scrypt(password, salt, n, r, p, len(digest)), digest)


@lru_cache(maxsize=1)
def _decoy_hash() -> str:
    return hash_password("not-a-real-password")


# --- records -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Actor:
    """Who acts: the workflow checks the role, units act for their unit, collectors in their grids."""

    username: str
    role: str
    unit_code: str | None = None
    grids: tuple[str, ...] = field(default_factory=tuple)

    def to_wire(self) -> dict:
        return {"username": self.username, "role": self.role, "unit_code": self.unit_code,
                "grids": list(self.grids)}


@dataclass(frozen=True)
class User:
    """An account as listed for administrators (never the hash)."""

    username: str
    display_name: str
    role: str
    unit_code: str | None
    active: bool
    created_at: str
    grids: tuple[str, ...] = ()

    def to_wire(self) -> dict:
        return {"username": self.username, "display_name": self.display_name, "role": self.role,
                "unit_code": self.unit_code, "active": self.active, "created_at": self.created_at,
                "grids": list(self.grids)}


# --- validation ----------------------------------------------------------------------------

def _check_username(username) -> str:
    if not isinstance(username, str) or not _USERNAME.fullmatch(username):
        raise Problem("account.bad_username", username=str(username))
    return username


def _check_password(password) -> str:
    if not isinstance(password, str) or not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise Problem("account.weak_password", minimum=MIN_PASSWORD)
    return password


check_password = _check_password  # public: `init` refuses a weak admin password before writing anything


def _check_unit(conn: sqlite3.Connection, role: str, unit_code: str | None) -> None:
    if role not in ROLES:
        raise Problem("account.unknown_role", role=str(role), known=", ".join(ROLES))
    if role != "unit":
        if unit_code:
            raise Problem("account.unit_not_allowed", role=role, unit=unit_code)
        return
    if not unit_code:
        raise Problem("account.unit_required")
    if conn.execute("SELECT 1 FROM units WHERE code = ?", (unit_code,)).fetchone() is None:
        raise Problem("account.unknown_unit", unit=unit_code)


def _checked_grids(conn: sqlite3.Connection, role: str, grid_codes: Iterable[str]) -> list[str]:
    """Grid codes normalised to 15 digits, each existing; only collectors have grids."""
    if isinstance(grid_codes, str):
        grid_codes = [grid_codes]  # one code, not its characters
    wanted = list(dict.fromkeys(codes.normalize_grid_code(g) for g in grid_codes))
    if wanted and role != "collector":
        raise Problem("account.grids_not_allowed", role=role)
    for code in wanted:
        if conn.execute("SELECT 1 FROM grids WHERE code = ?", (code,)).fetchone() is None:
            raise Problem("account.unknown_grid", grid=code)
    return wanted


def _row(conn: sqlite3.Connection, username: str) -> sqlite3.Row:
    row = conn.execute("SELECT username, display_name, role, unit_code, password_hash, active, created_at "
                       "FROM users WHERE username = ?", (username,)).fetchone()
    if row is None:
        raise Problem("account.unknown", username=str(username))
    return row


def _grids_of(conn: sqlite3.Connection, username: str) -> tuple[str, ...]:
    rows = conn.execute("SELECT grid_code FROM collector_grids WHERE username = ? ORDER BY grid_code",
                        (username,))
    return tuple(r[0] for r in rows)


# --- accounts ------------------------------------------------------------------------------

def add_user(conn: sqlite3.Connection, username: str, role: str, password: str, *,
             display_name: str | None = None, unit_code: str | None = None,
             grids: Iterable[str] = ()) -> Actor:
    """Create an account; every rule is checked before anything is written."""
    _check_username(username)
    _check_unit(conn, role, unit_code or None)
    _check_password(password)
    wanted = _checked_grids(conn, role, grids)
    hashed = hash_password(password)  # slow on purpose: not while holding the write lock
    with db.transaction(conn):
        if conn.execute("SELECT 1 FROM users WHERE username = ?", (username,)).fetchone():
            raise Problem("account.exists", username=username)
        conn.execute("INSERT INTO users (username, display_name, role, unit_code, password_hash) "
                     "VALUES (?, ?, ?, ?, ?)",
                     (username, (display_name or "").strip() or username, role, unit_code or None, hashed))
        conn.executemany("INSERT INTO collector_grids (username, grid_code) VALUES (?, ?)",
                         [(username, g) for g in wanted])
    return Actor(username, role, unit_code or None, tuple(sorted(wanted)))


def list_users(conn: sqlite3.Connection) -> list[User]:
    """Every account, by user name, with its collector grids."""
    grids: dict[str, list[str]] = {}
    for name, code in conn.execute("SELECT username, grid_code FROM collector_grids ORDER BY grid_code"):
        grids.setdefault(name, []).append(code)
    rows = conn.execute("SELECT username, display_name, role, unit_code, active, created_at FROM users "
                        "ORDER BY username")
    return [User(r[0], r[1], r[2], r[3], bool(r[4]), r[5], tuple(grids.get(r[0], ()))) for r in rows]


def user(conn: sqlite3.Connection, username: str) -> User:
    """One account as listed (active or not); `account.unknown` otherwise."""
    row = _row(conn, username)
    return User(row["username"], row["display_name"], row["role"], row["unit_code"], bool(row["active"]),
                row["created_at"], _grids_of(conn, username))


def actor(conn: sqlite3.Connection, username: str) -> Actor:
    """The active account's Actor (`account.unknown` / `account.inactive` otherwise)."""
    row = _row(conn, username)
    if not row["active"]:
        raise Problem("account.inactive", username=username)
    return Actor(row["username"], row["role"], row["unit_code"], _grids_of(conn, username))


def authenticate(conn: sqlite3.Connection, username: str, password: str) -> Actor:
    """The Actor for a correct password of an active account.

    An unknown user, a wrong password and a deactivated account (whatever the password) are the same
    `auth.invalid`, after the same single scrypt check, so neither the answer nor its time tells them apart.
    """
    row = conn.execute("SELECT username, role, unit_code, password_hash, active FROM users WHERE username = ?",
                       (str(username),)).fetchone()
    stored = row["password_hash"] if row else _decoy_hash()  # same work whether or not the user exists
    ok = isinstance(password, str) and verify_password(password, stored)
    if row is None or not ok or not row["active"]:
        raise Problem("auth.invalid")
    return Actor(row["username"], row["role"], row["unit_code"], _grids_of(conn, row["username"]))


def _revoke_tokens(conn: sqlite3.Connection, username: str) -> None:
    """End every live session of the account (inside the caller's transaction)."""
    conn.execute("UPDATE auth_tokens SET revoked_at = ? WHERE username = ? AND revoked_at IS NULL",
                 (times.to_db(times.now()), username))


def set_password(conn: sqlite3.Connection, username: str, password: str) -> None:
    """Replace a user's password and end their existing sessions (a reset usually means a leak)."""
    _row(conn, username)
    hashed = hash_password(_check_password(password))
    with db.transaction(conn):
        conn.execute("UPDATE users SET password_hash = ? WHERE username = ?", (hashed, username))
        _revoke_tokens(conn, username)


def deactivate(conn: sqlite3.Connection, username: str) -> None:
    """Lock an account out and end its sessions; its history stays (users are never deleted)."""
    _row(conn, username)
    with db.transaction(conn):
        conn.execute("UPDATE users SET active = 0 WHERE username = ?", (username,))
        _revoke_tokens(conn, username)


def activate(conn: sqlite3.Connection, username: str) -> None:
    """Let a deactivated account sign in again (its old sessions stay ended)."""
    _row(conn, username)
    with db.transaction(conn):
        conn.execute("UPDATE users SET active = 1 WHERE username = ?", (username,))


def change_grids(conn: sqlite3.Connection, username: str, *, add: Iterable[str] = (),
                 remove: Iterable[str] = ()) -> tuple[str, ...]:
    """Add grids to and remove grids from a collector's; returns the grids now assigned, sorted.

    Every code is checked before anything is written: an unknown grid is `account.unknown_grid`, one
    to remove that is not assigned is `account.grid_not_assigned`.
    """
    row = _row(conn, username)
    if row["role"] != "collector":
        raise Problem("account.grids_not_allowed", role=row["role"])
    added = _checked_grids(conn, "collector", add)
    if isinstance(remove, str):
        remove = [remove]
    removed = list(dict.fromkeys(codes.normalize_grid_code(g) for g in remove))
    current = set(_grids_of(conn, username))
    for code in removed:
        if code not in current:
            raise Problem("account.grid_not_assigned", username=username, grid=code)
    with db.transaction(conn):
        conn.executemany("DELETE FROM collector_grids WHERE username = ? AND grid_code = ?",
                         [(username, g) for g in removed])
        conn.executemany("INSERT INTO collector_grids (username, grid_code) SELECT ?, ? WHERE NOT EXISTS "
                         "(SELECT 1 FROM collector_grids WHERE username = ? AND grid_code = ?)",
                         [(username, g, username, g) for g in added])
    return _grids_of(conn, username)


def assign_grids(conn: sqlite3.Connection, username: str, grid_codes: Iterable[str]) -> tuple[str, ...]:
    """Replace a collector's grids; returns them normalised and sorted."""
    row = _row(conn, username)
    if row["role"] != "collector":
        raise Problem("account.grids_not_allowed", role=row["role"])
    wanted = _checked_grids(conn, "collector", grid_codes)
    with db.transaction(conn):
        conn.execute("DELETE FROM collector_grids WHERE username = ?", (username,))
        conn.executemany("INSERT INTO collector_grids (username, grid_code) VALUES (?, ?)",
                         [(username, g) for g in wanted])
    return tuple(sorted(wanted))


def collectors_for_grid(conn: sqlite3.Connection, grid_code: str) -> list[str]:
    """Active collectors assigned to a grid, by user name."""
    code = codes.normalize_grid_code(grid_code)
    rows = conn.execute("SELECT u.username FROM collector_grids cg JOIN users u ON u.username = cg.username "
                        "WHERE cg.grid_code = ? AND u.active = 1 AND u.role = 'collector' "
                        "ORDER BY u.username", (code,))
    return [r[0] for r in rows]
