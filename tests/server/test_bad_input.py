# SPDX-License-Identifier: GPL-2.0-or-later
"""Hand-written hostile input: each gets a clear 4xx and changes nothing."""

import base64

import pytest

from citygrid.store import db

INJECTIONS = ["' OR 1=1 --", "'; DROP TABLE cases; --", "\" OR \"\"=\"", "1; DELETE FROM users"]


def _count(path, table):
    c = db.open_centre(path)
    n = c.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    c.close()
    return n


def test_an_oversize_push_body_is_refused_before_it_is_read_whole(client, login):
    h = login("collector01")
    body = b'{"batch_id": "b", "device_id": "dev-1", "items": [' + b'"x",' * 1_500_000 + b'"x"]}'
    r = client.post("/api/v1/sync/push", content=body, headers={**h, "Content-Type": "application/json"})
    assert r.status_code == 413 and r.json()["error"]["code"] == "request.too_large"


def test_an_oversize_photo_is_refused_at_creation(client, login):
    h = login("collector01")
    meta = f"sha256 {base64.b64encode(b'a' * 64).decode()},content_type {base64.b64encode(b'image/jpeg').decode()}"
    r = client.post("/api/v1/uploads/", headers={**h, "Tus-Resumable": "1.0.0", "Upload-Length": str(50 * 2**20),
                                                  "Upload-Metadata": meta})
    assert r.status_code == 413 and r.json()["error"]["code"] == "upload.too_large"


def test_a_non_image_type_is_refused(client, login):
    h = login("collector01")
    meta = f"sha256 {base64.b64encode(b'a' * 64).decode()},content_type {base64.b64encode(b'text/html').decode()}"
    r = client.post("/api/v1/uploads/", headers={**h, "Tus-Resumable": "1.0.0", "Upload-Length": "10",
                                                  "Upload-Metadata": meta})
    assert r.status_code == 415


def test_a_tus_request_without_the_protocol_header_is_412(client, login):
    r = client.post("/api/v1/uploads/", headers={**login("collector01"), "Upload-Length": "10"})
    assert r.status_code == 412 and r.headers["Tus-Version"] == "1.0.0"


def test_a_patch_with_the_wrong_content_type_is_415(client, login):
    h = login("collector01")
    r = client.patch(f"/api/v1/uploads/{'a' * 32}", content=b"xx", headers={
        **h, "Tus-Resumable": "1.0.0", "Upload-Offset": "0", "Content-Type": "application/json"})
    assert r.status_code == 415


@pytest.mark.parametrize("text", INJECTIONS)
def test_sql_injection_strings_are_just_data(client, login, centre_path, text):
    users = _count(centre_path, "users")
    r = client.post("/api/v1/auth/login", json={"username": text, "password": text, "device_id": "d"})
    assert r.status_code == 401
    h = login("collector01")
    r = client.post("/api/v1/sync/push", json={"batch_id": "ok-batch", "device_id": "dev-1", "items": [
        {"uuid": "0" * 8 + "-0000-0000-0000-" + "0" * 12, "type": "check",
         "payload": {"task_id": text, "outcome": "pass", "observed_at": "2026-11-23T08:00:00Z"}, "photos": []}]},
        headers=h)
    assert r.status_code == 200 and r.json()["receipts"][0]["status"] == "rejected"
    r = client.get("/open311/v2/requests.json", params={"service_request_id": text})
    assert r.status_code in (200, 400, 404)
    r = client.get("/api/v1/batches", params={"username": text}, headers=login("supervisor", "desk"))
    assert r.status_code == 200 and r.json()["batches"] == []
    assert _count(centre_path, "users") == users and _count(centre_path, "cases") == 0


def test_a_batch_id_with_odd_characters_is_refused(client, login):
    r = client.post("/api/v1/sync/push", json={"batch_id": "../../etc", "device_id": "dev-1", "items": []},
                    headers=login("collector01"))
    assert r.status_code == 400 and r.json()["error"]["code"] == "sync.bad_batch"


def test_items_of_the_wrong_shape_are_rejected_one_by_one(client, login):
    items = [None, 7, {"uuid": "not-a-uuid"}, {"uuid": "12345678-1234-1234-1234-123456789abc", "type": "check",
                                                "payload": "nope"}]
    r = client.post("/api/v1/sync/push", json={"batch_id": "b-shape", "device_id": "dev-1", "items": items},
                    headers=login("collector01"))
    assert r.status_code == 200
    assert [x["status"] for x in r.json()["receipts"]] == ["rejected"] * 4
