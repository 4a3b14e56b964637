# SPDX-License-Identifier: GPL-2.0-or-later
"""A device store holding one 核查 task and one 核实 task with their cases, for the forms' tests."""

from datetime import UTC, datetime

from citygrid.sync.protocol import PullItem, PullPage
from citygrid_field.platform.location import Fix
from citygrid_field.store import Store

CASE_LAT, CASE_LON = 31.30, 120.60
CHECK = {"id": "t-check", "kind": "check", "case_no": "C-2026-0001", "due_at": "2026-11-25T00:00:00Z",
         "status": "open"}
VERIFY = {"id": "t-verify", "kind": "verify", "case_no": "C-2026-0002", "due_at": "2026-11-25T00:00:00Z",
          "status": "open"}


def case(case_no: str, photos=()) -> dict:
    return {"case_no": case_no, "kind": "event", "class_code": "0101", "status": "checking",
            "address": "姑苏区人民路 100 号", "description": "道路破损", "lon": CASE_LON, "lat": CASE_LAT,
            "condition": "路面破损面积大于 1 平方米", "close_standard": "路面修复平整，无坑洼",
            "photos": list(photos)}


CLASS = {"kind": "event", "code": "0101", "major_code": "01", "major_name": "市容环境",
         "minor_code": "0101", "minor_name": "道路破损", "retired": False}


def device(path, photos=()) -> Store:
    store = Store(path)
    store.put(username="collector01", server="http://centre.invalid", token="tok")
    items = (PullItem("task", CHECK["id"], False, CHECK), PullItem("task", VERIFY["id"], False, VERIFY),
             PullItem("case", CHECK["case_no"], False, case(CHECK["case_no"], photos)),
             PullItem("case", VERIFY["case_no"], False, case(VERIFY["case_no"])),
             PullItem("class", "event:0101", False, CLASS))
    store.apply_page(PullPage("r1", False, items))
    return store


def fix_at(metres_north: float = 0.0, accuracy: float = 5.0) -> Fix:
    """A fix `metres_north` of the case (1° of latitude ≈ 111.2 km)."""
    return Fix(CASE_LAT + metres_north / 111_195, CASE_LON, accuracy, datetime(2026, 11, 24, 2, tzinfo=UTC))
