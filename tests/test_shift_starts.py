# SPDX-License-Identifier: GPL-2.0-or-later
"""The centre's shift hours for the shift review: citygrid_meta `shift_starts`, the default when absent,
a malformed value a coded problem."""

from datetime import time

import pytest

from citygrid import messages
from citygrid.problems import Problem
from citygrid.store import db
from citygrid.sync import review


def _set(conn, value: str) -> None:
    with db.transaction(conn):
        db.set_meta(conn, "shift_starts", value)


def test_a_centre_without_the_setting_has_a_day_and_a_night_shift(conn):
    conn.execute("DELETE FROM citygrid_meta WHERE key = 'shift_starts'")
    assert review.shift_starts(conn) == [time(8), time(20)]


def test_the_setting_is_read_and_sorted(conn):
    _set(conn, " 22:00, 06:00 ,14:30")
    assert review.shift_starts(conn) == [time(6), time(14, 30), time(22)]


@pytest.mark.parametrize("value", ["", "8:00,20:00", "08:00;20:00", "24:00", "08:60", "08:00,08:00",
                                   "08:00,", "早班", "08:00:00", ",".join(["01:00"] * 13), "1" * 5000])
def test_a_malformed_setting_is_a_coded_problem_with_its_text(conn, value):
    _set(conn, value)
    with pytest.raises(Problem) as e:
        review.shift_starts(conn)
    assert e.value.code == "review.bad_shift_starts"
    assert len(e.value.details["value"]) <= 64
    words = messages.message(e.value, lang="zh_CN")
    assert "shift_starts" in words and words != messages.TEXTS["review.bad_shift_starts"]


@pytest.mark.parametrize("value", [None, 800, ["08:00"]])
def test_a_setting_that_is_not_text_is_refused(value):
    with pytest.raises(Problem) as e:
        review.parse_shift_starts(value)
    assert e.value.code == "review.bad_shift_starts"
