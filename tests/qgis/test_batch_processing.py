# SPDX-License-Identifier: GPL-2.0-or-later
"""citygrid:export_batch and citygrid:import_batch through QGIS's Processing: a folder exported and
imported gets the push path's receipts, twice is all duplicates and changes nothing, a field app's
outbox exports, and a tampered or foreign file is refused whole with the core's message."""

import hashlib
import json
import zipfile

import centre_fixture as cf
import pytest
import review_shift as rs
from processing_fixture import desk_imports_undone, processing  # noqa: F401 (fixtures)

from citygrid.store import db

qgis_core = pytest.importorskip("qgis.core")
pytestmark = pytest.mark.qgis
QGIS_PLUGINS = "/usr/share/qgis/python/plugins"
JPEG = b"\xff\xd8\xff a drain cleared \xff\xd9"


@pytest.fixture(autouse=True)
def _english(monkeypatch):
    monkeypatch.setattr(qgis_core.QgsApplication, "locale", staticmethod(lambda: "en_US"))


@pytest.fixture
def world(centre, tmp_path):
    conn = db.open_centre(centre)
    no = cf.case_at(conn, "checking", at=rs.START)
    task = cf.open_task(conn, no, "check")["id"]
    lon, lat = rs.case_lonlat(conn, no)
    conn.close()
    folder = tmp_path / "device"
    folder.mkdir()
    (folder / "drain.jpg").write_bytes(JPEG)
    sha = hashlib.sha256(JPEG).hexdigest()
    item = rs.check(task, photos=[sha])
    (folder / "batch.json").write_text(json.dumps({
        "batch_id": "offline-1", "device_id": "dev-9", "username": "collector01", "items": [item],
        "photo_meta": {sha: {"lon": lon, "lat": lat}}}), encoding="utf-8")
    return {"centre": str(centre), "folder": str(folder), "case": no, "zip": str(tmp_path / "batch.zip"),
            "tmp": tmp_path}


def _status(centre, case_no):
    conn = db.open_centre(centre)
    try:
        return conn.execute("SELECT status FROM cases WHERE case_no = ?", (case_no,)).fetchone()[0]
    finally:
        conn.close()


def test_a_folder_exported_and_imported_gets_the_push_receipts_and_twice_changes_nothing(processing, world):
    out = processing.run("citygrid:export_batch", {"SOURCE": world["folder"], "OUTPUT": world["zip"]})
    assert (out["ITEMS"], out["PHOTOS"]) == (1, 1)
    assert zipfile.ZipFile(world["zip"]).namelist()[0] == "manifest.json"
    receipts = str(world["tmp"] / "receipts.json")
    first = processing.run("citygrid:import_batch", {"CENTRE": world["centre"], "INPUT": world["zip"],
                                                     "RECEIPTS": receipts})
    assert (first["BATCH_ID"], first["ACCEPTED"], first["DUPLICATE"]) == ("offline-1", 1, 0)
    assert json.loads(open(receipts, encoding="utf-8").read())["receipts"][0]["status"] == "accepted"
    status = _status(world["centre"], world["case"])
    assert status == "check_passed"
    again = processing.run("citygrid:import_batch", {"CENTRE": world["centre"], "INPUT": world["zip"]})
    assert (again["ACCEPTED"], again["DUPLICATE"]) == (0, 1)
    assert _status(world["centre"], world["case"]) == status


def test_a_field_apps_outbox_exports_its_waiting_items(processing, tmp_path):
    import sqlite3

    data = tmp_path / "field"
    data.mkdir()
    photo = data / "p.jpg"
    photo.write_bytes(JPEG)
    sha = hashlib.sha256(JPEG).hexdigest()
    cx = sqlite3.connect(data / "field.db")
    cx.executescript("CREATE TABLE meta (key TEXT, value TEXT); CREATE TABLE outbox (seq INTEGER, username TEXT, "
                     "item TEXT, status TEXT, blocked TEXT); CREATE TABLE photos (sha256 TEXT, path TEXT);")
    cx.execute("INSERT INTO meta VALUES ('device_id', 'phone-7')")
    cx.execute("INSERT INTO outbox VALUES (1, 'collector01', ?, NULL, NULL)",
               (json.dumps(rs.report((120.6, 31.3), photos=[sha])),))
    cx.execute("INSERT INTO photos VALUES (?, ?)", (sha, str(photo)))
    cx.commit()
    cx.close()
    out = processing.run("citygrid:export_batch", {"SOURCE": str(data), "OUTPUT": str(tmp_path / "o.zip")})
    manifest = json.loads(zipfile.ZipFile(tmp_path / "o.zip").read("manifest.json"))
    assert (out["ITEMS"], manifest["device_id"], manifest["photos"][0]["sha256"]) == (1, "phone-7", sha)


def test_a_folder_without_batch_json_is_refused_with_the_cores_message(processing, tmp_path):
    with pytest.raises(qgis_core.QgsProcessingException, match="cannot export from"):
        processing.run("citygrid:export_batch", {"SOURCE": str(tmp_path), "OUTPUT": str(tmp_path / "x.zip")})


def test_a_tampered_photo_is_refused_whole_and_a_missing_one_leaves_the_item_waiting(processing, world):
    processing.run("citygrid:export_batch", {"SOURCE": world["folder"], "OUTPUT": world["zip"]})
    with zipfile.ZipFile(world["zip"]) as zf:
        manifest, names = json.loads(zf.read("manifest.json")), zf.namelist()
    missing = world["tmp"] / "missing.zip"
    with zipfile.ZipFile(missing, "w") as zf:
        zf.writestr("manifest.json", json.dumps(manifest))  # the photo left out
    edited = world["tmp"] / "edited.zip"
    with zipfile.ZipFile(world["zip"]) as src, zipfile.ZipFile(edited, "w") as zf:
        for name in names:
            zf.writestr(name, src.read(name) if name != names[1] else b"\xff\xd8\xff not the photo")
    with pytest.raises(qgis_core.QgsProcessingException, match="does not match its SHA-256"):
        processing.run("citygrid:import_batch", {"CENTRE": world["centre"], "INPUT": str(edited)})
    assert _status(world["centre"], world["case"]) == "checking"
    waiting = processing.run("citygrid:import_batch", {"CENTRE": world["centre"], "INPUT": str(missing)})
    assert (waiting["PHOTOS_MISSING"], waiting["ACCEPTED"]) == (1, 0)
    assert _status(world["centre"], world["case"]) == "checking"


def test_a_file_that_is_not_a_centre_is_refused(processing, world, tmp_path):
    processing.run("citygrid:export_batch", {"SOURCE": world["folder"], "OUTPUT": world["zip"]})
    fake = tmp_path / "fake.gpkg"
    fake.write_bytes(b"not a geopackage")
    with pytest.raises(qgis_core.QgsProcessingException):
        processing.run("citygrid:import_batch", {"CENTRE": str(fake), "INPUT": world["zip"]})
