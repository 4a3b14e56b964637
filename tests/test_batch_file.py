# SPDX-License-Identifier: GPL-2.0-or-later
"""Batches moved as files: export, import through the push path, twice is nothing, tampering refused."""

import json
import zipfile

import centre_fixture as cf
import pytest
import review_shift as rs

from citygrid.cli import main
from citygrid.problems import Problem
from citygrid.store import blobs, db
from citygrid.sync import batch_file, batch_sources

JPEG = b"\xff\xd8\xff photo of the fixed drain \xff\xd9"


@pytest.fixture
def world(tmp_path):
    path = tmp_path / "center.gpkg"
    cf.build(path)
    conn = db.open_centre(path)
    no = cf.case_at(conn, "checking", at=rs.START)
    task = cf.open_task(conn, no, "check")["id"]
    folder = tmp_path / "device"
    folder.mkdir()
    (folder / "drain.jpg").write_bytes(JPEG)
    sha = batch_file.hashlib.sha256(JPEG).hexdigest()
    item = rs.check(task, photos=[sha])
    lon, lat = rs.case_lonlat(conn, no)
    (folder / "batch.json").write_text(json.dumps({
        "batch_id": "offline-1", "device_id": "dev-9", "username": "collector01", "items": [item],
        "photo_meta": {sha: {"lon": lon, "lat": lat, "taken_at": rs.OBSERVED}}}))
    yield {"conn": conn, "path": path, "folder": folder, "case": no, "item": item, "sha": sha, "tmp": tmp_path}
    conn.close()


def _import(w, file):
    return batch_file.import_batch(w["conn"], file, store=blobs.store_for(w["path"]))


def _count(conn, table):
    return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_a_round_trip_gets_the_receipts_of_a_push_and_twice_changes_nothing(world):
    out = world["tmp"] / "batch.zip"
    batch_sources.export_folder(world["folder"], out)
    (first,) = _import(world, out)["receipts"]
    assert (first["status"], first["case_no"]) == ("accepted", world["case"])
    rows = (_count(world["conn"], "case_events"), _count(world["conn"], "sync_items"))
    (again,) = _import(world, out)["receipts"]
    assert again["status"] == "duplicate"
    assert (_count(world["conn"], "case_events"), _count(world["conn"], "sync_items")) == rows
    photo = world["conn"].execute("SELECT lon, uploaded_by FROM photos WHERE sha256 = ?", (world["sha"],)).fetchone()
    assert photo["lon"] is not None and photo["uploaded_by"] == "collector01"


def _rewrite(src, dst, change):
    """A copy of a batch file with `change(name, data) -> (name, data) | None` applied to each entry."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            kept = change(info.filename, zin.read(info))
            if kept:
                zout.writestr(kept[0], kept[1])
    return dst


def _refused(world, change) -> str:
    out = batch_sources.export_folder(world["folder"], world["tmp"] / "ok.zip") and world["tmp"] / "ok.zip"
    bad = _rewrite(out, world["tmp"] / "bad.zip", change)
    before = _count(world["conn"], "sync_items"), _count(world["conn"], "photos")
    with pytest.raises(Problem) as caught:
        _import(world, bad)
    assert (_count(world["conn"], "sync_items"), _count(world["conn"], "photos")) == before  # nothing applied
    return caught.value.code


def test_an_edited_photo_refuses_the_whole_file(world):
    assert _refused(world, lambda n, d: (n, d + b"x" if n.startswith("photos/") else d)) == \
        "batch_file.photo_mismatch"


@pytest.mark.parametrize("name", ["../../etc/passwd", "/abs/path", "photos/../manifest.json", "other.txt",
                                  "photos/" + "0" * 64 + "/x"])
def test_a_foreign_or_traversing_name_refuses_the_file(world, name):
    assert _refused(world, lambda n, d: (name, d) if n.startswith("photos/") else (n, d)) == \
        "batch_file.bad_member"


def test_a_file_that_is_not_a_zip_is_refused(world):
    bad = world["tmp"] / "junk.zip"
    bad.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(Problem) as caught:
        _import(world, bad)
    assert caught.value.code == "batch_file.bad_zip"


def test_a_zip_bomb_member_is_refused_before_it_is_inflated(world):
    bomb = world["tmp"] / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("manifest.json", b" " * (64 * 1024 * 1024))
    with pytest.raises(Problem) as caught:
        _import(world, bomb)
    assert caught.value.code == "batch_file.too_big"


def test_a_non_image_photo_is_refused(world):
    text = b"#!/bin/sh\n"
    sha = batch_file.hashlib.sha256(text).hexdigest()
    assert _refused(world, lambda n, d: (f"photos/{sha}", text) if n.startswith("photos/") else (n, d)) == \
        "batch_file.not_an_image"


def test_a_missing_photo_gets_a_photos_missing_receipt_and_the_item_waits(world):
    out = world["tmp"] / "ok.zip"
    batch_sources.export_folder(world["folder"], out)
    bad = _rewrite(out, world["tmp"] / "nophoto.zip", lambda n, d: None if n.startswith("photos/") else (n, d))
    (receipt,) = _import(world, bad)["receipts"]
    assert (receipt["status"], receipt["missing"]) == ("photos_missing", [world["sha"]])
    assert _count(world["conn"], "sync_items") == 0


def test_an_edited_item_citing_another_photo_is_answered_photos_missing(world):
    out = world["tmp"] / "ok.zip"
    batch_sources.export_folder(world["folder"], out)

    def edit(name, data):
        if name != "manifest.json":
            return name, data
        manifest = json.loads(data)
        manifest["items"][0]["photos"] = ["ab" * 32]
        return name, json.dumps(manifest).encode()
    (receipt,) = _import(world, _rewrite(out, world["tmp"] / "edited.zip", edit))["receipts"]
    assert receipt["status"] == "photos_missing"


def test_the_cli_exports_and_imports_and_writes_the_receipts_for_the_device(world, capsys):
    out, receipts = world["tmp"] / "cli.zip", world["tmp"] / "receipts.json"
    assert main(["batch", "export", str(world["folder"]), str(out)]) == 0
    assert main(["batch", "import", str(world["path"]), str(out), "--receipts", str(receipts)]) == 0
    assert "accepted 1" in capsys.readouterr().out
    assert json.loads(receipts.read_text())["receipts"][0]["status"] == "accepted"
    assert main(["batch", "import", str(world["path"]), str(world["folder"] / "batch.json")]) != 0


def test_an_import_for_an_account_that_does_not_push_is_refused(world):
    spec = json.loads((world["folder"] / "batch.json").read_text())
    (world["folder"] / "batch.json").write_text(json.dumps({**spec, "username": "leader"}))
    out = world["tmp"] / "leader.zip"
    batch_sources.export_folder(world["folder"], out)
    with pytest.raises(Problem) as caught:
        _import(world, out)
    assert caught.value.code == "auth.forbidden"
