# SPDX-License-Identifier: GPL-2.0-or-later
"""`citygrid user passwd|disable|enable|grids|show` and `user list` aligned by display width."""

import json

import centre_fixture as cf
import pytest
from centre_fixture import run

from citygrid import i18n
from citygrid.loop import accounts
from citygrid.problems import Problem
from citygrid.store import db

A, B, C, D = cf.GRIDS

pytestmark = pytest.mark.usefixtures("english")


def _state(path):
    conn = db.open_centre(path, readonly=True)
    try:
        return ([tuple(r) for r in conn.execute("SELECT username, password_hash, active FROM users ORDER BY 1")],
                [tuple(r) for r in conn.execute("SELECT username, grid_code FROM collector_grids ORDER BY 1, 2")],
                [tuple(r) for r in conn.execute("SELECT revoked_at FROM auth_tokens ORDER BY fid")],
                [tuple(r) for r in conn.execute("SELECT day, working FROM calendar_days ORDER BY day")],
                conn.execute("SELECT max(rev) FROM sync_changes").fetchone()[0])
    finally:
        conn.close()


def _session(path, username):
    conn = db.open_centre(path)
    with db.transaction(conn):
        conn.execute("INSERT INTO auth_tokens (token_hash, username, device_id, created_at, expires_at) "
                     "VALUES (?, ?, 'd', '2026-01-01', '2099-01-01')", (f"h-{username}", username))
    conn.close()


def test_passwd_reads_stdin_changes_the_password_and_ends_sessions(centre, monkeypatch, capsys):
    _session(centre, "collector01")
    assert run(monkeypatch, "user", "passwd", centre, "collector01", "--password-stdin",
               stdin="a brand new password\n") == 0
    assert "password of collector01 changed" in capsys.readouterr().out
    conn = db.open_centre(centre)
    assert accounts.authenticate(conn, "collector01", "a brand new password").username == "collector01"
    with pytest.raises(Problem):
        accounts.authenticate(conn, "collector01", cf.PASSWORD)
    assert conn.execute("SELECT revoked_at FROM auth_tokens").fetchone()[0] is not None
    conn.close()


def test_disable_and_enable(centre, monkeypatch, capsys):
    _session(centre, "gis")
    assert run(monkeypatch, "user", "disable", centre, "gis") == 0
    conn = db.open_centre(centre)
    with pytest.raises(Problem):
        accounts.authenticate(conn, "gis", cf.PASSWORD)
    conn.close()
    assert run(monkeypatch, "user", "enable", centre, "gis") == 0
    conn = db.open_centre(centre)
    assert accounts.authenticate(conn, "gis", cf.PASSWORD).role == "gis"
    assert conn.execute("SELECT revoked_at FROM auth_tokens").fetchone()[0] is not None  # stays ended
    conn.close()
    out = capsys.readouterr().out
    assert "user gis deactivated" in out and "user gis may sign in again" in out


def test_grids_set_add_remove(centre, monkeypatch, capsys):
    assert run(monkeypatch, "user", "grids", centre, "collector02", "--set", f"{A},{B}") == 0
    assert run(monkeypatch, "user", "grids", centre, "collector02", "--add", f"{C}, {B}") == 0
    assert run(monkeypatch, "user", "grids", centre, "collector02", "--remove", A) == 0
    assert _state(centre)[1][-2:] == [("collector02", B), ("collector02", C)]
    assert capsys.readouterr().out.splitlines()[-1] == f"collector02 now has 2 grid(s): 2 ({B}…{C})"


BAD = {
    "unknown user": (["passwd", "nobody", "--password-stdin"], "no user nobody"),
    "weak password": (["passwd", "collector01", "--password-stdin"], "at least 8 characters"),
    "unknown user disable": (["disable", "nobody"], "no user nobody"),
    "unknown user enable": (["enable", "nobody"], "no user nobody"),
    "wrong role": (["grids", "gis", "--add", A], "only collectors have grids (role gis)"),
    "unknown grid": (["grids", "collector01", "--add", f"{C},320508001009009"], "no grid with code 320508001009009"),
    "malformed grid": (["grids", "collector01", "--set", "12345"], "not a unit grid code"),
    "not assigned": (["grids", "collector01", "--remove", f"{A},{C}"], f"grid {C} is not assigned to collector01"),
    "no codes": (["grids", "collector01", "--add", " , "], "say which grids"),
}


@pytest.mark.parametrize("case", BAD)
def test_each_bad_input_is_one_clear_line_and_writes_nothing(centre, monkeypatch, capsys, case):
    _session(centre, "collector01")
    argv, expected = BAD[case]
    before = _state(centre)
    capsys.readouterr()
    assert run(monkeypatch, "user", argv[0], centre, *argv[1:], stdin="short\n") == 1
    err = capsys.readouterr().err
    assert err.startswith("citygrid: error: ") and expected in err and err.count("\n") == 1
    assert _state(centre) == before


LOCKED = {
    "user disable": lambda path, tmp: ["user", "disable", path, "gis"],
    "user grids": lambda path, tmp: ["user", "grids", path, "collector01", "--add", C],
    "codes install": lambda path, tmp: ["codes", "install", path, str(cf.dictionaries.default_dir())],
    "calendar import": lambda path, tmp: ["calendar", "import", path, _holidays(tmp)],
}


def _holidays(tmp):
    path = tmp / "h.csv"
    path.write_text("date,working,note\n2026-10-01,0,国庆节\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("command", LOCKED)
def test_a_locked_centre_is_one_line_and_nothing_changes(centre, tmp_path, monkeypatch, capsys, command):
    import citygrid.store.connection as connection

    argv = LOCKED[command](centre, tmp_path)
    before = _state(centre)
    holder = db.open_centre(centre)
    holder.execute("BEGIN IMMEDIATE")  # another program holds the write lock
    monkeypatch.setattr(connection, "BUSY_TIMEOUT_MS", 50)
    try:
        assert run(monkeypatch, *argv) == 1
    finally:
        holder.rollback()
        holder.close()
    err = capsys.readouterr().err
    assert err.startswith("citygrid: error: ") and "locked" in err and err.count("\n") == 1
    assert _state(centre) == before


def test_list_shows_a_grid_count_and_range_aligned_by_display_width(centre, monkeypatch, capsys):
    conn = db.open_centre(centre)
    with db.transaction(conn):
        conn.execute("UPDATE users SET display_name = '张三丰' WHERE username = 'collector01'")
    conn.close()
    assert run(monkeypatch, "user", "list", centre) == 0
    lines = capsys.readouterr().out.splitlines()
    row = next(line for line in lines if line.startswith("collector01"))
    assert f"2 ({A}…{B})" in row and "," not in row
    head = lines[0]
    # the grids column starts at the same display column on every line
    col = i18n.width(head[:head.index("grids")])
    assert i18n.width(row[:row.index("2 (")]) == col
    assert run(monkeypatch, "user", "show", centre, "collector01") == 0
    out = capsys.readouterr().out
    assert f"  {A}" in out and f"  {B}" in out
    assert run(monkeypatch, "user", "list", centre, "--format", "json") == 0
    listed = {u["username"]: u for u in json.loads(capsys.readouterr().out)}
    assert listed["collector01"]["grids"] == [A, B]


def test_list_headers_in_chinese(centre, monkeypatch, capsys):
    i18n.set_language("zh_CN")
    assert run(monkeypatch, "user", "list", centre) == 0
    head = capsys.readouterr().out.splitlines()[0]
    assert head.split() == ["用户名", "角色", "显示名", "单位", "网格", "启用"]
