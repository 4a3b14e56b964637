# SPDX-License-Identifier: GPL-2.0-or-later
"""Evaluation indicators from a case log written row by row here, each figure checked by hand."""

import json
import re
from dataclasses import FrozenInstanceError
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from citygrid import times
from citygrid.loop import evaluation
from citygrid.problems import Problem
from citygrid.store import db

SH = ZoneInfo("Asia/Shanghai")
H = timedelta(hours=1)
STREET, COMMUNITY = "420981001", "420981001001"
G1, G2 = "420981001001001", "420981001001002"
DEC, JAN = (date(2016, 12, 1), date(2017, 1, 1)), (date(2017, 1, 1), date(2017, 2, 1))
ACTORS = {"report": ("col1", "collector"), "accept": ("op1", "operator"), "send_verify": ("op1", "operator"),
          "verify_confirmed": ("col1", "collector"), "verify_not_found": ("col1", "collector"),
          "reject": ("op1", "operator"), "register": ("ld1", "leader"), "dispatch": ("dp1", "dispatcher"),
          "return": ("dp1", "dispatcher"), "report_disposal": ("unit-user", "unit"),
          "send_check": ("op1", "operator"), "check_pass": ("col1", "collector"),
          "check_fail": ("col1", "collector"), "rework": ("ld1", "leader"), "close": ("ld1", "leader"), "park": ("dp1", "dispatcher"),
          "void": ("ld1", "leader")}
TO = {"report": "reported", "accept": "pending_register", "send_verify": "verifying",
      "verify_confirmed": "pending_register", "verify_not_found": "rejected", "reject": "rejected",
      "register": "registered", "dispatch": "dispatched", "return": "returned", "report_disposal": "disposed",
      "send_check": "checking", "check_pass": "check_passed", "check_fail": "dispatched", "rework": "dispatched", "close": "closed",
      "park": "parked", "void": "voided"}


def d(day, hour=10, month=12, year=2016) -> datetime:
    return datetime(year, month, day, hour, tzinfo=SH)


def log(conn, no, *steps, grid=G1, source="collector", unit="u1", open_due=None):
    """Insert case `no` and one event per step (action, at[, due[, overrides]]); status follows the log."""
    status, event_unit = None, None
    for action, at, due, extra in ((*s, None, None)[:4] for s in steps):
        extra = extra or {}
        actor, role = extra.get("actor", ACTORS[action][0]), extra.get("role", ACTORS[action][1])
        event_unit = extra.get("unit", unit) if action == "dispatch" else event_unit
        conn.execute("INSERT INTO case_events (case_no, action, actor, role, from_status, to_status, at, due_at, "
                     "unit_code, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     (no, action, actor, role, status, extra.get("to", TO[action]), times.to_db(at),
                      times.to_db(due), event_unit, json.dumps(extra.get("data", {}))))
        status = extra.get("to", TO[action])
    due = times.to_db(open_due)
    conn.execute("INSERT INTO cases (case_no, kind, class_code, status, grid_code, source, reported_at, "
                 "street_code, community_code, unit_code, deadline_at, step_due_at) "
                 "VALUES (?, 'event', '0101', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                 (no, status, grid, source, times.to_db(steps[0][1]), grid[:9], grid[:12], event_unit,
                  due if status == "dispatched" else None, due))


def prefix(t):
    """report → accept → register → dispatch, an hour apart, each on time."""
    return [("report", t), ("accept", t + H, t + 2 * H), ("register", t + 2 * H, t + 3 * H),
            ("dispatch", t + 3 * H, t + 4 * H)]


def tail(disposed, deadline, closed):
    """Disposal reported (against its deadline), checked on time, closed at `closed` (on time)."""
    return [("report_disposal", disposed, deadline), ("send_check", disposed + H, disposed + 2 * H),
            ("check_pass", disposed + 2 * H, disposed + 3 * H), ("close", closed, closed)]


def december(conn):
    """Eight cases of unit u1 in grid G1 around December 2016 (see the expected figures below)."""
    log(conn, "A", *prefix(d(5)), *tail(d(9), d(10), d(9, 16)))  # disposed and closed before the deadline
    log(conn, "B", *prefix(d(6)), ("report_disposal", d(8), d(10)), ("send_check", d(8, 11), d(8, 12)),
        ("check_fail", d(9), d(9, 12)), *tail(d(12), d(11), d(13)))  # 返工, then late
    log(conn, "C", *prefix(d(15)), open_due=d(20))  # still in disposal, overdue
    log(conn, "D", *prefix(d(20)), *tail(d(27), d(5, month=1, year=2017), d(28)))  # early, deadline in Jan
    log(conn, "E", *prefix(d(20, month=11)), *tail(d(1), d(25, month=11), d(2)))  # late since November
    log(conn, "F", *prefix(d(25)), *tail(d(2, month=1, year=2017), d(30), d(3, month=1, year=2017)))
    log(conn, "G", *prefix(d(29)), open_due=d(10, month=1, year=2017))  # not due yet
    log(conn, "H", *prefix(d(10)), ("void", d(12)))  # withdrawn: due nowhere


def one(results, oid):
    (found,) = [r for r in results if r.id == oid]
    return found


@pytest.fixture
def city(conn):
    conn.execute("INSERT INTO regions (code, name, level, parent_code) VALUES (?, '竟陵街道', 'street', NULL)",
                 (STREET,))
    conn.execute("INSERT INTO regions (code, name, level, parent_code) VALUES (?, '东湖社区', 'community', ?)",
                 (COMMUNITY, STREET))
    conn.executemany("INSERT INTO grids (code, name, street_code, community_code) VALUES (?, ?, ?, ?)",
                     [(G1, "网格一", STREET, COMMUNITY), (G2, "网格二", STREET, COMMUNITY)])
    conn.executemany("INSERT INTO units (code, name, kind) VALUES (?, ?, 'department')",
                     [("u1", "市政处"), ("u2", "环卫处"), ("idle", "园林处")])
    return conn


def test_unit_indicators_and_score_follow_the_log(city):
    december(city)
    u1 = one(evaluation.evaluate(city, *DEC, "unit"), "u1")
    assert (u1.kind, u1.name) == ("unit", "市政处")
    assert dict(u1.counts) == {"registered": 7, "closure_due": 5, "closure_done": 3, "closure_on_time": 2,
                               "disposal_due": 6, "disposal_done": 4, "disposal_on_time": 3,
                               "disposal_reworked": 1}
    assert dict(u1.rates) == {"closure_rate": 0.6, "on_time_closure_rate": 0.4, "disposal_rate": 4 / 6,
                              "on_time_disposal_rate": 0.5, "rework_rate": 0.25}
    assert (u1.score, u1.grade, u1.colour) == (65.5, "C", "yellow")  # 10·100 + 30·60 + 30·50 + 30·75


def test_region_levels_share_the_figures_and_take_names_from_regions_and_grids(city):
    december(city)
    for level, oid, name in (("street", STREET, "竟陵街道"), ("community", COMMUNITY, "东湖社区"),
                             ("grid", G1, "网格一")):
        r = one(evaluation.evaluate(city, *DEC, "region", level=level), oid)
        assert (r.kind, r.name) == (level, name)
        assert (r.counts["registered"], r.counts["closure_due"], r.counts["disposal_due"]) == (7, 5, 6)
        assert r.rates["public_report_rate"] == 0.0
        assert (r.score, r.grade, r.colour) == (51.5, "D", "red")  # 30·60 + 40·40 + 20·50 + 10·75
    assert [r.id for r in evaluation.evaluate(city, *DEC, "region")] == [STREET]  # street by default


def test_late_step_is_due_in_the_period_of_its_deadline_and_not_done_there(city):
    december(city)
    november = one(evaluation.evaluate(city, date(2016, 11, 1), date(2016, 12, 1), "unit"), "u1")
    assert (november.counts["closure_due"], november.counts["closure_done"]) == (1, 0)  # case E
    assert (november.counts["disposal_due"], november.counts["disposal_done"]) == (1, 0)


def test_a_past_period_does_not_change_when_later_events_arrive(city):
    december(city)
    before = [r.to_wire() for r in evaluation.evaluate(city, *DEC, "unit")]
    log(city, "J", *prefix(d(3, month=1, year=2017)), *tail(d(4, month=1, year=2017), d(6, month=1, year=2017),
                                                           d(5, month=1, year=2017)))
    assert [r.to_wire() for r in evaluation.evaluate(city, *DEC, "unit")] == before
    january = one(evaluation.evaluate(city, *JAN, "unit"), "u1")
    assert (january.counts["closure_due"], january.counts["closure_done"]) == (2, 1)  # G open, J; F stays in Dec


def test_object_with_nothing_due_has_no_rates_and_no_score(city):
    december(city)
    idle = one(evaluation.evaluate(city, *DEC, "unit"), "idle")
    assert idle.name == "园林处" and set(idle.rates.values()) == {None}
    assert (idle.score, idle.grade, idle.colour) == (None, None, None)
    assert idle.to_wire()["rates"]["closure_rate"] is None


def test_tianmen_december_2016_closure_figures_are_reproduced(city):
    """972 due, 911 closed (93.72 %), 737 closed on time (75.82 %); 24 more registered fall due in January."""
    with db.transaction(city):
        for i in range(996):
            t = d(1, 9) + timedelta(minutes=40 * i)
            deadline = t + 4 * H if i < 972 else d(5, month=1, year=2017)
            if i < 737:
                steps = tail(t + 2 * H, deadline, t + 3 * H)
            elif i < 911:
                steps = tail(deadline + H, deadline, deadline + 2 * H)
            else:
                steps = []
            log(city, f"TM{i:04d}", *prefix(t - 4 * H), *steps, open_due=None if steps else deadline)
    for r in (one(evaluation.evaluate(city, *DEC, "unit"), "u1"),
              one(evaluation.evaluate(city, *DEC, "region"), STREET)):
        assert (r.counts["closure_due"], r.counts["closure_done"], r.counts["closure_on_time"]) == (972, 911, 737)
        assert f"{r.rates['closure_rate']:.2%} {r.rates['on_time_closure_rate']:.2%}" == "93.72% 75.82%"


def test_period_bounds_are_centre_midnights_and_the_end_is_excluded(city):
    midnight = datetime(2017, 1, 1, tzinfo=SH)  # 2016-12-31T16:00Z
    for no, t in (("before", midnight - timedelta(minutes=1)), ("midnight", midnight),
                  ("after", midnight + timedelta(minutes=30))):
        log(city, no, ("report", t - H), ("accept", t - H / 2), ("register", t))
    counts = [one(evaluation.evaluate(city, *p, "region"), STREET).counts["registered"] for p in (DEC, JAN)]
    assert counts == [1, 2]
    city.execute("UPDATE citygrid_meta SET value = 'UTC' WHERE key = 'timezone'")
    counts = [one(evaluation.evaluate(city, *p, "region"), STREET).counts["registered"] for p in (DEC, JAN)]
    assert counts == [3, 0]


def test_step_done_exactly_at_its_due_time_is_on_time_and_naive_bounds_are_centre_time(city):
    log(city, "K", *prefix(d(5))[:3], ("dispatch", d(5, 14), d(5, 14)))
    start, end = datetime(2016, 12, 5, 14), datetime(2016, 12, 5, 15)
    dp = one(evaluation.evaluate(city, start, end, "post"), "dp1")
    assert (dp.counts["dispatch_due"], dp.counts["dispatch_on_time"]) == (1, 1)
    assert evaluation.evaluate(city, end, end + H, "post") == []


def test_public_reports_raise_the_public_report_rate(city):
    log(city, "P1", ("report", d(2), None, {"actor": "op1", "role": "operator"}), ("accept", d(2, 11)),
        ("register", d(2, 12)), source="hotline")
    log(city, "P2", ("report", d(3), None, {"actor": "op1", "role": "operator"}), ("accept", d(3, 11)),
        ("register", d(3, 12)), source="app")
    log(city, "V1", ("report", d(4)), ("accept", d(4, 11)), ("register", d(4, 12)), source="video")
    log(city, "C1", ("report", d(5)), ("accept", d(5, 11)), ("register", d(5, 12)))
    r = one(evaluation.evaluate(city, *DEC, "region", level="grid"), G1)
    assert (r.counts["registered"], r.counts["public_registered"], r.rates["public_report_rate"]) == (4, 2, 0.5)


def test_collector_indicators_and_score(city):
    city.executemany("INSERT INTO users (username, display_name, role, password_hash) VALUES (?, ?, 'collector', 'x')",
                     [("col1", "张三"), ("col2", "李四"), ("col3", "王五")])
    city.executemany("INSERT INTO collector_grids (username, grid_code) VALUES (?, ?)", [("col1", G1), ("col2", G2)])
    by_op = {"actor": "op1", "role": "operator"}
    log(city, "R1", *prefix(d(1)), ("report_disposal", d(2), d(3)), ("send_check", d(2, 11), d(2, 12)),
        ("check_pass", d(2, 12), d(2, 13)))  # valid report; 核查 on time
    log(city, "R2", ("report", d(3)), ("reject", d(3, 11)))  # not valid
    log(city, "R3", ("report", d(31, 22)))  # not decided by the end of the period
    log(city, "P", ("report", d(4), None, by_op), ("send_verify", d(4, 11), d(4, 12)),
        ("verify_confirmed", d(4, 12), d(4, 13)), ("register", d(4, 13), d(4, 14)), source="hotline")
    log(city, "Q", ("report", d(5), None, by_op), ("send_verify", d(5, 11), d(5, 12)),
        ("verify_not_found", d(5, 15), d(5, 13)), source="public")  # 核实 late
    log(city, "V", ("report", d(20), None, by_op), ("send_verify", d(20, 9), d(20, 9)), source="public",
        open_due=d(20, 10))  # 核实 overdue and open
    city.execute("INSERT INTO tasks (id, kind, case_no, assignee, created_at, due_at) VALUES "
                 "('tv', 'verify', 'V', 'col1', ?, ?)", (times.to_db(d(20, 9)), times.to_db(d(20, 10))))
    log(city, "S", ("report", d(6), None, {"actor": "col2"}), ("accept", d(6, 11), d(6, 12)),
        ("register", d(6, 12), d(6, 13)), ("dispatch", d(6, 13), d(6, 14)), ("report_disposal", d(7), d(8)),
        ("send_check", d(7, 11), d(7, 12)), ("check_fail", d(7, 15), d(7, 13), {"actor": "col2"}),
        grid=G2, open_due=d(9))  # col2's report; 核查 late
    results = evaluation.evaluate(city, *DEC, "collector")
    col1, col2, col3 = (one(results, c) for c in ("col1", "col2", "col3"))
    assert (col1.counts["reports"], col1.counts["reports_decided"], col1.counts["reports_valid"]) == (3, 2, 1)
    assert (col1.counts["grid_registered"], col1.counts["grid_public_registered"]) == (2, 1)  # R1, P
    assert (col1.counts["verify_due"], col1.counts["verify_done"], col1.counts["verify_on_time"]) == (3, 2, 1)
    assert dict(col1.rates) == {"valid_report_rate": 0.5, "missed_report_rate": 0.5,
                                "on_time_verify_rate": 1 / 3, "on_time_check_rate": 1.0}
    assert (col1.score, col1.grade) == (56.67, "D")  # 40·50 + 20·50 + 20·33.3 + 20·100
    assert dict(col2.rates) == {"valid_report_rate": 1.0, "missed_report_rate": 0.0,
                                "on_time_verify_rate": None, "on_time_check_rate": 0.0}
    assert (col2.name, col2.score, col2.grade, col2.colour) == ("李四", 75.0, "B", "blue")  # (40+20+0)/0.8
    assert (col3.score, col3.grade) == (None, None)


def test_centre_post_indicators_and_scores(city):
    city.executemany("INSERT INTO users (username, display_name, role, password_hash) VALUES (?, ?, ?, 'x')",
                     [("op1", "受理员甲", "operator"), ("op2", "受理员乙", "operator"), ("op3", "受理员丙", "operator"),
                      ("ld1", "值班长甲", "leader"), ("ld2", "值班长乙", "leader"),
                      ("dp1", "派遣员甲", "dispatcher"), ("dp2", "派遣员乙", "dispatcher")])
    log(city, "P1", ("report", d(1, 9), None, {"actor": "op1", "role": "operator"}),
        ("send_verify", d(1, 10), d(1, 9)), ("verify_confirmed", d(1, 11), d(1, 12)),
        ("register", d(1, 13), d(1, 12)), ("dispatch", d(1, 14), d(1, 15)),
        ("return", d(2, 9), d(3), {"data": {"erroneous_dispatch": True}}),
        ("dispatch", d(2, 11), d(2, 12), {"actor": "dp2", "unit": "u2"}), ("report_disposal", d(3), d(4)),
        ("send_check", d(3, 11), d(3, 12), {"actor": "op2"}), ("check_pass", d(3, 12), d(3, 14)),
        ("close", d(3, 18), d(3, 15)), source="hotline")
    log(city, "P2", ("report", d(5)), ("accept", d(5, 11), d(5, 12)),
        ("register", d(5, 12), d(5, 13), {"actor": "ld2"}), ("void", d(6)))
    log(city, "P3", ("report", d(7)), ("accept", d(7, 11), d(7, 12)),
        ("reject", d(7, 15), d(7, 12), {"role": "leader", "actor": "ld1"}))
    results = evaluation.evaluate(city, *DEC, "post")
    assert [r.kind for r in results] == ["operator"] * 3 + ["leader"] * 2 + ["dispatcher"] * 2
    expected = {  # id: (rates, score, grade)
        "op1": ({"on_time_verify_dispatch_rate": 0.0, "on_time_check_dispatch_rate": None}, 0.0, "E"),
        "op2": ({"on_time_verify_dispatch_rate": None, "on_time_check_dispatch_rate": 1.0}, 58.33, "D"),
        "op3": ({"on_time_verify_dispatch_rate": None, "on_time_check_dispatch_rate": None}, None, None),
        "ld1": ({"on_time_register_rate": 0.0, "accurate_register_rate": 1.0, "on_time_close_rate": 0.0}, 40.0, "D"),
        "ld2": ({"on_time_register_rate": 1.0, "accurate_register_rate": 0.0, "on_time_close_rate": None},
                38.46, "E"),
        "dp1": ({"on_time_dispatch_rate": 1.0, "accurate_dispatch_rate": 0.0}, 40.0, "D"),
        "dp2": ({"on_time_dispatch_rate": 1.0, "accurate_dispatch_rate": 1.0}, 80.0, "B"),
    }
    assert {r.id: (dict(r.rates), r.score, r.grade) for r in results} == expected
    assert one(results, "op1").counts["received"] == 3 and one(results, "ld1").counts["register_due"] == 2
    units = evaluation.evaluate(city, *DEC, "unit")
    assert (one(units, "u1").counts["registered"], one(units, "u2").counts["registered"]) == (0, 1)


def test_auto_closed_check_counts_as_closure_and_parked_or_voided_cases_leave_it(city):
    log(city, "AC", *prefix(d(5)), ("report_disposal", d(6), d(7)), ("send_check", d(6, 11), d(6, 12)),
        ("check_pass", d(6, 12), d(6, 13), {"to": "closed"}))
    for no, last in (("PK", "park"), ("VD", "void")):  # disposed, failed the check, then withdrawn
        log(city, no, *prefix(d(5)), ("report_disposal", d(6), d(7)), ("send_check", d(6, 11), d(6, 12)),
            ("check_fail", d(6, 12), d(6, 13)), (last, d(6, 14)))
    u1 = one(evaluation.evaluate(city, *DEC, "unit"), "u1")
    assert (u1.counts["closure_due"], u1.counts["closure_done"], u1.counts["closure_on_time"]) == (1, 1, 1)
    assert (u1.counts["disposal_done"], u1.counts["disposal_reworked"]) == (3, 2)


def passed_then_sent_back(send_back):
    """Case B's timings, but 返工 comes from `send_back` after the check passed (or instead of it)."""
    first = [("report_disposal", d(8), d(10)), ("send_check", d(8, 11), d(8, 12))]
    if send_back == "rework":
        first.append(("check_pass", d(8, 12), d(8, 13)))
    return [*prefix(d(6)), *first, (send_back, d(9), d(9, 12)), *tail(d(12), d(11), d(13))]


@pytest.mark.parametrize("send_back", ["check_fail", "rework"])
def test_a_leaders_rework_counts_for_the_unit_as_a_failed_check_does(city, send_back):
    log(city, "LR", *passed_then_sent_back(send_back))
    log(city, "OK", *prefix(d(5)), *tail(d(9), d(10), d(9, 16)))  # passed and closed on time
    u1 = one(evaluation.evaluate(city, *DEC, "unit"), "u1")
    assert dict(u1.counts) == {"registered": 2, "closure_due": 2, "closure_done": 2, "closure_on_time": 1,
                               "disposal_due": 3, "disposal_done": 3, "disposal_on_time": 2,
                               "disposal_reworked": 1}  # LR's first round ends at the 返工, its second is late
    assert u1.rates["rework_rate"] == 1 / 3 and u1.rates["on_time_closure_rate"] == 0.5


def test_a_leaders_rework_is_a_timed_decision_of_the_closing_step(city):
    city.execute("INSERT INTO users (username, display_name, role, password_hash) VALUES "
                 "('ld1', '值班长甲', 'leader', 'x')")
    log(city, "LR", *prefix(d(6)), ("report_disposal", d(8), d(10)), ("send_check", d(8, 11), d(8, 12)),
        ("check_pass", d(8, 12), d(8, 13)), ("rework", d(9, 15), d(9, 12)), *tail(d(12), d(11), d(13)))
    ld1 = one(evaluation.evaluate(city, *DEC, "post"), "ld1")
    assert (ld1.counts["close_due"], ld1.counts["close_done"], ld1.counts["close_on_time"]) == (2, 2, 1)
    assert ld1.rates["on_time_close_rate"] == 0.5  # the late 返工 decision, then a close on time


def test_a_rework_after_the_period_leaves_its_disposal_not_reworked_there(city):
    log(city, "LATE", *prefix(d(20, month=11)), ("report_disposal", d(29, month=11), d(30, month=11)),
        ("send_check", d(29, 11, month=11)), ("check_pass", d(29, 12, month=11)), ("rework", d(1)),
        open_due=d(5))
    november = one(evaluation.evaluate(city, date(2016, 11, 1), date(2016, 12, 1), "unit"), "u1")
    assert (november.counts["disposal_done"], november.counts["disposal_reworked"]) == (1, 0)
    december = one(evaluation.evaluate(city, *DEC, "unit"), "u1")
    assert (december.counts["disposal_due"], december.counts["disposal_done"]) == (1, 0)  # the new round, open
    assert (december.counts["closure_due"], december.counts["closure_done"]) == (1, 0)


def test_weights_from_the_centre_settings_change_the_score(city):
    december(city)
    db.set_meta(city, "evaluation_weights", json.dumps({"weights": {"unit": {"closure": 1}}}))
    assert one(evaluation.evaluate(city, *DEC, "unit"), "u1").score == 60.0


@pytest.mark.parametrize("call, code", [
    (lambda c: evaluation.evaluate(c, *DEC, "street"), "evaluation.bad_by"),
    (lambda c: evaluation.evaluate(c, *DEC, "unit", level="street"), "evaluation.bad_level"),
    (lambda c: evaluation.evaluate(c, *DEC, "region", level="district"), "evaluation.bad_level"),
    (lambda c: evaluation.evaluate(c, DEC[1], DEC[0], "unit"), "evaluation.empty_period"),
    (lambda c: evaluation.evaluate(c, DEC[0], DEC[0], "unit"), "evaluation.empty_period"),
    (lambda c: evaluation.evaluate(c, "2016-12-01", DEC[1], "unit"), "evaluation.bad_time"),
    (lambda c: evaluation.parse_when("2016-13-01"), "evaluation.bad_time"),
    (lambda c: evaluation.parse_when("yesterday"), "evaluation.bad_time"),
])
def test_bad_requests_are_coded_problems_and_change_nothing(city, call, code):
    december(city)
    before = city.total_changes
    with pytest.raises(Problem) as exc:
        call(city)
    assert exc.value.code == code and city.total_changes == before


def test_bad_weights_in_the_settings_are_a_coded_problem(city):
    db.set_meta(city, "evaluation_weights", json.dumps({"weights": {"unit": {"closure": 0.5}}}))
    with pytest.raises(Problem) as exc:
        evaluation.evaluate(city, *DEC, "unit")
    assert exc.value.code == "evaluation.config_bad_weights"


def test_parse_when_reads_dates_and_times():
    assert evaluation.parse_when("2016-12-01") == date(2016, 12, 1)
    assert evaluation.parse_when("2016-12-01T08:30") == datetime(2016, 12, 1, 8, 30)
    assert evaluation.parse_when("2016-12-01T00:00Z") == datetime(2016, 12, 1, tzinfo=times.UTC)


def test_result_is_frozen_and_round_trips_through_the_wire(city):
    december(city)
    r = one(evaluation.evaluate(city, *DEC, "unit"), "u1")
    assert evaluation.Result.from_wire(json.loads(json.dumps(r.to_wire()))) == r
    with pytest.raises(FrozenInstanceError):
        r.score = 100
    with pytest.raises(TypeError):
        r.counts["closure_due"] = 0


def test_every_query_reads_the_log_through_indexes(city):
    """A full scan of case_events, cases or tasks would make a month at city scale take seconds."""
    lo, hi = evaluation.period(city, *DEC)
    params = {"lo": lo, "hi": hi, "public": "[]"}
    sqls = [evaluation._CLOSURE_SQL, evaluation._REGISTERED_SQL, evaluation._REPORTS_SQL,
            evaluation._DISPATCH_SQL, evaluation._REGISTER_SQL, evaluation._RECEIVED_SQL,
            *(evaluation._step_sql(*spec) for spec in evaluation.STEPS.values())]
    for sql in sqls:
        plan = [row[3] for row in city.execute("EXPLAIN QUERY PLAN " + sql, params)]
        assert not [p for p in plan if re.match(r"SCAN (e|x|c|t|case_events|cases|tasks)\b", p)], plan


def test_a_log_written_by_the_workflow_is_evaluated(tmp_path):
    """The real workflow's events (roles, from_status, due_at, unit_code) are what the queries read."""
    import centre_fixture

    from citygrid.loop import workflow

    centre_fixture.build(tmp_path / "centre.gpkg")
    conn = db.open_centre(tmp_path / "centre.gpkg")
    t0 = datetime(2026, 11, 23, 9, tzinfo=SH)  # a Monday morning: every step done at once is on time
    case_no = centre_fixture.case_at(conn, "checking", at=t0)
    task = centre_fixture.open_task(conn, case_no, "check")
    workflow.act(conn, case_no, "check_pass", centre_fixture.actor(conn, "collector01"), at=t0 + H,
                 task_id=task["id"])
    workflow.act(conn, case_no, "close", centre_fixture.actor(conn, "leader"), at=t0 + 1.5 * H)
    month = (date(2026, 11, 1), date(2026, 12, 1))
    hw = one(evaluation.evaluate(conn, *month, "unit"), "HW")
    assert [hw.counts[k] for k in ("registered", "closure_due", "closure_on_time", "disposal_on_time")] == [1] * 4
    posts = {r.id: r for r in evaluation.evaluate(conn, *month, "post")}
    assert posts["operator"].counts["received"] == 1 and posts["operator"].rates["on_time_check_dispatch_rate"] == 1
    assert dict(posts["leader"].rates) == {"on_time_register_rate": 1.0, "accurate_register_rate": 1.0,
                                           "on_time_close_rate": 1.0}
    assert posts["dispatcher"].rates["accurate_dispatch_rate"] == 1.0
    assert one(evaluation.evaluate(conn, *month, "collector"), "collector01").rates["on_time_check_rate"] == 1.0
    conn.close()
