# SPDX-License-Identifier: GPL-2.0-or-later
"""The tus client against a scripted centre: requests per photo, the hash taken while reading, and a
centre that keeps dropping the file at its last chunk."""

import base64
import hashlib

import pytest

from citygrid.problems import Problem
from citygrid_field.outbox import Photo, photo_digest
from citygrid_field.tus import TusUpload


class Answer:
    def __init__(self, status: int, **headers):
        self.status_code, self.headers = status, {k.replace("_", "-"): v for k, v in headers.items()}


class Centre:
    """Keeps the offset; `drop_at_end` answers the last chunk 460 and starts the upload again from 0."""

    def __init__(self, length: int, drop_at_end: bool = False):
        self.length, self.drop_at_end, self.offset, self.requests = length, drop_at_end, 0, []

    def request(self, method, path, *, ok=(), content=b"", headers=None):
        self.requests.append((method, len(content), (headers or {}).get("Upload-Checksum")))
        if method == "HEAD":
            return Answer(200, Upload_Offset=str(self.offset))
        if self.drop_at_end and self.offset + len(content) == self.length:
            self.offset = 0
            return Answer(460)
        self.offset += len(content)
        return Answer(201 if method == "POST" else 204, Location="/api/v1/uploads/" + "a" * 32,
                      Upload_Offset=str(self.offset))


def photo_of(path, data: bytes) -> Photo:
    path.write_bytes(data)
    return Photo(*photo_digest(path)[:1], str(path), len(data), "image/jpeg", None, False)


def run(upload: TusUpload, limit: int = 100) -> None:
    for _ in range(limit):
        if upload.done:
            return
        upload.step()
    raise AssertionError("the upload never ended")


def test_a_photo_within_one_chunk_is_one_post_whose_checksum_is_the_whole_files(tmp_path):
    data = b"\xff\xd8\xff" + bytes(range(256)) * 400
    photo, urls = photo_of(tmp_path / "p.jpg", data), []
    centre = Centre(len(data))
    run(TusUpload(centre, photo, urls.append))
    whole = base64.b64encode(hashlib.sha256(data).digest()).decode()
    assert centre.requests == [("POST", len(data), f"sha256 {whole}")]
    assert urls == []  # nothing to resume: the caller keeps the URL with `done`


def test_a_centre_that_keeps_dropping_the_file_at_its_last_chunk_ends_as_a_hash_mismatch(tmp_path):
    data = b"\xff\xd8\xff" + bytes(1000)
    centre = Centre(len(data), drop_at_end=True)
    upload = TusUpload(centre, photo_of(tmp_path / "p.jpg", data), lambda _url: None, chunk_bytes=300)
    with pytest.raises(Problem) as e:
        run(upload)
    assert e.value.code == "upload.hash_mismatch" and len(centre.requests) < 60


@pytest.mark.parametrize(("change", "code"), [
    (lambda p: p.unlink(), "field.photo_gone"),
    (lambda p: p.write_bytes(p.read_bytes() + b"x"), "field.photo_changed"),
    (lambda p: p.write_bytes(p.read_bytes()[:-1] + b"y"), "field.photo_changed")])
def test_a_photo_gone_or_changed_after_its_first_chunk_is_never_completed(tmp_path, change, code):
    data = b"\xff\xd8\xff" + bytes(range(256)) * 8
    path, urls = tmp_path / "p.jpg", []
    centre = Centre(len(data))
    upload = TusUpload(centre, photo_of(path, data), urls.append, chunk_bytes=1000)
    upload.step()  # the POST with the first chunk
    change(path)
    with pytest.raises(Problem) as e:
        run(upload)
    assert e.value.code == code and centre.offset < len(data)
    assert urls[-1] is None  # the upload with the old bytes is forgotten
