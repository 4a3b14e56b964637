# SPDX-License-Identifier: GPL-2.0-or-later
"""Another program opening the centre while we hold it must never cost us a write.

On POSIX, closing any descriptor of a file drops every lock the process holds on it. If citygrid
read the header through a file object while its own connections were open, the next program to
close the file (the sqlite3 shell, QGIS, a backup script) would think itself the last user, delete
the WAL, and our later commits would go into a deleted file (sqlite.org/howtocorrupt.html §2.2).
"""

import shutil
import subprocess
from pathlib import Path

import pytest

from citygrid.store import db, integrity

pytestmark = pytest.mark.skipif(shutil.which("sqlite3") is None, reason="the sqlite3 shell is not installed")


def shell(path, sql: str) -> str:
    out = subprocess.run(["sqlite3", str(path), sql], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def _add_unit(conn, code):
    with db.transaction(conn):
        conn.execute("INSERT INTO units (code, name, kind) VALUES (?, 'x', 'department')", (code,))


@pytest.mark.parametrize("reopen", ["open_centre", "open_centre_readonly", "integrity_check", "identify"])
def test_a_second_open_in_this_process_keeps_the_first_connections_writes(center_path, reopen):
    held = db.open_centre(center_path)
    _add_unit(held, "u0")  # the WAL exists and `held` holds its shared lock on the file
    if reopen == "open_centre":
        db.open_centre(center_path).close()
    elif reopen == "open_centre_readonly":
        db.open_centre(center_path, readonly=True).close()
    elif reopen == "identify":
        assert db.identify(center_path).is_centre
    else:
        integrity.check(center_path, quick=True)
    assert shell(center_path, "SELECT count(*) FROM units WHERE code = 'u0';") == "1"  # another program comes and goes
    for i in range(1, 6):
        _add_unit(held, f"u{i}")
    assert Path(f"{center_path}-wal").exists(), "the WAL was deleted under an open connection"
    assert shell(center_path, "SELECT count(*) FROM units WHERE code LIKE 'u_';") == "6"
    held.close()
    assert shell(center_path, "SELECT count(*) FROM units WHERE code LIKE 'u_'; PRAGMA integrity_check;") == "6\nok"


def test_an_empty_file_is_refused_and_left_empty(tmp_path):
    path = tmp_path / "empty.gpkg"
    path.touch()
    with pytest.raises(Exception) as exc:
        db.open_centre(path)
    assert getattr(exc.value, "code", None) == "db.empty"
    assert path.stat().st_size == 0


def test_a_missing_file_is_not_created_by_connect(tmp_path):
    with pytest.raises(Exception) as exc:
        db.connect(tmp_path / "nope.gpkg")
    assert getattr(exc.value, "code", None) == "db.cannot_open"
    assert not (tmp_path / "nope.gpkg").exists()


def test_io_errors_are_coded_for_a_retry():
    import sqlite3
    assert db.translate(sqlite3.OperationalError("disk I/O error")).code == "db.io_error"
    assert db.translate(sqlite3.OperationalError("database is locked")).code == "db.locked"
    assert db.translate(sqlite3.DatabaseError("database disk image is malformed")).code == "db.corrupt"


@pytest.mark.parametrize("app_id, code", [(0x47504B47, "db.not_a_centre"), (0, "db.not_a_geopackage")])
def test_a_refused_file_is_left_exactly_as_it_was(tmp_path, app_id, code):
    """A GeoPackage made by another tool (or any SQLite file) is refused without switching it to WAL."""
    import hashlib
    import sqlite3

    path = tmp_path / "other.gpkg"
    c = sqlite3.connect(path)
    c.execute(f"PRAGMA application_id = {app_id}")
    c.execute("CREATE TABLE t (x)")
    c.commit()
    c.close()
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    for readonly in (False, True):
        with pytest.raises(Exception) as exc:
            db.open_centre(path, readonly=readonly)
        assert getattr(exc.value, "code", None) == code
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    assert shell(path, "PRAGMA journal_mode;") == "delete"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.gpkg"]
