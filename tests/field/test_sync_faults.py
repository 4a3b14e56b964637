# SPDX-License-Identifier: GPL-2.0-or-later
"""Faults between the field app and a real service: a photo upload cut midway, the app killed between steps."""

import pytest
import server_view as sv
from capture import shift
from cutting_proxy import CuttingProxy
from test_sync_live import FAST, assert_shift_landed, signed_in, sync

from citygrid_field.outbox import Outbox
from citygrid_field.session import signed_in_api
from citygrid_field.store import Store
from citygrid_field.sync_client import Settings, SyncJob

CHUNK = 64 * 1024


@pytest.mark.parametrize(("cut_on", "cut_chunks", "resumed"), [
    (b"PATCH ", 0.5, [CHUNK]), (b"PATCH ", 1.5, [2 * CHUNK]), (b"PATCH ", 2.5, [3 * CHUNK]),
    (b"POST /api/v1/uploads", 0.5, []), (b"POST /api/v1/uploads", 0.01, [])])
def test_an_upload_cut_mid_photo_resumes_from_the_centres_offset_and_the_hash_matches(
        world, tmp_path, cut_on, cut_chunks, resumed):
    """The first chunk rides with the POST (creation-with-upload): a cut PATCH resumes after the whole
    chunks before it; a cut POST never named its upload, so the photo starts again from 0."""
    store, _api = signed_in(world)
    sync(store)
    uuids = shift(store, tmp_path / "photos", noise=True)  # photos of several chunks each
    biggest = max(p.bytes for e in Outbox(store).entries() for p in e.photos)
    assert biggest > 4 * CHUNK
    proxy = CuttingProxy(world["server"].port)
    proxy.cut_on, proxy.cut_after = cut_on, int(cut_chunks * CHUNK)
    store.put(server=proxy.url)
    result = sync(store, Settings(chunk_bytes=CHUNK, backoff_s=0.05, max_failures=10))
    proxy.close()
    assert proxy.cuts == 1 and result.problem is None
    assert result.resumed_from == resumed
    assert_shift_landed(world, store, uuids)


def test_the_app_killed_at_every_step_of_a_sync_ends_with_every_item_once(world, tmp_path):
    store, _api = signed_in(world)
    sync(store)
    uuids = shift(store, tmp_path / "photos", noise=True)
    settings = Settings(chunk_bytes=CHUNK, push_size=1, backoff_s=0.05, max_failures=10)
    runs, abandoned = 0, set()
    while True:  # a new app (store, job) each run, abandoned after 2, 3, 4, 5, 1, 2, … polls
        runs += 1
        job = SyncJob(Store(world["data"]), signed_in_api(Store(world["data"])), settings).start()
        for _ in range(runs % 5 + 1):
            last = job.progress.phase  # the step the app did last before it was killed
            job.poll()
        if job.done:
            break
        abandoned.add(last)
        assert runs < 200
    assert {"pull", "upload", "push"} <= abandoned, abandoned
    assert job.result.problem is None
    assert_shift_landed(world, store, uuids)
    assert sv.items_seen(world["path"], list(uuids.values())) == dict.fromkeys(uuids.values(), 1)


def test_a_photo_changed_on_disk_is_not_sent_and_its_item_says_why(world, tmp_path):
    store, _api = signed_in(world)
    sync(store)
    uuids = shift(store, tmp_path / "photos")
    (tmp_path / "photos" / "r.jpg").write_bytes(b"\xff\xd8 not the photo that was taken")
    result = sync(store, FAST)
    assert result.problem is None
    entries = {e.uuid: e for e in Outbox(store).entries()}
    report = entries[uuids["report"]]
    assert report.blocked == "field.photo_changed" and not report.final
    assert "修改" in report.text("zh_CN") and "changed" in report.text("en")
    assert sv.items_seen(world["path"], [uuids["report"]]) == {uuids["report"]: 0}
    assert entries[uuids["check"]].final and entries[uuids["verify"]].final


def test_a_photo_changed_midway_through_its_upload_is_caught_before_its_last_chunk(world, tmp_path):
    """Same size, one byte different, after the first chunk went: the hash taken while reading does not
    match before the last chunk, so the upload never completes under the old hash; its item says why."""
    store, _api = signed_in(world)
    sync(store)
    uuids = shift(store, tmp_path / "photos", noise=True)
    job = SyncJob(store, signed_in_api(store), Settings(chunk_bytes=CHUNK, backoff_s=0.05)).start()
    while not (job.upload is not None and job.upload.offset):
        job.poll()
    photo = job.upload.photo
    data = bytearray(open(photo.path, "rb").read())
    data[-3] ^= 0xFF
    open(photo.path, "wb").write(bytes(data))
    assert job.run().problem is None
    entries = {e.uuid: e for e in Outbox(store).entries()}
    held = [e for e in entries.values() if photo.sha256 in {p.sha256 for p in e.photos}]
    assert [e.blocked for e in held] == ["field.photo_changed"] and not held[0].final
    assert [p.upload_url for p in held[0].photos if p.sha256 == photo.sha256] == [None]  # a later try starts a new upload, not the changed bytes
    assert not sv.blob_exists(world["path"], photo.sha256)
    assert sv.items_seen(world["path"], [held[0].uuid]) == {held[0].uuid: 0}
    assert sum(e.final for e in entries.values()) == len(uuids) - 1
