# SPDX-License-Identifier: GPL-2.0-or-later
"""GET/HEAD /api/v1/basemap: the signed-in user's offline map, with ETag/304, Range resumes and coded 404s."""

import os

import pytest

from citygrid.sync import protocol
from citygrid_server.routes_basemap import basemap_for, folder

MAP = bytes(range(256)) * 40  # 10,240 bytes; the service does not read it


def _put(centre_path, name: str, data: bytes = MAP):
    root = folder(centre_path)
    root.mkdir(exist_ok=True)
    (root / f"{name}.mbtiles").write_bytes(data)
    return root / f"{name}.mbtiles"


def test_the_folder_sits_beside_the_centre_like_the_blobs(tmp_path):
    assert folder(tmp_path / "center.gpkg") == tmp_path / "center.basemaps"


def test_no_map_is_a_coded_404_in_the_users_terms(client, login):
    r = client.get("/api/v1/basemap", headers=login("collector01"))
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "basemap.not_found"


def test_a_collector_gets_their_own_map_before_the_centres(client, login, centre_path):
    _put(centre_path, "centre", b"shared map")
    _put(centre_path, "collector01", MAP)
    r = client.get("/api/v1/basemap", headers=login("collector01"))
    assert r.status_code == 200 and r.content == MAP
    assert r.headers["etag"] and r.headers["accept-ranges"] == "bytes"


def test_other_roles_fall_back_to_the_centre_map(client, login, centre_path):
    _put(centre_path, "centre", b"shared map")
    _put(centre_path, "collector01", MAP)
    r = client.get("/api/v1/basemap", headers=login("supervisor"))
    assert r.status_code == 200 and r.content == b"shared map"


def test_if_none_match_with_the_etag_answers_304_without_a_body(client, login, centre_path):
    _put(centre_path, "centre")
    h = login("collector01")
    etag = client.get("/api/v1/basemap", headers=h).headers["etag"]
    r = client.get("/api/v1/basemap", headers={**h, "If-None-Match": etag})
    assert r.status_code == 304 and r.content == b"" and r.headers["etag"] == etag
    stale = client.get("/api/v1/basemap", headers={**h, "If-None-Match": '"not-it"'})
    assert stale.status_code == 200 and stale.content == MAP


def test_a_replaced_map_has_a_new_etag(client, login, centre_path):
    path = _put(centre_path, "centre")
    h = login("collector01")
    before = client.get("/api/v1/basemap", headers=h).headers["etag"]
    path.write_bytes(MAP + b"more")
    os.utime(path, (1_700_000_000, 1_700_000_000))
    assert client.get("/api/v1/basemap", headers=h).headers["etag"] != before


def test_a_range_resumes_a_cut_download(client, login, centre_path):
    _put(centre_path, "centre")
    h = login("collector01")
    etag = client.head("/api/v1/basemap", headers=h).headers["etag"]
    r = client.get("/api/v1/basemap", headers={**h, "Range": "bytes=4000-", "If-Range": etag})
    assert r.status_code == 206 and r.content == MAP[4000:]
    assert r.headers["content-range"] == f"bytes 4000-{len(MAP) - 1}/{len(MAP)}"


def test_a_range_against_a_changed_map_sends_the_whole_new_file(client, login, centre_path):
    _put(centre_path, "centre")
    h = login("collector01")
    r = client.get("/api/v1/basemap", headers={**h, "Range": "bytes=4000-", "If-Range": '"an-old-etag"'})
    assert r.status_code == 200 and r.content == MAP


@pytest.mark.parametrize("bad", ["bytes=99999-", "bytes=abc", "items=0-1"])
def test_hostile_ranges_are_refused_or_ignored_never_a_500(client, login, centre_path, bad):
    _put(centre_path, "centre")
    r = client.get("/api/v1/basemap", headers={**login("collector01"), "Range": bad})
    assert r.status_code in (200, 400, 416)


def test_head_gives_size_and_etag_without_bytes(client, login, centre_path):
    _put(centre_path, "centre")
    r = client.head("/api/v1/basemap", headers=login("collector01"))
    assert r.status_code == 200 and r.content == b""
    assert int(r.headers["content-length"]) == len(MAP) and r.headers["last-modified"]


def test_an_unsupported_protocol_header_is_refused_like_every_route(client, login, centre_path):
    _put(centre_path, "centre")
    r = client.get("/api/v1/basemap", headers={**login("collector01"), protocol.HEADER: "999"})
    assert r.status_code == 426 and r.json()["error"]["code"] == "protocol.unsupported"


def test_anonymous_is_401(client, centre_path):
    _put(centre_path, "centre")
    assert client.get("/api/v1/basemap").status_code == 401


@pytest.mark.parametrize("name", ["../center", "..", "a/b", "", ".hidden", "centre", "x" * 200])
def test_a_username_that_is_no_plain_file_name_only_ever_gets_the_centre_map(tmp_path, name):
    centre = tmp_path / "center.gpkg"
    (tmp_path / "center.mbtiles").write_bytes(b"outside")
    assert basemap_for(centre, name) is None
    _put(centre, "centre", b"shared")
    assert basemap_for(centre, name) == folder(centre) / "centre.mbtiles"


def test_a_folder_named_like_a_map_is_not_served(tmp_path):
    centre = tmp_path / "center.gpkg"
    (folder(centre) / "collector01.mbtiles").mkdir(parents=True)
    assert basemap_for(centre, "collector01") is None
