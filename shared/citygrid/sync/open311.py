# SPDX-License-Identifier: GPL-2.0-or-later
"""Open311 GeoReport v2 for public reports and hotline systems: services, requests, API keys.

A service is a standard class (`event-0102` = 暴露垃圾); a request is a case. A POSTed request
becomes a case in `reported` with source "public". Open311's status is `open` or `closed`; the
case's real status goes in `status_notes` as a sentence for the public, in the language asked for
(`lang`: zh_CN or en; the catalogue's context `open311.status_notes`).

The public speaks longitude/latitude: a location it sent that is out of range or outside every grid
is refused in its own coordinates (open311.bad_location, open311.outside_grids), never in the
centre's projected x/y.
"""

from __future__ import annotations

import hashlib
import math
import re
import secrets
import sqlite3
from datetime import datetime, timedelta

from .. import crs, i18n, times
from ..loop import dictionaries, workflow
from ..loop.accounts import Actor
from ..problems import Problem
from ..store import db, gpkg

SERVICE_CODE = re.compile(r"(component|event)-([0-9]{4,5})")  # fullmatch: `$` lets a newline through
CLOSED = ("closed", "voided", "rejected")
# free-text fields of a POSTed request and how much of each is kept; a JSON body may carry any type
TEXT_FIELDS = {"description": 4000, "first_name": 100, "last_name": 100, "email": 200, "phone": 50,
               "address_string": 500, "media_url": 500}
MAX_REQUESTS = 1000
DEFAULT_WINDOW = timedelta(days=90)
N_ = i18n.N_
NOTES_CONTEXT = "open311.status_notes"
STATUS_NOTES = {  # CONTRACT §3: every case status as the public reads it (zh_CN in citygrid.po)
    "reported": N_("Received; waiting to be accepted"),
    "verifying": N_("Received; an inspector is verifying it on site"),
    "pending_register": N_("Verified on site; waiting to be registered"),
    "rejected": N_("Not registered as a case"),
    "registered": N_("Registered; waiting to be dispatched"),
    "dispatched": N_("Registered; being handled"),
    "returned": N_("Registered; being passed to the responsible department"),
    "disposed": N_("Handled; waiting for an on-site check"),
    "checking": N_("Handled; an inspector is checking the result on site"),
    "check_passed": N_("Handled and checked; about to be closed"),
    "closed": N_("Resolved and closed"),
    "voided": N_("Cancelled (a duplicate or not a valid report)"),
    "parked": N_("Registered; on hold for a longer-term solution"),
}
RANGES = {"lat": 90, "long": 180}


def status_notes(status: str, lang: str | None = None) -> str:
    """The public's sentence for a case status in `lang` (the status itself if it has none)."""
    english = STATUS_NOTES.get(status)
    return i18n.pgettext(NOTES_CONTEXT, english, lang) if english else status


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
    if not isinstance(key, str) or not key or not _encodable(key):
        raise Problem("open311.bad_key")
    row = conn.execute("SELECT name FROM open311_keys WHERE key_hash = ? AND revoked_at IS NULL",
                       (_digest(key),)).fetchone()
    if row is None:
        raise Problem("open311.bad_key")
    return Actor(f"open311:{row['name']}", "admin")


def services(conn: sqlite3.Connection) -> list[dict]:
    return [_service(c) for c in dictionaries.classes(conn, active_only=True)]


def _service(c) -> dict:
    kind_zh = "部件" if c.kind == "component" else "事件"
    return {"service_code": f"{c.kind}-{c.code}", "service_name": c.minor_name,
            "description": f"{kind_zh} · {c.major_name} · {c.minor_name}", "metadata": False, "type": "realtime",
            "keywords": f"{c.kind},{c.major_name}", "group": c.major_name}


def parse_service(code: str) -> tuple[str, str]:
    m = SERVICE_CODE.fullmatch(code) if isinstance(code, str) else None
    if not m:
        raise Problem("open311.unknown_service", service_code=times.shown(code, 32))
    return m.group(1), m.group(2)


def service_definition(conn: sqlite3.Connection, code: str) -> dict:
    kind, class_code = parse_service(code)
    try:
        dictionaries.active_class(conn, kind, class_code)  # a retired class is no service any more
    except Problem:
        raise Problem("open311.unknown_service", service_code=code) from None
    return {"service_code": code, "attributes": []}


def create_request(conn: sqlite3.Connection, key: str | None, form: dict) -> dict:
    """A case from a GeoReport v2 request; `form` may come from a JSON body, so nothing is assumed text."""
    actor = key_actor(conn, key)
    if not isinstance(form, dict):
        raise Problem("open311.bad_field", field="(body)")
    kind, class_code = parse_service(form.get("service_code"))
    lat, lon = _coordinate(form, "lat"), _coordinate(form, "long")
    text = {name: _text(form, name, limit) for name, limit in TEXT_FIELDS.items()}
    reporter = " ".join(t for t in (text["first_name"], text["last_name"]) if t).strip() or None
    contact = text["email"] or text["phone"]
    description = text["description"] or ""
    if text["media_url"]:
        description = f"{description}\n[media] {text['media_url']}".strip()
    try:
        case_no = workflow.report(conn, actor, kind=kind, class_code=class_code, lon=lon, lat=lat,
                                  description=description, source="public", address=text["address_string"],
                                  reporter=f"{reporter or ''} <{contact}>".strip() if contact else reporter)
    except Problem as problem:  # said in the coordinates the client sent, not the centre's x/y
        if problem.code in ("geocode.outside_grids", "crs.out_of_range"):
            raise Problem("open311.outside_grids", lat=_sent(form, "lat"), long=_sent(form, "long")) from None
        raise
    return {"service_request_id": case_no, "service_notice": "", "account_id": None}


def _coordinate(form: dict, name: str) -> float:
    value = form.get(name)
    if value is None or value == "":
        raise Problem("open311.location_required")
    bad = Problem("open311.bad_location", field=name, value=_sent(form, name), limit=RANGES[name])
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise bad
    try:
        number = float(value)
    except (OverflowError, ValueError):  # a 400-digit integer overflows a float
        raise bad from None
    if not math.isfinite(number) or abs(number) > RANGES[name]:
        raise bad
    return number


def _sent(form: dict, name: str) -> str:
    """A coordinate as the client sent it, short and printable, for the problem it is told about."""
    return times.shown(form.get(name), 40)


def _text(form: dict, name: str, limit: int) -> str | None:
    """A free-text field: text (a hotline may send a phone number as a number), cut to `limit`."""
    value = form.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) < 10 ** 20:
        value = str(value)
    if not isinstance(value, str) or not _encodable(value):
        raise Problem("open311.bad_field", field=name)
    return value[:limit]


def _encodable(text: str) -> bool:
    """False for text no database or JSON response can carry (lone surrogates from a JSON escape)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _request(r: sqlite3.Row, to_lonlat, names: dict) -> dict:
    lon = lat = None
    if r["geom"] is not None:
        x, y = gpkg.decode(r["geom"])[1]
        lon, lat = to_lonlat(x, y)
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
                 start: datetime | None = None, end: datetime | None = None, status: str | None = None,
                 lang: str | None = None) -> list[dict]:
    """GeoReport v2 GET requests.json with its standard filters (default: the last 90 days); the
    status notes in `lang` (zh_CN or en; None: the process's language)."""
    found = _requests(conn, ids=ids, service_code=service_code, start=start, end=end, status=status)
    for request in found:  # the case's status, as a sentence for the public
        request["status_notes"] = status_notes(request["status_notes"], lang)
    return found


def _requests(conn: sqlite3.Connection, *, ids: list[str] | None, service_code: str | None,
              start: datetime | None, end: datetime | None, status: str | None) -> list[dict]:
    where, args = [], []
    if ids:
        where.append(f"c.case_no IN ({','.join('?' * len(ids))})")
        args += ids
    else:
        end = end or times.now()
        start = start or _window_start(end)
        if start > end:
            raise Problem("open311.bad_dates")
        where += ["c.reported_at >= ?", "c.reported_at < ?"]
        args += [times.to_db(start), times.to_db(end)]
    codes = [parse_service(s.strip()) for s in (service_code or "").split(",") if s.strip()]
    if codes:  # blanks and bare commas ask for no service in particular
        where.append("(" + " OR ".join("(c.kind = ? AND c.class_code = ?)" for _ in codes) + ")")
        args += [v for pair in codes for v in pair]
    if status:
        if status not in ("open", "closed"):
            raise Problem("open311.bad_status", status=status)
        where.append(f"c.status {'' if status == 'closed' else 'NOT '}IN ('closed', 'voided', 'rejected')")
    sql = f"{SELECT} WHERE {' AND '.join(where)} ORDER BY c.reported_at DESC LIMIT {MAX_REQUESTS}"
    to_lonlat = crs.centre_transform(conn).inverse
    names = {(c.kind, c.code): c.minor_name for c in dictionaries.classes(conn)}
    return [_request(r, to_lonlat, names) for r in conn.execute(sql, args)]


def _window_start(end: datetime) -> datetime:
    """The default window before `end`, stopping at the earliest time there is (no overflow near year 1)."""
    return end - DEFAULT_WINDOW if end - times.EARLIEST > DEFAULT_WINDOW else times.EARLIEST


def get_request(conn: sqlite3.Connection, case_no: str, lang: str | None = None) -> list[dict]:
    found = get_requests(conn, ids=[case_no], lang=lang)
    if not found:
        raise Problem("open311.request_not_found", service_request_id=case_no)
    return found
