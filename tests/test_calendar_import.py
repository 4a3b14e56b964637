# SPDX-License-Identifier: GPL-2.0-or-later
"""`citygrid calendar import`: date,working,note; checked first; deadlines already given are kept."""

from datetime import UTC, date, datetime

import centre_fixture as cf
import pytest
from centre_fixture import run

from citygrid import i18n
from citygrid.admin import calendar
from citygrid.loop import deadlines
from citygrid.store import db

GOOD = """date,working,note
2026-02-14,1,春节调休上班
2026-02-16,0,春节
2026-02-17,0,春节
2027-01-01,0,元旦
"""

pytestmark = pytest.mark.usefixtures("english")


def _file(tmp_path, text, name="days.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return path


def _days(path):
    conn = db.open_centre(path, readonly=True)
    try:
        return [tuple(r) for r in conn.execute("SELECT day, working, note FROM calendar_days ORDER BY day")]
    finally:
        conn.close()


def test_import_writes_the_days_and_says_which_years(centre, tmp_path, monkeypatch, capsys):
    assert run(monkeypatch, "calendar", "import", centre, _file(tmp_path, "\ufeff" + GOOD)) == 0
    out = capsys.readouterr().out
    assert "4 day(s) for 2026, 2027: 3 holiday(s), 1 make-up working day(s)" in out
    assert _days(centre) == [("2026-02-14", 1, "春节调休上班"), ("2026-02-16", 0, "春节"),
                             ("2026-02-17", 0, "春节"), ("2027-01-01", 0, "元旦")]
    conn = db.open_centre(centre, readonly=True)
    cal = deadlines.WorkCalendar.from_db(conn)
    conn.close()
    assert cal.is_working_day(date(2026, 2, 14)) and not cal.is_working_day(date(2026, 2, 17))


def test_a_working_weekday_is_a_warning_not_an_error(centre, tmp_path, monkeypatch, capsys):
    assert run(monkeypatch, "calendar", "import", centre, _file(tmp_path, GOOD + "2026-03-03,1,\n")) == 0
    err = capsys.readouterr().err
    assert "line 6: 2026-03-03 is a working weekday anyway" in err
    assert ("2026-03-03", 1, None) in _days(centre)


def test_replace_years_removes_the_other_days_of_those_years_only(centre, tmp_path, monkeypatch, capsys):
    conn = db.open_centre(centre)
    deadlines.set_days(conn, [("2026-10-08", False, "旧表"), ("2025-10-08", False, "旧表")])
    conn.close()
    assert run(monkeypatch, "calendar", "import", centre, _file(tmp_path, GOOD), "--replace-years") == 0
    assert "1 other day(s) of those years removed" in capsys.readouterr().out
    days = [d[0] for d in _days(centre)]
    assert "2026-10-08" not in days and "2025-10-08" in days


def test_dry_run_writes_nothing(centre, tmp_path, monkeypatch, capsys):
    assert run(monkeypatch, "calendar", "import", centre, _file(tmp_path, GOOD), "--dry-run") == 0
    assert "nothing was written" in capsys.readouterr().out and _days(centre) == []


BAD = {
    "old header": ("day,working,note\n2026-02-16,0,春节\n", "header must be exactly date,working,note"),
    "bad date": (GOOD + "2026-02-30,0,x\n", "line 6: not a date YYYY-MM-DD: '2026-02-30'"),
    "slashes": (GOOD + "2026/02/18,0,x\n", "not a date"),
    "bad flag": (GOOD + "2026-02-18,2,x\n", "working must be 0 (holiday) or 1"),
    "duplicate": (GOOD + "2026-02-16,0,again\n", "2026-02-16 repeated (first on line 3)"),
    "short row": (GOOD + "2026-02-18,0\n", "expected 3 fields"),
    "empty": ("date,working,note\n", "lists no day"),
    "not utf-8": ("date,working,note\n2026-02-16,0,春节\n".encode("gbk"), "not UTF-8"),
}


@pytest.mark.parametrize("case", BAD)
def test_each_bad_file_is_one_line_and_nothing_is_written(centre, tmp_path, monkeypatch, capsys, case):
    text, expected = BAD[case]
    assert run(monkeypatch, "calendar", "import", centre, _file(tmp_path, text)) == 1
    err = capsys.readouterr().err
    assert err.startswith("citygrid: error: ") and expected in err and err.count("\n") == 1
    assert _days(centre) == []


def test_a_missing_file_and_a_missing_centre(centre, tmp_path, monkeypatch, capsys):
    assert run(monkeypatch, "calendar", "import", centre, tmp_path / "none.csv") == 1
    assert "cannot read" in capsys.readouterr().err
    assert run(monkeypatch, "calendar", "import", tmp_path / "none.gpkg", _file(tmp_path, GOOD)) == 1
    assert "no such file" in capsys.readouterr().err


def test_open_cases_keep_their_deadlines_new_ones_use_the_new_calendar(centre, tmp_path, monkeypatch, capsys):
    # dispatched Friday 2026-11-20 09:00 Shanghai; 0102 has 4 working hours: due the same day
    at = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)
    conn = db.open_centre(centre)
    old = cf.case_at(conn, "dispatched", at=at)
    (due_before,) = conn.execute("SELECT deadline_at FROM cases WHERE case_no = ?", (old,)).fetchone()
    conn.close()
    holiday = _file(tmp_path, "date,working,note\n2026-11-20,0,测试假日\n")
    assert run(monkeypatch, "calendar", "import", centre, holiday) == 0
    assert "1 open case(s) have deadlines over these dates" in capsys.readouterr().out
    conn = db.open_centre(centre)
    assert conn.execute("SELECT deadline_at FROM cases WHERE case_no = ?", (old,)).fetchone()[0] == due_before
    new = cf.case_at(conn, "dispatched", at=at)
    (due_new,) = conn.execute("SELECT deadline_at FROM cases WHERE case_no = ?", (new,)).fetchone()
    conn.close()
    assert due_new > due_before and due_new[:10] == "2026-11-23"  # Monday: Friday is now a holiday


def test_the_report_in_chinese(centre, tmp_path, monkeypatch, capsys):
    i18n.set_language("zh_CN")
    assert run(monkeypatch, "calendar", "import", centre, _file(tmp_path, GOOD)) == 0
    out = capsys.readouterr().out
    assert "涉及 2026, 2027 年" in out and "工作日历已更新" in out


def test_the_repository_holiday_table_when_present_is_valid():
    from pathlib import Path

    table = Path(__file__).resolve().parents[1] / "resources" / "calendar" / "cn-holidays.csv"
    if not table.exists():
        pytest.skip("resources/calendar/cn-holidays.csv not in this tree yet")
    assert calendar.read_days(table)
