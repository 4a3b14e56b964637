# SPDX-License-Identifier: GPL-2.0-or-later
"""The field app's tus client against a real `citygrid serve` whose upload expired while the phone was
off: the HEAD is answered as gone, and the photo starts a new upload and completes."""

import os
import time
from dataclasses import replace

import centre_fixture as cf
import httpx
from conftest import jpeg

from citygrid.store import blobs
from citygrid_field.outbox import Photo, photo_digest
from citygrid_field.session import Api
from citygrid_field.tus import TusUpload

CHUNK = 64 * 1024


def signed_in(url: str) -> Api:
    r = httpx.post(f"{url}/api/v1/auth/login",
                   json={"username": "collector01", "password": cf.PASSWORD, "device_id": "phone-1"})
    assert r.status_code == 200, r.text
    return Api(url, r.json()["token"], "en")


def age_upload(centre_path, url: str, seconds: float) -> None:
    root = blobs.store_for(centre_path).root / ".uploads"
    then = time.time() - seconds
    files = list(root.glob(url.rsplit("/", 1)[1] + ".*"))
    assert files
    for p in files:
        os.utime(p, (then, then))


def test_a_photo_whose_upload_expired_while_the_phone_was_off_starts_again_and_completes(world, tmp_path):
    api = signed_in(world["server"].url)
    path = jpeg(tmp_path / "p.jpg", size=(400, 300), noise=True)
    size = path.stat().st_size
    assert size > 2 * CHUNK
    photo, urls = Photo(*photo_digest(path)[:1], str(path), size, "image/jpeg", None, False), []
    TusUpload(api, photo, urls.append, chunk_bytes=CHUNK).step()  # the POST with the first chunk
    assert len(urls) == 1
    age_upload(world["path"], urls[0], 73 * 3600)  # the phone was off for three days
    again = TusUpload(api, replace(photo, upload_url=urls[0]), urls.append, chunk_bytes=CHUNK)
    for _ in range(20):
        if again.done:
            break
        again.step()
    assert again.done and again.resumed_from == []
    assert urls[1] is None and urls[2] not in (None, urls[0])  # forgotten, then a new upload
    assert blobs.store_for(world["path"]).has(photo.sha256)
    gone = api.request("HEAD", urls[0], headers={"Tus-Resumable": "1.0.0"}, ok=(410,))
    assert gone.status_code == 410  # the old one is gone for good, not resumable
