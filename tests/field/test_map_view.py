# SPDX-License-Identifier: GPL-2.0-or-later
"""The offline map: an MBTiles basemap made here with Pillow, a blank map without one (never the network),
a broken file said in the user's language, markers, and a tap turned into a point."""

import sqlite3

import pytest
from report_world import HERE, fix, mbtiles
from ui_driver import tick_until

from citygrid_field.ui.language import Language
from citygrid_field.ui.map_view import BASEMAP, BlankSource, FieldMap, open_basemap


@pytest.fixture
def no_network(monkeypatch):
    from kivy_garden.mapview.downloader import Downloader

    def refuse(*_a, **_k):
        raise AssertionError("the map asked the network for a tile")
    monkeypatch.setattr(Downloader, "download_tile", refuse)
    monkeypatch.setattr(Downloader, "download", refuse)


def shown(data, **kw):
    from kivy.core.window import Window

    m = FieldMap(open_basemap(data), size=(400, 400), pos=(0, 0), size_hint=(None, None), **kw)
    Window.add_widget(m)
    return m


def test_the_mbtiles_in_the_data_folder_is_the_basemap_and_its_tiles_are_drawn(tmp_path, no_network, monkeypatch):
    from kivy.clock import Clock
    from kivy_garden.mapview.downloader import Downloader

    # mapview's downloader is one per process and keeps the folder of the first map that loads a tile:
    # as in the app's process, this map is the first (maps of earlier tests load theirs now, then go)
    for _ in range(3):
        Clock.tick()
    monkeypatch.setattr(Downloader, "_instance", None)
    mbtiles(tmp_path / BASEMAP)
    basemap = open_basemap(tmp_path)
    assert basemap.path == tmp_path / BASEMAP and basemap.problem is None
    assert basemap.status(Language(lang="zh_CN")) == "离线地图：basemap.mbtiles"
    m = shown(tmp_path)
    try:
        assert m.zoom == 16 and m.lat == pytest.approx(HERE[0])
        tick_until(lambda: any(t.state == "animated" or t.g_color.a > 0 for t in m._tiles), timeout=10)
    finally:
        m.parent.remove_widget(m)
    assert (tmp_path / "map-cache").is_dir() and not (tmp_path / "cache").exists()


def test_without_an_mbtiles_the_map_says_so_and_loads_no_tile(tmp_path, no_network):
    basemap = open_basemap(tmp_path)
    assert isinstance(basemap.source, BlankSource) and basemap.path is None
    assert "没有离线地图" in basemap.status(Language(lang="zh_CN"))
    assert not (tmp_path / BASEMAP).exists()
    m = shown(tmp_path, lat=HERE[0], lon=HERE[1], zoom=17)
    try:
        m.show(tasks=[HERE], components=[(HERE[0] + 0.0001, HERE[1])], fix=fix())
        for _ in range(5):
            from kivy.clock import Clock
            Clock.tick()
        assert m._tiles and all(t.state == "done" and t.g_color.a == 0 for t in m._tiles)
        assert [mk.kind for mk in m.markers] == ["task", "component", "device"]
    finally:
        m.parent.remove_widget(m)


def test_with_no_basemap_no_task_and_no_fix_the_map_still_opens(tmp_path, no_network):
    """Found by the bundle test: a first start (nothing pulled, no GPS yet) crashed the app at the map."""
    m = shown(tmp_path)
    try:
        assert (m.lat, m.lon) == (0.0, 0.0) and m.zoom == 17
    finally:
        from kivy.core.window import Window
        Window.remove_widget(m)


@pytest.mark.parametrize("damage", ["not sqlite", "no metadata", "vector tiles"])
def test_a_broken_mbtiles_is_named_in_the_users_language_and_the_map_stays_blank(tmp_path, damage):
    path = tmp_path / BASEMAP
    if damage == "not sqlite":
        path.write_bytes(b"GIF89a" + b"\0" * 200)
    else:
        mbtiles(path)
        cx = sqlite3.connect(path)
        cx.execute("DELETE FROM metadata" if damage == "no metadata" else
                   "UPDATE metadata SET value = 'pbf' WHERE name = 'format'")
        cx.commit()
        cx.close()
    basemap = open_basemap(tmp_path)
    assert isinstance(basemap.source, BlankSource) and basemap.problem.code == "field_report.bad_basemap"
    assert "无法读取离线地图" in basemap.status(Language(lang="zh_CN"))


def test_markers_are_replaced_not_piled_up(tmp_path, no_network):
    m = shown(tmp_path, lat=HERE[0], lon=HERE[1], zoom=17)
    try:
        m.show(tasks=[HERE, HERE])
        m.show(components=[HERE], report=HERE)
        assert [mk.kind for mk in m.markers] == ["component", "report"]
        assert len(m._default_marker_layer.children) == 2
    finally:
        m.parent.remove_widget(m)


def test_a_tap_gives_the_point_under_the_finger_and_a_drag_gives_none(tmp_path, no_network):
    from kivy.tests.common import UnitTestTouch

    m = shown(tmp_path, lat=HERE[0], lon=HERE[1], zoom=17)
    taps = []
    m.bind(on_tap=lambda _m, lat, lon: taps.append((lat, lon)))
    try:
        m.center_on(*HERE)
        touch = UnitTestTouch(200, 200)
        touch.touch_down()
        touch.touch_up()
        assert len(taps) == 1 and taps[0] == pytest.approx(HERE, abs=1e-6)
        drag = UnitTestTouch(100, 100)
        drag.touch_down()
        drag.touch_move(180, 160)
        drag.touch_up()
        assert len(taps) == 1
    finally:
        m.parent.remove_widget(m)
