# SPDX-License-Identifier: GPL-2.0-or-later
"""The case loop end to end: deadlines, rework, return, extension, park, void, who may act."""

import atexit
import json
import shutil
import sqlite3
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from citygrid import messages, times
from citygrid.loop import accounts, tasks, transitions, workflow
from citygrid.problems import Problem
from citygrid.store import db, gpkg

LOCAL = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=LOCAL)  # a Monday; working periods 08-12 and 14-18
X0, Y0 = 500000.0, 3460000.0
GRIDS = (("320508001001001", "320508001", "320508001001", 0), ("320508001001002", "320508001", "320508001001", 1),
         ("320508002001001", "320508002", "320508002001", 2), ("320508003001001", "320508003", "320508003001", 3))
UNITS = (("T001", "territorial", "320508001", 1), ("T002", "territorial", "320508002", 1),
         ("WATER", "department", None, 1), ("OWN1", "owner", None, 1), ("MNT1", "maintainer", None, 1),
         ("SANIT", "department", None, 1), ("GONE", "department", None, 0))
CLASSES = (("component", "0101", "WATER"), ("component", "0103", None), ("event", "0102", "SANIT"))
CONDITIONS = (("component", "0101", 1, 2, "calendar_hours", 1), ("component", "0101", 2, 4, "working_hours", 0),
              ("component", "0103", 1, 2, "working_days", 0), ("event", "0102", 1, 4, "working_hours", 0))
COMPONENTS = (("3205080101000001", 10, "WATER", "OWN1", "MNT1"), ("3205080101000002", 20, "WATER", None, "MNT1"),
              ("3205080101000003", 30, None, None, None), ("3205080101000004", 40, "WATER", "GONE", None),
              ("3205080103000001", 50, None, None, "MNT1"))
USERS = (("operator", "operator", None, ()), ("leader", "leader", None, ()), ("dispatcher", "dispatcher", None, ()),
         ("col_a", "collector", None, ("320508001001001", "320508001001002")),
         ("col_c", "collector", None, ("320508001001001",)), ("col_b", "collector", None, ("320508002001001",)),
         ("unit_own1", "unit", "OWN1", ()), ("unit_water", "unit", "WATER", ()), ("unit_t001", "unit", "T001", ()),
         ("unit_t002", "unit", "T002", ()), ("admin", "admin", None, ()), ("supervisor", "supervisor", None, ()),
         ("gis", "gis", None, ()))
SHA = "ab" * 32


def square(i: int) -> list:
    x = X0 + 100 * i
    return [[(x, Y0), (x + 100, Y0), (x + 100, Y0 + 100), (x, Y0 + 100), (x, Y0)]]


def _reference_rows(conn: sqlite3.Connection) -> None:
    for code, street, community, i in GRIDS:
        conn.execute("INSERT INTO grids (geom, code, name, street_code, community_code) VALUES (?, ?, ?, ?, ?)",
                     (gpkg.polygon(square(i), 4549), code, f"grid {code[-3:]}", street, community))
    conn.executemany("INSERT INTO units (code, name, kind, region_code, active) VALUES (?, ?, ?, ?, ?)",
                     [(c, c.title(), k, r, a) for c, k, r, a in UNITS])
    conn.executemany("INSERT INTO classes (kind, code, major_code, major_name, minor_code, minor_name, "
                     "owner_unit_code) VALUES (?, ?, ?, 'major', ?, 'minor', ?)",
                     [(k, c, c[:2], c[2:], o) for k, c, o in CLASSES])
    conn.executemany("INSERT INTO conditions (kind, class_code, condition_id, condition, limit_value, limit_unit, "
                     "urgent) VALUES (?, ?, ?, 'as listed', ?, ?, ?)", CONDITIONS)
    for objid, dx, d1, d2, d3 in COMPONENTS:
        conn.execute("INSERT INTO components (geom, ObjID, ObjName, DeptCode1, DeptCode2, DeptCode3, BGID) "
                     "VALUES (?, ?, 'cover', ?, ?, ?, ?)", (gpkg.point(X0 + dx, Y0 + 50, 4549), objid, d1, d2, d3,
                                                           GRIDS[0][0]))


def build_centre(path: Path) -> sqlite3.Connection:
    """A small centre: 4 grids in 3 streets, 7 units, 3 classes, 5 components, every role."""
    conn = db.create_centre(path)
    with db.transaction(conn):
        _reference_rows(conn)
    for name, role, unit, grids in USERS:
        accounts.add_user(conn, name, role, "password-123", unit_code=unit, grids=grids)
    return conn


_TEMPLATE: list = []


def fresh_centre(directory: Path) -> sqlite3.Connection:
    """A copy of the small centre (built once per test run) in `directory`."""
    if not _TEMPLATE:
        tmp = Path(tempfile.mkdtemp(prefix="citygrid-workflow-"))
        atexit.register(shutil.rmtree, tmp, True)
        build_centre(tmp / "template.gpkg").close()
        _TEMPLATE.append(tmp / "template.gpkg")
    shutil.copy(_TEMPLATE[0], directory / "center.gpkg")
    return db.open_centre(directory / "center.gpkg")


def who(conn, username: str) -> accounts.Actor:
    return accounts.actor(conn, username)


def open_task(conn, case_no: str, username: str | None = None, kind: str | None = None) -> str | None:
    found = [t for t in tasks.open_ones(tasks.for_case(conn, case_no), kind)
             if username is None or t["assignee"] == username]
    return found[-1]["id"] if found else None


def new_case(conn, *, by="col_a", at=T0, **kw) -> str:
    args = {"kind": "component", "class_code": "0101", "ObjID": "3205080101000001", **kw}
    return workflow.report(conn, who(conn, by), at=at, **args)


def do(conn, case_no: str, username: str, action: str, at=T0, **kw) -> dict:
    """Act as `username`; a collector acts on their own open task unless told otherwise."""
    actor = who(conn, username)
    if actor.role == "collector" and "task_id" not in kw:
        kw["task_id"] = open_task(conn, case_no, username)
    return workflow.act(conn, case_no, action, actor, at=at, **kw)


PATHS = {  # one way to reach each status, from a fresh collector report
    "reported": [], "verifying": [("operator", "send_verify", {})],
    "pending_register": [("operator", "accept", {})],
    "rejected": [("operator", "reject", {"note": "duplicate"})],
    "registered": [("operator", "accept", {}), ("leader", "register", {"condition_id": 2})],
}
PATHS["dispatched"] = PATHS["registered"] + [("dispatcher", "dispatch", {})]
PATHS["returned"] = PATHS["dispatched"] + [("dispatcher", "return", {})]
PATHS["parked"] = PATHS["dispatched"] + [("dispatcher", "park", {})]
PATHS["disposed"] = PATHS["dispatched"] + [("unit_own1", "report_disposal", {"photos": [SHA]})]
PATHS["checking"] = PATHS["disposed"] + [("operator", "send_check", {})]
PATHS["check_passed"] = PATHS["checking"] + [("col_a", "check_pass", {})]
PATHS["closed"] = PATHS["check_passed"] + [("leader", "close", {})]
PATHS["voided"] = [("leader", "void", {"note": "test"})]


def case_in(conn, status: str, *, start=T0, step=timedelta(minutes=10), **report_kw) -> str:
    """A case walked to `status` by PATHS, one step every 10 minutes from `start`."""
    no = new_case(conn, at=start, **report_kw)
    for i, (user, action, kw) in enumerate(PATHS[status], 1):
        do(conn, no, user, action, at=start + i * step, **kw)
    return no


def snapshot(conn) -> tuple:
    """Every row the workflow writes, for 'nothing changed' checks."""
    return tuple(conn.execute(f"SELECT * FROM {t} ORDER BY fid").fetchall()
                 for t in ("cases", "case_events", "tasks", "case_photos"))


def problem(fn, *args, **kw) -> Problem:
    with pytest.raises(Problem) as exc:
        fn(*args, **kw)
    return exc.value


@pytest.fixture
def centre(tmp_path):
    c = fresh_centre(tmp_path)
    yield c
    c.close()


def local(text: str) -> str:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(LOCAL).strftime("%a %H:%M")


# -- the loop ------------------------------------------------------------------------------------

def test_the_whole_loop_writes_one_event_per_step_with_its_from_and_to(centre):
    no = case_in(centre, "closed")
    got = [(e["action"], e["from_status"], e["to_status"]) for e in workflow.events(centre, no)]
    assert got == [("report", None, "reported"), ("accept", "reported", "pending_register"),
                   ("register", "pending_register", "registered"), ("dispatch", "registered", "dispatched"),
                   ("report_disposal", "dispatched", "disposed"), ("send_check", "disposed", "checking"),
                   ("check_pass", "checking", "check_passed"), ("close", "check_passed", "closed")]
    row = workflow.case_row(centre, no)
    assert row["status"] == "closed" and row["unit_code"] == "OWN1" and row["step_due_at"] is None
    assert [row[k] is not None for k in ("registered_at", "dispatched_at", "disposed_at", "closed_at")] == [True] * 4
    assert [t["status"] for t in tasks.for_case(centre, no)] == ["done", "done"]


def test_event_due_at_is_the_deadline_of_the_step_it_completes(centre):
    no = case_in(centre, "disposed")
    ev = {e["action"]: e for e in workflow.events(centre, no)}
    # reported at 09:00 with 0.5 working hours -> due 09:30; accepted at 09:10
    assert local(ev["accept"]["due_at"]) == "Mon 09:30" and ev["accept"]["at"] < ev["accept"]["due_at"]
    # dispatched 09:30 under condition 2 (4 working hours): 09:30-12:00 + 14:00-15:30
    assert local(ev["report_disposal"]["due_at"]) == "Mon 15:30"
    assert ev["report"]["due_at"] is None


def test_the_disposal_step_is_judged_against_the_deadline_even_if_edited_by_hand(centre):
    no = case_in(centre, "dispatched")
    centre.execute("UPDATE cases SET deadline_at = '2026-03-09T10:00:00.000Z' WHERE case_no = ?", (no,))
    assert do(centre, no, "unit_own1", "report_disposal")["due_at"] == "2026-03-09T10:00:00.000Z"


def test_dispatch_deadline_runs_on_working_time_and_urgent_conditions_on_the_clock(centre):
    friday = datetime(2026, 3, 6, 17, 0, tzinfo=LOCAL)
    for cid, expected in ((2, "Mon 11:00"), (1, "Fri 19:00")):
        no = case_in(centre, "pending_register", start=friday - timedelta(minutes=20))
        do(centre, no, "leader", "register", at=friday - timedelta(minutes=5), condition_id=cid)
        ev = do(centre, no, "dispatcher", "dispatch", at=friday)
        row = workflow.case_row(centre, no)
        assert local(row["deadline_at"]) == expected and row["step_due_at"] == row["deadline_at"]
        assert row["urgent"] == (cid == 1) and ev["unit_code"] == "OWN1"
        assert tasks.for_case(centre, no)[-1]["due_at"] == row["deadline_at"]


def test_check_fail_sends_the_case_back_to_the_same_unit_with_a_new_deadline(centre):
    no = case_in(centre, "checking")
    before = workflow.case_row(centre, no)
    failed_at = T0 + timedelta(days=1)
    ev = do(centre, no, "col_a", "check_fail", at=failed_at, note="still broken")
    row = workflow.case_row(centre, no)
    assert (ev["from_status"], ev["to_status"], row["status"]) == ("checking", "dispatched", "dispatched")
    assert row["unit_code"] == before["unit_code"] == "OWN1" and row["rework_count"] == 1
    assert row["deadline_at"] > before["deadline_at"] and local(row["deadline_at"]) == "Tue 15:00"
    dispose = [t for t in tasks.for_case(centre, no) if t["kind"] == "dispose"]
    assert [(t["status"], t["unit_code"]) for t in dispose] == [("done", "OWN1"), ("open", "OWN1")]
    assert '"rework":1' in ev["data"] and ev["task_id"] != dispose[-1]["id"]


def test_leader_rework_sends_a_passed_case_back_to_the_same_unit_with_a_new_deadline(centre):
    no = case_in(centre, "check_passed")
    before, sent_at = workflow.case_row(centre, no), T0 + timedelta(days=1)
    assert problem(do, centre, no, "leader", "rework", at=sent_at).code == "case.reason_required"
    ev = do(centre, no, "leader", "rework", at=sent_at, note="井盖仍松动")
    row = workflow.case_row(centre, no)
    assert (ev["from_status"], ev["to_status"], ev["role"], ev["note"]) == ("check_passed", "dispatched", "leader",
                                                                             "井盖仍松动")
    assert row["unit_code"] == before["unit_code"] == ev["unit_code"] == "OWN1" and row["rework_count"] == 1
    assert local(row["deadline_at"]) == "Tue 15:00" and row["step_due_at"] == row["deadline_at"]
    assert row["dispatched_at"] == times.to_db(sent_at) and row["closed_at"] is None
    dispose = [t for t in tasks.for_case(centre, no) if t["kind"] == "dispose"]
    assert [(t["status"], t["unit_code"]) for t in dispose] == [("done", "OWN1"), ("open", "OWN1")]
    assert ev["task_id"] == dispose[-1]["id"] and dispose[-1]["due_at"] == row["deadline_at"]
    assert json.loads(ev["data"]) == {"rework": 1, "dispose_task": dispose[-1]["id"]}


def test_leader_rework_of_a_case_without_a_unit_is_refused_and_changes_nothing(centre):
    no = case_in(centre, "check_passed")
    centre.execute("UPDATE cases SET unit_code = NULL WHERE case_no = ?", (no,))
    before = snapshot(centre)
    assert problem(do, centre, no, "leader", "rework", note="x").code == "case.no_unit"
    assert snapshot(centre) == before


def test_return_cancels_the_dispose_task_and_counts_against_that_dispatch(centre):
    no = case_in(centre, "dispatched")
    req = do(centre, no, "unit_own1", "request_return", at=T0 + timedelta(hours=1), note="not ours")
    assert (req["from_status"], req["to_status"], req["due_at"]) == ("dispatched", "dispatched", None)
    ev = do(centre, no, "dispatcher", "return", at=T0 + timedelta(hours=2))
    assert ev["to_status"] == "returned" and '"erroneous_dispatch":true' in ev["data"]
    assert ev["unit_code"] == "OWN1" and ev["due_at"] == workflow.case_row(centre, no)["deadline_at"]
    assert [t["status"] for t in tasks.for_case(centre, no)] == ["cancelled"]


def test_redispatch_after_a_return_to_another_unit_is_flagged_and_the_old_unit_locked_out(centre):
    no = case_in(centre, "returned")
    ev = do(centre, no, "dispatcher", "dispatch", at=T0 + timedelta(hours=3), unit_code="WATER")
    assert '"redispatch":true' in ev["data"] and '"previous_unit":"OWN1"' in ev["data"]
    assert problem(do, centre, no, "unit_own1", "report_disposal").code == "case.not_your_unit"
    assert do(centre, no, "unit_water", "report_disposal", at=T0 + timedelta(hours=4))["to_status"] == "disposed"


def test_dispatch_after_a_return_to_the_same_unit_is_not_a_redispatch(centre):
    no = case_in(centre, "returned")
    assert do(centre, no, "dispatcher", "dispatch", unit_code="OWN1")["data"] == "{}"


def test_extension_moves_the_deadline_and_the_dispose_task(centre):
    no = case_in(centre, "dispatched")
    old = workflow.case_row(centre, no)["deadline_at"]
    asked = do(centre, no, "unit_own1", "request_extension", hours=4, note="parts on order")
    assert asked["to_status"] == "dispatched" and asked["data"] == '{"hours":4}'
    ev = do(centre, no, "dispatcher", "extend", at=T0 + timedelta(hours=1), hours=4)
    row = workflow.case_row(centre, no)
    assert local(old) == "Mon 15:30" and local(row["deadline_at"]) == "Tue 09:30"  # 4 working hours later
    assert row["step_due_at"] == row["deadline_at"] == tasks.for_case(centre, no)[0]["due_at"]
    assert f'"previous_deadline":"{old}"' in ev["data"]
    until = datetime(2026, 3, 10, 18, 0, tzinfo=LOCAL)
    do(centre, no, "dispatcher", "extend", until=until.isoformat())
    assert local(workflow.case_row(centre, no)["deadline_at"]) == "Tue 18:00"


def test_an_extension_must_be_later_and_well_formed(centre):
    no = case_in(centre, "dispatched")
    before = snapshot(centre)
    for kw in ({"until": T0.isoformat()}, {"hours": -1}, {"hours": "two"}, {}, {"hours": 1, "until": "x"},
               {"until": 5}):
        assert problem(do, centre, no, "dispatcher", "extend", **kw).code == "case.bad_param", kw
    assert snapshot(centre) == before


def test_park_cancels_open_tasks_and_restore_recreates_the_dispose_task(centre):
    no = case_in(centre, "dispatched")
    ev = do(centre, no, "dispatcher", "park", at=T0 + timedelta(hours=1), note="needs a budget")
    assert ev["to_status"] == "parked" and workflow.case_row(centre, no)["parked_from"] == "dispatched"
    assert problem(do, centre, no, "unit_own1", "report_disposal").code == "case.illegal_transition"
    back = do(centre, no, "dispatcher", "restore", at=T0 + timedelta(days=7))
    row = workflow.case_row(centre, no)
    assert (back["to_status"], row["status"], row["parked_from"]) == ("dispatched", "dispatched", None)
    assert [(t["status"], t["outcome"]) for t in tasks.for_case(centre, no)] == [("cancelled", "park"), ("open", None)]
    assert local(row["deadline_at"]) == "Mon 15:00" and row["dispatched_at"] < back["at"]  # the full limit again


def test_restore_to_registered_keeps_the_registration_time(centre):
    no = case_in(centre, "registered")
    registered_at = workflow.case_row(centre, no)["registered_at"]
    do(centre, no, "dispatcher", "park", at=T0 + timedelta(hours=1))
    do(centre, no, "dispatcher", "restore", at=T0 + timedelta(days=2))
    row = workflow.case_row(centre, no)
    assert row["status"] == "registered" and row["registered_at"] == registered_at
    assert tasks.for_case(centre, no) == []


def test_void_needs_a_reason_and_cancels_open_tasks(centre):
    no = case_in(centre, "checking")
    before = snapshot(centre)
    assert problem(do, centre, no, "leader", "void", note="  ").code == "case.reason_required"
    assert snapshot(centre) == before
    ev = do(centre, no, "leader", "void", note="duplicate of another case")
    assert ev["to_status"] == "voided"
    assert [t["status"] for t in tasks.for_case(centre, no)] == ["done", "cancelled"]
    assert problem(do, centre, no, "col_a", "check_pass", task_id=ev["task_id"]).code == "case.illegal_transition"


def test_a_collector_acts_only_on_their_own_open_task(centre):
    no = case_in(centre, "disposed")
    do(centre, no, "operator", "send_check", collector="col_c")
    theirs = open_task(centre, no, "col_c")
    before = snapshot(centre)
    assert problem(do, centre, no, "col_a", "check_pass", task_id=theirs).code == "task.not_yours"
    assert problem(do, centre, no, "col_a", "check_pass", task_id=None).code == "case.bad_param"
    assert problem(do, centre, no, "col_c", "check_pass", task_id="nope").code == "task.not_found"
    assert snapshot(centre) == before
    done = do(centre, no, "col_c", "check_fail", task_id=theirs)["task_id"]
    do(centre, no, "unit_own1", "report_disposal")
    do(centre, no, "operator", "send_check", collector="col_c")
    assert problem(do, centre, no, "col_c", "check_pass", task_id=done).code == "task.not_open"


def test_a_unit_acts_only_on_cases_dispatched_to_it(centre):
    no = case_in(centre, "dispatched")
    before = snapshot(centre)
    for user in ("unit_water", "unit_t001"):
        for action in ("report_disposal", "request_return", "request_extension"):
            assert problem(do, centre, no, user, action).code == "case.not_your_unit"
    assert snapshot(centre) == before


def test_verify_tasks_go_to_the_grids_collector_and_are_completed_by_the_result(centre):
    no = case_in(centre, "verifying", by="operator", source="hotline", ObjID=None, x=X0 + 250, y=Y0 + 50)
    [task] = tasks.for_case(centre, no)
    assert (task["kind"], task["assignee"], task["status"]) == ("verify", "col_b", "open")
    assert workflow.case_row(centre, no)["step_due_at"] == task["due_at"]
    ev = do(centre, no, "col_b", "verify_not_found", note="nothing there")
    assert ev["to_status"] == "rejected" and ev["task_id"] == task["id"] and ev["due_at"] == task["due_at"]
    assert tasks.for_case(centre, no)[0]["outcome"] == "not_found"


def test_auto_close_on_check_pass_closes_the_case(centre):
    db.set_meta(centre, "auto_close_on_check_pass", "1")
    no = case_in(centre, "check_passed")
    row = workflow.case_row(centre, no)
    assert row["status"] == "closed" and row["closed_at"] is not None
    assert workflow.events(centre, no)[-1]["data"] == '{"auto_closed":true}'


def test_bad_parameters_are_refused_and_change_nothing(centre):
    reg, pend = case_in(centre, "registered"), case_in(centre, "pending_register")
    before = snapshot(centre)
    cases = [(reg, "dispatcher", "dispatch", {"unit": "WATER"}, "case.bad_param"),
             (reg, "dispatcher", "dispatch", {"unit_code": "NOPE"}, "case.unknown_unit"),
             (reg, "dispatcher", "dispatch", {"unit_code": "GONE"}, "case.unknown_unit"),
             (pend, "leader", "register", {"condition_id": 9}, "case.unknown_condition"),
             (pend, "leader", "register", {}, "case.unknown_condition"),
             (pend, "operator", "reject", {}, "case.reason_required"),
             (pend, "leader", "register", {"condition_id": 2, "photos": ["not-a-sha"]}, "case.bad_param"),
             ("nope", "leader", "close", {}, "case.not_found"),
             (reg, "leader", "fly", {}, "case.unknown_action")]
    for no, user, action, kw, code in cases:
        assert problem(do, centre, no, user, action, **kw).code == code, (action, kw)
    assert snapshot(centre) == before


def test_sending_a_task_to_a_grid_without_collectors_is_refused(centre):
    no = case_in(centre, "reported", by="operator", source="hotline", ObjID=None, x=X0 + 350, y=Y0 + 50)
    assert problem(do, centre, no, "operator", "send_verify").code == "case.no_collector"
    assert do(centre, no, "operator", "send_verify", collector="col_b")["to_status"] == "verifying"


def test_allowed_actions_follow_the_table():
    assert workflow.allowed_actions("dispatched", "dispatcher") == ["return", "extend", "park"]
    assert workflow.allowed_actions("dispatched", "unit") == ["request_return", "request_extension",
                                                              "report_disposal"]
    assert workflow.allowed_actions("closed", "leader") == [] and workflow.allowed_actions("reported", "admin") == []
    assert workflow.allowed_actions("checking", "operator") == ["reassign_task"]
    assert workflow.allowed_actions("closed", "collector") == ["field_result"]


def test_historical_times_are_kept_on_every_row(centre):
    start = datetime(2019, 5, 6, 10, 0, tzinfo=LOCAL)
    no = case_in(centre, "closed", start=start)
    assert no.startswith("20190506")
    row = workflow.case_row(centre, no)
    assert row["reported_at"].startswith("2019-05-06T02:00") and row["closed_at"].startswith("2019-05-06T03:10")
    assert all(e["at"].startswith("2019-05-06") for e in workflow.events(centre, no))


def test_every_workflow_problem_code_has_an_english_text():
    codes = ["case.not_found", "case.unknown_action", "case.illegal_transition", "case.forbidden_role",
             "case.not_your_unit", "case.bad_param", "case.reason_required", "case.unknown_condition",
             "case.no_condition", "case.no_collector", "case.no_unit", "case.unknown_unit",
             "case.unknown_component", "case.component_class_mismatch", "case.conflict", "task.not_found",
             "task.not_yours", "task.not_open", "task.bad_assignee", "task.same_assignee", "account.unknown",
             "account.inactive"]
    assert [c for c in codes if c not in messages.TEXTS] == []


def test_decisions_are_pure_and_a_bulk_writer_gets_the_same_rows(centre):
    """Replaying decide/evolve in memory yields exactly the rows act() wrote (the demo's bulk path)."""
    counter = iter(range(1000))
    ids = lambda: f"task-{next(counter):04d}"  # noqa: E731
    no = case_in(centre, "reported")
    state, mem_tasks, mem_events = workflow.case_row(centre, no), [], []
    steps = [(u, a, kw) for u, a, kw in PATHS["closed"]]
    for i, (user, action, kw) in enumerate(steps, 1):
        kw = dict(kw)
        photos = kw.pop("photos", ())
        actor, at = who(centre, user), T0 + timedelta(minutes=10 * i)
        task_id = open_task(centre, no, user) if actor.role == "collector" else None
        ctx = workflow.context(centre, state, action, kw, new_id=ids)
        ch = transitions.decide(state, action, actor, at, ctx, tasks=mem_tasks, params=kw, photos=photos,
                                task_id=task_id)
        workflow.apply(centre, ch)
        mem_events.append(ch.event)
        state, mem_tasks = transitions.evolve(state, mem_tasks, ch)
    assert state == workflow.case_row(centre, no) and mem_tasks == tasks.for_case(centre, no)
    written = [{k: e[k] for k in mem_events[0]} for e in workflow.events(centre, no)[1:]]
    assert written == mem_events and mem_tasks[0]["id"] == "task-0000"


def test_apply_refuses_a_decision_made_on_a_stale_case(centre):
    no = case_in(centre, "reported")
    state = workflow.case_row(centre, no)
    ch = transitions.decide(state, "accept", who(centre, "operator"), T0, workflow.context(centre, state, "accept"))
    do(centre, no, "operator", "reject", note="spam")
    before = snapshot(centre)
    assert problem(workflow.apply, centre, ch).code == "case.conflict"
    assert snapshot(centre) == before


def test_new_task_ids_come_from_the_given_factory(centre):
    no = case_in(centre, "reported", by="operator", source="hotline", ObjID=None, x=X0 + 250, y=Y0 + 50)
    ids = iter(["task-a", "task-b"])
    ev = do(centre, no, "operator", "send_verify", new_id=lambda: next(ids))
    assert ev["task_id"] == "task-a" and tasks.for_case(centre, no)[0]["id"] == "task-a"


def test_new_task_ids_are_time_ordered_version_7_uuids(centre):
    first = uuid.UUID(transitions._new_id())
    time.sleep(0.002)
    second = uuid.UUID(transitions._new_id())
    assert first.version == second.version == 7 and first.variant == uuid.RFC_4122
    assert abs((first.int >> 80) - time.time_ns() // 1_000_000) < 5_000  # its first 48 bits: now, in ms
    assert str(first) < str(second)
    no = new_case(centre)
    do(centre, no, "operator", "send_verify")
    [task] = tasks.for_case(centre, no)
    assert uuid.UUID(task["id"]).version == 7 and str(second) < task["id"]


def test_uuid7_int_places_time_version_and_variant_and_keeps_74_bits():
    value = transitions.uuid7_int(0x0123_4567_89AB, (1 << 74) - 1)
    made = uuid.UUID(int=value)
    assert made.version == 7 and made.variant == uuid.RFC_4122 and value >> 80 == 0x0123_4567_89AB
    assert bin(value).count("1") == bin(0x0123_4567_89AB).count("1") + 3 + 1 + 74  # version 0111, variant 10
    assert transitions.uuid7_int(5, 0) < transitions.uuid7_int(5, 1) < transitions.uuid7_int(6, 0)
