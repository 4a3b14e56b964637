# SPDX-License-Identifier: GPL-2.0-or-later
"""Work calendar, deadlines, step limits, traffic light and overdue queries."""

import math
import random
from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from citygrid import messages, times
from citygrid.loop import deadlines
from citygrid.loop.deadlines import WorkCalendar
from citygrid.problems import Problem
from citygrid.store import db

SH = times.zone("Asia/Shanghai")
BERLIN = times.zone("Europe/Berlin")
# National Day 2026 as a city would configure it: 1–7 Oct off, Sunday 27 Sep and Saturday 10 Oct worked
NATIONAL_DAY = {**{date(2026, 10, d): False for d in range(1, 8)},
                date(2026, 9, 27): True, date(2026, 10, 10): True}
HOLIDAYS = WorkCalendar(days=NATIONAL_DAY)


def sh(*args):
    return datetime(*args, tzinfo=SH)


def code_of(fn, *args, **kwargs):
    with pytest.raises(Problem) as exc:
        fn(*args, **kwargs)
    assert exc.value.code in messages.TEXTS, f"no English text for {exc.value.code}"
    return exc.value.code


# -- worked examples by hand --------------------------------------------------------------------

def test_friday_17_plus_4_working_hours_is_due_monday_11():
    assert WorkCalendar().add(sh(2026, 1, 9, 17, 0), 4, "working_hours") == sh(2026, 1, 12, 11, 0)


def test_start_in_lunch_break_counts_from_14_00():
    assert WorkCalendar().add(sh(2026, 1, 7, 12, 30), 1, "working_hours") == sh(2026, 1, 7, 15, 0)


def test_limit_used_up_at_period_end_is_due_at_that_end_not_next_morning():
    assert WorkCalendar().add(sh(2026, 1, 9, 17, 0), 1, "working_hours") == sh(2026, 1, 9, 18, 0)


def test_start_before_morning_and_at_weekend_count_from_next_period():
    cal = WorkCalendar()
    assert cal.add(sh(2026, 1, 7, 6, 0), 0.5, "working_hours") == sh(2026, 1, 7, 8, 30)
    assert cal.add(sh(2026, 1, 10, 10, 0), 2, "working_hours") == sh(2026, 1, 12, 10, 0)


def test_two_working_days_skip_national_day_holiday():
    # Wed 30 Sep 10:00: 6 h that day, 1–7 Oct off, Thu 8 Oct 8 h, Fri 9 Oct 2 h -> 10:00
    assert HOLIDAYS.add(sh(2026, 9, 30, 10, 0), 2, "working_days") == sh(2026, 10, 9, 10, 0)


def test_make_up_sunday_and_saturday_are_counted():
    # Sat 26 Sep 15:00: Sunday 27 Sep is a make-up working day (8 h), Mon 28 Sep 8 h
    assert HOLIDAYS.add(sh(2026, 9, 26, 15, 0), 2, "working_days") == sh(2026, 9, 28, 18, 0)
    # Fri 9 Oct 17:00: 1 h, then make-up Saturday 10 Oct 08:00–11:00
    assert HOLIDAYS.add(sh(2026, 10, 9, 17, 0), 4, "working_hours") == sh(2026, 10, 10, 11, 0)
    assert not HOLIDAYS.is_working_day(date(2026, 10, 5)) and HOLIDAYS.is_working_day(date(2026, 9, 27))


def test_working_day_of_six_hours_makes_two_days_twelve_working_hours():
    cal = WorkCalendar(days=NATIONAL_DAY, working_day_hours=6)
    assert cal.day_seconds == 6 * 3600
    # Sun 27 Sep (make-up) 8 h + Mon 28 Sep 4 h
    assert cal.add(sh(2026, 9, 26, 15, 0), 2, "working_days") == sh(2026, 9, 28, 12, 0)


def test_calendar_units_ignore_the_work_calendar():
    assert HOLIDAYS.add(sh(2026, 10, 3, 10, 0), 2, "calendar_hours") == sh(2026, 10, 3, 12, 0)
    assert HOLIDAYS.add(sh(2026, 9, 30, 10, 0), 3, "calendar_days") == sh(2026, 10, 3, 10, 0)
    assert HOLIDAYS.add(sh(2026, 9, 30, 23, 0), 1.5, "calendar_hours") == sh(2026, 10, 1, 0, 30)


def test_deadline_across_new_year_and_zero_amount():
    cal = WorkCalendar()
    assert cal.add(sh(2026, 12, 31, 17, 0), 10, "working_hours") == sh(2027, 1, 4, 9, 0)
    assert cal.add(sh(2026, 1, 10, 10, 0), 0, "working_hours") == sh(2026, 1, 10, 10, 0)


def test_working_seconds_between_two_instants():
    cal = WorkCalendar()
    assert cal.working_seconds(sh(2026, 1, 9, 17, 0), sh(2026, 1, 12, 11, 0)) == 4 * 3600
    assert cal.working_seconds(sh(2026, 1, 12, 11, 0), sh(2026, 1, 9, 17, 0)) == 0
    assert cal.working_seconds(sh(2026, 12, 30, 8, 0), sh(2027, 1, 5, 8, 0)) == 4 * 8 * 3600


def test_europe_berlin_weekend_over_spring_dst_change():
    cal = WorkCalendar(timezone="Europe/Berlin")
    start = datetime(2026, 3, 27, 17, 0, tzinfo=BERLIN)  # Friday, CET; clocks go forward on Sunday
    due = cal.add(start, 2, "working_hours")
    assert due == datetime(2026, 3, 30, 9, 0, tzinfo=BERLIN)
    assert due.utcoffset() == timedelta(hours=2)
    assert cal.working_seconds(start, due) == 7200


def test_round_the_clock_calendar_counts_real_hours_on_dst_days():
    cal = WorkCalendar(timezone="Europe/Berlin", periods=[("00:00", "24:00")], weekdays={1, 2, 3, 4, 5, 6, 7})
    spring = datetime(2026, 3, 28, 12, 0, tzinfo=BERLIN)
    assert cal.add(spring, 24, "working_hours") == datetime(2026, 3, 29, 13, 0, tzinfo=BERLIN)
    assert cal.working_seconds(spring, datetime(2026, 3, 30, 12, 0, tzinfo=BERLIN)) == 47 * 3600
    autumn = datetime(2026, 10, 24, 12, 0, tzinfo=BERLIN)
    assert cal.add(autumn, 24, "working_hours") == datetime(2026, 10, 25, 11, 0, tzinfo=BERLIN)
    # calendar time is elapsed time: one calendar day is 24 real hours, so 13:00 after a 23-hour day
    assert cal.add(spring, 1, "calendar_days") == datetime(2026, 3, 29, 13, 0, tzinfo=BERLIN)


def test_calendar_with_only_working_overrides_runs_out():
    cal = WorkCalendar(weekdays=set(), days={date(2026, 5, 9): True})
    assert cal.add(sh(2026, 5, 1, 9, 0), 3, "working_hours") == sh(2026, 5, 9, 11, 0)
    assert code_of(cal.add, sh(2026, 5, 1, 9, 0), 9, "working_hours") == "deadline.out_of_range"


# -- properties ---------------------------------------------------------------------------------

def _local(day: date, hhmm: str, zone) -> datetime:
    """Wall-clock time on a day, as UTC (same-zone subtraction would ignore a DST change)."""
    if hhmm == "24:00":
        return datetime.combine(day + timedelta(days=1), time(0), zone).astimezone(times.UTC)
    return datetime.combine(day, time.fromisoformat(hhmm), zone).astimezone(times.UTC)


def _reference_working_seconds(cal: WorkCalendar, start: datetime, end: datetime) -> float:
    """Independent oracle: intersect [start, end] with each day's periods, day by day."""
    total, day = 0.0, start.astimezone(cal._zone).date() - timedelta(days=1)
    while _local(day, "00:00", cal._zone) < end:
        for s, e in cal.periods if cal.is_working_day(day) else ():
            lo, hi = _local(day, s, cal._zone), _local(day, e, cal._zone)
            total += max(0.0, (min(hi, end) - max(lo, start)).total_seconds())
        day += timedelta(days=1)
    return total


CALENDARS = [HOLIDAYS, WorkCalendar(timezone="Europe/Berlin", days=NATIONAL_DAY),
             WorkCalendar(periods=[("09:00", "17:30")], weekdays={1, 2, 3, 4, 5, 6}),
             # night shifts across both DST changes (clocks move at 02:00/03:00 local)
             WorkCalendar(timezone="Europe/Berlin", periods=[("01:00", "04:00"), ("20:00", "24:00")],
                          weekdays={1, 2, 3, 4, 5, 6, 7}, days={date(2026, 3, 28): False})]
instants = st.datetimes(min_value=datetime(2025, 12, 1), max_value=datetime(2027, 2, 1),
                        timezones=st.just(times.UTC))
hours = st.floats(min_value=0, max_value=400, allow_nan=False)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(CALENDARS), instants, hours)
def test_working_time_from_start_to_due_equals_the_amount(cal, start, amount):
    due = cal.add(start, amount, "working_hours")
    assert cal.working_seconds(start, due) == pytest.approx(amount * 3600, abs=1e-6)
    if round(amount * 3600e6) > 0:  # ≥ 1 µs to count: due inside working time, never in a break
        assert cal.working_seconds(due - timedelta(microseconds=1), due) == pytest.approx(1e-6)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(CALENDARS), instants, instants)
def test_working_seconds_match_a_day_by_day_oracle(cal, a, b):
    start, end = min(a, b), max(a, b)
    expected = _reference_working_seconds(cal, start, end)
    assert cal.working_seconds(start, end) == pytest.approx(expected, abs=1e-6)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(CALENDARS), instants, instants, hours, hours,
       st.sampled_from(deadlines.UNITS))
def test_add_is_monotonic_in_start_and_amount(cal, a, b, h1, h2, unit):
    (s1, s2), (x1, x2) = sorted((a, b)), sorted((h1 / 24, h2 / 24) if "days" in unit else (h1, h2))
    assert cal.add(s1, x1, unit) <= cal.add(s2, x1, unit)
    assert cal.add(s1, x1, unit) <= cal.add(s1, x2, unit)
    assert cal.add(s1, x1, unit) >= s1


# -- traffic light ------------------------------------------------------------------------------

def test_light_turns_yellow_at_exactly_80_percent_and_red_after_100_percent_working_time():
    cal, start = WorkCalendar(), sh(2026, 1, 12, 8, 0)
    due = cal.add(start, 4, "working_hours")  # Monday 12:00
    at = {"green": sh(2026, 1, 12, 11, 11, 59), "yellow": sh(2026, 1, 12, 11, 12)}
    assert deadlines.fraction_used(cal, start, at["yellow"], at["yellow"], working=True) == 1.0
    assert deadlines.fraction_used(cal, start, due, at["yellow"], working=True) == 0.8
    assert deadlines.light(cal, start, due, at["green"], working=True) == "green"
    assert deadlines.light(cal, start, due, at["yellow"], working=True) == "yellow"
    assert deadlines.light(cal, start, due, due, working=True) == "yellow"  # exactly 100 %
    assert deadlines.light(cal, start, due, due + timedelta(microseconds=1), working=True) == "red"


def test_working_light_does_not_move_over_the_weekend_but_overdue_stays_red():
    cal, start = WorkCalendar(), sh(2026, 1, 9, 14, 0)
    due = cal.add(start, 8, "working_hours")  # Monday 12:00
    assert deadlines.fraction_used(cal, start, due, sh(2026, 1, 11, 20, 0), working=True) == 0.5
    assert deadlines.light(cal, start, due, sh(2026, 1, 11, 20, 0), working=True) == "green"
    friday_due = cal.add(start, 4, "working_hours")  # Friday 18:00
    assert deadlines.fraction_used(cal, start, friday_due, sh(2026, 1, 10, 9, 0), working=True) == 1.0
    assert deadlines.light(cal, start, friday_due, sh(2026, 1, 10, 9, 0), working=True) == "red"


def test_calendar_light_counts_nights_and_holidays():
    start = sh(2026, 10, 1, 8, 0)
    due = HOLIDAYS.add(start, 2, "calendar_hours")
    assert deadlines.light(HOLIDAYS, start, due, sh(2026, 10, 1, 9, 35, 59), working=False) == "green"
    assert deadlines.light(HOLIDAYS, start, due, sh(2026, 10, 1, 9, 36), working=False) == "yellow"
    assert deadlines.fraction_used(HOLIDAYS, start, due, sh(2026, 10, 1, 11, 0), working=False) == 1.5
    assert deadlines.light(HOLIDAYS, start, due, sh(2026, 10, 1, 11, 0), working=False) == "red"


def test_zero_limit_is_green_until_due_and_then_red():
    cal, start = WorkCalendar(), sh(2026, 1, 12, 9, 0)
    assert deadlines.fraction_used(cal, start, start, start, working=True) == 0.0
    assert deadlines.fraction_used(cal, start, start, start + timedelta(hours=1), working=True) == math.inf
    assert deadlines.light(cal, start, start, start + timedelta(hours=1), working=False) == "red"


# -- step limits --------------------------------------------------------------------------------

def test_step_limits_default_and_override_from_meta(conn):
    assert deadlines.step_limits(conn) == deadlines.DEFAULT_STEP_LIMITS
    deadlines.set_step_limits(conn, {"checking": (4, "working_hours"), "reported": None})
    limits = deadlines.step_limits(conn)
    assert limits["checking"] == (4, "working_hours") and "reported" not in limits
    assert limits["verifying"] == (1, "working_hours")
    cal = WorkCalendar.from_db(conn)
    assert deadlines.step_due(cal, limits, "checking", sh(2026, 1, 9, 16, 0)) == sh(2026, 1, 12, 10, 0)
    assert deadlines.step_due(cal, limits, "reported", sh(2026, 1, 9, 16, 0)) is None
    assert deadlines.step_due(cal, limits, "closed", sh(2026, 1, 9, 16, 0)) is None


@pytest.mark.parametrize("override", [
    {"checking": (0, "working_hours")}, {"checking": (2, "fortnights")}, {"checking": ("2", "working_hours")},
    {"nonsense": (1, "working_hours")}, {"checking": [1]}, ["checking"]])
def test_bad_step_limits_are_refused_and_not_stored(conn, override):
    assert code_of(deadlines.set_step_limits, conn, override) == "deadline.bad_step_limits"
    assert db.meta(conn, "step_limits") is None


@pytest.mark.parametrize("text", ["{not json", '["checking"]', '{"checking": [-1, "working_hours"]}'])
def test_bad_step_limits_in_meta_are_a_coded_problem(conn, text):
    db.set_meta(conn, "step_limits", text)
    assert code_of(deadlines.step_limits, conn) == "deadline.bad_step_limits"


# -- bad configuration and bad input ------------------------------------------------------------

@pytest.mark.parametrize("periods, code", [
    ([("8:00", "12:00")], "calendar.bad_period"), ([("08:00", "25:00")], "calendar.bad_period"),
    ([("08:00", "12:60")], "calendar.bad_period"), ([("24:00", "24:00")], "calendar.bad_period"),
    ([("12:00", "08:00")], "calendar.bad_period"), ([("08:00",)], "calendar.bad_period"),
    ([("08:00", "12:00"), ("11:30", "14:00")], "calendar.bad_period"), ([(8, 12)], "calendar.bad_period"),
    ([], "calendar.no_periods")])
def test_bad_periods_are_coded_problems(periods, code):
    assert code_of(WorkCalendar, periods=periods) == code


@pytest.mark.parametrize("kwargs, code", [
    ({"weekdays": {0, 1}}, "calendar.bad_weekday"), ({"weekdays": {8}}, "calendar.bad_weekday"),
    ({"weekdays": {"1"}}, "calendar.bad_weekday"), ({"weekdays": set()}, "calendar.no_working_time"),
    ({"weekdays": set(), "days": {date(2026, 1, 1): False}}, "calendar.no_working_time"),
    ({"days": {"2026-13-01": False}}, "calendar.bad_day"), ({"days": {"2026/10/1": 0}}, "calendar.bad_day"),
    ({"days": {date(2026, 10, 1): 2}}, "calendar.bad_day"), ({"days": {123: True}}, "calendar.bad_day"),
    ({"working_day_hours": 0}, "calendar.bad_day_hours"),
    ({"working_day_hours": 25}, "calendar.bad_day_hours"),
    ({"working_day_hours": math.nan}, "calendar.bad_day_hours"),
    ({"timezone": "Mars/Olympus"}, "config.bad_timezone")])
def test_bad_calendar_settings_are_coded_problems(kwargs, code):
    assert code_of(WorkCalendar, **kwargs) == code


@pytest.mark.parametrize("start, amount, unit, code", [
    (sh(2026, 1, 9, 9, 0), 1, "fortnights", "deadline.unknown_unit"),
    (sh(2026, 1, 9, 9, 0), -1, "working_hours", "deadline.bad_amount"),
    (sh(2026, 1, 9, 9, 0), math.nan, "working_hours", "deadline.bad_amount"),
    (sh(2026, 1, 9, 9, 0), math.inf, "calendar_hours", "deadline.bad_amount"),
    (sh(2026, 1, 9, 9, 0), "4", "working_hours", "deadline.bad_amount"),
    (sh(2026, 1, 9, 9, 0), 1e9, "working_days", "deadline.out_of_range"),
    (datetime(2026, 1, 9, 9, 0), 1, "working_hours", "time.naive"),
    ("2026-01-09T09:00:00+08:00", 1, "working_hours", "time.malformed")])
def test_bad_deadline_input_is_a_coded_problem(start, amount, unit, code):
    assert code_of(WorkCalendar().add, start, amount, unit) == code


def test_naive_instants_are_refused_by_working_seconds_and_light():
    cal = WorkCalendar()
    assert code_of(cal.working_seconds, datetime(2026, 1, 9, 9), sh(2026, 1, 9, 10)) == "time.naive"
    naive = datetime(2026, 1, 9, 10)
    assert code_of(deadlines.light, cal, sh(2026, 1, 9, 9), naive, naive, working=False) == "time.naive"


@pytest.mark.parametrize("key, value, code", [
    ("work_weekdays", "1,x", "calendar.bad_weekday"), ("work_weekdays", "", "calendar.no_working_time"),
    ("working_day_hours", "six", "calendar.bad_day_hours"),
    ("timezone", "Nowhere/City", "config.bad_timezone")])
def test_bad_calendar_in_the_database_is_a_coded_problem(conn, key, value, code):
    db.set_meta(conn, key, value)
    assert code_of(WorkCalendar.from_db, conn) == code


# -- calendar administration --------------------------------------------------------------------

def calendar_state(conn):
    return ([tuple(r) for r in conn.execute('SELECT start, "end" FROM calendar_periods ORDER BY start')],
            [tuple(r) for r in conn.execute("SELECT day, working, note FROM calendar_days ORDER BY day")],
            db.meta(conn, "work_weekdays"))


def test_new_centre_has_the_default_calendar(conn):
    assert WorkCalendar.from_db(conn) == WorkCalendar()


def test_set_periods_weekdays_and_days_change_the_calendar_from_db(conn):
    deadlines.set_periods(conn, [("13:30", "17:30"), ("08:30", "12:00")])
    deadlines.set_weekdays(conn, [1, 2, 3, 4, 5, 6])
    deadlines.set_days(conn, [(date(2026, 1, 10), False, "company day off"), ("2026-01-11", True, None)])
    cal = WorkCalendar.from_db(conn)
    assert cal.periods == (("08:30", "12:00"), ("13:30", "17:30")) and cal.weekdays == {1, 2, 3, 4, 5, 6}
    # Friday 17:00: 0.5 h, Saturday 10 Jan off, Sunday 11 Jan worked from 08:30
    assert cal.add(sh(2026, 1, 9, 17, 0), 1, "working_hours") == sh(2026, 1, 11, 9, 0)
    deadlines.set_days(conn, [("2026-01-10", None, None), ("2026-01-11", False, "swapped")])
    assert calendar_state(conn)[1] == [("2026-01-11", 0, "swapped")]


@pytest.mark.parametrize("call, args, code", [
    (deadlines.set_periods, [("08:00", "12:00"), ("11:00", "13:00")], "calendar.bad_period"),
    (deadlines.set_periods, [], "calendar.no_periods"),
    (deadlines.set_weekdays, [0, 1], "calendar.bad_weekday"), (deadlines.set_weekdays, 5, "calendar.bad_weekday"),
    (deadlines.set_weekdays, [], "calendar.no_working_time"),
    (deadlines.set_days, [("2026-01-10", False, ""), ("2026-02-30", True, "")], "calendar.bad_day"),
    (deadlines.set_days, [("2026-01-10", "yes", "")], "calendar.bad_day")])
def test_bad_calendar_administration_leaves_the_database_unchanged(conn, call, args, code):
    before = calendar_state(conn)
    assert code_of(call, conn, args) == code
    assert calendar_state(conn) == before


def test_removing_the_last_working_override_of_a_weekday_free_calendar_is_rolled_back(conn):
    deadlines.set_days(conn, [("2026-05-09", True, "only day")])
    deadlines.set_weekdays(conn, [])
    before = calendar_state(conn)
    assert code_of(deadlines.set_days, conn, [("2026-05-09", None, None)]) == "calendar.no_working_time"
    assert calendar_state(conn) == before


# -- overdue cases from the database ------------------------------------------------------------

def add_case(conn, case_no, status, *, deadline=None, step_due=None, unit="u1", grid="g1", **extra):
    cols = {"case_no": case_no, "kind": "event", "class_code": "0101", "status": status,
            "source": "collector", "reported_at": times.to_db(sh(2026, 1, 5, 8, 0)), "unit_code": unit,
            "grid_code": grid,
            "deadline_at": times.to_db(deadline), "step_due_at": times.to_db(step_due), **extra}
    conn.execute(f"INSERT INTO cases ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                 list(cols.values()))


@pytest.fixture
def cases(conn):
    add_case(conn, "C1", "dispatched", deadline=sh(2026, 1, 12, 10, 0), step_due=sh(2026, 1, 1, 0, 0))
    add_case(conn, "C2", "checking", step_due=sh(2026, 1, 12, 9, 0), unit="u2")
    add_case(conn, "C3", "registered", step_due=sh(2026, 1, 12, 11, 0), grid="g2")
    add_case(conn, "C4", "dispatched", deadline=sh(2026, 1, 12, 13, 0))  # not yet due at noon
    add_case(conn, "C5", "parked", step_due=sh(2026, 1, 1, 0, 0), deadline=sh(2026, 1, 1, 0, 0))
    add_case(conn, "C6", "closed", step_due=sh(2026, 1, 1, 0, 0))
    add_case(conn, "C7", "dispatched", deadline=None)
    return conn


def test_overdue_lists_open_cases_past_due_most_overdue_first(cases):
    rows = deadlines.overdue(cases, sh(2026, 1, 12, 12, 0))
    assert [(r["case_no"], r["status"], r["overdue_seconds"]) for r in rows] == [
        ("C2", "checking", 3 * 3600), ("C1", "dispatched", 2 * 3600), ("C3", "registered", 3600)]
    assert rows[0]["due_at"] == sh(2026, 1, 12, 9, 0) and rows[0]["unit_code"] == "u2"


def test_overdue_filters_by_unit_grids_and_limit(cases):
    noon = sh(2026, 1, 12, 12, 0)
    assert [r["case_no"] for r in deadlines.overdue(cases, noon, unit_code="u1")] == ["C1", "C3"]
    assert [r["case_no"] for r in deadlines.overdue(cases, noon, grid_codes=["g2", "g9"])] == ["C3"]
    assert [r["case_no"] for r in deadlines.overdue(cases, noon, limit=2)] == ["C2", "C1"]
    assert deadlines.overdue(cases, noon, grid_codes=[]) == []
    assert deadlines.overdue(cases, sh(2026, 1, 12, 8, 0)) == []


@pytest.mark.parametrize("filters", [{}, {"limit": 50}, {"grid_codes": [f"g{i}" for i in range(150)]},
                                     {"grid_codes": ["g1", "g2"], "limit": 5}, {"grid_codes": []}])
def test_overdue_query_merges_status_index_ranges_without_scanning_or_sorting(conn, filters):
    sql, params = deadlines.overdue_sql(sh(2026, 1, 12, 12, 0), **filters)
    plan = [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql, params)]
    searches = [p for p in plan if p.startswith("SEARCH cases USING INDEX idx_cases_st")]
    assert len(searches) == 1 + len(deadlines.STEP_STATUSES)
    assert not [p for p in plan if p.startswith("SCAN") or "TEMP B-TREE" in p], plan


@pytest.mark.parametrize("filters, index", [
    ({"unit_code": "u1"}, "idx_cases_unit"), ({"unit_code": "u1", "grid_codes": ["g1"], "limit": 5}, "idx_cases_")])
def test_overdue_query_for_a_unit_searches_its_index(conn, filters, index):
    sql, params = deadlines.overdue_sql(sh(2026, 1, 12, 12, 0), **filters)
    plan = [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql, params)]
    assert plan[0].startswith(f"SEARCH cases USING INDEX {index}"), plan
    assert not [p for p in plan if p.startswith("SCAN")], plan


def test_lights_for_cases_use_the_step_start_and_the_limit_unit(cases):
    conn, cal = cases, WorkCalendar()
    conn.execute("INSERT INTO conditions (kind, class_code, condition_id, condition, limit_value, "
                 "limit_unit) VALUES ('event', '0101', 1, 'garbage', 2, 'calendar_hours')")
    add_case(conn, "U1", "dispatched", deadline=sh(2026, 1, 12, 12, 0), condition_id=1,
             dispatched_at=times.to_db(sh(2026, 1, 12, 10, 0)))
    add_case(conn, "W1", "dispatched", deadline=sh(2026, 1, 12, 12, 0),
             dispatched_at=times.to_db(sh(2026, 1, 9, 16, 0)))  # no condition: working time
    for action, frm, to, at in [("dispatch", "registered", "dispatched", sh(2026, 1, 12, 10, 0)),
                                ("extend", "dispatched", "dispatched", sh(2026, 1, 12, 11, 0))]:
        conn.execute("INSERT INTO case_events (case_no, action, actor, role, from_status, to_status, at) "
                     "VALUES ('U1', ?, 'd', 'dispatcher', ?, ?, ?)", (action, frm, to, times.to_db(at)))
    # U1: 1 h 40 min of 2 calendar hours since dispatch (the extension keeps the start) = 83 %
    # W1: Fri 16:00 -> Mon 12:00 is 6 working hours; at Mon 11:40 5 h 40 min are used = 94 %
    wanted = ["U1", "W1", "C2", "C6", "C7", "none"]
    lights = deadlines.lights_for_cases(conn, sh(2026, 1, 12, 11, 40), cal, wanted)
    assert lights == {"U1": "yellow", "W1": "yellow", "C2": "red", "C6": None, "C7": None}
    # at Mon 09:00, 3 of the 6 working hours are used (the weekend does not count) = 50 %
    assert deadlines.lights_for_cases(conn, sh(2026, 1, 12, 9, 0), cal, ["W1"]) == {"W1": "green"}


@pytest.mark.parametrize("tz", ["Asia/Shanghai", "Europe/Berlin", "America/New_York"])
def test_the_in_span_shortcut_agrees_with_the_full_year_walk(tz):
    """`add_us` answers most limits from the spans around the start; it must equal `_advance` exactly
    (µs), also across lunch breaks, nights, weekends, overrides and DST changes."""
    cal = deadlines.WorkCalendar(timezone=tz, days={date(2026, 3, 30): False, date(2026, 3, 28): True})
    rng = random.Random(tz)
    for _ in range(4000):
        start = rng.randrange(1767225600, 1798761600) * 10**6 + rng.randrange(10**6)
        amount = rng.choice([0.5, 1, 2, 4, 8, 16, 0.25, rng.uniform(0.1, 30)])
        unit = rng.choice(["working_hours", "working_days"])
        amount_us = round(amount * (3600 if unit == "working_hours" else cal.day_seconds) * 1e6)
        assert cal.add_us(start, amount, unit) == cal._advance(times.from_us(start), amount_us)
