# SPDX-License-Identifier: GPL-2.0-or-later
"""The pulled case says which of its photos the report brought, which the unit's disposal, which a check."""

from datetime import UTC, datetime

import centre_fixture as cf
import pytest

from citygrid.loop import workflow
from citygrid.store import db
from citygrid.sync import pull

REPORTED, DISPOSED, REWORKED, CHECKED = "1" * 64, "2" * 64, "3" * 64, "4" * 64
AT = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


@pytest.fixture
def cx(centre):
    c = db.open_centre(centre)
    yield c
    c.close()


def act(cx, case_no, action, who, **params):
    workflow.act(cx, case_no, action, cf.actor(cx, who), at=AT, **params)


def case_with_photos(cx, rework: bool = False) -> str:
    x, y = cf.centre_point("320508001001001")
    case_no = workflow.report(cx, cf.actor(cx, "operator"), kind="event", class_code="0102", x=x, y=y,
                              description="暴露垃圾", source="hotline", at=AT, photos=[REPORTED])
    for action, who, params in [("accept", "operator", {}), ("register", "leader", {"condition_id": 1}),
                                ("dispatch", "dispatcher", {"unit_code": "HW"}),
                                ("report_disposal", "unit_hw", {"photos": [DISPOSED]}), ("send_check", "operator", {})]:
        act(cx, case_no, action, who, **params)
    if rework:
        task = cf.open_task(cx, case_no, "check")
        act(cx, case_no, "check_fail", task["assignee"], task_id=task["id"], photos=[CHECKED], note="未清理")
        act(cx, case_no, "report_disposal", "unit_hw", photos=[REWORKED])
        act(cx, case_no, "send_check", "operator")
    return case_no


def pulled_case(cx, case_no) -> dict:
    page = pull.pull(cx, cf.actor(cx, "collector01"), "dev-1", None)
    return next(it["data"] for it in page["items"] if it["type"] == "case" and it["id"] == case_no)


def test_the_pull_keeps_the_photo_list_and_names_each_photos_stage(cx):
    data = pulled_case(cx, case_with_photos(cx))
    assert data["photos"] == [REPORTED, DISPOSED]
    assert data["photo_stages"] == {REPORTED: "report", DISPOSED: "disposal"}


def test_after_a_failed_check_the_rework_is_disposal_and_the_checks_photo_is_check(cx):
    data = pulled_case(cx, case_with_photos(cx, rework=True))
    assert data["photos"] == [REPORTED, DISPOSED, CHECKED, REWORKED]
    assert data["photo_stages"] == {REPORTED: "report", DISPOSED: "disposal", CHECKED: "check",
                                    REWORKED: "disposal"}


@pytest.mark.parametrize(("action", "stage"), [(None, "report"), ("report", "report"), ("accept", "report"),
                                               ("verify_confirmed", "report"), ("report_disposal", "disposal"),
                                               ("check_pass", "check"), ("check_fail", "check"),
                                               ("field_result", "check"), ("no such action", "report")])
def test_a_photos_stage_follows_the_action_that_brought_it(action, stage):
    assert pull.photo_stage(action) == stage
