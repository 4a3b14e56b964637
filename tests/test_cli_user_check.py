# SPDX-License-Identifier: GPL-2.0-or-later
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from citygrid.cli import main
from citygrid.loop import accounts
from citygrid.store import db, gpkg

ROOT = Path(__file__).resolve().parents[1]
GRID = "320508001001001"
RING = [[(0.0, 0.0), (100.0, 0.0), (100.0, 100.0), (0.0, 100.0), (0.0, 0.0)]]


@pytest.fixture
def centre(center_path, conn):
    conn.execute("INSERT INTO grids (geom, code, street_code, community_code) VALUES (?, ?, ?, ?)",
                 (gpkg.polygon(RING, 4549), GRID, GRID[:9], GRID[:12]))
    conn.execute("INSERT INTO units (code, name, kind) VALUES ('water', 'Water Co', 'department')")
    return center_path


def run(argv, stdin="", monkeypatch=None):
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    return main([str(a) for a in argv])


def test_user_add_reads_the_password_from_the_first_line_of_stdin(centre, monkeypatch, capsys):
    rc = run(["user", "add", centre, "--username", "collector01", "--role", "collector", "--grids",
              f" {GRID} ", "--display-name", "张三", "--password-stdin"], "citygrid-demo\nignored\n",
             monkeypatch)
    assert rc == 0
    assert capsys.readouterr().out.strip() == f"added user collector01 (collector, grids {GRID})"
    conn = db.open_centre(centre)
    try:
        assert accounts.authenticate(conn, "collector01", "citygrid-demo").grids == (GRID,)
    finally:
        conn.close()


def test_user_list_prints_a_table_and_json(centre, monkeypatch, capsys):
    run(["user", "add", centre, "--username", "water-desk", "--role", "unit", "--unit", "water",
         "--password-stdin"], "a long password\n", monkeypatch)
    run(["user", "add", centre, "--username", "admin", "--role", "admin", "--password-stdin"],
        "a long password\n", monkeypatch)
    capsys.readouterr()
    assert run(["user", "list", centre], "", monkeypatch) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["username", "role", "display", "name", "unit", "grids", "active"]
    assert [line.split()[:2] for line in lines[1:]] == [["admin", "admin"], ["water-desk", "unit"]]
    assert run(["user", "list", centre, "--format", "json"], "", monkeypatch) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(u["username"], u["unit_code"]) for u in listed] == [("admin", None), ("water-desk", "water")]


def test_user_without_an_action_prints_usage(monkeypatch, capsys):
    assert run(["user"], "", monkeypatch) == 2
    assert "usage: citygrid user" in capsys.readouterr().err


def test_check_of_a_clean_centre_exits_0(centre, monkeypatch, capsys):
    assert run(["check", centre], "", monkeypatch) == 0
    assert capsys.readouterr().out.strip() == f"{centre}: ok"


def test_check_lists_one_finding_per_line_and_exits_1(centre, conn, monkeypatch, capsys):
    conn.execute("INSERT INTO tasks (id, kind, case_no, created_at) VALUES ('t1', 'check', 'GONE', 'x')")
    conn.execute("DELETE FROM rtree_grids_geom")
    assert run(["check", centre], "", monkeypatch) == 1
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in lines] == ["check.rtree_count", "check.orphan"]
    assert "1 row(s) of tasks.case_no refer to a missing cases.case_no (e.g. GONE)" in lines[1]


def test_quick_check_still_applies_every_rule(centre, conn, monkeypatch, capsys):
    conn.execute("INSERT INTO tasks (id, kind, case_no, created_at) VALUES ('t1', 'check', 'GONE', 'x')")
    assert run(["check", centre, "--quick"], "", monkeypatch) == 1
    assert capsys.readouterr().out.startswith("check.orphan: ")


def test_check_json_carries_codes_and_details(centre, conn, monkeypatch, capsys):
    conn.execute("UPDATE grids SET community_code = '320508001999'")
    assert run(["check", centre, "--format", "json"], "", monkeypatch) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False
    assert [f["code"] for f in report["findings"]] == ["check.grid_hierarchy"]


def _mistakes(centre: Path, tmp: Path) -> dict:
    notes = tmp / "notes.gpkg"
    notes.write_text("not a database\n")
    add = ["user", "add", centre, "--username", "bob", "--password-stdin"]
    return {
        "missing file": (["check", tmp / "missing.gpkg"], "no such file"),
        "text file": (["check", notes], "is not a GeoPackage"),
        "wrong role": ([*add, "--role", "boss"], "unknown role 'boss'"),
        "malformed grid": ([*add, "--role", "collector", "--grids", "3205080010010"], "not a unit grid code"),
        "duplicate user": ([*add, "--role", "admin"], "user bob already exists"),
    }


MISTAKES = ["missing file", "text file", "wrong role", "malformed grid", "duplicate user"]


def _add_bob(centre, monkeypatch):
    assert run(["user", "add", centre, "--username", "bob", "--role", "gis", "--password-stdin"],
               "a long password\n", monkeypatch) == 0


@pytest.mark.parametrize("mistake", MISTAKES)
def test_a_user_mistake_is_one_clear_line_in_process(centre, tmp_path, monkeypatch, capsys, mistake):
    _add_bob(centre, monkeypatch)
    argv, expected = _mistakes(centre, tmp_path)[mistake]
    capsys.readouterr()
    assert run(argv, "a long password\n", monkeypatch) == 1
    err = capsys.readouterr().err
    assert err.startswith("citygrid: error: ") and expected in err and err.count("\n") == 1


@pytest.mark.parametrize("mistake", MISTAKES)
def test_a_user_mistake_prints_no_traceback_from_the_real_command(centre, tmp_path, monkeypatch, mistake):
    _add_bob(centre, monkeypatch)
    argv, expected = _mistakes(centre, tmp_path)[mistake]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "shared")}
    res = subprocess.run([sys.executable, "-m", "citygrid", *map(str, argv)], input="a long password\n",
                         capture_output=True, text=True, cwd=ROOT, env=env, timeout=60)
    assert res.returncode == 1
    assert "Traceback" not in res.stderr and res.stderr.startswith("citygrid: error: ")
    assert expected in res.stderr and res.stderr.count("\n") == 1
