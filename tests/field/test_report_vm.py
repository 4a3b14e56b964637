# SPDX-License-Identifier: GPL-2.0-or-later
"""The new report's view model without a window: class search, the place from a fix or a tap, nearby
components, photos through the camera facade, the required fields, and the one outbox item it writes."""

import json

import pytest
from conftest import jpeg
from report_world import HERE, fix, pulled_store

from citygrid.problems import Problem
from citygrid.sync.protocol import PushItem
from citygrid_field.outbox import Outbox
from citygrid_field.platform import backend
from citygrid_field.platform.camera import FakeCamera
from citygrid_field.ui.language import Language
from citygrid_field.ui.report_vm import ReportVM


@pytest.fixture
def vm(tmp_path):
    store = pulled_store(tmp_path / "device")
    platform = backend("fake", data=tmp_path / "device")
    vm = ReportVM(store, Language(lang="zh_CN"), platform)
    vm.refresh()
    return vm


def with_camera(vm, *paths):
    object.__setattr__(vm.platform, "camera", FakeCamera(*paths))
    return vm


def test_search_finds_classes_by_chinese_name_and_by_code_and_never_a_retired_one(vm):
    vm.kind = "component"
    assert [r["code"] for r in vm.class_rows] == ["0101", "0102"]
    vm.query = "污水"
    assert [r["code"] for r in vm.class_rows] == ["0102"]
    vm.query = "0101"
    assert [r["code"] for r in vm.class_rows] == ["0101"]
    vm.query = "旧式"
    assert vm.class_rows == []  # retired
    vm.query, vm.kind = "", "event"
    assert [r["code"] for r in vm.class_rows] == ["0102", "0201"]
    assert vm.majors == [{"code": "01", "text": "01 市容环境"}, {"code": "02", "text": "02 市容环境"}]


def test_an_event_and_a_component_class_sharing_a_code_are_told_apart_by_the_kind(vm):
    vm.choose("0102")
    assert (vm.chosen.kind, vm.chosen.minor_name) == ("event", "暴露垃圾")
    vm.choose("0102", "component")
    assert (vm.chosen.kind, vm.chosen.minor_name, vm.kind) == ("component", "污水井盖", "component")


def test_choosing_a_retired_or_unknown_class_is_refused(vm):
    for code in ("0103", "9999", "0102x"):
        with pytest.raises(Problem) as e:
            vm.choose(code)
        assert e.value.code == "field_report.unknown_class"


def test_the_place_comes_from_the_fix_until_the_map_is_tapped(vm):
    vm.on_fix(fix(accuracy=6.0))
    assert vm.location_source == "gps" and vm.location.accuracy_m == 6.0
    assert "GPS" in vm.location_text and "±6" in vm.location_text
    vm.use_tap(31.3, 120.2)
    assert (vm.location.lat, vm.location.lon, vm.location.accuracy_m) == (31.3, 120.2, None)
    vm.on_fix(fix(lat=31.0))  # a newer fix does not move a tapped place
    assert vm.location.lat == 31.3 and "地图点选" in vm.location_text
    vm.use_fix()
    assert vm.location.lat == 31.0


def test_without_a_fix_use_gps_says_so_in_chinese(vm):
    vm.use_fix()
    assert vm.location is None and "GPS" in vm.problem and "尚未" in vm.problem


def test_a_tap_off_the_globe_is_refused(vm):
    with pytest.raises(Problem):
        vm.use_tap(95.0, 120.0)


def test_nearby_components_are_the_close_ones_of_the_chosen_class_and_picking_one_sets_its_class(vm):
    vm.kind = "component"
    vm.on_fix(fix())
    assert [r["obj_id"] for r in vm.components] == ["3205080101000001", "3205080102000007"]  # not the far one
    vm.choose("0102")
    assert [r["obj_id"] for r in vm.components] == ["3205080102000007"]
    vm.choose("0101")
    vm.pick_component("3205080101000001")
    assert vm.obj_id == "3205080101000001" and vm.chosen.code == "0101"
    with pytest.raises(Problem):
        vm.pick_component("3205080101000009")  # on the device but 1 km away


def test_the_required_fields_are_asked_for_one_by_one_in_the_users_language(vm, tmp_path):
    with_camera(vm, jpeg(tmp_path / "a.jpg"))
    assert vm.submit() is None and vm.problem == "请先选择问题类别"
    vm.choose("0101", "component")
    assert vm.submit() is None and "位置" in vm.problem
    vm.on_fix(fix())
    assert vm.submit() is None and "部件" in vm.problem
    vm.pick_component("3205080101000001")
    assert vm.submit() is None and "照片" in vm.problem
    assert Outbox(vm.store).entries() == []


def test_a_file_that_is_not_an_image_is_refused_and_the_form_keeps_the_rest(vm, tmp_path):
    bad = tmp_path / "notes.jpg"
    bad.write_text("not a photo")
    with_camera(vm, bad, None)
    vm.choose("0201")
    vm.description = "路边违章搭建"
    vm.take_photo()
    assert vm.photos == [] and vm.problem and vm.description == "路边违章搭建"
    vm.take_photo()  # cancelled: nothing changes
    assert vm.photos == [] and vm.chosen.code == "0201"


def test_a_component_report_becomes_one_outbox_item_the_centre_would_accept(vm, tmp_path):
    with_camera(vm, jpeg(tmp_path / "a.jpg", 1, (900, 600)), jpeg(tmp_path / "b.jpg", 2))
    vm.kind = "component"
    vm.on_fix(fix())
    vm.pick_component("3205080101000001")
    vm.take_photo()
    vm.take_photo()
    vm.description = " 井盖破损 "
    uuid = vm.submit()
    assert uuid, vm.problem
    assert vm.notice == "上报已存入待发送箱"
    (entry,) = Outbox(vm.store).entries()
    assert entry.uuid == uuid and entry.type == "report" and len(entry.photos) == 2
    wire = json.loads(vm.store.cx.execute("SELECT item FROM outbox").fetchone()[0])
    item = PushItem.from_wire(wire)
    assert (item.payload.kind.value, item.payload.class_code, item.payload.ObjID) == ("component", "0101",
                                                                                       "3205080101000001")
    assert item.payload.description == "井盖破损" and item.payload.location.lat == pytest.approx(HERE[0])
    assert vm.chosen is None and vm.photos == [] and vm.description == ""  # ready for the next one
    assert not list((vm.platform.storage.root / "capture").iterdir())  # raw captures are not kept


def test_the_form_follows_a_language_switch(vm):
    vm.use_tap(31.3, 120.2)
    vm.language.lang = "en"
    assert vm.location_text.startswith("tapped on the map") and vm.chosen_text == "no class chosen yet"
