# SPDX-License-Identifier: GPL-2.0-or-later
"""tus expiration: an upload untouched for the expiry is refused as gone and swept away; a fresh one and
one being written are kept; every answer about an upload says when it expires."""

import os
import time
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest
from fastapi.testclient import TestClient
from test_upload_store import jpeg, meta, send

from citygrid.problems import Problem
from citygrid.store.blobs import BlobStore
from citygrid_server.app import create_app
from citygrid_server.centre import ServiceConfig
from citygrid_server.housekeeping import sweep, sweep_uploads
from citygrid_server.uploads import UploadStore

DAY = 24 * 3600
TUS = {"Tus-Resumable": "1.0.0"}


@pytest.fixture
def store(tmp_path):
    return UploadStore(BlobStore(tmp_path / "center.blobs"), max_size=1_000_000, expiry=timedelta(hours=72))


class Holder:
    """What `sweep_uploads` needs of a Centre: its upload store."""

    def __init__(self, store):
        self.uploads = store


def age(store, upload_id, seconds):
    """Make the upload's files look last written `seconds` ago."""
    then = time.time() - seconds
    for p in store.root.glob(f"{upload_id}.*"):
        os.utime(p, (then, then))


def partial_upload(store, seed=1):
    data = jpeg(seed=seed)
    up = store.create(len(data), meta(data), "c1")
    return send(store, up.id, 0, data[:50_000]), data


def test_an_upload_untouched_past_its_expiry_is_swept_with_all_its_files(store):
    up, _ = partial_upload(store)
    age(store, up.id, 73 * 3600)
    assert sweep_uploads(Holder(store), time.time()) == 1
    assert list(store.root.iterdir()) == []
    with pytest.raises(Problem) as e:
        store.get(up.id)
    assert e.value.code == "upload.not_found"


def test_a_fresh_upload_and_one_just_inside_its_expiry_are_kept(store):
    fresh, _ = partial_upload(store, seed=1)
    older, _ = partial_upload(store, seed=2)
    age(store, older.id, 71 * 3600)
    assert sweep_uploads(Holder(store), time.time()) == 0
    assert store.get(fresh.id).offset == store.get(older.id).offset == 50_000


def test_an_upload_being_written_is_never_swept_even_when_its_files_look_old(store):
    up, data = partial_upload(store)
    writer = store.begin(up.id, 50_000)  # a PATCH holding the upload's lock
    writer.write(data[50_000:60_000])
    age(store, up.id, 80 * 3600)
    assert sweep_uploads(Holder(store), time.time()) == 0
    assert store.end(writer).offset == 60_000  # the writer finishes, and that counts as a touch
    assert store.get(up.id).offset == 60_000


def test_an_upload_written_between_the_sweeps_look_and_its_lock_is_kept(store, monkeypatch):
    up, data = partial_upload(store)
    age(store, up.id, 71 * 3600)  # still live for the PATCH; past the expiry for a sweep two hours on
    real = store._locked

    @contextmanager
    def locked_after_a_patch(upload_id):
        send(store, up.id, 50_000, data[50_000:51_000])  # a PATCH gets the lock first
        with real(upload_id):
            yield

    monkeypatch.setattr(store, "_locked", locked_after_a_patch)
    assert store.remove_idle(up.id, time.time() + 2 * 3600) is False
    assert store.get(up.id).offset == 51_000


def test_an_expired_upload_not_yet_swept_is_refused_as_expired_not_resumed(store):
    up, data = partial_upload(store)
    age(store, up.id, 73 * 3600)
    for call in (lambda: store.get(up.id), lambda: store.begin(up.id, 50_000)):
        with pytest.raises(Problem) as e:
            call()
        assert e.value.code == "upload.expired" and e.value.details["hours"] == 72


def test_leftovers_of_a_dead_upload_are_swept_and_foreign_files_are_not(store):
    store.root.mkdir(parents=True)
    dead = "ab" * 16
    for suffix in (".part", ".lock", ".tmp"):
        (store.root / f"{dead}{suffix}").write_bytes(b"x")
    foreign = [store.root / "README", store.root / f"{'AB' * 16}.json", store.root / f"{dead}.json.bak"]
    for p in foreign:
        p.write_text("not ours")
    for p in store.root.iterdir():
        os.utime(p, (time.time() - 90 * DAY, time.time() - 90 * DAY))
    assert sweep_uploads(Holder(store), time.time()) == 1
    assert sorted(store.root.iterdir()) == sorted(foreign)


def test_a_sweep_of_a_store_never_used_removes_nothing(store):
    assert not store.root.exists() and sweep_uploads(Holder(store), time.time()) == 0


# --- over HTTP ------------------------------------------------------------------------------------------

def expires(r) -> datetime:
    return parsedate_to_datetime(r.headers["Upload-Expires"])


def create(client, headers, data, first=50_000):
    h = {**headers, **TUS, "Upload-Length": str(len(data)), "Content-Type": "application/offset+octet-stream",
         "Upload-Metadata": f"sha256 {_b64(meta(data)['sha256'])},content_type {_b64('image/jpeg')}"}
    return client.post("/api/v1/uploads/", headers=h, content=data[:first])


def _b64(text):
    import base64
    return base64.b64encode(text.encode()).decode()


def test_options_lists_expiration_and_every_upload_answer_says_when_it_expires(client, login):
    assert "expiration" in client.options("/api/v1/uploads/").headers["Tus-Extension"].split(",")
    h, data = login("collector01"), jpeg(seed=5)
    r = create(client, h, data)
    assert r.status_code == 201
    soon = datetime.now(UTC) + timedelta(hours=72)
    assert abs((expires(r) - soon).total_seconds()) < 5
    url = r.headers["Location"]
    head = client.head(url, headers={**h, **TUS})
    patch = client.patch(url, headers={**h, **TUS, "Upload-Offset": "50000",
                                       "Content-Type": "application/offset+octet-stream"}, content=data[50_000:])
    assert head.status_code == 200 and patch.status_code == 204
    assert expires(head) >= expires(r) - timedelta(seconds=1) and expires(patch) >= expires(head)


def test_an_expired_upload_answers_410_then_404_once_swept(client, login):
    h, data = login("collector01"), jpeg(seed=6)
    url = create(client, h, data).headers["Location"]
    centre = client.app.state.centre
    age(centre.uploads, url.rsplit("/", 1)[1], 73 * 3600)
    r = client.head(url, headers={**h, **TUS})
    assert r.status_code == 410
    p = client.patch(url, headers={**h, **TUS, "Upload-Offset": "50000",
                                   "Content-Type": "application/offset+octet-stream"}, content=data[50_000:])
    assert p.status_code == 410 and p.json()["error"]["code"] == "upload.expired"
    assert sweep(centre).uploads == 1
    r = client.head(url, headers={**h, **TUS})
    assert r.status_code == 404
    r = client.delete(url, headers={**h, **TUS})
    assert r.status_code == 404 and r.json()["error"]["code"] == "upload.not_found"


def test_the_service_sweeps_expired_uploads_when_it_starts(centre_path):
    config = ServiceConfig(upload_expiry=timedelta(hours=1))
    app = create_app(centre_path, config)
    root = app.state.centre.uploads.root
    root.mkdir(parents=True)
    old, fresh = root / f"{'cd' * 16}.part", root / f"{'ef' * 16}.part"
    for p in (old, fresh):
        p.write_bytes(b"partial")
    os.utime(old, (time.time() - 2 * 3600, time.time() - 2 * 3600))
    with TestClient(app):
        keeper = app.state.housekeeper
        deadline = time.monotonic() + 10
        while keeper.passes < 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert keeper.passes >= 1
    assert not old.exists() and fresh.exists()


@pytest.mark.parametrize("hours", ["0", "-3", "nan", "100000"])
def test_serve_refuses_an_upload_expiry_out_of_range_in_one_line(tmp_path, hours):
    from test_serve_cli import one_line, serve

    from citygrid.store import db
    db.create_centre(tmp_path / "center.gpkg").close()
    one_line(serve(tmp_path / "center.gpkg", "--upload-expiry-hours", hours), "--upload-expiry-hours must be in")


def test_serve_hands_the_upload_expiry_to_its_workers(monkeypatch):
    from citygrid_server.cli import config_from_env
    monkeypatch.setenv("CITYGRID_UPLOAD_EXPIRY_HOURS", "5.5")
    assert config_from_env().upload_expiry == timedelta(hours=5.5)
    monkeypatch.delenv("CITYGRID_UPLOAD_EXPIRY_HOURS")
    assert config_from_env().upload_expiry == timedelta(hours=72)
