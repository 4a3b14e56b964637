# SPDX-License-Identifier: GPL-2.0-or-later
"""A shift built through the real push path, for the shift review's tests and bench."""

from __future__ import annotations

import hashlib
import uuid as uuidlib
from datetime import timedelta

import centre_fixture as cf

from citygrid import crs, times
from citygrid.loop import workflow
from citygrid.store import db
from citygrid.sync import batch_file
from citygrid.sync import push as sync_push

START = times.now() - timedelta(hours=3)  # the shift's cases reach `checking` then
OBSERVED = (times.now() - timedelta(minutes=30)).isoformat()
DUE_BEFORE = times.to_db(times.now() - timedelta(hours=1))


def photo(conn, store, username: str, tag: str, lonlat=None) -> str:
    """A photo sent by `username`, as the upload path records it (with its GPS position or none)."""
    data = _jpeg(tag)
    sha = store.put_bytes(data)
    meta = {"lon": lonlat[0], "lat": lonlat[1]} if lonlat else {}
    batch_file._record_photo(conn, sha, len(data), meta, username)
    return sha


def _jpeg(tag: str) -> bytes:
    """A small real JPEG of a colour of its own (thumbnails show it), distinct per tag."""
    import io

    from PIL import Image

    digest = hashlib.sha256(tag.encode()).digest()
    out = io.BytesIO()
    Image.new("RGB", (64, 48), tuple(digest[:3])).save(out, "JPEG", quality=90)
    return out.getvalue()


def case_lonlat(conn, case_no: str) -> tuple[float, float]:
    from citygrid.store import gpkg
    x, y = gpkg.decode(workflow.case_row(conn, case_no)["geom"])[1]
    return crs.to_lonlat(x, y, 4549)


def check(task_id: str, outcome="pass", photos=(), observed=OBSERVED) -> dict:
    payload = {"task_id": task_id, "outcome": outcome, "observed_at": observed}
    if outcome == "fail":
        payload["reason"] = "垃圾仍在"
    return {"uuid": str(uuidlib.uuid4()), "type": "check", "photos": list(photos), "payload": payload}


def report(lonlat, photos=()) -> dict:
    return {"uuid": str(uuidlib.uuid4()), "type": "report", "photos": list(photos), "payload": {
        "kind": "event", "class_code": "0102", "description": "暴露垃圾", "observed_at": OBSERVED,
        "location": {"lon": lonlat[0], "lat": lonlat[1], "accuracy_m": 3}}}


def push(conn, store, items, username="collector01", device="dev-1", batch_id=None) -> list[dict]:
    batch = {"batch_id": batch_id or str(uuidlib.uuid4()), "device_id": device, "items": items}
    return sync_push.push(conn, cf.actor(conn, username), device, batch, store=store)["receipts"]


def build(conn, store) -> dict:
    """passed, failed, late, reassigned, no-GPS and far checks, and a report repeating an open case."""
    cases = {k: cf.case_at(conn, "checking", dx=dx, at=START) for k, dx in
             (("passed", 10), ("failed", 20), ("late", 30), ("reassigned", 40), ("no_gps", 60), ("far", 70))}
    tasks = {k: cf.open_task(conn, no, "check")["id"] for k, no in cases.items()}
    with db.transaction(conn):  # the late check's task was due before the collector made it
        conn.execute("UPDATE tasks SET due_at = ? WHERE id = ?", (DUE_BEFORE, tasks["late"]))
    workflow.reassign(conn, tasks["reassigned"], "collector02", cf.actor(conn, "operator"))
    open_case = cf.case_at(conn, "reported", dx=90, dy=90, at=START)
    near = case_lonlat(conn, cases["passed"])
    far = (near[0] + 0.01, near[1])
    shots = {"passed": photo(conn, store, "collector01", "passed", near),
             "no_gps": photo(conn, store, "collector01", "no gps"),
             "far": photo(conn, store, "collector01", "far", far),
             "report": photo(conn, store, "collector01", "report", case_lonlat(conn, open_case))}
    items = {"passed": check(tasks["passed"], photos=[shots["passed"]]),
             "failed": check(tasks["failed"], "fail", photos=[shots["passed"]]),
             "late": check(tasks["late"], photos=[shots["passed"]]),
             "reassigned": check(tasks["reassigned"], photos=[shots["passed"]]),
             "no_gps": check(tasks["no_gps"], photos=[shots["no_gps"]]),
             "far": check(tasks["far"], photos=[shots["far"]]),
             "duplicate": report(case_lonlat(conn, open_case), photos=[shots["report"]])}
    receipts = push(conn, store, list(items.values()))
    return {"cases": cases, "tasks": tasks, "items": items, "receipts": receipts, "open_case": open_case,
            "photos": shots}


def window() -> tuple:
    now = times.now()
    return now - timedelta(hours=1), now + timedelta(hours=1)
