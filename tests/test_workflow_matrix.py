# SPDX-License-Identifier: GPL-2.0-or-later
"""Every (status, action, role): legal ones write one event with the right from/to, the rest change nothing."""

import itertools
from datetime import timedelta

import pytest
from test_workflow import T0, case_in, fresh_centre, open_task, snapshot

from citygrid.loop import tasks, transitions, workflow
from citygrid.loop.accounts import Actor
from citygrid.store import schema_v1

OPEN = ("reported", "verifying", "pending_register", "registered", "dispatched", "returned", "disposed",
        "checking", "check_passed", "parked")
# DOMAIN.md §2 written out by hand: action -> (from statuses, to, roles); to None: the status stays
SPEC = {
    "accept": (("reported",), "pending_register", {"operator"}),
    "send_verify": (("reported",), "verifying", {"operator"}),
    "verify_confirmed": (("verifying",), "pending_register", {"collector"}),
    "verify_not_found": (("verifying",), "rejected", {"collector"}),
    "reject": (("reported", "pending_register"), "rejected", {"operator", "leader"}),
    "register": (("pending_register",), "registered", {"leader"}),
    "dispatch": (("registered", "returned"), "dispatched", {"dispatcher"}),
    "request_return": (("dispatched",), "dispatched", {"unit"}),
    "request_extension": (("dispatched",), "dispatched", {"unit"}),
    "return": (("dispatched",), "returned", {"dispatcher"}),
    "extend": (("dispatched",), "dispatched", {"dispatcher"}),
    "report_disposal": (("dispatched",), "disposed", {"unit"}),
    "send_check": (("disposed",), "checking", {"operator"}),
    "check_pass": (("checking",), "check_passed", {"collector"}),
    "check_fail": (("checking",), "dispatched", {"collector"}),
    "close": (("check_passed",), "closed", {"leader"}),
    "rework": (("check_passed",), "dispatched", {"leader"}),
    "park": (("registered", "dispatched", "returned"), "parked", {"dispatcher"}),
    "restore": (("parked",), "dispatched", {"dispatcher"}),  # our parked case came from dispatched
    "void": (OPEN, "voided", {"leader"}),
    "reassign_task": (("verifying", "checking"), None, {"operator", "supervisor"}),
    "field_result": (schema_v1.STATUSES, None, {"collector"}),
    "merge_duplicate": (OPEN, None, {"leader"}),  # shift review: a duplicate report merged into this case
}
PARAMS = {"register": {"condition_id": 2}, "reject": {"note": "duplicate"}, "void": {"note": "duplicate"},
          "rework": {"note": "not fixed"},
          "extend": {"hours": 2}, "request_extension": {"hours": 2}, "reassign_task": {"assignee": "col_c"},
          "field_result": {"type": "check", "outcome": "pass", "uuid": "u-1", "conflict": "task.not_open"},
          "merge_duplicate": {"duplicate": "202603020099"}}
USERS = {"operator": "operator", "leader": "leader", "dispatcher": "dispatcher", "unit": "unit_own1",
         "collector": "col_a", "admin": "admin", "supervisor": "supervisor", "gis": "gis"}
DOMAIN_ROLES = ("operator", "leader", "dispatcher", "unit", "collector", "supervisor")
OUTSIDERS = tuple(r for r in schema_v1.ROLES if r not in DOMAIN_ROLES)  # admin, gis: no case actions
TRIPLES = list(itertools.product(schema_v1.STATUSES, SPEC, DOMAIN_ROLES))


def legal(status: str, action: str, role: str) -> bool:
    froms, _, roles = SPEC[action]
    return status in froms and role in roles


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """One case in every status; each test runs inside a transaction that is rolled back."""
    conn = fresh_centre(tmp_path_factory.mktemp("matrix"))
    cases = {s: case_in(conn, s) for s in schema_v1.STATUSES}
    yield conn, cases
    conn.close()


def test_the_table_is_the_domain_table():
    expected = {(s, a): (to or s, roles) for a, (froms, to, roles) in SPEC.items() for s in froms}
    expected[("parked", "restore")] = (transitions.PREVIOUS, {"dispatcher"})
    got = {k: (t.to, set(t.roles)) for k, t in transitions.TRANSITIONS.items()}
    assert got == expected
    assert all(set(t.roles) <= set(transitions.ROLES) for t in transitions.TRANSITIONS.values())
    assert set(transitions.ROLES) == set(DOMAIN_ROLES)


def _attempt(conn, cases, status, action, role):
    """Take the action in a transaction that is rolled back afterwards, checking the outcome."""
    no, user = cases[status], USERS[role]
    kw = dict(PARAMS.get(action, {}))
    actor = Actor(user, role, "OWN1" if role == "unit" else None)
    conn.execute("BEGIN IMMEDIATE")
    try:
        if action == "field_result":  # the check the collector did, since cancelled or taken over
            kw["task_id"] = _done_check(conn, no, user)
        before = snapshot(conn)
        if role == "collector" and action != "field_result":
            kw["task_id"] = open_task(conn, no, user)
        call = lambda: workflow.act(conn, no, action, actor, at=T0 + timedelta(days=3), **kw)  # noqa: E731
        if legal(status, action, role):
            _assert_one_event(conn, no, call(), before, status, SPEC[action][1] or status)
        else:
            _assert_refused(conn, call, before, "case.illegal_transition" if status not in SPEC[action][0]
                            else "case.forbidden_role")
    finally:
        conn.execute("ROLLBACK")


@pytest.mark.parametrize("status, action, role", TRIPLES, ids=["-".join(t) for t in TRIPLES])
def test_every_status_action_and_role(world, status, action, role):
    _attempt(*world, status, action, role)


@pytest.mark.parametrize("role", OUTSIDERS)
def test_roles_outside_the_loop_can_take_no_case_action(world, role):
    for status, action in itertools.product(schema_v1.STATUSES, SPEC):
        _attempt(*world, status, action, role)


def _done_check(conn, no: str, user: str) -> str:
    row = tasks.new(f"check-{no}", "check", no, at=T0, due=None, by="operator", assignee=user)
    row.update(status="done", done_at=row["created_at"], outcome="pass")
    conn.execute(f"INSERT INTO tasks ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})", tuple(row.values()))
    return row["id"]


def _assert_one_event(conn, no, event, before, status, to):
    assert (event["from_status"], event["to_status"]) == (status, to)
    after = snapshot(conn)
    assert len(after[1]) == len(before[1]) + 1 and after[1][-1]["fid"] == event["fid"]
    assert workflow.case_row(conn, no)["status"] == to
    open_kinds = sorted(t["kind"] for t in tasks.open_ones(tasks.for_case(conn, no)))
    assert open_kinds == EXPECTED_OPEN_TASKS.get(to, [])


def _assert_refused(conn, call, before, code):
    with pytest.raises(Exception) as exc:
        call()
    assert getattr(exc.value, "code", None) == code
    assert snapshot(conn) == before


EXPECTED_OPEN_TASKS = {"verifying": ["verify"], "dispatched": ["dispose"], "checking": ["check"]}
