# SPDX-License-Identifier: GPL-2.0-or-later
"""A small, explicit centre for service and sync tests: 4 grids, 2 collectors, one unit."""

from __future__ import annotations

import io
import sys
from datetime import UTC, datetime

from citygrid.loop import accounts, dictionaries, workflow
from citygrid.store import db, gpkg

PASSWORD = "secret-pass-1"
X0, Y0 = 500_000.0, 3_460_000.0  # EPSG:4549, about 120.0°E 31.26°N
GRIDS = {  # code -> (col, row) of a 100 m square
    "320508001001001": (0, 0), "320508001001002": (1, 0),
    "320508001002001": (0, 1), "320508001002002": (1, 1),
}


def square(col: int, row: int) -> list:
    x, y = X0 + col * 100, Y0 + row * 100
    return [[(x, y), (x + 100, y), (x + 100, y + 100), (x, y + 100), (x, y)]]


def centre_point(code: str, dx: float = 50, dy: float = 50) -> tuple[float, float]:
    col, row = GRIDS[code]
    return X0 + col * 100 + dx, Y0 + row * 100 + dy


def build(path) -> None:
    conn = db.create_centre(path, srs_id=4549, county_code="320508", name="测试中心")
    dictionaries.install(conn)
    with db.transaction(conn):
        conn.executemany("INSERT INTO regions (code, name, level, parent_code) VALUES (?, ?, ?, ?)", [
            ("320508", "姑苏区", "district", None), ("320508001", "平江街道", "street", "320508"),
            ("320508001001", "东园社区", "community", "320508001"),
            ("320508001002", "西园社区", "community", "320508001")])
        for code, (col, row) in GRIDS.items():
            conn.execute("INSERT INTO grids (geom, code, name, street_code, community_code, area_m2) "
                         "VALUES (?, ?, ?, ?, ?, 10000)",
                         (gpkg.polygon(square(col, row), 4549), code, f"网格{code[-3:]}", code[:9], code[:12]))
        conn.executemany("INSERT INTO units (code, name, kind, region_code) VALUES (?, ?, ?, ?)", [
            ("SW", "市水务局", "department", None), ("HW", "环卫处", "department", None),
            ("PJ", "平江街道办事处", "territorial", "320508001")])
        x, y = centre_point("320508001001001", 20, 20)
        conn.execute("INSERT INTO components (geom, ObjID, ObjName, DeptCode1, DeptName1, DeptCode2, DeptName2, "
                     "BGID) VALUES (?, '3205080101000001', '上水井盖', 'SW', '市水务局', 'SW', '市水务局', "
                     "'320508001001001')", (gpkg.point(x, y, 4549),))
    for name, role, unit, grids in [
            ("admin", "admin", None, ()), ("gis", "gis", None, ()),
            ("operator", "operator", None, ()), ("leader", "leader", None, ()),
            ("dispatcher", "dispatcher", None, ()), ("supervisor", "supervisor", None, ()),
            ("collector01", "collector", None, ("320508001001001", "320508001001002")),
            ("collector02", "collector", None, ("320508001002001", "320508001002002")),
            ("unit_sw", "unit", "SW", ()), ("unit_hw", "unit", "HW", ())]:
        accounts.add_user(conn, name, role, PASSWORD, unit_code=unit, grids=grids)
    conn.close()


def actor(conn, username):
    return accounts.actor(conn, username)


def case_at(conn, status: str, *, grid="320508001001001", dx=50, dy=50, at=None) -> str:
    """Drive a new event case (暴露垃圾 0102) through the real workflow to `status`."""
    at = at or datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
    x, y = centre_point(grid, dx, dy)
    case_no = workflow.report(conn, actor(conn, "operator"), kind="event", class_code="0102", x=x, y=y,
                              description="路边暴露垃圾", source="hotline", at=at)
    steps = [("accept", "operator", {}, "pending_register"),
             ("register", "leader", {"condition_id": 1}, "registered"),
             ("dispatch", "dispatcher", {"unit_code": "HW"}, "dispatched"),
             ("report_disposal", "unit_hw", {"note": "已清理"}, "disposed"),
             ("send_check", "operator", {}, "checking")]
    for action, who, params, reached in steps:
        if status == "reported":
            break
        workflow.act(conn, case_no, action, actor(conn, who), at=at, **params)
        if reached == status:
            break
    if status == "check_passed":  # the 核查 passed by the collector holding it
        task = open_task(conn, case_no, "check")
        workflow.act(conn, case_no, "check_pass", actor(conn, task["assignee"]), at=at, task_id=task["id"])
    return case_no


def open_task(conn, case_no: str, kind: str) -> dict:
    row = conn.execute("SELECT * FROM tasks WHERE case_no = ? AND kind = ? AND status = 'open'",
                       (case_no, kind)).fetchone()
    return dict(row)


# --- for the administration commands' tests (user, codes, calendar, export) -----------------------

def run(monkeypatch, *argv, stdin: str = "") -> int:
    """`citygrid ARGV…` in this process with `stdin` as standard input; its exit code."""
    from citygrid.cli import main

    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    return main([str(a) for a in argv])
