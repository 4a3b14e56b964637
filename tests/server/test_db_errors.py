# SPDX-License-Identifier: GPL-2.0-or-later
"""SQLite trouble under a request is a coded 503 with a retry hint, and the connection is not reused."""

import os
import sqlite3
import uuid

import centre_fixture as cf
import pytest
from fastapi.testclient import TestClient

from citygrid import crs
from citygrid.store import db, migrations
from citygrid.sync import pull as sync_pull


@pytest.mark.parametrize("text, code, retry", [("disk I/O error", "db.io_error", "5"),
                                               ("database or disk is full", "db.disk_full", "60"),
                                               ("database is locked", "db.locked", "2")])
def test_sqlite_errors_under_a_request_are_503_with_retry_after(client, login, monkeypatch, text, code, retry):
    headers = login("collector01")
    seen = []

    def failing(cx, *args, **kwargs):
        seen.append(cx)
        raise sqlite3.OperationalError(text)

    monkeypatch.setattr(sync_pull, "pull", failing)
    r = client.get("/api/v1/sync/pull", headers=headers)
    assert r.status_code == 503, r.text
    assert r.json()["error"]["code"] == code
    assert r.headers["Retry-After"] == retry
    assert "/" not in r.text.replace("I/O", "")  # no server path in the answer
    idle = [p.conn for p in client.app.state.centre._idle.queue]
    assert (seen[0] in idle) == (code == "db.locked")  # a connection that met an I/O error is closed


def test_a_request_that_dies_mid_transaction_leaves_a_clean_connection(client, login, monkeypatch):
    headers = login("collector01")
    client = TestClient(client.app, raise_server_exceptions=False)

    def dies(cx, *args, **kwargs):
        cx.execute("BEGIN IMMEDIATE")
        raise RuntimeError("boom")

    monkeypatch.setattr(sync_pull, "pull", dies)
    assert client.get("/api/v1/sync/pull", headers=headers).status_code == 500
    assert not any(p.conn.in_transaction for p in client.app.state.centre._idle.queue)


def _report_batch(n=1):
    x, y = cf.centre_point("320508001001001")
    lon, lat = crs.to_lonlat(x, y, 4549)
    return {"batch_id": str(uuid.uuid4()), "device_id": "dev-1", "items": [
        {"uuid": str(uuid.uuid4()), "type": "report", "photos": [], "payload": {
            "kind": "event", "class_code": "0102", "description": "暴露垃圾", "observed_at": "2026-11-23T10:00:00+08:00",
            "location": {"lon": lon, "lat": lat, "accuracy_m": 5}}} for _ in range(n)]}


def _items(path) -> int:
    c = sqlite3.connect(path)
    try:
        return c.execute("SELECT count(*) FROM sync_items").fetchone()[0]
    finally:
        c.close()


def test_a_centre_file_replaced_under_the_service_is_not_written_through_old_connections(client, login,
                                                                                       centre_path):
    """A file moved over the centre while the service runs (a careless restore): pooled connections
    still hold the old, unlinked file, and their writes would go to a file nobody will read again. The
    service drops them and opens the file the path names now. (The safe restore is SQLite's own
    `.restore`, or stopping the service first: docs/sync-service.md.)"""
    headers = login("collector01")
    assert client.post("/api/v1/sync/push", json=_report_batch(), headers=headers).status_code == 200
    before = {id(p.conn) for p in client.app.state.centre._idle.queue}
    src = sqlite3.connect(centre_path)
    src.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    copy = centre_path.with_name("restored.gpkg")
    dst = sqlite3.connect(copy)
    src.backup(dst)
    src.close()
    dst.execute("DELETE FROM sync_items")
    dst.commit()
    dst.close()
    os.replace(copy, centre_path)
    r = client.post("/api/v1/sync/push", json=_report_batch(3), headers=headers)
    assert r.status_code == 200, r.text
    assert [x["status"] for x in r.json()["receipts"]] == ["accepted"] * 3
    assert {id(p.conn) for p in client.app.state.centre._idle.queue}.isdisjoint(before)
    assert _items(centre_path) == 3


def test_a_centre_upgraded_by_a_newer_citygrid_is_refused_with_a_503_not_written(client, login, centre_path):
    headers = login("collector01")
    assert client.get("/api/v1/sync/pull", headers=headers).status_code == 200
    other = db.open_centre(centre_path)
    with db.transaction(other):
        other.execute("INSERT INTO citygrid_migrations (id, name, applied_at) VALUES (?, 'future', '2027-01-01')",
                      (migrations.latest() + 1,))
        other.execute("CREATE TABLE future_things (x)")
    other.close()
    r = client.post("/api/v1/sync/push", json=_report_batch(), headers=headers)
    assert r.status_code == 503 and r.json()["error"]["code"] == "db.newer_schema"
    assert "Retry-After" in r.headers and str(centre_path.parent) not in r.text
    assert _items(centre_path) == 0


def test_a_removed_centre_file_is_a_503(client, login, centre_path):
    headers = login("collector01")
    centre_path.rename(centre_path.with_name("elsewhere.gpkg"))
    r = client.get("/api/v1/sync/pull", headers=headers)
    assert r.status_code == 503 and r.json()["error"]["code"] == "db.unavailable"
    assert str(centre_path.parent) not in r.text
