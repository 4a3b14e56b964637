# SPDX-License-Identifier: GPL-2.0-or-later
"""The tus upload store: resumable, checksummed, verified whole before a blob exists."""

import base64
import hashlib
import io
import random

import pytest
from PIL import Image

from citygrid.problems import Problem
from citygrid.store.blobs import BlobStore
from citygrid_server.uploads import UploadStore, parse_checksum, parse_metadata


def jpeg(n=200_000, seed=1):
    """A real (tiny) JPEG padded to n bytes with random ones, which decoders ignore after its end."""
    buf = io.BytesIO()
    Image.new("RGB", (16, 12), (seed * 30 % 256, 90, 160)).save(buf, "JPEG")
    return buf.getvalue() + random.Random(seed).randbytes(n - buf.tell())


@pytest.fixture
def store(tmp_path):
    return UploadStore(BlobStore(tmp_path / "center.blobs"), max_size=1_000_000)


def meta(data, ctype="image/jpeg"):
    return {"sha256": hashlib.sha256(data).hexdigest(), "content_type": ctype, "filename": "a.jpg"}


def send(store, up_id, offset, chunk, checksum=None):
    with store.append(up_id, offset, checksum) as w:
        w.write(chunk)
    return w.result


def test_upload_in_pieces_becomes_a_blob_with_matching_hash(store):
    data = jpeg()
    up = store.create(len(data), meta(data), "c1")
    for start in range(0, len(data), 65_536):
        up = send(store, up.id, start, data[start:start + 65_536])
    assert up.complete and up.offset == len(data)
    assert store.blobs.path(up.sha256).read_bytes() == data


def test_a_cut_upload_resumes_from_the_servers_offset(store):
    data = jpeg(seed=2)
    up = store.create(len(data), meta(data), "c1")
    cut = int(len(data) * 0.9)

    class Cut(Exception):
        pass

    with pytest.raises(Cut):
        with store.append(up.id, 0) as w:
            w.write(data[:cut])
            raise Cut()  # the connection drops after 90 %
    assert store.get(up.id).offset == cut
    up = send(store, up.id, cut, data[cut:])
    assert up.complete and store.blobs.verify(up.sha256)


def test_a_patch_at_the_wrong_offset_is_refused(store):
    data = jpeg(seed=3)
    up = store.create(len(data), meta(data), "c1")
    send(store, up.id, 0, data[:1000])
    with pytest.raises(Problem) as exc:
        send(store, up.id, 0, data[:1000])
    assert exc.value.code == "upload.offset_mismatch" and exc.value.details["expected"] == 1000


def test_a_chunk_with_a_wrong_checksum_is_discarded_whole(store):
    data = jpeg(seed=4)
    up = store.create(len(data), meta(data), "c1")
    bad = ("sha256", hashlib.sha256(b"something else").digest())
    with pytest.raises(Problem) as exc:
        send(store, up.id, 0, data[:5000], bad)
    assert exc.value.code == "upload.checksum_mismatch"
    assert store.get(up.id).offset == 0
    good = ("sha256", hashlib.sha256(data[:5000]).digest())
    assert send(store, up.id, 0, data[:5000], good).offset == 5000


def test_a_corrupted_byte_is_refused_and_no_blob_exists(store):
    data = jpeg(seed=5)
    up = store.create(len(data), meta(data), "c1")
    corrupt = bytearray(data)
    corrupt[len(data) // 2] ^= 0xFF
    with pytest.raises(Problem) as exc:
        send(store, up.id, 0, bytes(corrupt))
    assert exc.value.code == "upload.hash_mismatch"
    assert not store.blobs.has(up.sha256)
    assert store.get(up.id).offset == 0  # start again, nothing half-kept
    assert send(store, up.id, 0, data).complete


def test_bytes_that_are_not_the_declared_image_type_are_refused(store):
    data = b"GIF89a" + b"x" * 100
    up = store.create(len(data), meta(data), "c1")
    with pytest.raises(Problem) as exc:
        send(store, up.id, 0, data)
    assert exc.value.code == "upload.content_mismatch"


@pytest.mark.parametrize("length,m,code", [
    (0, None, "upload.empty"),
    (2_000_000, None, "upload.too_large"),
    (10, {"sha256": "abc", "content_type": "image/jpeg"}, "blob.bad_digest"),
    (10, {"sha256": "a" * 64, "content_type": "text/html"}, "upload.content_type"),
])
def test_bad_creation_requests_are_refused(store, length, m, code):
    with pytest.raises(Problem) as exc:
        store.create(length, m or meta(b"x"), "c1")
    assert exc.value.code == code


def test_more_bytes_than_declared_are_refused(store):
    data = jpeg(1000, seed=6)
    up = store.create(len(data), meta(data), "c1")
    with pytest.raises(Problem) as exc:
        send(store, up.id, 0, data + b"extra")
    assert exc.value.code == "upload.exceeds_length"


def test_stored_bytes_stand_in_only_for_an_account_that_sent_them(store):
    data = jpeg(seed=7)
    store.blobs.put_bytes(data)
    up = store.create(len(data), meta(data), "c1", sent=True)
    assert up.complete and up.offset == len(data)
    other = store.create(len(data), meta(data), "c2")  # knows the hash, never sent the bytes
    assert not other.complete and other.offset == 0


def test_a_second_writer_on_the_same_upload_is_told_busy_not_blocked(store):
    data = jpeg(seed=8)
    up = store.create(len(data), meta(data), "c1")
    with store.append(up.id, 0) as w:
        w.write(data[:10])
        with pytest.raises(Problem) as exc:
            send(store, up.id, 0, data[:10])
        assert exc.value.code == "upload.busy"


def test_unknown_or_malformed_upload_ids_are_not_found(store):
    for bad in ("0" * 32, "../../etc/passwd", "x"):
        with pytest.raises(Problem) as exc:
            store.get(bad)
        assert exc.value.code == "upload.not_found"


def test_metadata_and_checksum_headers_parse_and_refuse_garbage():
    enc = base64.b64encode(b"a.jpg").decode()
    assert parse_metadata(f"filename {enc},is_confidential") == {"filename": "a.jpg", "is_confidential": ""}
    with pytest.raises(Problem):
        parse_metadata("filename !!!notbase64")
    assert parse_checksum("sha256 " + base64.b64encode(b"\x00" * 32).decode())[0] == "sha256"
    with pytest.raises(Problem) as exc:
        parse_checksum("crc32 AAAA")
    assert exc.value.code == "upload.checksum_algorithm"


def test_identical_bytes_from_a_second_sender_leave_the_stored_blob_untouched(store):
    data = jpeg(seed=9)
    send(store, store.create(len(data), meta(data), "c1").id, 0, data)
    before = store.blobs.path(hashlib.sha256(data).hexdigest()).stat()
    up = send(store, store.create(len(data), meta(data), "c2").id, 0, data)
    after = store.blobs.path(up.sha256).stat()
    assert up.complete and (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert list(store.root.glob("*.part")) == []


def test_a_rotten_stored_copy_is_replaced_by_newly_verified_bytes(store):
    data = jpeg(seed=10)
    sha = store.blobs.put_bytes(data)
    store.blobs.path(sha).write_bytes(b"bit rot")
    send(store, store.create(len(data), meta(data), "c1").id, 0, data)
    assert store.blobs.verify(sha)


def test_an_image_over_the_pixel_cap_is_refused_and_the_upload_restarts_from_zero(tmp_path):
    small = UploadStore(BlobStore(tmp_path / "center.blobs"), max_pixels=100)  # the 16x12 JPEG has 192
    data = jpeg(seed=11)
    up = small.create(len(data), meta(data), "c1")
    with pytest.raises(Problem) as exc:
        send(small, up.id, 0, data)
    assert exc.value.code == "upload.too_many_pixels" and exc.value.details["width"] == 16
    assert small.get(up.id).offset == 0 and not small.blobs.has(up.sha256)


def test_bytes_with_an_image_signature_that_are_no_image_are_refused(store):
    data = b"\xff\xd8\xff\xe0" + random.Random(12).randbytes(5000)
    up = store.create(len(data), meta(data), "c1")
    with pytest.raises(Problem) as exc:
        send(store, up.id, 0, data)
    assert exc.value.code == "upload.not_an_image"
    assert store.get(up.id).offset == 0 and not store.blobs.has(up.sha256)


def test_a_png_declared_as_a_jpeg_is_refused(store):
    buf = io.BytesIO()
    Image.new("L", (8, 8)).save(buf, "PNG")
    data = buf.getvalue()
    up = store.create(len(data), meta(data, "image/jpeg"), "c1")
    with pytest.raises(Problem) as exc:
        send(store, up.id, 0, data)
    assert exc.value.code == "upload.content_mismatch"


def test_a_death_midway_through_a_delete_leaves_no_upload_behind(store, monkeypatch):
    from pathlib import Path
    data = jpeg(seed=13)
    up = store.create(len(data), meta(data), "c1")
    send(store, up.id, 0, data[:100])
    real_unlink = Path.unlink
    calls = []

    def die_on_second(self, missing_ok=False):
        calls.append(self)
        if len(calls) == 2:
            raise SystemExit("killed")
        real_unlink(self, missing_ok=missing_ok)

    monkeypatch.setattr(Path, "unlink", die_on_second)
    with pytest.raises(SystemExit):
        store.delete(up.id)
    monkeypatch.undo()
    with pytest.raises(Problem) as exc:  # a state without its data would otherwise be read as "placed"
        store.status(up.id)
    assert exc.value.code == "upload.not_found"
