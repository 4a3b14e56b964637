# SPDX-License-Identifier: GPL-2.0-or-later
"""The shift review dock's rough edges, in a real QGIS: the shifts follow the centre's `shift_starts`
(a malformed value shown as its problem, the default shifts used), the item table sorts by any column
and still selects and decides the right item, and after a decision the next undecided item is selected."""

from datetime import UTC, datetime, time, timedelta

import pytest
from test_review_dock import _dock, _select, open_desk, shift, shown, tree  # noqa: F401 (fixtures)

from citygrid import messages
from citygrid.problems import Problem
from citygrid.store import db

pytest.importorskip("qgis.core")
pytestmark = pytest.mark.qgis

from qgis.PyQt.QtCore import Qt  # noqa: E402

ZONE = "Asia/Shanghai"


def _setting(shift, value: str) -> None:  # noqa: F811 (the fixture's name)
    conn = db.open_centre(shift.path)
    with db.transaction(conn):
        db.set_meta(conn, "shift_starts", value)
    conn.close()


def _shown_cases(dock, column: int) -> list[str]:
    return [dock.proxy.index(r, column).data() for r in range(dock.proxy.rowCount())]


def _local_hours(window) -> list[tuple[int, int]]:
    from zoneinfo import ZoneInfo
    return [(t.astimezone(ZoneInfo(ZONE)).hour, t.astimezone(ZoneInfo(ZONE)).minute) for t in window]


# --- shift hours --------------------------------------------------------------------------------

def test_three_shifts_from_the_centre_setting_make_the_current_window(open_desk, shift):  # noqa: F811
    _setting(shift, "23:00,07:00,15:00")
    dock = _dock(open_desk("leader"))
    assert dock.shift.starts == (time(7), time(15), time(23)) and dock.starts_problem is None
    since, until = dock.window()
    assert since <= datetime.now(UTC) < until and until - since == timedelta(hours=8)
    assert {_local_hours((since,))[0]} <= {(7, 0), (15, 0), (23, 0)}
    assert (dock.shift.start.time().hour(), dock.shift.end.time().hour()) == (7, 15)  # the custom fields


def test_a_malformed_setting_is_shown_as_its_problem_and_the_default_shifts_are_used(open_desk, shift, tree):  # noqa: F811
    _setting(shift, "8点到20点")
    dock = _dock(open_desk("leader"))
    words = messages.message(Problem("review.bad_shift_starts", value="8点到20点"), lang=tree.texts.locale())
    assert dock.starts_problem == words and words in dock.status.text()
    assert dock.shift.starts == tree.review_shifts.DEFAULT_STARTS
    since, until = dock.window()
    assert until - since == timedelta(hours=12) and _local_hours((since,))[0] in ((8, 0), (20, 0))
    assert dock.model.rowCount() > 0  # the shift is still reviewed


def test_shift_windows_for_three_shifts_and_for_a_single_daily_start(tree):  # noqa: F811
    s = tree.review_shifts
    three = (time(7), time(15), time(23))
    night = s.shift_of(datetime(2026, 12, 3, 17, 30, tzinfo=UTC), ZONE, three)  # 01:30 local, Dec 4
    assert _local_hours(night) == [(23, 0), (7, 0)] and night[1] - night[0] == timedelta(hours=8)
    assert s.previous(night, ZONE, three)[1] == night[0]
    first = s.todays_day_shift(datetime(2026, 12, 3, 17, 30, tzinfo=UTC), ZONE, three)
    assert _local_hours(first) == [(7, 0), (15, 0)] and first[0].astimezone(s.ZoneInfo(ZONE)).day == 4
    whole = s.shift_of(datetime(2026, 12, 3, 0, 30, tzinfo=UTC), ZONE, (time(6),))  # 08:30 local
    assert whole[1] - whole[0] == timedelta(days=1) and _local_hours(whole) == [(6, 0), (6, 0)]
    assert s.first_hours((time(6),)) == (time(6), time(6))


# --- sorting and the next item -------------------------------------------------------------------

def test_the_item_table_sorts_by_a_column_and_selection_still_names_the_right_item(open_desk, shift):  # noqa: F811
    dock = _dock(open_desk("leader"))
    dock.items.horizontalHeader().setSortIndicator(1, Qt.DescendingOrder)  # as a click on the header does
    cases = _shown_cases(dock, 1)
    assert cases == sorted(cases, reverse=True) and len(set(cases)) > 2
    assert cases != [dock.model.index(r, 1).data() for r in range(dock.model.rowCount())]  # really re-ordered
    dock.items.selectRow(0)
    assert dock.item["case_no"] == cases[0]
    item = _select(dock, shift, "far")
    assert dock.proxy.index(dock.shown_row(), 1).data() == item["case_no"] == shift.cases["far"]


def test_after_a_decision_the_next_undecided_item_is_selected(open_desk, shift, tree, monkeypatch):  # noqa: F811
    monkeypatch.setattr(tree.review_decide, "ask_reason", lambda *a: "已核实")
    dock = _dock(open_desk("supervisor"))
    dock.items.horizontalHeader().setSortIndicator(1, Qt.AscendingOrder)
    before = _shown_cases(dock, 1)
    dock.select_row(1)
    decided = dock.item["uuid"]
    assert dock.decide("discard")["reason"] == "已核实"
    assert dock.item is not None and dock.item["uuid"] != decided
    assert dock.shown_row() == 1 and dock.item["case_no"] == before[2]
    dock.select_row(dock.proxy.rowCount() - 1)
    last = dock.item["uuid"]
    dock.decide("discard")
    assert dock.item["uuid"] != last and dock.shown_row() == dock.proxy.rowCount() - 1  # the new last row


def test_a_refused_decision_keeps_the_same_item_selected(open_desk, shift, tree, monkeypatch, shown):  # noqa: F811
    monkeypatch.setattr(tree.review_decide, "ask_reason", lambda *a: "  ")
    dock = _dock(open_desk("supervisor"))
    item = _select(dock, shift, "far")
    assert dock.decide("discard") is None and shown
    assert dock.item["uuid"] == item["uuid"]
