# SPDX-License-Identifier: GPL-2.0-or-later
"""Open311 GeoReport v2 for public reports and hotline systems: services, requests, API keys.

A service is a standard class (`event-0102` = 暴露垃圾); a request is a case. A POSTed request
becomes a case in `reported` with source "public". Open311's status is `open` or `closed`; the
case's real status goes in `status_notes`.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import sqlite3
from datetime import datetime, timedelta

from . import crs, db, dictionaries, gpkg, times, workflow
from .accounts import Actor
from .problems import Problem

SERVICE_CODE = re.compile(r"^(component|event)-(\d{4,5})$")
CLOSED = ("closed", "voided", "rejected")
MAX_REQUESTS = 1000
DEFAULT_WINDOW = timedelta(days=90)


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def add_key(conn: sqlite3.Connection, name: str, key: str | None = None) -> str:
    """Create an API key for a hotline system or public app; returns the key (stored hashed)."""
    if not name or len(name) > 64:
        raise Problem("open311.bad_key_name")
    key = key or secrets.token_urlsafe(24)
    with db.transaction(conn):
        conn.execute("INSERT INTO open311_keys (key_hash, name) VALUES (?, ?) ON CONFLICT(key_hash) DO NOTHING",
                     (_digest(key), name))
    return key


def key_actor(conn: sqlite3.Connection, key: str | None) -> Actor:
    """The intake actor for a valid key; the events name the key's owner."""
    row = conn.execute("SELECT name FROM open311_keys WHERE key_hash = ? AND revoked_at IS NULL",
                       (_digest(key or ""),)).fetchone()
    if not key or row is None:
        raise Problem("open311.bad_key")
    return Actor(f"open311:{row['name']}", "admin")


def services(conn: sqlite3.Connection) -> list[dict]:
    return [_service(c) for c in dictionaries.classes(conn)]


def _service(c) -> dict:
    kind_zh = "部件" if c.kind == "component" else "事件"
    return {"service_code": f"{c.kind}-{c.code}", "service_name": c.minor_name,
            "description": f"{kind_zh} · {c.major_name} · {c.minor_name}", "metadata": False, "type": "realtime",
            "keywords": f"{c.kind},{c.major_name}", "group": c.major_name}


def parse_service(code: str) -> tuple[str, str]:
    m = SERVICE_CODE.match(code or "")
    if not m:
        raise Problem("open311.unknown_service", service_code=str(code)[:32])
    return m.group(1), m.group(2)


def service_definition(conn: sqlite3.Connection, code: str) -> dict:
    kind, class_code = parse_service(code)
    try:
        dictionaries.class_entry(conn, kind, class_code)
    except Problem:
        raise Problem("open311.unknown_service", service_code=code) from None
    return {"service_code": code, "attributes": []}


def create_request(conn: sqlite3.Connection, key: str | None, form: dict) -> dict:
    actor = key_actor(conn, key)
    kind, class_code = parse_service(form.get("service_code"))
    try:
        lat, lon = float(form["lat"]), float(form["long"])
    except (KeyError, TypeError, ValueError):
        raise Problem("open311.location_required") from None
    reporter = " ".join(str(form.get(k) or "") for k in ("first_name", "last_name")).strip() or None
    contact = form.get("email") or form.get("phone")
    description = str(form.get("description") or "")[:4000]
    if form.get("media_url"):
        description = f"{description}\n[media] {str(form['media_url'])[:500]}".strip()
    case_no = workflow.report(conn, actor, kind=kind, class_code=class_code, lon=lon, lat=lat,
                              description=description, source="public", address=form.get("address_string"),
                              reporter=f"{reporter or ''} <{contact}>".strip() if contact else reporter)
    return {"service_request_id": case_no, "service_notice": "", "account_id": None}


def _request(r: sqlite3.Row, srs: int, names: dict) -> dict:
    lon = lat = None
    if r["geom"] is not None:
        x, y = gpkg.decode(r["geom"])[1]
        lon, lat = crs.to_lonlat(x, y, srs)
    return {"service_request_id": r["case_no"], "status": "closed" if r["status"] in CLOSED else "open",
            "status_notes": r["status"], "service_name": names.get((r["kind"], r["class_code"])),
            "service_code": f"{r['kind']}-{r['class_code']}", "description": r["description"],
            "agency_responsible": r["unit_name"], "service_notice": None,
            "requested_datetime": _iso(r["reported_at"]), "updated_datetime": _iso(r["updated_at"]),
            "expected_datetime": _iso(r["deadline_at"]), "address": r["address"], "address_id": None,
            "zipcode": None, "lat": None if lat is None else round(lat, 7),
            "long": None if lon is None else round(lon, 7), "media_url": None}


def _iso(text: str | None) -> str | None:
    return times.from_db(text).isoformat(timespec="seconds") if text else None


SELECT = ("SELECT c.*, u.name AS unit_name FROM cases c LEFT JOIN units u ON u.code = c.unit_code ")


def get_requests(conn: sqlite3.Connection, *, ids: list[str] | None = None, service_code: str | None = None,
                 start: datetime | None = None, end: datetime | None = None, status: str | None = None) -> list[dict]:
    """GeoReport v2 GET requests.json with its standard filters (default: the last 90 days)."""
    where, args = [], []
    if ids:
        where.append(f"c.case_no IN ({','.join('?' * len(ids))})")
        args += ids
    else:
        end = end or times.now()
        start = start or end - DEFAULT_WINDOW
        if start > end:
            raise Problem("open311.bad_dates")
        where += ["c.reported_at >= ?", "c.reported_at < ?"]
        args += [times.to_db(start), times.to_db(end)]
    if service_code:
        codes = [parse_service(s.strip()) for s in service_code.split(",") if s.strip()]
        where.append("(" + " OR ".join("(c.kind = ? AND c.class_code = ?)" for _ in codes) + ")")
        args += [v for pair in codes for v in pair]
    if status:
        if status not in ("open", "closed"):
            raise Problem("open311.bad_status", status=status)
        where.append(f"c.status {'' if status == 'closed' else 'NOT '}IN ('closed', 'voided', 'rejected')")
    sql = f"{SELECT} WHERE {' AND '.join(where)} ORDER BY c.reported_at DESC LIMIT {MAX_REQUESTS}"
    srs = crs.centre_srs_id(conn)
    names = {(c.kind, c.code): c.minor_name for c in dictionaries.classes(conn)}
    return [_request(r, srs, names) for r in conn.execute(sql, args)]


def get_request(conn: sqlite3.Connection, case_no: str) -> list[dict]:
    found = get_requests(conn, ids=[case_no])
    if not found:
        raise Problem("open311.request_not_found", service_request_id=case_no)
    return found
