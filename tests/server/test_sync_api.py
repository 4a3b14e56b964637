# SPDX-License-Identifier: GPL-2.0-or-later
"""Pull and push over HTTP: scope, tombstones, receipts, photos, conflicts, duplicates."""

import base64
import hashlib
import io
import uuid

import centre_fixture as cf
import pytest
from PIL import Image

from citygrid.loop import workflow
from citygrid.store import db


@pytest.fixture
def cx(centre_path):
    c = db.open_centre(centre_path)
    yield c
    c.close()


def jpeg_bytes(seed=0) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (seed * 40 % 255, 120, 200)).save(buf, "JPEG")
    return buf.getvalue()


def upload(client, headers, data: bytes) -> str:
    sha = hashlib.sha256(data).hexdigest()
    meta = ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in
                    {"sha256": sha, "filename": "fix.jpg", "content_type": "image/jpeg"}.items())
    tus = {**headers, "Tus-Resumable": "1.0.0"}
    r = client.post("/api/v1/uploads/", headers={**tus, "Upload-Length": str(len(data)), "Upload-Metadata": meta})
    assert r.status_code == 201, r.text
    if r.headers["Upload-Offset"] != str(len(data)):
        r = client.patch(r.headers["Location"], content=data, headers={
            **tus, "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"})
        assert r.status_code == 204, r.text
    return sha


def pull_all(client, headers, cursor=None):
    items = []
    while True:
        params = {"limit": 50} | ({"cursor": cursor} if cursor else {})
        body = client.get("/api/v1/sync/pull", params=params, headers=headers).json()
        items += body["items"]
        cursor = body["cursor"]
        if not body["has_more"]:
            return items, cursor


def check_item(task_id, outcome="pass", photos=(), reason=None):
    payload = {"task_id": task_id, "outcome": outcome, "observed_at": "2026-11-23T06:00:00+08:00",
               "location": {"lon": 120.0005, "lat": 31.2601, "accuracy_m": 4.5}}
    if reason:
        payload["reason"] = reason
    return {"uuid": str(uuid.uuid4()), "type": "check", "created_at": "2026-11-23T06:00:01+08:00",
            "payload": payload, "photos": list(photos)}


def push(client, headers, items, device="dev-1"):
    r = client.post("/api/v1/sync/push", json={"batch_id": str(uuid.uuid4()), "device_id": device, "items": items},
                    headers=headers)
    assert r.status_code == 200, r.text
    return r.json()["receipts"]


def test_a_collector_pulls_only_their_tasks_and_what_those_need(client, login, cx):
    mine = cf.case_at(cx, "checking")
    theirs = cf.case_at(cx, "checking", grid="320508001002001")
    items, _ = pull_all(client, login("collector01"))
    by_type = {}
    for it in items:
        by_type.setdefault(it["type"], set()).add(it["id"])
    task = cf.open_task(cx, mine, "check")
    assert by_type["task"] == {task["id"]}
    assert by_type["case"] == {mine}
    assert theirs not in by_type["case"]
    assert by_type["grid"] == {"320508001001001", "320508001001002"}  # own grids, not collector02's
    assert by_type["component"] == {"3205080101000001"}
    assert {"class", "condition", "unit"} <= set(by_type)
    t = next(it for it in items if it["type"] == "task")
    assert t["data"]["kind"] == "check" and t["data"]["case_no"] == mine and t["data"]["due_at"]
    case = next(it for it in items if it["type"] == "case")
    assert case["data"]["close_standard"] and 119.9 < case["data"]["lon"] < 120.1


def test_a_second_pull_with_the_cursor_brings_only_new_changes(client, login, cx):
    cf.case_at(cx, "checking")
    h = login("collector01")
    _, cursor = pull_all(client, h)
    items, cursor2 = pull_all(client, h, cursor)
    assert items == []
    second = cf.case_at(cx, "checking", dx=70)
    items, _ = pull_all(client, h, cursor2)
    assert {it["id"] for it in items if it["type"] == "case"} == {second}


def test_a_reassigned_task_is_tombstoned_on_the_old_device_only(client, login, cx):
    case_no = cf.case_at(cx, "checking")
    task = cf.open_task(cx, case_no, "check")
    h1, h2 = login("collector01", "dev-a"), login("collector02", "dev-b")
    _, c1 = pull_all(client, h1)
    _, c2 = pull_all(client, h2)
    workflow.reassign(cx, task["id"], "collector02", cf.actor(cx, "operator"))
    items1, _ = pull_all(client, h1, c1)
    assert {(it["type"], it["id"], it["deleted"]) for it in items1} >= {("task", task["id"], True),
                                                                        ("case", case_no, True)}
    items2, _ = pull_all(client, h2, c2)
    assert ("task", task["id"], False) in {(it["type"], it["id"], it["deleted"]) for it in items2}
    assert case_no in {it["id"] for it in items2 if it["type"] == "case" and not it["deleted"]}


def test_a_lost_pull_page_is_sent_again_with_the_old_cursor(client, login, cx):
    case_no = cf.case_at(cx, "checking")
    task = cf.open_task(cx, case_no, "check")
    h = login("collector01")
    _, cursor = pull_all(client, h)
    workflow.reassign(cx, task["id"], "collector02", cf.actor(cx, "operator"))
    first, _ = pull_all(client, h, cursor)   # the device never receives this answer...
    again, _ = pull_all(client, h, cursor)   # ...and asks again with its old cursor
    assert ("task", task["id"], True) in {(i["type"], i["id"], i["deleted"]) for i in again}


def test_pages_never_skip_a_change(client, login, cx):
    for i in range(12):
        cf.case_at(cx, "checking", dx=5 + i * 7)
    h = login("collector01")
    cursor, seen = None, []
    while True:
        body = client.get("/api/v1/sync/pull", params={"limit": 5} | ({"cursor": cursor} if cursor else {}),
                          headers=h).json()
        seen += [(i["type"], i["id"]) for i in body["items"]]
        cursor = body["cursor"]
        if not body["has_more"]:
            break
    assert len({s for s in seen if s[0] == "task"}) == 12
    assert len({s for s in seen if s[0] == "case"}) == 12


def test_a_cursor_from_the_future_is_a_clear_409_and_garbage_a_422(client, login):
    h = login("collector01")
    r = client.get("/api/v1/sync/pull", params={"cursor": "r99999999"}, headers=h)
    assert r.status_code == 409 and r.json()["error"]["code"] == "sync.bad_cursor"
    r = client.get("/api/v1/sync/pull", params={"cursor": "'; DROP TABLE cases; --"}, headers=h)
    assert r.status_code == 422 and r.json()["error"]["code"] == "request.invalid"


def test_a_check_with_its_photo_closes_the_loop_and_repeats_are_duplicates(client, login, cx):
    case_no = cf.case_at(cx, "checking")
    task = cf.open_task(cx, case_no, "check")
    h = login("collector01")
    sha = upload(client, h, jpeg_bytes(1))
    item = check_item(task["id"], photos=[sha])
    (r,) = push(client, h, [item])
    assert r["status"] == "accepted" and r["case_no"] == case_no
    assert workflow.case_row(cx, case_no)["status"] == "check_passed"
    ev = workflow.events(cx, case_no)[-1]
    assert ev["action"] == "check_pass" and sha in ev["photos"]
    (again,) = push(client, h, [item])
    assert again["status"] == "duplicate"
    assert len([e for e in workflow.events(cx, case_no) if e["action"] == "check_pass"]) == 1
    assert client.get(f"/api/v1/blobs/{sha}", headers=h).content == jpeg_bytes(1)


def test_a_check_whose_photo_is_not_uploaded_waits_and_is_not_applied(client, login, cx):
    case_no = cf.case_at(cx, "checking")
    task = cf.open_task(cx, case_no, "check")
    h = login("collector01")
    data = jpeg_bytes(2)
    sha = hashlib.sha256(data).hexdigest()
    item = check_item(task["id"], photos=[sha])
    (r,) = push(client, h, [item])
    assert r["status"] == "photos_missing" and r["missing"] == [sha]
    assert workflow.case_row(cx, case_no)["status"] == "checking"
    upload(client, h, data)
    (r,) = push(client, h, [item])
    assert r["status"] == "accepted"


def test_a_check_for_a_reassigned_task_is_kept_and_flagged(client, login, cx):
    case_no = cf.case_at(cx, "checking")
    task = cf.open_task(cx, case_no, "check")
    h = login("collector01")
    workflow.reassign(cx, task["id"], "collector02", cf.actor(cx, "operator"))
    (r,) = push(client, h, [check_item(task["id"], "fail", reason="井盖仍破损")])
    assert r["status"] == "conflict" and r["code"] == "task.not_yours"
    kept = [e for e in workflow.events(cx, case_no) if e["action"] == "field_result"]
    assert len(kept) == 1 and kept[0]["note"] == "井盖仍破损"
    row = cx.execute("SELECT status, flagged, case_no FROM sync_items").fetchone()
    assert tuple(row) == ("conflict", 1, case_no)
    assert workflow.case_row(cx, case_no)["status"] == "checking"


def test_a_check_for_a_voided_case_is_kept_and_flagged(client, login, cx):
    case_no = cf.case_at(cx, "checking")
    task = cf.open_task(cx, case_no, "check")
    workflow.act(cx, case_no, "void", cf.actor(cx, "leader"), note="重复案件")
    (r,) = push(client, login("collector01"), [check_item(task["id"])])
    assert r["status"] == "conflict"
    assert workflow.case_row(cx, case_no)["status"] == "voided"


def test_a_malformed_item_is_rejected_and_kept_while_the_rest_apply(client, login, cx):
    case_no = cf.case_at(cx, "checking")
    task = cf.open_task(cx, case_no, "check")
    bad = check_item(task["id"])
    bad["payload"]["outcome"] = "maybe"
    good = check_item(task["id"])
    receipts = push(client, login("collector01"), [bad, good])
    assert [r["status"] for r in receipts] == ["rejected", "accepted"]
    assert receipts[0]["code"] == "sync.bad_item"
    assert cx.execute("SELECT count(*) FROM sync_items").fetchone()[0] == 2


def test_a_verify_result_moves_the_case(client, login, cx):
    case_no = cf.case_at(cx, "reported")
    workflow.act(cx, case_no, "send_verify", cf.actor(cx, "operator"))
    task = cf.open_task(cx, case_no, "verify")
    item = {"uuid": str(uuid.uuid4()), "type": "verify", "payload": {
        "task_id": task["id"], "outcome": "confirmed", "observed_at": "2026-11-23T09:00:00+08:00",
        "location": {"lon": 120.0, "lat": 31.26, "accuracy_m": 5}}, "photos": []}
    (r,) = push(client, login("collector01"), [item])
    assert r["status"] == "accepted"
    assert workflow.case_row(cx, case_no)["status"] == "pending_register"


def test_a_new_report_near_an_open_case_of_its_class_is_flagged_as_a_possible_duplicate(client, login, cx):
    first = cf.case_at(cx, "reported")
    lon, lat = 120.0, 31.26
    from citygrid import crs
    x, y = cf.centre_point("320508001001001")
    lon, lat = crs.to_lonlat(x + 5, y + 5, 4549)
    item = {"uuid": str(uuid.uuid4()), "type": "report", "payload": {
        "kind": "event", "class_code": "0102", "description": "垃圾堆", "observed_at": "2026-11-23T09:00:00+08:00",
        "location": {"lon": lon, "lat": lat, "accuracy_m": 3}}, "photos": []}
    (r,) = push(client, login("collector01"), [item])
    assert r["status"] == "accepted" and r["code"] == "report.possible_duplicate"
    assert workflow.case_row(cx, r["case_no"])["flags"] == f"possible_duplicate:{first}"


def test_a_report_outside_every_grid_is_rejected_but_kept(client, login, cx):
    item = {"uuid": str(uuid.uuid4()), "type": "report", "payload": {
        "kind": "event", "class_code": "0102", "observed_at": "2026-11-23T09:00:00+08:00",
        "location": {"lon": 120.3, "lat": 31.5, "accuracy_m": 3}}, "photos": []}
    (r,) = push(client, login("collector01"), [item])
    assert r["status"] == "rejected" and r["code"] == "geocode.outside_grids"
    assert cx.execute("SELECT status FROM sync_items").fetchone()[0] == "rejected"


def test_a_batch_for_another_device_is_refused(client, login):
    r = client.post("/api/v1/sync/push", json={"batch_id": "b1", "device_id": "someone-else", "items": []},
                    headers=login("collector01", "dev-1"))
    assert r.status_code == 400 and r.json()["error"]["code"] == "sync.device_mismatch"


def test_too_many_items_is_refused(client, login):
    items = [check_item("t") for _ in range(501)]
    r = client.post("/api/v1/sync/push", json={"batch_id": "b1", "device_id": "dev-1", "items": items},
                    headers=login("collector01", "dev-1"))
    assert r.status_code == 400 and r.json()["error"]["code"] == "sync.too_many_items"


def test_thumbnails_are_small_jpegs_for_allowed_users_only(client, login, cx):
    h = login("collector01")
    big = io.BytesIO()
    Image.new("RGB", (1600, 1200), (10, 200, 30)).save(big, "JPEG")
    sha = upload(client, h, big.getvalue())
    r = client.get(f"/api/v1/blobs/{sha}/thumbnail", params={"size": 256}, headers=h)
    assert r.status_code == 200 and r.headers["content-type"] == "image/jpeg"
    assert Image.open(io.BytesIO(r.content)).size == (256, 192)
    assert client.get(f"/api/v1/blobs/{sha}/thumbnail", params={"size": 300}, headers=h).status_code == 400
    other = login("collector02", "dev-2")
    assert client.get(f"/api/v1/blobs/{sha}/thumbnail", headers=other).status_code == 404
    assert client.get(f"/api/v1/blobs/{sha}", headers=login("supervisor", "desk")).status_code == 200


def test_creation_with_upload_sends_the_photo_in_one_request(client, login, cx):
    h = login("collector01")
    data = jpeg_bytes(9)
    sha = hashlib.sha256(data).hexdigest()
    meta = ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in
                    {"sha256": sha, "content_type": "image/jpeg", "taken_at": "2026-11-23T08:00:00+08:00",
                     "lon": "120.0", "lat": "31.26", "accuracy_m": "4"}.items())
    r = client.post("/api/v1/uploads/", content=data, headers={
        **h, "Tus-Resumable": "1.0.0", "Upload-Length": str(len(data)), "Upload-Metadata": meta,
        "Content-Type": "application/offset+octet-stream"})
    assert r.status_code == 201 and r.headers["Upload-Offset"] == str(len(data))
    row = cx.execute("SELECT size, taken_at, lon, lat, accuracy_m, uploaded_by FROM photos WHERE sha256 = ?",
                     (sha,)).fetchone()
    assert tuple(row) == (len(data), "2026-11-23T00:00:00.000Z", 120.0, 31.26, 4.0, "collector01")
    assert "creation-with-upload" in client.options("/api/v1/uploads/").headers["Tus-Extension"]


def test_components_near_a_task_come_along_but_not_the_whole_city(client, login, cx):
    from citygrid.store import gpkg
    x, y = cf.centre_point("320508001002001", 50, 50)   # collector02's grid
    cx.executemany("INSERT INTO components (geom, ObjID, ObjName, BGID) VALUES (?, ?, '路灯', '320508001002001')",
                   [(gpkg.point(x + 10, y, 4549), "3205080118000001"), (gpkg.point(x + 45, y + 45, 4549),
                                                                        "3205080118000002")])
    case_no = cf.case_at(cx, "checking", grid="320508001002001")
    task = cf.open_task(cx, case_no, "check")
    workflow.reassign(cx, task["id"], "collector01", cf.actor(cx, "operator"))
    items, _ = pull_all(client, login("collector01"))
    comps = {it["id"] for it in items if it["type"] == "component"}
    assert "3205080118000001" in comps          # 10 m from the case
    assert "3205080118000002" not in comps      # 64 m away, in a grid that is not the collector's
    assert "3205080101000001" in comps          # the collector's own grid


def test_many_changes_of_one_kind_page_through_without_a_gap(client, login, cx):
    from citygrid.store import gpkg
    x, y = cf.centre_point("320508001001002", 5, 5)
    h = login("collector01")
    _, cursor = pull_all(client, h)
    cx.executemany("INSERT INTO components (geom, ObjID, ObjName, BGID) VALUES (?, ?, '路灯', '320508001001002')",
                   [(gpkg.point(x + i, y, 4549), f"32050801180{i:05d}") for i in range(1, 24)])
    seen = []
    while True:
        body = client.get("/api/v1/sync/pull", params={"limit": 5, "cursor": cursor}, headers=h).json()
        seen += [i["id"] for i in body["items"] if i["type"] == "component"]
        cursor = body["cursor"]
        if not body["has_more"]:
            break
    assert sorted(seen) == [f"32050801180{i:05d}" for i in range(1, 24)]


def test_a_task_cancelled_by_voiding_its_case_is_tombstoned(client, login, cx):
    case_no = cf.case_at(cx, "checking")
    task = cf.open_task(cx, case_no, "check")
    h = login("collector01")
    _, cursor = pull_all(client, h)
    workflow.act(cx, case_no, "void", cf.actor(cx, "leader"), note="重复立案")
    items, _ = pull_all(client, h, cursor)
    gone = {(i["type"], i["id"]) for i in items if i["deleted"]}
    assert ("task", task["id"]) in gone and ("case", case_no) in gone
