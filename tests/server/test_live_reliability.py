# SPDX-License-Identifier: GPL-2.0-or-later
"""Against a real uvicorn on loopback: SIGKILL mid-push, cut uploads, a second writer on the file."""

import base64
import hashlib
import io
import os
import random
import signal
import threading
import time
import uuid

import centre_fixture as cf
import httpx
import pytest
from live import LiveServer
from PIL import Image

from citygrid.loop import workflow
from citygrid.store import db

ROUNDS = int(os.environ.get("CITYGRID_KILL_ROUNDS", "6"))


def _photo(padding: bytes) -> bytes:
    """A real (tiny) JPEG followed by `padding`, which decoders ignore: the server reads photo headers."""
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (90, 120, 150)).save(buf, "JPEG")
    return buf.getvalue() + padding


@pytest.fixture
def live(centre_path):
    server = LiveServer(centre_path).start()
    yield server
    server.stop()


def _login(url, user="collector01", device="dev-1"):
    r = httpx.post(f"{url}/api/v1/auth/login", json={"username": user, "password": cf.PASSWORD, "device_id": device})
    r.raise_for_status()
    return {"Authorization": f"Bearer {r.json()['token']}"}


def _checking_cases(path, n):
    c = db.open_centre(path)
    out = []
    for i in range(n):
        case_no = cf.case_at(c, "checking", dx=2 + (i * 7) % 96, dy=2 + (i * 13) % 96)
        out.append((case_no, cf.open_task(c, case_no, "check")["id"]))
    c.close()
    return out


def _batch(tasks):
    return {"batch_id": str(uuid.uuid4()), "device_id": "dev-1", "items": [
        {"uuid": str(uuid.uuid4()), "type": "check", "payload": {
            "task_id": t, "outcome": "pass", "observed_at": "2026-11-23T10:00:00+08:00",
            "location": {"lon": 120.0, "lat": 31.26, "accuracy_m": 5}}, "photos": []} for _c, t in tasks]}


def test_sigkill_during_a_large_push_never_double_applies_or_loses_an_item(centre_path):
    rnd = random.Random(7)
    per_round = 40
    tasks = _checking_cases(centre_path, per_round * ROUNDS)
    server = LiveServer(centre_path).start()
    headers = _login(server.url)
    batches = [_batch(tasks[i:i + per_round]) for i in range(0, len(tasks), per_round)]
    interrupted = 0  # rounds where the kill landed mid-apply: some items in, some not
    try:
        for batch in batches:
            timer = threading.Timer(rnd.uniform(0.03, 0.15), server.kill)
            timer.start()
            try:
                httpx.post(f"{server.url}/api/v1/sync/push", json=batch, headers=headers, timeout=30)
            except httpx.TransportError:
                pass  # killed mid-request: the device keeps the batch and pushes again
            timer.join()
            server.kill()
            server.start()
            r = httpx.post(f"{server.url}/api/v1/sync/push", json=batch, headers=headers, timeout=30)
            assert r.status_code == 200, r.text
            receipts = r.json()["receipts"]
            assert [x["uuid"] for x in receipts] == [i["uuid"] for i in batch["items"]]
            statuses = {x["status"] for x in receipts}
            assert statuses <= {"accepted", "duplicate"}
            interrupted += statuses == {"accepted", "duplicate"}
    finally:
        server.stop()
    assert interrupted >= 1, "no kill landed while the push was being applied"
    c = db.open_centre(centre_path)
    for case_no, _task_id in tasks:
        passes = [e for e in workflow.events(c, case_no) if e["action"] == "check_pass"]
        assert len(passes) == 1, case_no
        assert workflow.case_row(c, case_no)["status"] == "check_passed"
    (items,) = c.execute("SELECT count(*) FROM sync_items WHERE status = 'accepted'").fetchone()
    assert items == len(tasks)
    orphans = c.execute("SELECT count(*) FROM case_events e LEFT JOIN sync_items i ON i.case_no = e.case_no "
                        "WHERE e.action = 'check_pass' AND i.uuid IS NULL").fetchone()[0]
    assert orphans == 0
    c.close()


def _tus_create(url, headers, data):
    sha = hashlib.sha256(data).hexdigest()
    meta = ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in
                    {"sha256": sha, "filename": "p.jpg", "content_type": "image/jpeg"}.items())
    r = httpx.post(f"{url}/api/v1/uploads/", headers={**headers, "Tus-Resumable": "1.0.0",
                                                      "Upload-Length": str(len(data)), "Upload-Metadata": meta})
    assert r.status_code == 201
    return url + r.headers["Location"], sha


def test_an_upload_cut_at_random_offsets_resumes_and_the_hash_matches(live):
    rnd = random.Random(11)
    headers = _login(live.url)
    data = _photo(rnd.randbytes(1_500_000))
    loc, sha = _tus_create(live.url, headers, data)
    tus = {**headers, "Tus-Resumable": "1.0.0"}
    for _ in range(4):  # each attempt sends a random slice and then the "connection" drops
        offset = int(httpx.head(loc, headers=tus).headers["Upload-Offset"])
        end = min(len(data), offset + rnd.randint(1, 400_000))
        r = httpx.patch(loc, content=data[offset:end], headers={
            **tus, "Upload-Offset": str(offset), "Content-Type": "application/offset+octet-stream"})
        assert r.status_code == 204 and int(r.headers["Upload-Offset"]) == end
    offset = int(httpx.head(loc, headers=tus).headers["Upload-Offset"])
    chunk = data[offset:]
    r = httpx.patch(loc, content=chunk, headers={
        **tus, "Upload-Offset": str(offset), "Content-Type": "application/offset+octet-stream",
        "Upload-Checksum": "sha256 " + base64.b64encode(hashlib.sha256(chunk).digest()).decode()})
    assert r.status_code == 204
    got = httpx.get(f"{live.url}/api/v1/blobs/{sha}", headers=headers)
    assert got.status_code == 200 and hashlib.sha256(got.content).hexdigest() == sha


def test_a_server_killed_during_an_upload_resumes_from_its_acknowledged_offset(centre_path):
    server = LiveServer(centre_path).start()
    try:
        headers = _login(server.url)
        data = _photo(random.Random(3).randbytes(1_200_000))
        loc, sha = _tus_create(server.url, headers, data)
        tus = {**headers, "Tus-Resumable": "1.0.0"}
        r = httpx.patch(loc, content=data[:600_000], headers={
            **tus, "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"})
        assert r.status_code == 204
        server.kill()
        server.start()
        offset = int(httpx.head(loc, headers=tus).headers["Upload-Offset"])
        assert offset == 600_000
        r = httpx.patch(loc, content=data[offset:], headers={
            **tus, "Upload-Offset": str(offset), "Content-Type": "application/offset+octet-stream"})
        assert r.status_code == 204
        assert httpx.head(f"{server.url}/api/v1/blobs/{sha}", headers=headers).status_code == 200
    finally:
        server.stop()


def test_a_corrupted_byte_is_refused_by_the_live_server(live):
    headers = _login(live.url)
    data = _photo(random.Random(5).randbytes(100_000))
    loc, sha = _tus_create(live.url, headers, data)
    bad = bytearray(data)
    bad[5000] ^= 1
    r = httpx.patch(loc, content=bytes(bad), headers={
        **headers, "Tus-Resumable": "1.0.0", "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"})
    assert r.status_code == 460 and r.json()["error"]["code"] == "upload.hash_mismatch"
    assert httpx.head(f"{live.url}/api/v1/blobs/{sha}", headers=headers).status_code == 404


def test_the_server_and_a_second_writer_share_the_geopackage_without_lock_errors(centre_path):
    tasks = _checking_cases(centre_path, 30)
    server = LiveServer(centre_path).start()
    stop = threading.Event()
    errors = []

    def qgis_like_writer():
        c = db.open_centre(centre_path)
        i = 0
        while not stop.is_set():
            try:
                with db.transaction(c):
                    c.execute("UPDATE components SET Note = ? WHERE ObjID = '3205080101000001'", (f"edit {i}",))
                i += 1
            except Exception as exc:  # any lock error is a failure of the design
                errors.append(repr(exc))
        c.close()

    writer = threading.Thread(target=qgis_like_writer)
    writer.start()
    try:
        headers = _login(server.url)
        for i in range(0, 30, 10):
            r = httpx.post(f"{server.url}/api/v1/sync/push", json=_batch(tasks[i:i + 10]), headers=headers, timeout=60)
            assert r.status_code == 200, r.text
            assert all(x["status"] == "accepted" for x in r.json()["receipts"])
    finally:
        stop.set()
        writer.join()
        server.stop()
    assert errors == []


def test_sigterm_lets_an_in_flight_push_finish(centre_path):
    tasks = _checking_cases(centre_path, 40)
    server = LiveServer(centre_path).start()
    headers = _login(server.url)
    batch = _batch(tasks)
    result = {}

    def push():
        try:
            result["r"] = httpx.post(f"{server.url}/api/v1/sync/push", json=batch, headers=headers, timeout=60)
        except httpx.HTTPError as exc:
            result["r"] = exc

    t = threading.Thread(target=push)
    t.start()
    watch = db.open_centre(centre_path)
    while watch.execute("SELECT count(*) FROM sync_items").fetchone()[0] == 0 and t.is_alive():
        time.sleep(0.002)  # wait until the server is applying the batch
    watch.close()
    server.proc.send_signal(signal.SIGTERM)
    t.join()
    server.proc.wait(30)
    r = result["r"]
    assert not isinstance(r, Exception), repr(r)
    assert r.status_code == 200
    assert [x["status"] for x in r.json()["receipts"]] == ["accepted"] * 40


def test_serve_limits_come_from_the_command_line(centre_path):
    server = LiveServer(centre_path, extra=["--max-photo-mb", "0.5", "--max-photo-mp", "1"]).start()
    try:
        headers = _login(server.url)
        buf = io.BytesIO()
        Image.new("L", (1500, 1000), 128).save(buf, "JPEG")  # 1.5 MP, a few kB
        loc, _sha = _tus_create(server.url, headers, buf.getvalue())
        r = httpx.patch(loc, content=buf.getvalue(), headers={
            **headers, "Tus-Resumable": "1.0.0", "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"})
        assert r.status_code == 413 and r.json()["error"]["code"] == "upload.too_many_pixels"
        data = b"\xff\xd8\xff\xe0" + random.Random(9).randbytes(600_000)
        sha = hashlib.sha256(data).hexdigest()
        meta = f"sha256 {base64.b64encode(sha.encode()).decode()},content_type {base64.b64encode(b'image/jpeg').decode()}"
        r = httpx.post(f"{server.url}/api/v1/uploads/", headers={**headers, "Tus-Resumable": "1.0.0",
                                                                 "Upload-Length": str(len(data)), "Upload-Metadata": meta})
        assert r.status_code == 413 and r.json()["error"]["details"]["max_size"] == 524288
    finally:
        server.stop()
