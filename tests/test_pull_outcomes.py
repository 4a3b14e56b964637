# SPDX-License-Identifier: GPL-2.0-or-later
"""Pull item `outcome`: the review's decisions and the case milestones reach the sender's devices."""

import centre_fixture as cf
import pytest
import review_shift as rs

from citygrid.loop import workflow
from citygrid.store import blobs, db
from citygrid.sync import outcomes
from citygrid.sync import pull as sync_pull
from citygrid.sync import review_decisions as rd


@pytest.fixture
def shift(tmp_path):
    path = tmp_path / "center.gpkg"
    cf.build(path)
    conn = db.open_centre(path)
    yield conn, rs.build(conn, blobs.store_for(path))
    conn.close()


def _pull(conn, cursor=None, username="collector01", device="dev-1"):
    page = sync_pull.pull(conn, cf.actor(conn, username), device, cursor)
    return page["cursor"], {it["id"]: it["data"] for it in page["items"] if it["type"] == "outcome"}


def _uuid(built, key):
    return built["items"][key]["uuid"]


def _dup_case(built):
    return next(r["case_no"] for r in built["receipts"] if r["uuid"] == _uuid(built, "duplicate"))


def test_a_sent_item_has_no_outcome_before_anything_is_decided(shift):
    conn, _built = shift
    assert _pull(conn)[1] == {}


def test_closing_a_passed_check_tells_the_collector_who_closed_it_and_why(shift):
    conn, built = shift
    cursor, _ = _pull(conn)
    rd.decide(conn, cf.actor(conn, "leader"), _uuid(built, "passed"), "close", note="照片清楚")
    _cursor, got = _pull(conn, cursor)
    assert got == {_uuid(built, "passed"): {
        "uuid": _uuid(built, "passed"), "item_type": "check", "case_no": built["cases"]["passed"],
        "case_status": "closed", "decision": "close", "note": "照片清楚", "decided_by_role": "leader",
        "decided_at": got[_uuid(built, "passed")]["decided_at"], "merged_into": None}}
    assert got[_uuid(built, "passed")]["decided_at"] >= outcomes.cutoff()


def test_rework_sends_its_reason_and_the_case_back_in_dispatched(shift):
    conn, built = shift
    rd.decide(conn, cf.actor(conn, "leader"), _uuid(built, "late"), "rework", note="照片不清")
    got = _pull(conn)[1][_uuid(built, "late")]
    assert (got["decision"], got["note"], got["case_status"]) == ("rework", "照片不清", "dispatched")


def test_merge_names_the_case_the_report_was_merged_into(shift):
    conn, built = shift
    rd.decide(conn, cf.actor(conn, "leader"), _uuid(built, "duplicate"), "merge")
    got = _pull(conn)[1][_uuid(built, "duplicate")]
    assert (got["item_type"], got["case_no"], got["case_status"]) == ("report", _dup_case(built), "voided")
    assert (got["decision"], got["merged_into"]) == ("merge", built["open_case"])


def test_discard_says_the_reason_and_leaves_the_case_status_as_it_was(shift):
    conn, built = shift
    rd.decide(conn, cf.actor(conn, "supervisor"), _uuid(built, "no_gps"), "discard", note="照片无位置")
    got = _pull(conn)[1][_uuid(built, "no_gps")]
    assert (got["decision"], got["note"], got["decided_by_role"], got["case_status"]) == \
        ("discard", "照片无位置", "supervisor", "check_passed")


@pytest.mark.parametrize("action, status", [("reject", "rejected"), ("void", "voided")])
def test_a_report_case_milestone_without_a_review_decision_reaches_the_sender(shift, action, status):
    conn, built = shift
    cursor, _ = _pull(conn)
    workflow.act(conn, _dup_case(built), action, cf.actor(conn, "leader"), note="重复上报")
    got = _pull(conn, cursor)[1]
    assert list(got) == [_uuid(built, "duplicate")]
    assert (got[_uuid(built, "duplicate")]["case_status"], got[_uuid(built, "duplicate")]["decision"],
            got[_uuid(built, "duplicate")]["note"]) == (status, None, "重复上报")


def test_a_registered_report_reaches_the_sender_with_its_case_number(shift):
    conn, built = shift
    workflow.act(conn, _dup_case(built), "accept", cf.actor(conn, "operator"))
    cursor, got = _pull(conn)
    assert got == {}  # accepted is no milestone for a collector
    workflow.act(conn, _dup_case(built), "register", cf.actor(conn, "leader"), condition_id=1)
    got = _pull(conn, cursor)[1][_uuid(built, "duplicate")]
    assert (got["case_no"], got["case_status"], got["decision"]) == (_dup_case(built), "registered", None)


def test_a_later_milestone_overtakes_the_review_decision(shift):
    conn, built = shift
    rd.decide(conn, cf.actor(conn, "supervisor"), _uuid(built, "duplicate"), "discard", note="稍后处理")
    workflow.act(conn, _dup_case(built), "reject", cf.actor(conn, "leader"), note="不属于受理范围")
    got = _pull(conn)[1][_uuid(built, "duplicate")]
    assert (got["case_status"], got["decision"], got["note"]) == ("rejected", None, "不属于受理范围")


def test_outcomes_reach_only_the_sender_and_every_device_of_the_sender(shift):
    conn, built = shift
    rd.decide(conn, cf.actor(conn, "leader"), _uuid(built, "passed"), "close")
    assert _pull(conn, username="collector02", device="dev-9")[1] == {}
    assert list(_pull(conn, device="dev-1")[1]) == [_uuid(built, "passed")]
    assert list(_pull(conn, device="dev-2")[1]) == [_uuid(built, "passed")]


def test_an_acknowledged_outcome_is_not_sent_again_until_it_changes(shift):
    conn, built = shift
    rd.decide(conn, cf.actor(conn, "supervisor"), _uuid(built, "no_gps"), "discard", note="照片无位置")
    cursor, got = _pull(conn)
    assert list(got) == [_uuid(built, "no_gps")]
    cursor, got = _pull(conn, cursor)
    assert got == {}
    again, got = _pull(conn, cursor)
    assert (again, got) == (cursor, {})
    rd.decide(conn, cf.actor(conn, "leader"), _uuid(built, "passed"), "close")
    assert list(_pull(conn, cursor)[1]) == [_uuid(built, "passed")]


def test_bulk_closure_makes_one_outcome_per_item(shift):
    conn, built = shift
    cursor, _ = _pull(conn)
    good = [_uuid(built, k) for k in ("passed", "late", "no_gps")]
    rd.close_passed(conn, cf.actor(conn, "leader"), good, note="批量结案")
    got = _pull(conn, cursor)[1]
    assert sorted(got) == sorted(good)
    assert {(o["decision"], o["case_status"], o["note"]) for o in got.values()} == {("close", "closed", "批量结案")}


def test_outcomes_older_than_the_window_are_not_offered(shift, monkeypatch):
    conn, built = shift
    rd.decide(conn, cf.actor(conn, "leader"), _uuid(built, "passed"), "close")
    monkeypatch.setattr(outcomes, "OUTCOME_DAYS", -1)  # everything decided is now "too old"
    assert _pull(conn)[1] == {}


@pytest.mark.parametrize("text, expected", [
    (None, (None, None)), ("", (None, None)), ("close", ("close", None)),
    ("rework: 未清理: 再拍", ("rework", "未清理: 再拍")), ("drop table: x", (None, None)), (":", (None, None))])
def test_a_resolution_text_splits_into_decision_and_note_or_nothing(text, expected):
    assert outcomes.split_resolution(text) == expected


def test_a_rebuilt_sync_log_still_offers_the_decided_outcomes(shift):
    conn, built = shift
    rd.decide(conn, cf.actor(conn, "leader"), _uuid(built, "passed"), "close")
    with db.transaction(conn):
        demo_write_rebuild(conn)
    assert list(_pull(conn, device="dev-new")[1]) == [_uuid(built, "passed")]


def test_the_outcome_query_starts_from_the_senders_items_not_the_change_log(shift):
    conn, _built = shift
    plan = " ".join(r[3] for r in conn.execute("EXPLAIN QUERY PLAN " + outcomes.CHANGED_SQL, {
        "user": "collector01", "after": 0, "cut": "", "limit": 5}))
    assert plan.startswith("SEARCH si USING INDEX") and "SCAN" not in plan, plan


def test_a_milestone_before_the_item_was_sent_is_no_outcome_of_it(shift):
    conn, _built = shift  # every checked case of the shift was registered before its check came
    with db.transaction(conn):
        demo_write_rebuild(conn)
    assert _pull(conn)[1] == {}


def demo_write_rebuild(conn):
    from citygrid.demo import write as demo_write

    demo_write.rebuild_sync_log(conn)
