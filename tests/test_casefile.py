# SPDX-License-Identifier: GPL-2.0-or-later
"""What a desk reads about one case: names, photos, choices, and previews that match what `act` then writes."""

from datetime import UTC, datetime

import centre_fixture as cf
import pytest

from citygrid import times
from citygrid.loop import accounts, casefile, workflow
from citygrid.problems import Problem
from citygrid.store import db

AT = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # Monday 09:00 in Suzhou
LATER = datetime(2026, 11, 23, 3, 30, tzinfo=UTC)  # 11:30 local


@pytest.fixture
def built(centre):
    conn = db.open_centre(centre)
    yield conn
    conn.close()


def _count(conn, table):
    return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_names_give_class_grid_unit_and_condition_of_a_dispatched_case(built):
    case_no = cf.case_at(built, "dispatched", at=AT)
    found = casefile.names(built, workflow.case_row(built, case_no))
    assert found["class_name"] == "市容环境 / 暴露垃圾"
    assert found["grid_name"] == "网格001"
    assert found["unit_name"] == "环卫处"
    assert found["condition"].condition_id == 1 and found["condition"].limit == 4
    assert found["duplicate_of"] is None


def test_names_read_the_possible_duplicate_flag(built):
    first = cf.case_at(built, "reported", at=AT)
    x, y = cf.centre_point("320508001001001")
    second = workflow.report(built, accounts.actor(built, "operator"), kind="event", class_code="0102", x=x, y=y,
                             source="hotline", at=AT, flag_duplicates=True)
    case = workflow.case_row(built, second)
    assert casefile.names(built, case)["duplicate_of"] == first


def test_register_preview_is_what_register_and_a_dispatch_at_that_moment_write(built):
    case_no = cf.case_at(built, "pending_register", at=AT)
    leader = accounts.actor(built, "leader")
    preview = casefile.preview_register(built, case_no, 1, leader, at=LATER)
    assert (preview["condition"].limit, preview["condition"].unit) == (4, "working_hours")
    assert _count(built, "case_events") == 2  # nothing written by the preview
    workflow.act(built, case_no, "register", leader, at=LATER, condition_id=1)
    assert times.from_db(workflow.case_row(built, case_no)["step_due_at"]) == preview["step_due"]
    workflow.act(built, case_no, "dispatch", accounts.actor(built, "dispatcher"), at=LATER, unit_code="HW")
    assert times.from_db(workflow.case_row(built, case_no)["deadline_at"]) == preview["deadline"]
    # 11:30 + 4 working hours (08-12, 14-18) is 17:30 local
    assert preview["deadline"] == datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


def test_register_preview_refuses_an_unknown_condition_and_a_wrong_role(built):
    case_no = cf.case_at(built, "pending_register", at=AT)
    with pytest.raises(Problem) as unknown:
        casefile.preview_register(built, case_no, 99, accounts.actor(built, "leader"), at=LATER)
    assert unknown.value.code == "case.unknown_condition"
    with pytest.raises(Problem) as role:
        casefile.preview_register(built, case_no, 1, accounts.actor(built, "operator"), at=LATER)
    assert role.value.code == "case.forbidden_role"


def test_dry_run_of_an_extension_gives_the_new_deadline_and_writes_nothing(built):
    case_no = cf.case_at(built, "dispatched", at=AT)
    dispatcher = accounts.actor(built, "dispatcher")
    before = workflow.case_row(built, case_no)
    cols = casefile.dry_run(built, case_no, "extend", dispatcher, at=LATER, hours=2)
    assert workflow.case_row(built, case_no) == before
    event = workflow.act(built, case_no, "extend", dispatcher, at=LATER, hours=2)
    assert workflow.case_row(built, case_no)["deadline_at"] == cols["deadline_at"]
    assert event["action"] == "extend"


def test_dry_run_of_a_void_without_reason_is_refused(built):
    case_no = cf.case_at(built, "registered", at=AT)
    with pytest.raises(Problem) as refused:
        casefile.dry_run(built, case_no, "void", accounts.actor(built, "leader"), note="  ")
    assert refused.value.code == "case.reason_required"


def test_rework_preview_is_what_the_leaders_rework_then_writes_and_writes_nothing(built):
    case_no = cf.case_at(built, "check_passed", at=AT)
    leader, before, changes = accounts.actor(built, "leader"), _count(built, "case_events"), built.total_changes
    cols = casefile.preview_rework(built, case_no, leader, LATER)
    assert (cols["status"], cols["unit_code"], cols["rework_count"]) == ("dispatched", "HW", 1)
    assert _count(built, "case_events") == before and built.total_changes == changes
    workflow.act(built, case_no, "rework", leader, at=LATER, note="未清运干净")
    row = workflow.case_row(built, case_no)
    assert (row["deadline_at"], row["unit_code"], row["rework_count"]) == (cols["deadline_at"], "HW", 1)


def test_rework_preview_refuses_a_wrong_role_and_a_case_not_passed(built):
    passed, checking = cf.case_at(built, "check_passed", at=AT), cf.case_at(built, "checking", at=AT)
    for case_no, who, code in ((passed, "dispatcher", "case.forbidden_role"),
                               (checking, "leader", "case.illegal_transition")):
        with pytest.raises(Problem) as refused:
            casefile.preview_rework(built, case_no, accounts.actor(built, who), LATER)
        assert refused.value.code == code


def test_preview_deadline_uses_the_cases_condition_by_default(built):
    case_no = cf.case_at(built, "registered", at=AT)
    expected = casefile.preview_deadline(built, case_no, at=LATER)
    workflow.act(built, case_no, "dispatch", accounts.actor(built, "dispatcher"), at=LATER)
    assert times.from_db(workflow.case_row(built, case_no)["deadline_at"]) == expected


def test_collector_choices_put_the_grids_collector_first_then_the_others(built):
    assert casefile.collector_choices(built, "320508001001001") == ["collector01", "collector02"]
    assert casefile.collector_choices(built, "320508001002001") == ["collector02", "collector01"]
    accounts.deactivate(built, "collector02")
    assert casefile.collector_choices(built, "320508001002001") == ["collector01"]


def test_unit_choices_are_the_active_units_with_their_names(built):
    assert casefile.unit_choices(built) == [("HW", "环卫处"), ("PJ", "平江街道办事处"), ("SW", "市水务局")]


def test_photos_list_each_photo_with_the_event_that_brought_it(built):
    sha = "ab" * 32
    case_no = workflow.report(built, accounts.actor(built, "operator"), kind="event", class_code="0102",
                              x=cf.X0 + 50, y=cf.Y0 + 50, source="hotline", at=AT, photos=[sha])
    found = casefile.photos(built, case_no)
    assert [(p["sha256"], p["action"]) for p in found] == [(sha, "report")]


def test_light_of_a_fresh_report_is_green_and_of_an_overdue_one_red(built):
    case_no = cf.case_at(built, "reported", at=AT)
    assert casefile.light(built, case_no, AT) == "green"
    assert casefile.light(built, case_no, datetime(2026, 11, 24, 1, 0, tzinfo=UTC)) == "red"
