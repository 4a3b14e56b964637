# SPDX-License-Identifier: GPL-2.0-or-later
"""`citygrid evaluate`: table aligned for Chinese names, parseable CSV and JSON, one-line errors."""

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from citygrid import cli
from citygrid.commands.evaluate import width
from citygrid.store import db

ROOT = Path(__file__).resolve().parents[1]
DEC = ["--from", "2016-12-01", "--to", "2017-01-01"]
EVENTS = [  # case, action, from, to, at (UTC), due
    ("E1", "register", "pending_register", "registered", "2016-12-05T01:00:00.000Z", None),
    ("E1", "dispatch", "registered", "dispatched", "2016-12-05T02:00:00.000Z", "2016-12-05T03:00:00.000Z"),
    ("E1", "report_disposal", "dispatched", "disposed", "2016-12-06T02:00:00.000Z", "2016-12-07T02:00:00.000Z"),
    ("E1", "close", "check_passed", "closed", "2016-12-06T06:00:00.000Z", "2016-12-06T07:00:00.000Z"),
    ("E2", "register", "pending_register", "registered", "2016-12-08T01:00:00.000Z", None),
    ("E2", "dispatch", "registered", "dispatched", "2016-12-08T02:00:00.000Z", "2016-12-08T03:00:00.000Z"),
]


@pytest.fixture
def centre(center_path):
    """Unit u1 (市政处): one case closed on time, one overdue in disposal; two idle units."""
    conn = db.open_centre(center_path)
    with db.transaction(conn):
        conn.executemany("INSERT INTO units (code, name, kind) VALUES (?, ?, 'department')",
                         [("u1", "市政处"), ("u2", "园林绿化管理处"), ("u3", "Water Works")])
        conn.executemany("INSERT INTO cases (case_no, kind, class_code, status, grid_code, source, reported_at, "
                         "unit_code, deadline_at) VALUES (?, 'event', '0101', ?, 'g1', 'collector', "
                         "'2016-12-01T00:00:00.000Z', 'u1', ?)",
                         [("E1", "closed", None), ("E2", "dispatched", "2016-12-09T02:00:00.000Z")])
        conn.executemany("INSERT INTO case_events (case_no, action, actor, role, from_status, to_status, at, "
                         "due_at, unit_code) VALUES (?, ?, 'someone', 'leader', ?, ?, ?, ?, 'u1')", EVENTS)
    conn.close()
    return str(center_path)


def run(capsys, *argv):
    code = cli.main(["evaluate", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def cells(line: str, widths: list[int]) -> list[str]:
    """Cut a table line into cells by display columns (two per CJK character)."""
    out, pos = [], 0
    for w in widths:
        cell, used = "", 0
        while pos < len(line) and used < w:
            cell, used, pos = cell + line[pos], used + width(line[pos]), pos + 1
        out.append(cell.strip())
        pos += 2
    return out


def test_table_aligns_chinese_names_by_display_width(capsys, centre):
    code, out, err = run(capsys, centre, *DEC, "--by", "unit")
    assert code == 0 and err == ""
    header, rule, *rows = out.splitlines()
    widths = [len(dashes) for dashes in rule.split("  ")]
    table = [cells(line, widths) for line in (header, *rows)]
    assert table[0][:3] == ["id", "name", "registered"] and table[0][-2:] == ["score", "grade"]
    assert [row[:2] for row in table[1:]] == [["u1", "市政处"], ["u2", "园林绿化管理处"], ["u3", "Water Works"]]
    assert table[1][-2:] == ["70.00", "C yellow"] and "50.00%" in table[1]
    assert table[2][-2:] == ["-", "-"]
    assert widths[1] == width("园林绿化管理处") == 14


def test_csv_has_a_header_and_parses(capsys, centre):
    code, out, _ = run(capsys, centre, *DEC, "--by", "unit", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and [r["name"] for r in rows] == ["市政处", "园林绿化管理处", "Water Works"]
    u1 = rows[0]
    assert (u1["kind"], u1["closure_due"], u1["closure_done"], u1["closure_rate"]) == ("unit", "2", "1", "0.5")
    assert (u1["score"], u1["grade"], u1["colour"]) == ("70.0", "C", "yellow")
    assert rows[1]["closure_rate"] == "" and rows[1]["score"] == ""


def test_json_is_a_list_of_objects(capsys, centre):
    code, out, _ = run(capsys, centre, *DEC, "--by", "unit", "--format", "json")
    data = json.loads(out)
    assert code == 0 and [d["id"] for d in data] == ["u1", "u2", "u3"]
    assert data[0]["rates"]["on_time_disposal_rate"] == 0.5 and data[0]["counts"]["registered"] == 2
    assert data[1]["rates"]["closure_rate"] is None and data[1]["grade"] is None


def test_region_and_post_tables(capsys, centre):
    code, out, _ = run(capsys, centre, *DEC, "--by", "region", "--level", "grid")
    assert code == 0 and out.splitlines()[2].startswith("g1")
    code, out, _ = run(capsys, centre, *DEC, "--by", "post")
    assert code == 0 and out.splitlines()[2].split()[:5] == ["someone", "someone", "2", "2", "1"]  # a leader
    code, out, _ = run(capsys, centre, "--from", "2017-01-01", "--to", "2017-02-01", "--by", "post")
    assert code == 0 and out == "(no objects)\n"


@pytest.mark.parametrize("argv, says", [
    (["--from", "2016-12-32", "--to", "2017-01-01", "--by", "unit"], "not a date"),
    (["--from", "2017-01-01", "--to", "2016-12-01", "--by", "unit"], "empty period"),
    (["--from", "2016-12-01", "--to", "2016-12-01", "--by", "unit"], "empty period"),
    ([*DEC, "--by", "street"], "cannot evaluate by street"),
    ([*DEC, "--by", "unit", "--level", "grid"], "bad level grid"),
])
def test_bad_input_is_one_clear_line_and_a_non_zero_exit(capsys, centre, argv, says):
    code, out, err = run(capsys, centre, *argv)
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and err.startswith("citygrid: error: ") and says in err


def test_missing_centre_is_one_clear_line(capsys, tmp_path):
    code, _, err = run(capsys, str(tmp_path / "nowhere.gpkg"), *DEC, "--by", "unit")
    assert code == 1 and err.startswith("citygrid: error: no such file")


def test_the_command_line_shows_no_traceback(centre):
    env = {**os.environ, "PYTHONPATH": str(ROOT / "shared")}
    res = subprocess.run([sys.executable, "-m", "citygrid", "evaluate", centre, "--from", "someday",
                          "--to", "2017-01-01", "--by", "unit"], capture_output=True, text=True, env=env)
    assert res.returncode == 1 and "Traceback" not in res.stderr
    assert res.stderr.strip() == "citygrid: error: not a date (YYYY-MM-DD) or ISO 8601 time: someday"
