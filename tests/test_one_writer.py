# SPDX-License-Identifier: GPL-2.0-or-later
"""One writer of the case log: every event and every change of a case's status, flags or tasks is
decided by the transition table and written by `workflow` — reassignments, kept field results and
possible-duplicate flags included — and the rows are those the log has always held."""

import ast
import json
import re
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from test_workflow import (
    SHA,
    T0,
    X0,
    Y0,
    case_in,
    do,
    fresh_centre,
    new_case,
    open_task,
    problem,
    snapshot,
    who,
)

from citygrid import times
from citygrid.loop import tasks, transitions, workflow
from citygrid.store import blobs, db
from citygrid.sync import push

ROOT = Path(__file__).resolve().parents[1]
SOURCES = (ROOT / "shared" / "citygrid", ROOT / "server" / "citygrid_server")
# the one writer, and the demo's bulk writer (it inserts, in bulk, rows the transition table planned)
WRITERS = ("shared/citygrid/loop/workflow.py", "shared/citygrid/demo/write.py")
CASE_LOG = re.compile(
    r"\b(?:(?:INSERT|REPLACE)(?:\s+OR\s+\w+)?\s+INTO|UPDATE(?:\s+OR\s+\w+)?|DELETE\s+FROM)\s+"
    r"[\"'`\[]?(case_events|case_photos|cases|tasks)\b", re.IGNORECASE)


def _docstrings(tree: ast.AST) -> set[int]:
    kinds = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
    return {id(n.body[0].value) for n in ast.walk(tree) if isinstance(n, kinds) and n.body
            and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}


def case_log_writes(source: str) -> list[tuple[int, str]]:
    """(line, table) of every SQL string in `source` that writes the case log's tables.

    Only literal table names are seen (adjacent literals are one string to the parser, f-strings are
    read by their literal parts); docstrings and comments are prose, not statements."""
    tree = ast.parse(source)
    prose = _docstrings(tree)
    return sorted((n.lineno, m.group(1).lower()) for n in ast.walk(tree)
                  if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in prose
                  for m in CASE_LOG.finditer(n.value))


def _offenders() -> list[str]:
    found = []
    for top in SOURCES:
        for path in sorted(top.rglob("*.py")):
            name = path.relative_to(ROOT).as_posix()
            if name not in WRITERS:
                found += [f"{name}:{line} writes {table}" for line, table in case_log_writes(path.read_text("utf-8"))]
    return found


def test_only_the_workflow_writes_case_events_tasks_or_cases():
    assert _offenders() == []


def test_the_scan_sees_every_form_of_a_write_and_no_prose():
    source = '''
"""Module prose: INSERT INTO case_events is what the workflow does."""
A = "INSERT INTO case_events (case_no) VALUES (?)"
B = ("UPDATE cases SET flags = ? "
     "WHERE case_no = ?")
C = f"INSERT OR IGNORE INTO case_photos (case_no) VALUES ({1})"
D = 'update "tasks" set assignee = ?'
E = "REPLACE INTO tasks VALUES (?)"
F = "DELETE FROM cases WHERE fid = ?"
G = "CREATE TRIGGER t BEFORE UPDATE ON case_events BEGIN SELECT 1; END"
H = "INSERT INTO sync_changes (entity) VALUES ('case'); UPDATE sync_items SET flagged = 1"
I = "SELECT * FROM cases JOIN tasks USING (case_no)"
def f():
    """UPDATE tasks SET status = 'done' -- prose again"""
'''
    assert case_log_writes(source) == [(3, "case_events"), (4, "cases"), (6, "case_photos"), (7, "tasks"),
                                       (8, "tasks"), (9, "cases")]


# -- the rows are those the old writers wrote ----------------------------------------------------
# The two functions below are the writes `assignments.reassign` and `sync_push._keep_conflict` made
# before they went through the workflow, kept here as the reference the workflow must match.

def _reassign_as_before(conn, task_id: str, to: str, actor, at) -> dict:
    with db.transaction(conn):
        task = conn.execute("SELECT * FROM tasks WHERE id = ?", (task_id,)).fetchone()
        conn.execute("UPDATE tasks SET assignee = ? WHERE id = ?", (to, task_id))
        status = conn.execute("SELECT status FROM cases WHERE case_no = ?", (task["case_no"],)).fetchone()[0]
        data = {"from": task["assignee"], "to": to, "kind": task["kind"]}
        fid = conn.execute(
            "INSERT INTO case_events (case_no, action, actor, role, from_status, to_status, at, task_id, note, data) "
            "VALUES (?, 'reassign_task', ?, ?, ?, ?, ?, ?, ?, ?)",
            (task["case_no"], actor.username, actor.role, status, status, times.to_db(at), task_id, None,
             json.dumps(data))).lastrowid
    return {"fid": fid, **data}


def _keep_as_before(conn, actor, kind, payload, photos, uuid, code) -> str:
    with db.transaction(conn):
        task = conn.execute("SELECT case_no FROM tasks WHERE id = ?", (payload["task_id"],)).fetchone()
        case = conn.execute("SELECT status FROM cases WHERE case_no = ?", (task["case_no"],)).fetchone()
        data = {"uuid": uuid, "type": kind, "outcome": payload["outcome"], "conflict": code,
                "location": payload.get("location")}
        fid = conn.execute(
            "INSERT INTO case_events (case_no, action, actor, role, from_status, to_status, at, task_id, note, "
            "photos, data) VALUES (?, 'field_result', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (task["case_no"], actor.username, actor.role, case["status"], case["status"],
             times.to_db(payload["observed_at"]), payload["task_id"], payload["note"], json.dumps(list(photos)),
             json.dumps(data, ensure_ascii=False))).lastrowid
        conn.executemany("INSERT OR IGNORE INTO case_photos (case_no, sha256, event_fid) VALUES (?, ?, ?)",
                         [(task["case_no"], sha, fid) for sha in photos])
    return task["case_no"]


def _twin(conn, tmp_path) -> sqlite3.Connection:
    """A copy of the centre as it is now, for doing the same thing the old way."""
    (tmp_path / "twin").mkdir()
    copy = sqlite3.connect(tmp_path / "twin" / "center.gpkg")
    conn.backup(copy)
    copy.close()
    return db.open_centre(tmp_path / "twin" / "center.gpkg")


def _rows(conn) -> dict:
    """Every row the case log and device sync hold (`recorded_at` is the clock of the insert)."""
    out = {t: [dict(r) for r in conn.execute(f"SELECT * FROM {t} ORDER BY fid")]
           for t in ("cases", "case_events", "tasks", "case_photos")}
    for event in out["case_events"]:
        del event["recorded_at"]
    out["sync_changes"] = [tuple(r) for r in conn.execute("SELECT * FROM sync_changes ORDER BY rev")]
    return out


@pytest.fixture
def centre(tmp_path):
    c = fresh_centre(tmp_path)
    yield c
    c.close()


def test_a_reassignment_writes_the_rows_it_always_wrote(centre, tmp_path):
    no = case_in(centre, "checking")
    task_id, when = open_task(centre, no, "col_a"), T0 + timedelta(days=1)
    old = _twin(centre, tmp_path)
    answer = workflow.reassign(centre, task_id, "col_c", who(centre, "operator"), at=when)
    assert answer == _reassign_as_before(old, task_id, "col_c", who(old, "operator"), when)
    assert _rows(centre) == _rows(old)
    assert answer["from"] == "col_a" and tasks.one(centre, task_id)["assignee"] == "col_c"
    old.close()


def test_a_kept_field_result_writes_the_rows_it_always_wrote(centre, tmp_path):
    no = case_in(centre, "checking")
    task_id = open_task(centre, no, "col_a")
    do(centre, no, "leader", "void", note="重复案件", at=T0 + timedelta(hours=3))
    payload = {"task_id": task_id, "outcome": "fail", "note": "井盖仍破损 / 已拍照",
               "observed_at": T0 + timedelta(hours=2), "location": {"lon": 120.0, "lat": 31.3, "accuracy_m": 4.0}}
    photos, uuid = (SHA, "cd" * 32), "6f1c2a8e-0b7d-4c55-9a61-3d2f0e4b8a10"
    old = _twin(centre, tmp_path)
    event = workflow.keep_field_result(centre, task_id, who(centre, "col_a"), at=payload["observed_at"],
                                       kind="check", outcome="fail", uuid=uuid, conflict="task.not_open",
                                       location=payload["location"], note=payload["note"], photos=photos)
    assert _keep_as_before(old, who(old, "col_a"), "check", payload, photos, uuid, "task.not_open") == no
    assert _rows(centre) == _rows(old)
    assert (event["action"], event["case_no"], event["to_status"]) == ("field_result", no, "voided")
    old.close()


def test_a_report_near_an_open_case_of_its_class_is_flagged_with_it_from_the_start(centre):
    first = new_case(centre)
    near = new_case(centre, at=T0 + timedelta(hours=1), flag_duplicates=True)
    elsewhere = new_case(centre, at=T0 + timedelta(hours=2), ObjID=None, x=X0 + 250, y=Y0 + 50,
                         flag_duplicates=True)
    unasked = new_case(centre, at=T0 + timedelta(hours=3))
    flags = {no: workflow.case_row(centre, no)["flags"] for no in (near, elsewhere, unasked)}
    assert flags == {near: f"possible_duplicate:{first}", elsewhere: None, unasked: None}
    assert [e["action"] for e in workflow.events(centre, near)] == ["report"]


def test_a_closed_case_is_not_a_duplicate(centre):
    closed = case_in(centre, "closed")
    again = new_case(centre, at=T0 + timedelta(days=1), flag_duplicates=True)
    assert workflow.case_row(centre, closed)["status"] == "closed"
    assert workflow.case_row(centre, again)["flags"] is None


# -- reassignment is an action of the table ------------------------------------------------------

def test_reassignment_and_kept_results_are_offered_to_the_roles_the_table_names():
    assert "reassign_task" in workflow.allowed_actions("checking", "operator")
    assert workflow.allowed_actions("verifying", "supervisor") == ["reassign_task"]
    assert workflow.allowed_actions("dispatched", "supervisor") == []
    assert "reassign_task" not in workflow.allowed_actions("checking", "leader")
    assert all(workflow.allowed_actions(s, "collector")[-1] == "field_result" for s in transitions.STATUSES)
    assert transitions.roles_for("reassign_task") == {"operator", "supervisor"}
    assert set(transitions.ROLES) == set().union(*(t.roles for t in transitions.TRANSITIONS.values()))


@pytest.mark.parametrize("role", ["leader", "dispatcher", "collector", "admin", "gis"])
def test_only_operators_and_supervisors_reassign(centre, role):
    no = case_in(centre, "checking")
    users = {"leader": "leader", "dispatcher": "dispatcher", "collector": "col_a", "admin": "admin", "gis": "gis"}
    before = snapshot(centre)
    p = problem(workflow.reassign, centre, "no-such-task", "col_c", who(centre, users[role]))
    assert (p.code, p.details["role"]) == ("case.forbidden_role", role)  # refused before the task is looked up
    p = problem(workflow.act, centre, no, "reassign_task", who(centre, users[role]), assignee="col_c")
    assert p.code == "case.forbidden_role"
    assert snapshot(centre) == before


def test_a_supervisor_reassigns_a_verify_task_through_the_table(centre):
    no = case_in(centre, "verifying")
    ev = workflow.act(centre, no, "reassign_task", who(centre, "supervisor"), at=T0 + timedelta(hours=1),
                      assignee="col_c", note="col_a is off sick")
    assert (ev["from_status"], ev["to_status"], ev["role"], ev["note"]) == ("verifying", "verifying", "supervisor",
                                                                          "col_a is off sick")
    assert json.loads(ev["data"]) == {"from": "col_a", "to": "col_c", "kind": "verify"}
    assert [t["assignee"] for t in tasks.open_ones(tasks.for_case(centre, no))] == ["col_c"]
    assert do(centre, no, "col_c", "verify_confirmed")["to_status"] == "pending_register"


def _refused(conn, code: str, *args, **kw):
    before = snapshot(conn)
    p = problem(workflow.reassign, conn, *args, **kw)
    assert p.code == code, p
    assert snapshot(conn) == before
    return p


def test_a_reassignment_names_an_open_collector_task_and_another_active_collector(centre):
    no, op = case_in(centre, "checking"), who(centre, "operator")
    check = open_task(centre, no, "col_a")
    dispose = tasks.for_case(centre, no)[0]
    _refused(centre, "task.not_found", "no-such-task", "col_c", op)
    _refused(centre, "task.not_open", dispose["id"], "col_c", op)  # a unit's disposal is not reassigned
    _refused(centre, "task.bad_assignee", check, "operator", op)
    _refused(centre, "account.unknown", check, "nobody", op)
    _refused(centre, "task.same_assignee", check, "col_a", op)
    do(centre, no, "col_a", "check_pass")  # the case moves on: the task is done, not the status wrong
    assert _refused(centre, "task.not_open", check, "col_c", op).details["status"] == "done"


def test_a_kept_result_is_a_collectors_and_names_a_task_of_its_case_and_type(centre):
    no, other = case_in(centre, "checking"), case_in(centre, "checking", start=T0 + timedelta(days=1))
    mine, theirs = open_task(centre, no, "col_a"), open_task(centre, other, "col_a")
    kw = {"at": T0 + timedelta(days=2), "uuid": "u-1", "conflict": "task.not_yours", "outcome": "pass"}
    before = snapshot(centre)
    assert problem(workflow.keep_field_result, centre, mine, who(centre, "unit_own1"), kind="check",
                   **kw).code == "case.forbidden_role"
    assert problem(workflow.keep_field_result, centre, mine, who(centre, "col_a"), kind="verify",
                   **kw).code == "task.not_found"
    assert problem(workflow.keep_field_result, centre, "gone", who(centre, "col_a"), kind="check",
                   **kw).code == "task.not_found"
    assert problem(workflow.act, centre, no, "field_result", who(centre, "col_a"), task_id=theirs, type="check",
                   **kw).code == "task.not_found"
    assert snapshot(centre) == before
    ev = workflow.act(centre, no, "field_result", who(centre, "col_a"), task_id=mine, type="check", **kw)
    assert (ev["task_id"], ev["to_status"], json.loads(ev["data"])["conflict"]) == (mine, "checking",
                                                                                   "task.not_yours")


def test_a_decision_to_reassign_changes_no_case_column_and_evolves_nothing_but_the_task(centre):
    no = case_in(centre, "checking")
    state, rows = workflow.case_row(centre, no), tasks.for_case(centre, no)
    ctx = workflow.context(centre, state, "reassign_task", {"assignee": "col_c"})
    ch = transitions.decide(state, "reassign_task", who(centre, "operator"), T0 + timedelta(days=1), ctx,
                            tasks=rows, params={"assignee": "col_c"})
    assert ch.case == {} and ch.task_updates == ((rows[-1]["id"], {"assignee": "col_c"}),)
    after, after_tasks = transitions.evolve(state, rows, ch)
    fid = workflow.apply(centre, ch)
    assert after == workflow.case_row(centre, no) == state and after_tasks == tasks.for_case(centre, no)
    written = workflow.events(centre, no)[-1]
    assert written == {"fid": fid, **ch.event, "recorded_at": written["recorded_at"]}
    do(centre, no, "leader", "void", note="duplicate")
    assert problem(workflow.apply, centre, ch).code == "case.conflict"  # a stale decision is still refused


def _check_item(task_id: str) -> dict:
    return {"uuid": "0d6c1e5a-2222-4a2b-9c3d-000000000001", "type": "check", "photos": [], "payload": {
        "task_id": task_id, "outcome": "pass", "observed_at": "2026-03-02T11:00:00+08:00"}}


@pytest.mark.parametrize("username, kept", [("col_a", True), ("unit_own1", False)])
def test_a_pushed_result_that_no_longer_fits_is_kept_through_the_workflow_for_collectors_only(
        centre, tmp_path, username, kept):
    no = case_in(centre, "checking")
    task_id = open_task(centre, no, "col_a")
    do(centre, no, "leader", "void", note="duplicate", at=T0 + timedelta(hours=3))
    batch = {"batch_id": "b-1", "device_id": "dev-1", "items": [_check_item(task_id)]}
    (receipt,) = push.push(centre, who(centre, username), "dev-1", batch,
                           store=blobs.store_for(tmp_path / "center.gpkg"))["receipts"]
    assert (receipt["status"], receipt["code"]) == ("conflict", "case.illegal_transition")
    events = [e for e in workflow.events(centre, no) if e["action"] == "field_result"]
    assert [(e["actor"], e["to_status"], e["task_id"]) for e in events] == ([(username, "voided", task_id)] if kept
                                                                          else [])
    assert receipt.get("case_no") == (no if kept else None)
