# SPDX-License-Identifier: GPL-2.0-or-later
"""`citygrid codes install`: a real replacement — retired classes stay for history, refused for new cases."""

import csv
import shutil
from datetime import UTC, datetime

import centre_fixture as cf
import pytest
from centre_fixture import run

from citygrid import i18n
from citygrid.admin import codes
from citygrid.loop import dictionaries, workflow
from citygrid.problems import Problem
from citygrid.store import db
from citygrid.sync import open311, pull

RESOURCES = dictionaries.default_dir()

pytestmark = pytest.mark.usefixtures("english")


def _table(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def _write(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)


@pytest.fixture
def new_tables(tmp_path):
    """resources/codes without event 0102 (暴露垃圾) and condition event 0103/2, 0104 renamed, 0199 added."""
    folder = tmp_path / "codes"
    shutil.copytree(RESOURCES, folder)
    events = [r for r in _table(folder / "events.csv") if r[0] != "0102"]
    events = [[*r[:4], "道路不洁净"] if r[0] == "0104" else r for r in events]
    _write(folder / "events.csv", [*events, ["0150", "01", "市容环境", "50", "新增测试类"]])
    limits = [r for r in _table(folder / "time_limits.csv")
              if not (r[0] == "event" and r[1] == "0102") and not (r[0] == "event" and r[1] == "0103" and r[2] == "2")]
    _write(folder / "time_limits.csv", limits)
    return folder


def _dump(path):
    conn = db.open_centre(path, readonly=True)
    try:
        return ([tuple(r) for r in conn.execute("SELECT * FROM classes ORDER BY fid")],
                [tuple(r) for r in conn.execute("SELECT * FROM conditions ORDER BY fid")],
                conn.execute("SELECT max(rev) FROM sync_changes").fetchone()[0])
    finally:
        conn.close()


def test_install_reports_and_retires_what_the_new_table_lacks(centre, new_tables, monkeypatch, capsys):
    conn = db.open_centre(centre)
    old_case = cf.case_at(conn, "registered")  # an 0102 case registered under condition 1
    conn.close()
    assert run(monkeypatch, "codes", "install", centre, new_tables) == 0
    out = capsys.readouterr().out
    classes_line = next(line for line in out.splitlines() if line.startswith("classes"))
    conditions_line = next(line for line in out.splitlines() if line.startswith("conditions"))
    assert classes_line.split()[1:5] == ["1", "1", "1", "0"]  # added, changed, retired, restored
    assert conditions_line.split()[1:5] == ["0", "0", "2", "0"]
    assert "event:0102" in out

    conn = db.open_centre(centre)
    actor = cf.actor(conn, "operator")
    x, y = cf.centre_point("320508001001001")
    with pytest.raises(Problem) as refused:
        workflow.report(conn, actor, kind="event", class_code="0102", x=x, y=y, source="hotline")
    assert refused.value.code == "dictionary.retired_class"
    # history: the class is still readable, the old case goes on under its condition
    assert dictionaries.class_entry(conn, "event", "0102").minor_name == "暴露垃圾"
    workflow.act(conn, old_case, "dispatch", cf.actor(conn, "dispatcher"), unit_code="HW",
                 at=datetime(2026, 11, 23, 2, 0, tzinfo=UTC))
    # Open311 no longer offers it
    assert "event-0102" not in {s["service_code"] for s in open311.services(conn)}
    assert "event-0150" in {s["service_code"] for s in open311.services(conn)}
    with pytest.raises(Problem, match="open311.unknown_service"):
        open311.service_definition(conn, "event-0102")
    # devices: the class arrives again, with its retired flag, and the renamed one with its new name
    assert pull.dictionary_data(conn, "class", "event:0102")["retired"] is True
    assert pull.dictionary_data(conn, "class", "event:0104") == {
        "kind": "event", "code": "0104", "major_code": "01", "major_name": "市容环境", "minor_code": "04",
        "minor_name": "道路不洁净", "retired": False}
    assert pull.dictionary_data(conn, "condition", "event:0103:2")["retired"] is True
    conn.close()


def test_a_retired_condition_is_refused_for_a_new_registration(centre, new_tables, monkeypatch):
    conn = db.open_centre(centre)
    at = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
    x, y = cf.centre_point("320508001001001")
    case_no = workflow.report(conn, cf.actor(conn, "operator"), kind="event", class_code="0103", x=x, y=y,
                              source="hotline", at=at)
    workflow.act(conn, case_no, "accept", cf.actor(conn, "operator"), at=at)
    conn.close()
    assert run(monkeypatch, "codes", "install", centre, new_tables) == 0
    conn = db.open_centre(centre)
    with pytest.raises(Problem, match="case.unknown_condition"):
        workflow.act(conn, case_no, "register", cf.actor(conn, "leader"), at=at, condition_id=2)
    workflow.act(conn, case_no, "register", cf.actor(conn, "leader"), at=at, condition_id=1)
    conn.close()


def test_the_sync_log_carries_the_retirement_to_devices(centre, new_tables, monkeypatch):
    before = _dump(centre)[2]
    assert run(monkeypatch, "codes", "install", centre, new_tables) == 0
    conn = db.open_centre(centre, readonly=True)
    moved = {r[0] for r in conn.execute("SELECT entity_id FROM sync_changes WHERE rev > ?", (before,))}
    conn.close()
    assert {"event:0102", "event:0104", "event:0150", "event:0102:1", "event:0103:2"} <= moved


def test_a_class_comes_back_when_a_later_table_has_it_again(centre, new_tables, monkeypatch, capsys):
    assert run(monkeypatch, "codes", "install", centre, new_tables) == 0
    capsys.readouterr()
    assert run(monkeypatch, "codes", "install", centre, RESOURCES) == 0
    lines = capsys.readouterr().out.splitlines()
    assert next(x for x in lines if x.startswith("classes")).split()[1:5] == ["0", "1", "1", "1"]
    conn = db.open_centre(centre)
    assert dictionaries.active_class(conn, "event", "0102").minor_name == "暴露垃圾"
    with pytest.raises(Problem, match="dictionary.retired_class"):
        dictionaries.active_class(conn, "event", "0150")  # the added one went again
    conn.close()


def test_dry_run_writes_nothing(centre, new_tables, monkeypatch, capsys):
    before = _dump(centre)
    assert run(monkeypatch, "codes", "install", centre, new_tables, "--dry-run") == 0
    assert "dry run: nothing was written" in capsys.readouterr().out
    assert _dump(centre) == before


def _break(folder, name, line, row):
    rows = _table(folder / name)
    rows.insert(line, row)
    _write(folder / name, rows)


BAD = {
    "bad class code": ("events.csv", ["01x9", "01", "市容环境", "x9", "坏"], "events.csv, line"),
    "duplicate class": ("components.csv", ["0101", "01", "公用设施", "01", "上水井盖"], "duplicate code"),
    "unknown unit": ("time_limits.csv", ["event", "0101", "9", "x", "4", "hours", "0", "", ""], "unit must be"),
    "condition of a dropped class": ("time_limits.csv", ["event", "0102", "1", "x", "4", "working_hours", "0", "", ""],
                                     "no event class 0102"),
    "short row": ("time_limits.csv", ["event", "0101"], "expected 9 fields"),
}


@pytest.mark.parametrize("case", BAD)
def test_one_bad_row_anywhere_writes_nothing(centre, new_tables, monkeypatch, capsys, case):
    name, row, expected = BAD[case]
    _break(new_tables, name, 3, row)
    before = _dump(centre)
    assert run(monkeypatch, "codes", "install", centre, new_tables) == 1
    err = capsys.readouterr().err
    assert err.startswith("citygrid: error: ") and expected in err and err.count("\n") == 1
    assert _dump(centre) == before


def test_a_missing_directory_or_file_is_one_line(centre, tmp_path, monkeypatch, capsys):
    assert run(monkeypatch, "codes", "install", centre, tmp_path / "nowhere") == 1
    assert "not a directory" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    assert run(monkeypatch, "codes", "install", centre, tmp_path / "empty") == 1
    assert "components.csv" in capsys.readouterr().err


def test_the_report_in_chinese(centre, new_tables, monkeypatch, capsys):
    i18n.set_language("zh_CN")
    assert run(monkeypatch, "codes", "install", centre, new_tables) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split()[:5] == ["表", "新增", "修改", "停用", "恢复"]
    assert "已停用的类别" in out and "代码表已安装" in out


def test_install_core_returns_counts(centre, new_tables):
    conn = db.open_centre(centre)
    report = codes.install(conn, new_tables)
    conn.close()
    assert report.to_wire()["classes"]["retired"] == 1 and report.written
