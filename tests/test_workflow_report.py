# SPDX-License-Identifier: GPL-2.0-or-later
"""Opening cases (report) and choosing the responsible unit (suggest_unit)."""

import pytest
from test_workflow import SHA, T0, X0, Y0, case_in, fresh_centre, new_case, problem, snapshot, who

from citygrid import crs
from citygrid.loop import workflow
from citygrid.store import gpkg


@pytest.fixture
def centre(tmp_path):
    c = fresh_centre(tmp_path)
    yield c
    c.close()


def test_report_writes_the_case_its_report_event_and_photos(centre):
    no = new_case(centre, description="cover missing", address="Renmin Rd 1", photos=[SHA, SHA])
    row = workflow.case_row(centre, no)
    assert no.startswith("20260302") and row["status"] == "reported" and row["source"] == "collector"
    assert (row["grid_code"], row["street_code"], row["community_code"]) == (
        "320508001001001", "320508001", "320508001001")
    assert (row["reporter"], row["address"], row["ObjID"]) == ("col_a", "Renmin Rd 1", "3205080101000001")
    assert gpkg.decode(row["geom"]) == ("POINT", (X0 + 10, Y0 + 50), 4549)  # the component's own position
    assert row["step_due_at"] == "2026-03-02T01:30:00.000Z"  # 0.5 working hours after 09:00 local
    [ev] = workflow.events(centre, no)
    assert (ev["action"], ev["from_status"], ev["to_status"], ev["actor"]) == ("report", None, "reported", "col_a")
    photos = centre.execute("SELECT case_no, sha256, event_fid FROM case_photos").fetchall()
    assert [tuple(p) for p in photos] == [(no, SHA, ev["fid"])]


def test_report_from_lon_lat_lands_in_the_grid_under_it(centre):
    lon, lat = crs.to_lonlat(X0 + 150, Y0 + 50, 4549)
    no = workflow.report(centre, who(centre, "operator"), kind="event", class_code="0102", lon=lon, lat=lat,
                         source="hotline", reporter="citizen 138****0000", at=T0)
    row = workflow.case_row(centre, no)
    _, (x, y), _ = gpkg.decode(row["geom"])
    assert abs(x - (X0 + 150)) < 1e-3 and abs(y - (Y0 + 50)) < 1e-3
    assert row["grid_code"] == "320508001001002" and row["reporter"] == "citizen 138****0000"


def test_case_numbers_count_per_day(centre):
    first, second = new_case(centre), new_case(centre)
    assert int(second) == int(first) + 1


@pytest.mark.parametrize("where, code", [
    ({"x": X0 - 500, "y": Y0}, "geocode.outside_grids"),
    ({"x": "east", "y": Y0}, "case.bad_param"),
    ({"lon": 200, "lat": 31}, "crs.out_of_range"),
    ({"x": X0 + 5, "y": Y0 + 5, "lon": 120.0, "lat": 31.0}, "case.bad_param"),
    ({}, "case.bad_param"),
])
def test_a_report_without_a_place_inside_the_grids_is_refused_and_writes_nothing(centre, where, code):
    before = snapshot(centre)
    got = problem(workflow.report, centre, who(centre, "col_a"), kind="event", class_code="0102", at=T0, **where)
    assert got.code == code and snapshot(centre) == before
    assert centre.execute("SELECT count(*) FROM serials").fetchone()[0] == 0  # no case number used up


@pytest.mark.parametrize("what, code", [
    ({"kind": "event", "class_code": "0999"}, "dictionary.unknown_class"),
    ({"kind": "event", "class_code": "0101"}, "dictionary.unknown_class"),
    ({"kind": "thing", "class_code": "0101"}, "dictionary.bad_kind"),
    ({"kind": "component", "class_code": "0101", "ObjID": "32050801"}, "code.malformed_objid"),
    ({"kind": "component", "class_code": "0101", "ObjID": "3205080101999999"}, "case.unknown_component"),
    ({"kind": "component", "class_code": "0103", "ObjID": "3205080101000001"}, "case.component_class_mismatch"),
    ({"kind": "event", "class_code": "0102", "ObjID": "3205080101000001"}, "case.bad_param"),
    ({"kind": "event", "class_code": "0102", "x": X0 + 5, "y": Y0 + 5, "photos": ["xyz"]}, "case.bad_param"),
    ({"kind": "event", "class_code": "0102", "x": X0 + 5, "y": Y0 + 5, "at": "yesterday"}, "time.malformed"),
])
def test_a_report_of_an_unknown_class_or_a_bad_component_is_refused(centre, what, code):
    before = snapshot(centre)
    assert problem(workflow.report, centre, who(centre, "col_a"), **{"at": T0, **what}).code == code
    assert snapshot(centre) == before


@pytest.mark.parametrize("user, source, ok", [
    ("col_a", "collector", True), ("col_a", "hotline", False), ("operator", "hotline", True),
    ("operator", "public", True), ("operator", "collector", False), ("admin", "public", True),
    ("unit_own1", "public", False), ("dispatcher", "hotline", False), ("operator", "fax", False),
])
def test_who_may_open_a_case_from_which_source(centre, user, source, ok):
    call = (workflow.report, centre, who(centre, user))
    kw = {"kind": "event", "class_code": "0102", "x": X0 + 5, "y": Y0 + 5, "source": source, "at": T0}
    if ok:
        assert workflow.case_row(centre, call[0](*call[1:], **kw))["source"] == source
    else:
        assert problem(*call, **kw).code in ("case.forbidden_role", "case.bad_param")


# -- responsibility ------------------------------------------------------------------------------

@pytest.mark.parametrize("objid, unit", [
    ("3205080101000001", "OWN1"),  # 权属单位 first
    ("3205080101000002", "WATER"),  # no owner: 主管部门
    ("3205080101000004", "WATER"),  # the owner is inactive: skip it
    ("3205080103000001", "MNT1"),  # only a 养护单位
    ("3205080101000003", "WATER"),  # no departments: the class's owner unit
])
def test_component_cases_go_to_the_owner_first(centre, objid, unit):
    no = new_case(centre, class_code=objid[6:10], ObjID=objid)
    assert workflow.suggest_unit(centre, no) == unit


def test_an_unclaimed_component_goes_to_the_territory(centre):
    no = new_case(centre, class_code="0103", ObjID=None, x=X0 + 250, y=Y0 + 50)
    assert workflow.suggest_unit(centre, no) == "T002"


def test_event_cases_go_to_the_territory_first_then_the_owner(centre):
    op = who(centre, "operator")
    here = workflow.report(centre, op, kind="event", class_code="0102", x=X0 + 250, y=Y0 + 5, source="hotline", at=T0)
    nowhere = workflow.report(centre, op, kind="event", class_code="0102", x=X0 + 350, y=Y0 + 5, source="hotline",
                              at=T0)
    assert workflow.suggest_unit(centre, here) == "T002"
    assert workflow.suggest_unit(centre, nowhere) == "SANIT"  # street 003 has no territorial unit


def test_a_case_nobody_can_take_is_a_coded_problem(centre):
    no = new_case(centre, class_code="0103", ObjID=None, x=X0 + 350, y=Y0 + 50)
    assert problem(workflow.suggest_unit, centre, no).code == "case.no_unit"
    reg = case_in(centre, "pending_register", class_code="0103", ObjID=None, x=X0 + 350, y=Y0 + 50)
    workflow.act(centre, reg, "register", who(centre, "leader"), at=T0, condition_id=1)
    assert problem(workflow.act, centre, reg, "dispatch", who(centre, "dispatcher")).code == "case.no_unit"
    assert problem(workflow.suggest_unit, centre, "nope").code == "case.not_found"


def test_dispatch_without_a_unit_uses_the_suggestion(centre):
    no = case_in(centre, "dispatched", ObjID="3205080101000002")
    assert workflow.case_row(centre, no)["unit_code"] == "WATER"
