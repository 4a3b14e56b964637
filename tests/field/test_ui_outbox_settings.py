# SPDX-License-Identifier: GPL-2.0-or-later
"""The outbox screen's model (photos, bytes, receipts in the user's language, retry) and the settings."""

import pytest
from capture import shift
from test_sync_live import PASSWORD
from test_ui_tasks import FAST
from ui_driver import tick_until

from citygrid_field.session import Api, sign_in
from citygrid_field.store import Store
from citygrid_field.ui.language import Language
from citygrid_field.ui.outbox_vm import OutboxVM, size_text
from citygrid_field.ui.settings_vm import LONG_SIDE, SettingsVM
from citygrid_field.ui.sync_vm import SyncVM


def test_the_outbox_lists_photos_and_bytes_then_the_receipts_in_the_users_language(world, tmp_path):
    store, lang = Store(world["data"]), Language(lang="zh_CN")
    sign_in(store, Api(world["server"].url), "collector01", PASSWORD)
    sync = SyncVM(store, lang, FAST)
    box = OutboxVM(store, lang, sync)
    sync.start()
    tick_until(lambda: not sync.running)
    shift(store, tmp_path / "photos")
    box.refresh()
    check = next(r for r in box.rows if r["title"].startswith("核查"))
    assert check["photos_text"].startswith("2 张照片") and check["status_text"] == "等待发送"
    assert len(check["photo_paths"]) == 2
    assert box.retry(check["uuid"])  # retry is a sync; the outbox refreshes when it ends
    tick_until(lambda: not sync.running)
    assert {r["state"] for r in box.rows} == {"done"} and not any(r["can_retry"] for r in box.rows)
    assert all("中心已接收" in r["status_text"] for r in box.rows), box.rows
    lang.lang = "en"
    assert all("received by the centre" in r["status_text"] for r in box.rows)
    assert box.counts == "0 waiting · 3 received · 0 for the supervisor · 0 need you"


def test_a_photo_changed_on_disk_holds_its_item_and_says_why(world, tmp_path):
    store, lang = Store(world["data"]), Language(lang="en")
    sign_in(store, Api(world["server"].url), "collector01", PASSWORD)
    sync = SyncVM(store, lang, FAST)
    sync.start()
    tick_until(lambda: not sync.running)
    uuids = shift(store, tmp_path / "photos")
    (tmp_path / "photos" / "r.jpg").write_bytes(b"not the photo any more")
    box = OutboxVM(store, lang, sync)
    sync.start()
    tick_until(lambda: not sync.running)
    report = next(r for r in box.rows if r["uuid"] == uuids["report"])
    assert report["state"] == "blocked" and report["can_retry"]
    assert "changed after it was taken" in report["status_text"]
    assert box.counts.endswith("1 need you")


@pytest.mark.parametrize("n, text", [(0, "0 B"), (1023, "1023 B"), (2048, "2 KB"), (1_572_864, "1.5 MB")])
def test_sizes_read_as_bytes_kilobytes_or_megabytes(n, text):
    assert size_text(n) == text


def test_the_language_switches_live_and_is_kept_for_the_next_start(tmp_path):
    store, lang = Store(tmp_path / "d"), Language(lang="zh_CN")
    vm = SettingsVM(store, lang)
    seen = []
    lang.bind(lang=lambda _i, value: seen.append(value))
    vm.set_language("en")
    assert lang.lang == "en" and seen == ["en"]
    fresh = Language(lang="zh_CN")
    SettingsVM(Store(tmp_path / "d"), fresh)
    assert fresh.lang == "en"


def test_the_server_url_is_offered_at_sign_in_without_changing_the_session(tmp_path):
    store = Store(tmp_path / "d")
    store.put(server="http://old:8765", token="t")
    vm = SettingsVM(store, Language(lang="en"))
    assert vm.set_server(" http://new:8765/ ") and vm.server == "http://new:8765"
    assert store.get("ui_server") == "http://new:8765" and store.get("server") == "http://old:8765"
    assert not vm.set_server("new:8765") and "not a server address" in vm.error
    assert vm.server == "http://new:8765"


@pytest.mark.parametrize("bad", ["", "abc", "10", "100000", None, "1e3"])
def test_a_photo_size_out_of_range_is_refused_in_the_users_language(tmp_path, bad):
    store = Store(tmp_path / "d")
    vm = SettingsVM(store, Language(lang="zh_CN"))
    assert not vm.set_long_side(bad) and "不是有效的照片尺寸" in vm.error
    assert vm.long_side == LONG_SIDE and store.get("photo_long_side") is None
    assert vm.set_long_side("2048") and vm.error == "" and SettingsVM(store, Language()).long_side == 2048
