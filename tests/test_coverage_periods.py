# SPDX-License-Identifier: GPL-2.0-or-later
"""The reads the desk's Processing algorithms take from the core: the centre's CRS, a collector's
grids' extent (with a margin), and an evaluation period written in one field."""

from datetime import date, datetime

import centre_fixture
import pytest

from citygrid.loop import accounts, coverage, periods
from citygrid.messages import message
from citygrid.problems import Problem
from citygrid.store import db

X0, Y0 = centre_fixture.X0, centre_fixture.Y0


@pytest.fixture
def built(centre):
    c = db.open_centre(centre)
    yield c
    c.close()


def test_the_centre_crs_is_its_epsg_code_and_wkt(built):
    authid, wkt = coverage.centre_crs(built)
    assert authid == "EPSG:4549"
    assert wkt.startswith("PROJCS[") and "120" in wkt


def test_a_collectors_extent_covers_exactly_their_grids(built):
    xmin, ymin, xmax, ymax = coverage.collector_extent(built, "collector01")  # two squares side by side
    assert (xmin, ymin) == pytest.approx((X0, Y0), abs=0.1)
    assert (xmax, ymax) == pytest.approx((X0 + 200, Y0 + 100), abs=0.1)


def test_an_unknown_user_has_no_extent(built):
    with pytest.raises(Problem) as caught:
        coverage.collector_extent(built, "nobody")
    assert caught.value.code == "account.unknown"


def test_an_account_without_grids_is_refused_with_its_role(built):
    with pytest.raises(Problem) as caught:
        coverage.collector_extent(built, "operator")
    assert caught.value.code == "coverage.no_grids"
    assert message(caught.value, lang="en") == "operator (operator) has no unit grids assigned: nothing to cover"


def test_a_collector_whose_grids_were_taken_away_has_no_extent(built):
    accounts.assign_grids(built, "collector02", [])
    with pytest.raises(Problem) as caught:
        coverage.collector_extent(built, "collector02")
    assert caught.value.code == "coverage.no_grids"


def test_the_margin_is_five_percent_of_the_larger_side_but_at_least_100_m():
    assert coverage.with_margin((0, 0, 4000, 1000), geographic=False) == (-200, -200, 4200, 1200)
    assert coverage.with_margin((0, 0, 200, 100), geographic=False) == (-100, -100, 300, 200)
    assert coverage.with_margin((120, 31, 120.01, 31.01), geographic=True)[0] == pytest.approx(119.999)


@pytest.mark.parametrize("text, start, end", [
    ("2026", date(2026, 1, 1), date(2027, 1, 1)),
    ("2026-10", date(2026, 10, 1), date(2026, 11, 1)),
    ("2026-12", date(2026, 12, 1), date(2027, 1, 1)),
    (" 2026-10-07 ", date(2026, 10, 7), date(2026, 10, 8)),
    ("2026-10-01/2026-11-01", date(2026, 10, 1), date(2026, 11, 1)),
    ("2026-10-01..2026-10-15", date(2026, 10, 1), date(2026, 10, 15)),
    ("2026-10-01T08:00/2026-10-02", datetime(2026, 10, 1, 8, 0), date(2026, 10, 2)),
])
def test_a_period_is_a_year_a_month_a_day_or_two_bounds(text, start, end):
    assert periods.parse_period(text) == (start, end)


@pytest.mark.parametrize("text", ["", None, "2026-13", "October", "2026-10-01/", "20261", "2026-02-30"])
def test_anything_else_is_not_a_period(text):
    with pytest.raises(Problem) as caught:
        periods.parse_period(text)
    assert caught.value.code == "periods.bad_period"
    assert "not a period" in message(caught.value, lang="en")


def _event(conn, action: str, at: str) -> None:
    conn.execute("INSERT INTO case_events (case_no, action, actor, role, to_status, at) "
                 "VALUES ('X1', ?, 'operator', 'operator', 'reported', ?)", (action, at))


def test_an_empty_log_covers_no_month(conn):
    assert periods.log_months(conn) == []


def test_the_log_months_run_newest_first_in_centre_time_across_a_new_year(conn):
    _event(conn, "report", "2025-11-30T16:30:00.000Z")   # 1 December 2025 00:30 in Shanghai
    _event(conn, "close", "2026-02-10T03:00:00.000Z")
    _event(conn, "dispatch", "2026-01-05T03:00:00.000Z")
    assert periods.log_months(conn) == ["2026-02", "2026-01", "2025-12"]
