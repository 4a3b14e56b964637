# SPDX-License-Identifier: GPL-2.0-or-later
"""A new report made on the screen's view model from what a real `citygrid serve` sent, synced back:
on the centre it is one case of the chosen class at the chosen place with its photo."""

import json

import server_view as sv
from conftest import jpeg
from test_sync_live import PASSWORD, sync

from citygrid.store import db
from citygrid_field.outbox import Outbox
from citygrid_field.platform import backend
from citygrid_field.platform.camera import FakeCamera
from citygrid_field.session import Api, sign_in
from citygrid_field.store import Store
from citygrid_field.ui.language import Language
from citygrid_field.ui.report_vm import ReportVM


def test_an_event_report_from_pulled_classes_reaches_the_centre_as_a_case_with_its_photo(world, tmp_path):
    store = Store(world["data"])
    sign_in(store, Api(world["server"].url), "collector01", PASSWORD)
    assert sync(store).problem is None
    platform = backend("fake", data=world["data"])
    object.__setattr__(platform, "camera", FakeCamera(jpeg(tmp_path / "raw.jpg", 3, (1200, 900))))
    vm = ReportVM(store, Language(lang="zh_CN"), platform)
    vm.refresh()
    vm.query = "暴露垃圾"
    (row,) = vm.class_rows
    vm.choose(row["code"])
    case = store.records("case")[0]
    vm.use_tap(case["lat"], case["lon"] + 0.0005)
    vm.take_photo()
    vm.description = "新发现暴露垃圾"
    uuid = vm.submit()
    assert uuid, vm.problem
    result = sync(store)
    assert result.problem is None and result.receipts == {uuid: "accepted"}, result
    (entry,) = [e for e in Outbox(store).entries() if e.uuid == uuid]
    assert entry.case_no and sv.case_status(world["path"], entry.case_no) == "reported"
    assert {p.sha256 for p in entry.photos} <= sv.case_photos(world["path"], entry.case_no)
    conn = db.open_centre(world["path"])
    try:
        got = conn.execute("SELECT class_code, description FROM cases WHERE case_no = ?", (entry.case_no,)).fetchone()
    finally:
        conn.close()
    assert tuple(got) == (row["code"], "新发现暴露垃圾"), json.dumps(list(got), ensure_ascii=False)
