# SPDX-License-Identifier: GPL-2.0-or-later
"""Photos as evidence over tus: bound to who sent the bytes, no decompression bombs, no 500 after a crash.

Crash points are simulated on the app's own UploadStore (a `SystemExit` raised at the line where the
server would die, or the on-disk state built by hand); the device then drives the tus API as it would
after a restart.
"""

import base64
import hashlib
import io
import struct
import uuid
import zlib

import centre_fixture as cf
import pytest
from PIL import Image

from citygrid.store import db
from citygrid.store.blobs import BlobStore
from citygrid_server.uploads import UploadStore

OCTETS = "application/offset+octet-stream"


@pytest.fixture
def cx(centre_path):
    c = db.open_centre(centre_path)
    yield c
    c.close()


@pytest.fixture
def store(client) -> UploadStore:
    return client.app.state.centre.uploads


def jpeg_bytes(seed=0, size=(64, 48)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (seed * 40 % 255, 120, 200)).save(buf, "JPEG")
    return buf.getvalue()


def bomb_png(width: int, height: int, rgb: bool = False) -> bytes:
    """A one-colour PNG, bilevel or RGB: a few kilobytes that Pillow decodes into width*height bytes
    (4x that in RGB). Written row by row, so the test itself never holds the pixels."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    z = zlib.compressobj(9)
    row = bytes(1 + (3 * width if rgb else (width + 7) // 8))  # filter byte 0, then the row, all black
    idat = b"".join(z.compress(row) for _ in range(height)) + z.flush()
    header = struct.pack(">IIBBBBB", width, height, 8 if rgb else 1, 2 if rgb else 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def tus_meta(data: bytes, ctype="image/jpeg") -> str:
    fields = {"sha256": hashlib.sha256(data).hexdigest(), "filename": "p", "content_type": ctype}
    return ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in fields.items())


def create(client, h, data, ctype="image/jpeg", body=False):
    headers = {**h, "Tus-Resumable": "1.0.0", "Upload-Length": str(len(data)), "Upload-Metadata": tus_meta(data, ctype)}
    if body:
        headers["Content-Type"] = OCTETS
    return client.post("/api/v1/uploads/", headers=headers, content=data if body else None)


def patch(client, h, location, data, offset=0):
    return client.patch(location, content=data[offset:], headers={
        **h, "Tus-Resumable": "1.0.0", "Upload-Offset": str(offset), "Content-Type": OCTETS})


def head(client, h, location):
    return client.head(location, headers={**h, "Tus-Resumable": "1.0.0"})


def upload(client, h, data, ctype="image/jpeg") -> str:
    r = create(client, h, data, ctype)
    assert r.status_code == 201, r.text
    if r.headers["Upload-Offset"] != str(len(data)):
        assert patch(client, h, r.headers["Location"], data).status_code == 204
    return hashlib.sha256(data).hexdigest()


def senders(cx, sha):
    return sorted(r[0] for r in cx.execute("SELECT username FROM photo_senders WHERE sha256 = ?", (sha,)))


def upload_id(location: str) -> str:
    return location.rsplit("/", 1)[1]


# --- a photo belongs to the accounts that sent its bytes ------------------------------------------------

def test_knowing_a_hash_does_not_make_another_users_photo_yours(client, login, cx):
    data = jpeg_bytes(1)
    sha = upload(client, login("collector01"), data)
    thief = login("collector02", "dev-2")
    r = create(client, thief, data)
    assert r.status_code == 201 and r.headers["Upload-Offset"] == "0"  # the bytes must be sent
    assert senders(cx, sha) == ["collector01"]
    assert client.get(f"/api/v1/blobs/{sha}", headers=thief).status_code == 404


def test_wrong_bytes_for_a_known_hash_are_refused_and_bind_nothing(client, login, cx):
    sha = upload(client, login("collector01"), jpeg_bytes(1))
    thief = login("collector02", "dev-2")
    loc = create(client, thief, jpeg_bytes(1)).headers["Location"]
    forged = bytearray(jpeg_bytes(1))
    forged[-10] ^= 0xFF
    r = patch(client, thief, loc, bytes(forged))
    assert r.status_code == 460 and r.json()["error"]["code"] == "upload.hash_mismatch"
    assert senders(cx, sha) == ["collector01"]


def test_a_second_sender_of_the_same_bytes_is_bound_and_the_blob_is_not_rewritten(client, login, cx, store):
    data = jpeg_bytes(1)
    sha = upload(client, login("collector01"), data)
    before = store.blobs.path(sha).stat()
    other = login("collector02", "dev-2")
    r = create(client, other, data, body=True)  # creation-with-upload: the bytes come with the request
    assert r.status_code == 201 and r.headers["Upload-Offset"] == str(len(data))
    assert senders(cx, sha) == ["collector01", "collector02"]
    after = store.blobs.path(sha).stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert client.get(f"/api/v1/blobs/{sha}", headers=other).content == data
    assert list(store.root.glob("*.part")) == []


def test_an_account_that_sent_a_photo_can_create_it_again_without_bytes(client, login, cx):
    h = login("collector01")
    data = jpeg_bytes(3)
    upload(client, h, data)
    r = create(client, h, data)
    assert r.status_code == 201 and r.headers["Upload-Offset"] == str(len(data))


# --- decompression bombs and things that are no image ---------------------------------------------------

@pytest.mark.parametrize("side", [12000, 20000])
@pytest.mark.parametrize("with_body", [False, True], ids=["patch", "creation-with-upload"])
def test_an_image_with_too_many_pixels_is_refused_and_nothing_is_stored(client, login, cx, store, side, with_body):
    h = login("collector01")
    data = bomb_png(side, side)
    assert len(data) < 150_000
    r = create(client, h, data, "image/png", body=with_body)
    if not with_body:
        assert r.status_code == 201
        r = patch(client, h, r.headers["Location"], data)
    assert r.status_code == 413 and r.json()["error"]["code"] == "upload.too_many_pixels"
    sha = hashlib.sha256(data).hexdigest()
    assert not store.blobs.has(sha) and senders(cx, sha) == []
    assert cx.execute("SELECT count(*) FROM photos WHERE sha256 = ?", (sha,)).fetchone()[0] == 0
    (up,) = [store.get(p.stem) for p in store.root.glob("*.json")]
    assert up.offset == 0 and not up.complete  # discarded: a retry starts from 0


def test_the_pixel_cap_is_a_setting_of_the_service(centre_path):
    from fastapi.testclient import TestClient

    from citygrid_server.app import create_app
    from citygrid_server.centre import ServiceConfig

    with TestClient(create_app(centre_path, ServiceConfig(max_photo_pixels=1000))) as small:
        r = small.post("/api/v1/auth/login", json={"username": "collector01", "password": cf.PASSWORD,
                                                   "device_id": "d"})
        h = {"Authorization": f"Bearer {r.json()['token']}"}
        r = create(small, h, jpeg_bytes(1, size=(40, 30)), body=True)
        assert r.status_code == 413 and r.json()["error"]["details"]["max_pixels"] == 1000
        assert create(small, h, jpeg_bytes(1, size=(30, 30)), body=True).status_code == 201


def test_a_colour_png_is_held_to_what_can_be_decoded_whole(client, login):
    h = login("collector01")
    big = bomb_png(4200, 4200, rgb=True)  # 17.6 MP, under the pixel cap, but 70 MB to decode
    r = create(client, h, big, "image/png", body=True)
    assert r.status_code == 413 and r.json()["error"]["details"]["width"] == 4200
    fits = bomb_png(4000, 4000, rgb=True)
    assert create(client, h, fits, "image/png", body=True).status_code == 201


def test_a_long_jpeg_panorama_that_scaling_barely_shrinks_is_held_to_the_decode_budget(client, login, cx, store,
                                                                                       monkeypatch):
    from citygrid_server import images
    monkeypatch.setattr(images, "DECODE_BUDGET", 2 * 1024 * 1024)
    h = login("collector01")
    r = create(client, h, jpeg_bytes(1, size=(8000, 200)), body=True)  # 1/1 scale: 6.4 MB decoded
    assert r.status_code == 413 and r.json()["error"]["code"] == "upload.too_many_pixels"
    assert create(client, h, jpeg_bytes(1, size=(1600, 1200)), body=True).status_code == 201  # 1/2: 1.9 MB
    sha = plant(cx, store, jpeg_bytes(2, size=(8000, 200)), "image/jpeg")
    r = client.get(f"/api/v1/blobs/{sha}/thumbnail", headers=h)
    assert r.status_code == 422 and r.json()["error"]["code"] == "blob.too_many_pixels"


@pytest.mark.parametrize("data,ctype", [
    (b"\xff\xd8\xff\xe0" + bytes(range(256)) * 40, "image/jpeg"),   # the JPEG signature, then garbage
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 5000, "image/png"),
    (jpeg_bytes(1)[:20], "image/jpeg"),                              # cut off inside its header
])
def test_bytes_that_match_their_hash_but_are_no_image_are_refused(client, login, store, data, ctype):
    h = login("collector01")
    r = create(client, h, data, ctype, body=True)
    assert r.status_code == 415 and r.json()["error"]["code"] == "upload.not_an_image"
    assert not store.blobs.has(hashlib.sha256(data).hexdigest())


def plant(cx, store: UploadStore, data: bytes, ctype: str, owner="collector01") -> str:
    """A blob stored before this service checked images: bytes in the store, rows in the centre."""
    sha = store.blobs.put_bytes(data)
    with db.transaction(cx):
        cx.execute("INSERT INTO photos (sha256, size, content_type, uploaded_by) VALUES (?, ?, ?, ?)",
                   (sha, len(data), ctype, owner))
        cx.execute("INSERT INTO photo_senders (sha256, username) VALUES (?, ?)", (sha, owner))
    return sha


@pytest.mark.parametrize("side", [12000, 20000])
def test_a_stored_bomb_gets_a_coded_4xx_for_its_thumbnail_not_a_500(client, login, cx, store, side):
    sha = plant(cx, store, bomb_png(side, side), "image/png")
    h = login("collector01")
    for size in (128, 256):
        r = client.get(f"/api/v1/blobs/{sha}/thumbnail", params={"size": size}, headers=h)
        assert r.status_code == 422 and r.json()["error"]["code"] == "blob.too_many_pixels"
    assert client.head(f"/api/v1/blobs/{sha}", headers=h).status_code == 200  # the bytes are still served


@pytest.mark.parametrize("data", [b"\xff\xd8\xff\xe0" + b"\x00" * 3000, jpeg_bytes(1)[:-200]])
def test_a_stored_blob_that_is_no_image_gets_a_coded_4xx_for_its_thumbnail(client, login, cx, store, data):
    sha = plant(cx, store, data, "image/jpeg")
    r = client.get(f"/api/v1/blobs/{sha}/thumbnail", headers=login("collector01"))
    assert r.status_code == 422 and r.json()["error"]["code"] == "blob.not_an_image"


def test_a_large_jpeg_thumbnail_is_decoded_at_reduced_scale_and_made_once(client, login, store, monkeypatch):
    from citygrid_server import images
    h = login("collector01")
    sha = upload(client, h, jpeg_bytes(4, size=(4000, 3000)))
    seen = []
    real_thumbnail = Image.Image.thumbnail
    monkeypatch.setattr(Image.Image, "thumbnail", lambda im, *a, **k: (seen.append(im.size),
                                                                         real_thumbnail(im, *a, **k)))
    r = client.get(f"/api/v1/blobs/{sha}/thumbnail", params={"size": 256}, headers=h)
    assert r.status_code == 200 and Image.open(io.BytesIO(r.content)).size == (256, 192)
    assert seen == [(500, 375)]  # 1/8 scale: 4000x3000 is never decoded whole
    monkeypatch.setattr(images, "render_thumbnail", lambda *a: pytest.fail("rendered twice"))
    assert client.get(f"/api/v1/blobs/{sha}/thumbnail", params={"size": 256}, headers=h).content == r.content


# --- a server death at any point of an upload leaves no 500 and no unrecorded photo -------------------

def send_direct(store, location, data, offset=0):
    """The PATCH as the server runs it, minus recording the photo (the server dies before that)."""
    with store.append(upload_id(location), offset) as w:
        w.write(data[offset:])
    return w.result


def accepted_with_photo(client, h, cx, sha):
    """The device's check citing the photo is accepted, not photos_missing."""
    case_no = cf.case_at(cx, "checking")
    task = cf.open_task(cx, case_no, "check")
    item = {"uuid": str(uuid.uuid4()), "type": "check", "created_at": "2026-11-23T06:00:01+08:00",
            "payload": {"task_id": task["id"], "outcome": "pass", "observed_at": "2026-11-23T06:00:00+08:00",
                        "location": {"lon": 120.0005, "lat": 31.2601, "accuracy_m": 4.5}}, "photos": [sha]}
    r = client.post("/api/v1/sync/push", json={"batch_id": str(uuid.uuid4()), "device_id": "dev-1",
                                               "items": [item]}, headers=h)
    return r.json()["receipts"][0]["status"] == "accepted"


@pytest.mark.parametrize("then", ["head", "patch_at_length", "patch_at_old_offset"])
def test_death_after_the_blob_is_placed_before_the_state_is_saved(client, login, cx, store, monkeypatch, then):
    h = login("collector01")
    data = jpeg_bytes(5)
    sha = hashlib.sha256(data).hexdigest()
    loc = create(client, h, data).headers["Location"]
    assert patch(client, h, loc, data[:300]).status_code == 204
    real_save = UploadStore._save

    def die_on_complete(self, up):
        if up.complete:
            raise SystemExit("killed")
        real_save(self, up)

    with monkeypatch.context() as m:
        m.setattr(UploadStore, "_save", die_on_complete)
        with pytest.raises(SystemExit):
            send_direct(store, loc, data, 300)
    assert store.blobs.has(sha) and not list(store.root.glob("*.part"))
    if then == "head":
        r = head(client, h, loc)
        assert r.status_code == 200 and r.headers["Upload-Offset"] == str(len(data))
    elif then == "patch_at_length":
        r = patch(client, h, loc, data, len(data))
        assert r.status_code == 204 and r.headers["Upload-Offset"] == str(len(data))
    else:  # the device retries the PATCH it never got an answer to
        r = patch(client, h, loc, data, 300)
        assert r.status_code == 409 and r.json()["error"]["code"] == "upload.already_complete"
    assert senders(cx, sha) == ["collector01"]
    assert accepted_with_photo(client, h, cx, sha)


def test_death_after_verifying_before_placing_finishes_on_the_next_request(client, login, cx, store, monkeypatch):
    h = login("collector01")
    data = jpeg_bytes(6)
    sha = hashlib.sha256(data).hexdigest()
    loc = create(client, h, data).headers["Location"]
    with monkeypatch.context() as m:
        m.setattr(BlobStore, "_place", lambda *a: (_ for _ in ()).throw(SystemExit("killed")))
        with pytest.raises(SystemExit):
            send_direct(store, loc, data)
    assert not store.blobs.has(sha)
    r = head(client, h, loc)
    assert r.status_code == 200 and r.headers["Upload-Offset"] == str(len(data))
    assert store.blobs.verify(sha) and senders(cx, sha) == ["collector01"]


@pytest.mark.parametrize("then", ["head", "patch", "create_again"])
def test_death_after_completing_before_the_photo_is_recorded(client, login, cx, store, then):
    h = login("collector01")
    data = jpeg_bytes(7)
    sha = hashlib.sha256(data).hexdigest()
    loc = create(client, h, data).headers["Location"]
    assert send_direct(store, loc, data).complete  # bytes stored; the photo rows were never written
    assert senders(cx, sha) == []
    if then == "head":
        assert head(client, h, loc).headers["Upload-Offset"] == str(len(data))
    elif then == "patch":
        assert patch(client, h, loc, data, len(data)).status_code == 204
    else:  # the device lost the upload's address and starts over: it sends the bytes once more
        assert upload(client, h, data) == sha
    assert senders(cx, sha) == ["collector01"]
    assert cx.execute("SELECT uploaded_by FROM photos WHERE sha256 = ?", (sha,)).fetchone()[0] == "collector01"
    assert accepted_with_photo(client, h, cx, sha)


def test_data_file_gone_and_no_blob_restarts_from_zero(client, login, cx, store):
    h = login("collector01")
    data = jpeg_bytes(8)
    loc = create(client, h, data).headers["Location"]
    assert patch(client, h, loc, data[:400]).status_code == 204
    (store.root / f"{upload_id(loc)}.part").unlink()
    r = patch(client, h, loc, data, 400)  # the device resumes where it was told it was
    assert r.status_code == 409 and r.json()["error"]["details"]["expected"] == 0
    assert head(client, h, loc).headers["Upload-Offset"] == "0"
    assert patch(client, h, loc, data).status_code == 204
    assert senders(cx, hashlib.sha256(data).hexdigest()) == ["collector01"]


def test_data_file_gone_with_someone_elses_blob_present_is_not_taken_as_sent(client, login, cx, store):
    data = jpeg_bytes(9)
    sha = upload(client, login("collector01"), data)
    h = login("collector02", "dev-2")
    loc = create(client, h, data).headers["Location"]
    assert patch(client, h, loc, data[:100]).status_code == 204
    (store.root / f"{upload_id(loc)}.part").unlink()
    assert head(client, h, loc).headers["Upload-Offset"] == "0"
    assert senders(cx, sha) == ["collector01"]


def test_a_data_file_shorter_than_the_acknowledged_offset_restarts_from_zero(client, login, store):
    h = login("collector01")
    data = jpeg_bytes(10)
    loc = create(client, h, data).headers["Location"]
    assert patch(client, h, loc, data[:400]).status_code == 204
    with open(store.root / f"{upload_id(loc)}.part", "r+b") as fh:  # e.g. truncated before a failed check
        fh.truncate(0)
    assert head(client, h, loc).headers["Upload-Offset"] == "0"
    assert patch(client, h, loc, data).status_code == 204


def test_unacknowledged_bytes_after_a_death_mid_chunk_are_cut_and_the_upload_resumes(client, login, cx, store):
    h = login("collector01")
    data = jpeg_bytes(11)
    loc = create(client, h, data).headers["Location"]
    assert patch(client, h, loc, data[:300]).status_code == 204
    with open(store.root / f"{upload_id(loc)}.part", "ab") as fh:  # written, never fsynced nor acknowledged
        fh.write(b"\x00" * 1000)
    assert head(client, h, loc).headers["Upload-Offset"] == "300"
    assert patch(client, h, loc, data, 300).status_code == 204
    assert store.blobs.verify(hashlib.sha256(data).hexdigest())


def test_a_complete_upload_whose_blob_vanished_asks_for_the_bytes_again(client, login, cx, store):
    h = login("collector01")
    data = jpeg_bytes(12)
    loc = create(client, h, data, body=True).headers["Location"]
    sha = hashlib.sha256(data).hexdigest()
    store.blobs.path(sha).unlink()
    assert head(client, h, loc).headers["Upload-Offset"] == "0"
    assert patch(client, h, loc, data).status_code == 204 and store.blobs.verify(sha)


def test_a_thumbnail_is_turned_upright_by_the_photos_exif_orientation(client, login):
    buf = io.BytesIO()
    exif = Image.Exif()
    exif[0x0112] = 6  # taken with the phone on its side: rotate 90 degrees to view
    Image.new("RGB", (400, 300), (200, 10, 10)).save(buf, "JPEG", exif=exif.tobytes())
    h = login("collector01")
    sha = upload(client, h, buf.getvalue())
    r = client.get(f"/api/v1/blobs/{sha}/thumbnail", params={"size": 128}, headers=h)
    assert Image.open(io.BytesIO(r.content)).size == (96, 128)


def test_death_during_creation_leaves_nothing_a_new_creation_trips_over(client, login, cx, store, monkeypatch):
    h = login("collector01")
    data = jpeg_bytes(13)
    with monkeypatch.context() as m:  # the data file is made, the state never saved
        m.setattr(UploadStore, "_save", lambda *a: (_ for _ in ()).throw(SystemExit("killed")))
        with pytest.raises(SystemExit):
            store.create(len(data), {"sha256": hashlib.sha256(data).hexdigest(), "content_type": "image/jpeg"},
                         "collector01")
    assert upload(client, h, data) in [r[0] for r in cx.execute("SELECT sha256 FROM photo_senders")]


def test_a_live_server_refuses_bombs_with_coded_4xx_and_stays_small(centre_path):
    """Against a real `citygrid serve`: the bombs cost no memory (VmHWM of the server process)."""
    import httpx
    from live import LiveServer

    server = LiveServer(centre_path).start()
    try:
        r = httpx.post(f"{server.url}/api/v1/auth/login",
                       json={"username": "collector01", "password": cf.PASSWORD, "device_id": "d"})
        h = {"Authorization": f"Bearer {r.json()['token']}"}
        for side in (12000, 20000):
            bomb = bomb_png(side, side)
            r = httpx.post(f"{server.url}/api/v1/uploads/", content=bomb, headers={
                **h, "Tus-Resumable": "1.0.0", "Upload-Length": str(len(bomb)),
                "Upload-Metadata": tus_meta(bomb, "image/png"), "Content-Type": OCTETS})
            assert r.status_code == 413 and r.json()["error"]["code"] == "upload.too_many_pixels"
            c = db.open_centre(centre_path)
            sha = plant(c, UploadStore(BlobStore(centre_path.with_name("center.blobs"))), bomb, "image/png")
            c.close()
            r = httpx.get(f"{server.url}/api/v1/blobs/{sha}/thumbnail", headers=h)
            assert r.status_code == 422 and r.json()["error"]["code"] == "blob.too_many_pixels"
        status = open(f"/proc/{server.proc.pid}/status").read()
        peak_kb = int(status.split("VmHWM:")[1].split()[0])
        assert peak_kb < 250 * 1024
    finally:
        server.stop()
