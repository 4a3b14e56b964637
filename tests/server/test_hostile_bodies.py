# SPDX-License-Identifier: GPL-2.0-or-later
"""Hostile bodies: every body is capped before anything parses it, read only after the token was
checked, and nested JSON is refused with a coded 400 instead of a RecursionError."""

import asyncio
import base64
import hashlib
import os
import select
import socket

import httpx
import pytest
from live import LiveServer

from citygrid.problems import Problem
from citygrid.store import db
from citygrid.sync import open311
from citygrid_server.app import create_app
from citygrid_server.bodies import BodyLimit, nesting_exceeds, parse_json
from citygrid_server.centre import ServiceConfig

KEY = "hostile-key"
SMALL = ServiceConfig().max_body_bytes
UUID = "12345678-1234-1234-1234-123456789abc"


@pytest.fixture
def keyed(centre_path):
    c = db.open_centre(centre_path)
    open311.add_key(c, "hotline", KEY)
    c.close()
    return centre_path


def _too_large(r):
    assert r.status_code == 413, r.text
    assert r.json()["error"]["code"] == "request.too_large"


def _nested(depth: int) -> bytes:
    return b'{"a": ' * depth + b"1" + b"}" * depth


# --- the cap, up front by Content-Length ---------------------------------------------------------

def test_an_oversize_login_body_is_refused_with_413_before_it_is_parsed(client):
    body = b'{"username": "' + b"a" * SMALL + b'", "password": "x", "device_id": "d"}'
    _too_large(client.post("/api/v1/auth/login", content=body, headers={"Content-Type": "application/json"}))


def test_an_oversize_open311_body_is_refused_in_georeport_form(client, keyed):
    r = client.post("/open311/v2/requests.json", json={"api_key": KEY, "description": "x" * SMALL})
    assert r.status_code == 413 and r.json()[0]["code"] == 413
    r = client.post("/open311/v2/requests.json", data={"api_key": KEY, "description": "x" * SMALL})
    assert r.status_code == 413 and r.json()[0]["code"] == 413


def test_a_get_with_an_oversize_body_is_refused_too(client):
    _too_large(client.request("GET", "/api/v1/health", content=b"x" * (SMALL + 1)))


def test_a_push_is_capped_at_max_json_bytes_not_at_the_small_cap(client, login):
    pad = "x" * (SMALL * 2)
    r = client.post("/api/v1/sync/push", json={"batch_id": "b-big", "device_id": "dev-1", "items": [], "pad": pad},
                    headers=login("collector01"))
    assert r.status_code == 200, r.text


def test_a_tus_body_longer_than_the_largest_photo_is_refused_up_front(centre_path):
    from fastapi.testclient import TestClient

    with TestClient(create_app(centre_path, ServiceConfig(max_upload_bytes=1000))) as client:
        r = client.patch(f"/api/v1/uploads/{'a' * 32}", content=b"x" * 1001, headers={
            "Tus-Resumable": "1.0.0", "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"})
    _too_large(r)


def test_a_patch_longer_than_the_upload_is_cut_and_nothing_past_its_length_is_kept(client, login):
    h = {**login("collector01"), "Tus-Resumable": "1.0.0"}
    data = b"\xff\xd8\xff" + b"j" * 7
    meta = ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in
                    {"sha256": hashlib.sha256(data).hexdigest(), "content_type": "image/jpeg"}.items())
    r = client.post("/api/v1/uploads/", headers={**h, "Upload-Length": str(len(data)), "Upload-Metadata": meta})
    where = r.headers["Location"]
    r = client.patch(where, content=data + b"more than announced", headers={
        **h, "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "upload.exceeds_length"
    assert int(client.head(where, headers=h).headers["Upload-Offset"]) <= len(data)


# --- the cap while a chunked body streams --------------------------------------------------------

async def _asgi(app, scope_extra: dict, chunks: list[bytes]):
    """Drive `app` directly: -> (status, headers, body, number of chunks it pulled)."""
    pulled, sent = [0], []

    async def receive():
        if pulled[0] < len(chunks):
            pulled[0] += 1
            return {"type": "http.request", "body": chunks[pulled[0] - 1], "more_body": pulled[0] < len(chunks)}
        return {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/x", "headers": [], **scope_extra}
    await app(scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    return start["status"], dict(start["headers"]), b"".join(m.get("body", b"") for m in sent[1:]), pulled[0]


def test_a_chunked_body_is_cut_as_soon_as_it_passes_the_cap():
    async def reads_everything(scope, receive, send):
        while (await receive()).get("more_body"):
            pass
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    app = BodyLimit(reads_everything, cap=lambda path: 10)
    status, headers, body, pulled = asyncio.run(_asgi(app, {}, [b"x" * 4] * 100))
    assert status == 413 and b"request.too_large" in body and headers[b"connection"] == b"close"
    assert pulled == 3  # 12 bytes > 10: not one chunk more


def test_the_apps_own_answer_to_a_cut_body_is_replaced_by_the_413():
    async def turns_errors_into_400(scope, receive, send):
        try:
            await receive()
        except Exception:
            await send({"type": "http.response.start", "status": 400, "headers": []})
            await send({"type": "http.response.body", "body": b"bad body"})

    app = BodyLimit(turns_errors_into_400, cap=lambda path: 10)
    status, _h, body, _n = asyncio.run(_asgi(app, {"path": "/open311/v2/requests.json"}, [b"x" * 20]))
    assert status == 413 and b'"code":413' in body


def test_an_app_that_swallows_the_cut_still_reads_no_further():
    async def keeps_reading(scope, receive, send):
        for _ in range(50):
            try:
                await receive()
            except Exception:
                pass
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    app = BodyLimit(keeps_reading, cap=lambda path: 10)
    status, _h, _b, pulled = asyncio.run(_asgi(app, {}, [b"x" * 4] * 100))
    assert status == 413 and pulled == 3


async def _post_streamed(app, path, headers, total_chunks=200):
    """POST a chunked body through httpx's ASGI transport; -> (response, chunks the app pulled)."""
    pulled = [0]

    async def body():
        for _ in range(total_chunks):
            pulled[0] += 1
            yield b"x" * 1024

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        r = await client.post(path, content=body(), headers=headers)
    return r, pulled[0]


@pytest.mark.parametrize("path", ["/api/v1/auth/login", "/open311/v2/requests.json", f"/api/v1/items/{UUID}/resolve"])
def test_a_chunked_oversize_body_is_cut_while_it_streams(centre_path, path):
    r, pulled = asyncio.run(_post_streamed(create_app(centre_path), path, {"Content-Type": "application/json"}))
    assert r.status_code in (401, 413), r.text
    assert pulled <= SMALL // 1024 + 2


# --- authenticate before reading -----------------------------------------------------------------

@pytest.mark.parametrize("path", [f"/api/v1/items/{UUID}/resolve", "/api/v1/sync/push"])
def test_an_anonymous_body_is_never_read(centre_path, path):
    r, pulled = asyncio.run(_post_streamed(create_app(centre_path), path, {"Content-Type": "application/json"}, 60))
    assert r.status_code == 401 and r.json()["error"]["code"] == "auth.required"
    assert pulled <= 1  # httpx hands over the first chunk with the headers; the app asks for none


def test_a_forbidden_callers_resolution_is_never_read(centre_path, client, login):
    headers = {**login("collector01"), "Content-Type": "application/json"}
    r, pulled = asyncio.run(_post_streamed(create_app(centre_path), f"/api/v1/items/{UUID}/resolve", headers, 60))
    assert r.status_code == 403 and pulled <= 1


def test_a_resolution_is_still_validated_after_the_token(client, login):
    sup = login("supervisor", "desk")
    r = client.post(f"/api/v1/items/{UUID}/resolve", json={"resolution": ""}, headers=sup)
    assert r.status_code == 422 and r.json()["error"]["code"] == "request.invalid"
    assert "resolution" in r.json()["error"]["message"]
    r = client.post(f"/api/v1/items/{UUID}/resolve", json={"resolution": "checked on site"}, headers=sup)
    assert r.status_code == 404 and r.json()["error"]["code"] == "item.not_found"


# --- nesting ---------------------------------------------------------------------------------------

def test_deeply_nested_json_to_push_is_a_coded_400_not_a_500(client, login):
    h = {**login("collector01"), "Content-Type": "application/json"}
    r = client.post("/api/v1/sync/push", content=b"[" * 100_000 + b"]" * 100_000, headers=h)
    assert r.status_code == 400 and r.json()["error"]["code"] == "request.too_deep"
    item = b'{"uuid": "' + UUID.encode() + b'", "type": "check", "payload": ' + _nested(40) + b"}"
    body = b'{"batch_id": "b-deep", "device_id": "dev-1", "items": [' + item + b"]}"
    r = client.post("/api/v1/sync/push", content=body, headers=h)
    assert r.status_code == 400 and r.json()["error"]["code"] == "request.too_deep"


def test_deeply_nested_json_to_open311_is_a_georeport_400(client, keyed):
    body = b'{"api_key": "' + KEY.encode() + b'", "description": ' + b"[" * 20_000 + b"]" * 20_000 + b"}"
    r = client.post("/open311/v2/requests.json", content=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and r.json()[0]["code"] == 400


def test_deeply_nested_json_to_resolve_is_a_coded_400(client, login):
    r = client.post(f"/api/v1/items/{UUID}/resolve", content=_nested(5000),
                    headers={**login("supervisor", "desk"), "Content-Type": "application/json"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "request.too_deep"


def test_open311_fields_must_be_flat_values(client, keyed):
    r = client.post("/open311/v2/requests.json", json={"api_key": KEY, "service_code": ["event-0102"],
                                                       "lat": 31.2, "long": 120.0})
    assert r.status_code == 400 and r.json()[0]["code"] == 400


@pytest.mark.parametrize("depth", [1, 31, 32])
def test_nesting_up_to_the_limit_is_parsed(depth):
    assert not nesting_exceeds(_nested(depth), 32)
    assert parse_json(_nested(depth))["a"] is not None


@pytest.mark.parametrize("text", [_nested(33), b"[" * 33 + b"]" * 33, b'[{"a": [' * 11 + b"]}]" * 11,
                                  b"[" * 100_000 + b"]" * 100_000])
def test_nesting_past_the_limit_is_refused(text):
    assert nesting_exceeds(text, 32)
    with pytest.raises(Problem) as exc:
        parse_json(text)
    assert exc.value.code == "request.too_deep"


def test_unclosed_nesting_is_a_coded_refusal_too():
    with pytest.raises(Problem) as exc:
        parse_json(b"[" * 100_000)
    assert exc.value.code in ("request.too_deep", "request.bad_json")


@pytest.mark.parametrize("text", [
    b'{"a": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}', b'["\\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["]',
    b'"' + b'\\"' * 100_000, b"[]" * 100_000, b"[}" * 40])
def test_brackets_in_strings_escapes_and_malformed_text_are_not_nesting(text):
    assert not nesting_exceeds(text, 32)


@pytest.mark.parametrize("text", [b"NaN", b'{"lat": Infinity}', b"[-Infinity]"])
def test_nan_and_infinity_are_not_json(text):
    with pytest.raises(Problem) as exc:
        parse_json(text)
    assert exc.value.code == "request.bad_json"


# --- a real server ---------------------------------------------------------------------------------

def _peak_mb(pid: int) -> float:
    status = open(f"/proc/{pid}/status").read()
    return int(status.split("VmHWM:")[1].split()[0]) / 1024


def _send_chunked(port: int, path: str, megabytes: int) -> bytes:
    """A chunked POST of `megabytes` MB, stopping as soon as the server answers; -> the status line."""
    with socket.create_connection(("127.0.0.1", port), timeout=60) as s:
        s.sendall(f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  "Transfer-Encoding: chunked\r\n\r\n".encode())
        chunk = b"100000\r\n" + b"a" * 0x100000 + b"\r\n"
        try:
            for _ in range(megabytes):
                if select.select([s], [], [], 0)[0]:
                    break
                s.sendall(chunk)
            else:
                s.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass
        return s.makefile("rb").readline()


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="reads VmHWM from /proc")
def test_a_real_server_cuts_a_100_mb_chunked_login_and_stays_small(centre_path):
    server = LiveServer(centre_path).start()
    try:
        httpx.post(f"{server.url}/api/v1/auth/login", json={"username": "nobody", "password": "x",
                                                             "device_id": "d"})  # warm
        before = _peak_mb(server.proc.pid)
        status = _send_chunked(server.port, "/api/v1/auth/login", 100)
        grown = _peak_mb(server.proc.pid) - before
    finally:
        server.stop()
    assert status.split()[1] == b"413"
    assert grown < 30, f"the server grew by {grown:.0f} MB"


@pytest.mark.parametrize("body", [b"[" * 20_000 + b"]" * 20_000, b'{"username": "a", ', b"\xff\xfe"])
def test_a_login_body_that_is_not_json_is_a_coded_4xx(client, body):
    r = client.post("/api/v1/auth/login", content=body, headers={"Content-Type": "application/json"})
    assert (r.status_code, r.json()["error"]["code"]) in ((400, "request.bad_json"), (422, "request.invalid"))
