# SPDX-License-Identifier: GPL-2.0-or-later
"""The outbox screen's model (photos, bytes, receipts in the user's language, retry) and the settings."""

from datetime import timedelta

import pytest
from capture import shift
from mbtiles_fixture import mbtiles
from test_sync_live import PASSWORD
from test_ui_tasks import FAST
from ui_driver import tick_until

from citygrid import times
from citygrid.problems import Problem
from citygrid_field.session import Api, sign_in
from citygrid_field.store import Store
from citygrid_field.ui.language import Language
from citygrid_field.ui.outbox_vm import OutboxVM, size_text
from citygrid_field.ui.settings_vm import LONG_SIDE, SettingsVM
from citygrid_field.ui.sync_vm import SyncVM
from citygrid_server.routes_basemap import folder


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


def _held_shift(world, tmp_path, lang="en"):
    """A shift whose check lost one of its two photos and whose report's only photo changed, synced once."""
    store, language = Store(world["data"]), Language(lang=lang)
    sign_in(store, Api(world["server"].url), "collector01", PASSWORD)
    sync = SyncVM(store, language, FAST)
    sync.start()
    tick_until(lambda: not sync.running)
    uuids = shift(store, tmp_path / "photos")
    (tmp_path / "photos" / "c0.jpg").unlink()
    (tmp_path / "photos" / "r.jpg").write_bytes(b"not the photo any more")
    box = OutboxVM(store, language, sync)
    sync.start()
    tick_until(lambda: not sync.running)
    return store, box, sync, uuids


def _row(box, uuid):
    return next(r for r in box.rows if r["uuid"] == uuid)


def test_rows_say_which_case_and_class_and_when_the_item_was_made(world, tmp_path):
    store, box, _sync, uuids = _held_shift(world, tmp_path)
    check, report = _row(box, uuids["check"]), _row(box, uuids["report"])
    task = {t["kind"]: t for t in store.tasks()}["check"]  # the one capture.shift checked
    case = store.record("case", task["case_no"])
    cls = store.record("class", f"{case['kind']}:{case['class_code']}")
    assert check["title"] == f"check (核查)  {task['case_no']}"
    assert check["subject"] == f"{cls['major_name']} / {cls['minor_name']}"
    assert report["subject"] == " / ".join(store.record("class", "event:0102")[k] for k in ("major_name", "minor_name"))
    now = times.now().astimezone(times.zone())  # the item's created_at, in the centre's zone
    assert check["made_text"] in {f"made {(now - timedelta(minutes=m)):%m-%d %H:%M}" for m in (0, 1)}


def test_a_held_item_offers_retry_send_without_the_photo_and_discard_only_where_they_help(world, tmp_path):
    _store, box, _sync, uuids = _held_shift(world, tmp_path)
    check, report, verify = (_row(box, uuids[k]) for k in ("check", "report", "verify"))
    assert check["state"] == "blocked" and check["can_retry"] and check["can_drop"] and check["can_drop_photo"]
    assert check["drop_path"].endswith("c0.jpg") and len(check["drop_sha"]) == 64
    assert report["state"] == "blocked" and report["can_drop"] and not report["can_drop_photo"]
    assert "only photo" in report["hint"] and "discard the item" in report["hint"]
    assert verify["state"] == "done" and not (verify["can_retry"] or verify["can_drop"] or verify["can_drop_photo"])
    assert "until you clear received items" in verify["hint"]


def test_sending_without_the_vanished_photo_delivers_the_check_with_the_other(world, tmp_path):
    _store, box, sync, uuids = _held_shift(world, tmp_path)
    check = _row(box, uuids["check"])
    assert "without the photo" in box.confirm_text(check["uuid"], "drop_photo")
    box.drop_photo(check["uuid"], check["drop_sha"])
    assert _row(box, uuids["check"])["state"] == "waiting"
    assert _row(box, uuids["check"])["photos_text"].startswith("1 photos")
    box.retry()
    tick_until(lambda: not sync.running)
    assert _row(box, uuids["check"])["state"] == "done"


def test_the_only_photo_of_a_report_cannot_be_dropped_but_the_report_can_be_discarded(world, tmp_path):
    _store, box, _sync, uuids = _held_shift(world, tmp_path)
    report = _row(box, uuids["report"])
    sha = _store.cx.execute("SELECT sha256 FROM outbox_photos WHERE uuid = ?", (uuids["report"],)).fetchone()[0]
    with pytest.raises(Problem) as e:
        box.drop_photo(report["uuid"], sha)
    assert e.value.code == "field_outbox.last_photo"
    assert "1 photos" in box.confirm_text(report["uuid"], "drop") and "report the problem again" in box.confirm_text(report["uuid"], "drop")
    box.drop(report["uuid"])
    assert uuids["report"] not in {r["uuid"] for r in box.rows}


def test_received_items_stay_until_cleared_and_a_received_item_cannot_be_discarded(world, tmp_path):
    _store, box, _sync, uuids = _held_shift(world, tmp_path)
    assert box.finals == 1
    with pytest.raises(Problem):
        box.drop(uuids["verify"])
    assert box.forget_received() == 1
    assert box.finals == 0 and {r["uuid"] for r in box.rows} == {uuids["check"], uuids["report"]}


def test_retry_is_offered_on_waiting_items_only_after_a_failed_sync(world, tmp_path):
    store, lang = Store(world["data"]), Language(lang="en")
    sign_in(store, Api(world["server"].url), "collector01", PASSWORD)
    sync = SyncVM(store, lang, FAST)
    sync.start()
    tick_until(lambda: not sync.running)
    shift(store, tmp_path / "photos")
    box = OutboxVM(store, lang, sync)
    box.refresh()
    assert not any(r["can_retry"] for r in box.rows)
    world["server"].stop()
    sync.start()
    tick_until(lambda: not sync.running, timeout=120)
    assert sync.phase == "failed" and all(r["can_retry"] for r in box.rows if r["state"] == "waiting")


def test_settings_downloads_the_map_off_the_ui_thread_and_shows_its_size(world):
    store, lang = Store(world["data"]), Language(lang="en")
    sign_in(store, Api(world["server"].url), "collector01", PASSWORD)
    served = mbtiles(folder(world["path"]) / "centre.mbtiles", tiles=30)
    vm = SettingsVM(store, lang).map
    assert vm.map_text == "no offline map on this device"
    assert vm.start() and vm.running and not vm.start()  # one download at a time
    tick_until(lambda: not vm.running)
    assert vm.status == "the new map is in use" and not vm.failed and vm.fraction == 1.0
    assert vm.map_text.startswith(f"offline map on this device: {size_text(served.stat().st_size)}, ")
    assert vm.start()
    tick_until(lambda: not vm.running)
    assert vm.status == "the map is up to date"


def test_a_refused_map_download_says_why_in_the_users_language_and_keeps_the_old_map(world):
    store, lang = Store(world["data"]), Language(lang="zh_CN")
    sign_in(store, Api(world["server"].url), "collector01", PASSWORD)
    old = mbtiles(world["data"] / "basemap.mbtiles", tiles=2).read_bytes()
    vm = SettingsVM(store, lang).map
    vm.start()
    tick_until(lambda: not vm.running)
    assert vm.failed and vm.status.startswith("尚未为 collector01 制作离线地图")
    assert (world["data"] / "basemap.mbtiles").read_bytes() == old


def test_the_map_download_without_a_session_starts_nothing(tmp_path):
    vm = SettingsVM(Store(tmp_path / "d"), Language(lang="en")).map
    assert not vm.start() and not vm.running and vm.failed
    assert vm.status == "sign in to the server first"


def test_the_outbox_and_task_texts_kept_in_constants_have_chinese():
    from citygrid import i18n
    from citygrid_field.ui import outbox_vm, tasks_vm

    texts = [outbox_vm.DISCARD_TASK, outbox_vm.DISCARD_REPORT, tasks_vm.COUNTS]
    assert [t for t in texts if i18n.gettext(t, "zh_CN") == t] == []
