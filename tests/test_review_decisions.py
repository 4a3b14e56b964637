# SPDX-License-Identifier: GPL-2.0-or-later
"""Shift review decisions: each moves the case as the workflow says, is audited, and is refused to others."""

import centre_fixture as cf
import pytest
import review_shift as rs

from citygrid.loop import workflow
from citygrid.problems import Problem
from citygrid.store import blobs, db
from citygrid.sync import review_decisions as rd


@pytest.fixture
def shift(tmp_path):
    path = tmp_path / "center.gpkg"
    cf.build(path)
    conn = db.open_centre(path)
    yield conn, rs.build(conn, blobs.store_for(path))
    conn.close()


def _code(fn, *args, **kw) -> str:
    with pytest.raises(Problem) as caught:
        fn(*args, **kw)
    return caught.value.code


def _uuid(built, key):
    return built["items"][key]["uuid"]


def test_accept_and_close_closes_the_case_and_audits_who_and_why(shift):
    conn, built = shift
    done = rd.decide(conn, cf.actor(conn, "leader"), _uuid(built, "passed"), "close", note="照片清楚")
    no = built["cases"]["passed"]
    assert (done["case_no"], done["status"]) == (no, "closed")
    last = workflow.events(conn, no)[-1]
    assert (last["action"], last["actor"], last["note"]) == ("close", "leader", "照片清楚")
    assert rd.resolution(conn, _uuid(built, "passed"))["resolution"] == "close: 照片清楚"


def test_deciding_twice_is_refused_clearly(shift):
    conn, built = shift
    rd.decide(conn, cf.actor(conn, "leader"), _uuid(built, "passed"), "close")
    assert _code(rd.decide, conn, cf.actor(conn, "leader"), _uuid(built, "passed"), "close") == \
        "review.already_decided"


def test_rework_sends_the_case_back_to_its_unit_and_needs_a_reason(shift):
    conn, built = shift
    leader = cf.actor(conn, "leader")
    assert _code(rd.decide, conn, leader, _uuid(built, "late"), "rework") == "case.reason_required"
    assert rd.resolution(conn, _uuid(built, "late")) is None  # the refused decision left nothing behind
    rd.decide(conn, leader, _uuid(built, "late"), "rework", note="照片不清")
    case = workflow.case_row(conn, built["cases"]["late"])
    assert (case["status"], case["unit_code"], case["rework_count"]) == ("dispatched", "HW", 1)


@pytest.mark.parametrize("username, code", [("collector01", "auth.forbidden"), ("operator", "auth.forbidden"),
                                            ("supervisor", "case.forbidden_role")])
def test_closing_is_refused_to_a_role_that_may_not_and_changes_nothing(shift, username, code):
    conn, built = shift
    assert _code(rd.decide, conn, cf.actor(conn, username), _uuid(built, "passed"), "close") == code
    assert workflow.case_row(conn, built["cases"]["passed"])["status"] == "check_passed"
    assert rd.resolution(conn, _uuid(built, "passed")) is None


def test_a_decision_that_no_longer_fits_gets_the_workflows_problem(shift):
    conn, built = shift
    workflow.act(conn, built["cases"]["passed"], "close", cf.actor(conn, "leader"))
    assert _code(rd.decide, conn, cf.actor(conn, "leader"), _uuid(built, "passed"), "close") == \
        "case.illegal_transition"


def test_merge_voids_the_duplicate_and_keeps_both_reports_photos_on_the_surviving_case(shift):
    conn, built = shift
    dup_no = next(r["case_no"] for r in built["receipts"] if r["uuid"] == _uuid(built, "duplicate"))
    survivor = built["open_case"]
    extra = rs.photo(conn, blobs.store_for(conn.execute("PRAGMA database_list").fetchone()[2]), "operator", "old")
    workflow.act(conn, survivor, "send_verify", cf.actor(conn, "operator"), photos=[extra])
    done = rd.decide(conn, cf.actor(conn, "leader"), _uuid(built, "duplicate"), "merge", note="同一处")
    assert (done["case_no"], done["voided"]) == (survivor, dup_no)
    assert workflow.case_row(conn, dup_no)["status"] == "voided"
    kept = {r[0] for r in conn.execute("SELECT sha256 FROM case_photos WHERE case_no = ?", (survivor,))}
    assert kept == {extra, built["photos"]["report"]}
    merged = workflow.events(conn, survivor)[-1]
    assert (merged["action"], merged["actor"]) == ("merge_duplicate", "leader") and dup_no in merged["data"]
    assert survivor in workflow.events(conn, dup_no)[-1]["note"]


def test_merge_of_an_item_that_is_not_a_duplicate_is_refused(shift):
    conn, built = shift
    assert _code(rd.decide, conn, cf.actor(conn, "leader"), _uuid(built, "passed"), "merge") == \
        "review.not_a_duplicate"


def test_discard_needs_a_reason_and_leaves_the_case_untouched(shift):
    conn, built = shift
    sup = cf.actor(conn, "supervisor")
    assert _code(rd.decide, conn, sup, _uuid(built, "reassigned"), "discard", note="  ") == "review.reason_required"
    before = workflow.events(conn, built["cases"]["reassigned"])
    rd.decide(conn, sup, _uuid(built, "reassigned"), "discard", note="任务已改派，结果作废")
    assert workflow.events(conn, built["cases"]["reassigned"]) == before
    assert rd.resolution(conn, _uuid(built, "reassigned"))["resolved_by"] == "supervisor"


def test_bulk_closure_is_all_or_nothing(shift):
    conn, built = shift
    leader = cf.actor(conn, "leader")
    good = [_uuid(built, k) for k in ("passed", "no_gps", "far")]
    assert _code(rd.close_passed, conn, leader, [*good, _uuid(built, "failed")]) == "review.not_a_passed_check"
    assert {workflow.case_row(conn, built["cases"][k])["status"] for k in ("passed", "no_gps", "far")} == \
        {"check_passed"}
    assert rd.close_passed(conn, leader, good) == {"closed": 3}
    assert {workflow.case_row(conn, built["cases"][k])["status"] for k in ("passed", "no_gps", "far")} == {"closed"}


@pytest.mark.parametrize("bad", ["", "not-a-uuid", None, "0" * 36])
def test_an_unknown_or_malformed_item_is_not_found(shift, bad):
    conn, _built = shift
    assert _code(rd.decide, conn, cf.actor(conn, "leader"), bad, "close") == "item.not_found"


def test_an_unknown_decision_is_refused(shift):
    conn, built = shift
    assert _code(rd.decide, conn, cf.actor(conn, "leader"), _uuid(built, "passed"), "approve") == \
        "review.unknown_decision"
