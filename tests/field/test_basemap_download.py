# SPDX-License-Identifier: GPL-2.0-or-later
"""The offline map download against a live service: resumes a cut download with Range, 304 when
current, and never leaves the device without its old map (a cut, a refusal or a file that is no MBTiles)."""

import pytest
from mbtiles_fixture import CutTransport, mbtiles
from test_sync_live import PASSWORD

from citygrid.problems import Problem
from citygrid_field.basemap_download import BASEMAP, Download, check_mbtiles, on_device
from citygrid_field.session import Api, sign_in
from citygrid_field.store import Store
from citygrid_server.routes_basemap import folder


def _api(world, transport=None) -> Api:
    store = Store(world["data"])
    sign_in(store, Api(world["server"].url), "collector01", PASSWORD)
    return Api(world["server"].url, store.get("token"), "en", transport=transport)


def test_a_map_downloads_opens_as_mbtiles_and_a_second_run_is_304(world):
    source = mbtiles(folder(world["path"]) / "collector01.mbtiles")
    seen = []
    api = _api(world)
    assert Download(api, world["data"], lambda d, t: seen.append((d, t))).run() == "installed"
    target = world["data"] / BASEMAP
    assert target.read_bytes() == source.read_bytes() and not (world["data"] / (BASEMAP + ".part")).exists()
    assert seen[-1] == (source.stat().st_size, source.stat().st_size)
    assert on_device(world["data"]).size == source.stat().st_size
    assert Download(api, world["data"]).run() == "current"


def test_a_cut_download_keeps_the_old_map_and_resumes_with_range(world):
    old = mbtiles(world["data"] / BASEMAP, tiles=3, seed=9).read_bytes()
    source = mbtiles(folder(world["path"]) / "centre.mbtiles", tiles=60)
    cut = CutTransport(cut_after=100_000)
    api = _api(world, cut)
    with pytest.raises(Problem) as e:
        Download(api, world["data"]).run()
    assert e.value.code == "field_outbox.download_failed"
    assert (world["data"] / BASEMAP).read_bytes() == old
    assert (world["data"] / (BASEMAP + ".part")).stat().st_size == 100_000
    assert Download(api, world["data"]).run() == "installed"
    assert cut.asked[-1]["range"] == "bytes=100000-"
    assert (world["data"] / BASEMAP).read_bytes() == source.read_bytes()


def test_a_map_replaced_on_the_server_mid_download_starts_over(world):
    path = folder(world["path"]) / "centre.mbtiles"
    mbtiles(path, tiles=60)
    api = _api(world, CutTransport(cut_after=50_000))
    with pytest.raises(Problem):
        Download(api, world["data"]).run()
    path.unlink()
    new = mbtiles(path, tiles=30, seed=5).read_bytes()
    assert Download(api, world["data"]).run() == "installed"
    assert (world["data"] / BASEMAP).read_bytes() == new


def test_a_file_that_is_no_mbtiles_is_thrown_away_and_the_old_map_stays(world):
    old = mbtiles(world["data"] / BASEMAP, tiles=2).read_bytes()
    folder(world["path"]).mkdir()
    (folder(world["path"]) / "centre.mbtiles").write_bytes(b"<html>a captive portal</html>" * 100)
    with pytest.raises(Problem) as e:
        Download(_api(world), world["data"]).run()
    assert e.value.code == "field_outbox.not_mbtiles"
    assert (world["data"] / BASEMAP).read_bytes() == old and not (world["data"] / (BASEMAP + ".part")).exists()


def test_no_map_on_the_server_is_its_coded_404_and_nothing_changes(world):
    with pytest.raises(Problem) as e:
        Download(_api(world), world["data"]).run()
    assert e.value.code == "basemap.not_found" and on_device(world["data"]) is None


def test_an_unreachable_server_is_a_failed_download_not_a_crash(tmp_path):
    api = Api("http://127.0.0.1:9", "t", "en")
    with pytest.raises(Problem) as e:
        Download(api, tmp_path).run()
    assert e.value.code == "field_outbox.download_failed"


@pytest.mark.parametrize("content", [b"", b"SQLite format 3\x00" + b"\x00" * 100, b"\x00" * 4096])
def test_check_refuses_what_is_not_an_mbtiles(tmp_path, content):
    path = tmp_path / "x.mbtiles"
    path.write_bytes(content)
    with pytest.raises(Problem):
        check_mbtiles(path)
