# SPDX-License-Identifier: GPL-2.0-or-later
"""Supervisors see each shift's batches with their counts and resolve flagged items."""

import uuid

import centre_fixture as cf
from test_sync_api import check_item

from citygrid.loop import workflow
from citygrid.store import db


def _push(client, headers, items, batch_id):
    r = client.post("/api/v1/sync/push", json={"batch_id": batch_id, "device_id": "dev-1", "items": items},
                    headers=headers)
    assert r.status_code == 200
    return r.json()["receipts"]


def test_a_batch_is_listed_with_counts_and_its_flagged_items(client, login, centre_path):
    cx = db.open_centre(centre_path)
    ok_case, bad_case = cf.case_at(cx, "checking"), cf.case_at(cx, "checking", dx=80)
    ok_task, bad_task = cf.open_task(cx, ok_case, "check"), cf.open_task(cx, bad_case, "check")
    workflow.reassign(cx, bad_task["id"], "collector02", cf.actor(cx, "operator"))
    cx.close()
    h = login("collector01")
    batch_id = str(uuid.uuid4())
    waiting = check_item(ok_task["id"], photos=["a" * 64])
    items = [check_item(ok_task["id"]), check_item(bad_task["id"]), waiting]
    _push(client, h, items, batch_id)
    _push(client, h, items[:1], batch_id)  # a retry of part of the batch
    sup = login("supervisor", "desk-1")
    listed = client.get("/api/v1/batches", headers=sup).json()["batches"]
    (b,) = [x for x in listed if x["batch_id"] == batch_id]
    assert (b["items"], b["accepted"], b["conflict"], b["photos_missing"], b["duplicate"], b["pushes"]) == \
        (3, 1, 1, 1, 1, 2)
    assert b["to_review"] == 1 and b["username"] == "collector01" and b["device_id"] == "dev-1"
    detail = client.get(f"/api/v1/batches/{batch_id}", headers=sup).json()
    flagged = [i for i in detail["items"] if i["flagged"]]
    assert [i["code"] for i in flagged] == ["task.not_yours"]
    assert detail["waiting_for_photos"][0]["missing"] == ["a" * 64]
    r = client.post(f"/api/v1/items/{flagged[0]['uuid']}/resolve", json={"resolution": "转交派遣员"}, headers=sup)
    assert r.status_code == 204
    assert client.post(f"/api/v1/batches/{batch_id}/review", headers=sup).status_code == 204
    b = client.get("/api/v1/batches", params={"unreviewed": True}, headers=sup).json()["batches"]
    assert batch_id not in [x["batch_id"] for x in b]


def test_collectors_cannot_list_batches(client, login):
    r = client.get("/api/v1/batches", headers=login("collector01"))
    assert r.status_code == 403


def test_unknown_batch_is_404(client, login):
    r = client.get("/api/v1/batches/nope", headers=login("supervisor"))
    assert r.status_code == 404 and r.json()["error"]["code"] == "batch.not_found"
