# SPDX-License-Identifier: GPL-2.0-or-later
"""A file that is not a centre is refused, with one code everywhere, and never modified.

Every entry point that opens a centre (open_centre for writing and reading, `citygrid check`, the
commands, `demo --force`, the service's startup and its connection pool) classifies a path through
`db.identify`, so they say the same thing about a plain SQLite file, a GDAL GeoPackage or an empty
file, and none of them switches a foreign file to WAL or leaves a -wal / -shm beside it.
No server holds these files, so the test may hash them with open().
"""

import hashlib
import io
import os
import sqlite3
import sys
from pathlib import Path

import pytest

from citygrid.cli import main
from citygrid.problems import Problem
from citygrid.store import db, integrity, migrations

ogr = pytest.importorskip("osgeo.ogr")
osr = pytest.importorskip("osgeo.osr")


def _sqlite(path: Path, *, app_id: int = 0, wal: bool = False) -> None:
    c = sqlite3.connect(path)
    if wal:
        c.execute("PRAGMA journal_mode = WAL")
    c.execute(f"PRAGMA application_id = {app_id}")
    c.execute("CREATE TABLE t (x)")
    c.execute("INSERT INTO t VALUES (1)")
    c.commit()
    c.close()


def _gdal(path: Path, *, wal: bool = False) -> None:
    """A GeoPackage as GDAL writes one (ogr2ogr, QGIS): a point layer in EPSG:4549."""
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(4549)
    layer = ds.CreateLayer("manholes", srs, ogr.wkbPoint)
    feature = ogr.Feature(layer.GetLayerDefn())
    feature.SetGeometry(ogr.CreateGeometryFromWkt("POINT (500000 3500000)"))
    layer.CreateFeature(feature)
    ds = None
    if wal:
        c = sqlite3.connect(path)
        c.execute("PRAGMA journal_mode = WAL")
        c.close()


def _newer(path: Path) -> None:
    """A centre a newer citygrid wrote: WAL mode, as every centre is, and no -wal left beside it."""
    db.create_centre(path).close()
    c = sqlite3.connect(path)
    c.execute("INSERT INTO citygrid_migrations VALUES (99, 'future', '2030-01-01T00:00:00.000Z')")
    c.commit()
    c.close()
    assert not Path(f"{path}-wal").exists()


# kind -> (maker, the code every entry point refuses it with)
FILES = {
    "plain sqlite": (lambda p: _sqlite(p), "db.not_a_geopackage"),
    "plain sqlite in WAL mode": (lambda p: _sqlite(p, wal=True), "db.not_a_geopackage"),
    "wrong application_id": (lambda p: _sqlite(p, app_id=0x12345678), "db.not_a_geopackage"),
    "GDAL GeoPackage": (lambda p: _gdal(p), "db.not_a_centre"),
    "GDAL GeoPackage in WAL mode": (lambda p: _gdal(p, wal=True), "db.not_a_centre"),
    "empty file": (lambda p: p.touch(), "db.empty"),
    "text file": (lambda p: p.write_text("notes, not a database\n"), "db.not_sqlite"),
    "directory": (lambda p: p.mkdir(), "db.not_a_file"),
    "newer centre": (_newer, "db.newer_schema"),
}


def _snapshot(folder: Path) -> dict:
    """Every entry of the folder with its bytes' hash, size and mtime (a directory by its listing)."""
    out = {}
    for p in sorted(folder.rglob("*")):
        st = p.stat()
        digest = hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
        out[str(p.relative_to(folder))] = (digest, st.st_size, st.st_mtime_ns)
    return out


def _journal_mode(path: Path) -> str | None:
    """The journal mode the file's header records (read immutably: nothing is created)."""
    if not path.is_file() or path.stat().st_size == 0:
        return None
    c = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro&immutable=1", uri=True)
    try:
        c.execute("SELECT 1 FROM sqlite_master").fetchall()
        return "wal" if c.execute("PRAGMA journal_mode").fetchone()[0] == "wal" else "rollback"
    except sqlite3.DatabaseError:
        return None
    finally:
        c.close()


def _cli(argv, monkeypatch, capsys) -> tuple[int, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO("a long password\n"))
    rc = main([str(a) for a in argv])
    return rc, capsys.readouterr().err


def _entry_points(monkeypatch, capsys):
    """name -> a call that opens `path` as a centre and returns the Problem code it was refused with."""

    def problem(fn):
        def call(path):
            with pytest.raises(Problem) as exc:
                fn(path)
            return exc.value.code
        return call

    def command(*argv):
        def call(path):
            args = [a if a != "PATH" else path for a in argv]
            rc, err = _cli(args, monkeypatch, capsys)
            assert rc == 1 and err.count("\n") == 1 and err.startswith("citygrid: error: "), err
            return err
        return call

    from citygrid_server.centre import Centre

    return {
        "open_centre": problem(db.open_centre),
        "open_centre readonly": problem(lambda p: db.open_centre(p, readonly=True)),
        "open_centre without migrating": problem(lambda p: db.open_centre(p, migrate=False)),
        "integrity.check": problem(integrity.check),
        "the service's Centre": problem(Centre),
        "citygrid check": command("check", "PATH"),
        "citygrid check --quick --format json": command("check", "PATH", "--quick", "--format", "json"),
        "citygrid evaluate": command("evaluate", "PATH", "--from", "2026-01-01", "--to", "2026-02-01",
                                     "--by", "unit"),
        "citygrid user list": command("user", "list", "PATH"),
        "citygrid user add": command("user", "add", "PATH", "--username", "bob", "--role", "admin",
                                     "--password-stdin"),
        "citygrid serve": command("serve", "PATH", "--port", "1"),
    }


ENTRY_POINTS = ["open_centre", "open_centre readonly", "open_centre without migrating", "integrity.check",
                "the service's Centre", "citygrid check", "citygrid check --quick --format json",
                "citygrid evaluate", "citygrid user list", "citygrid user add", "citygrid serve"]


@pytest.mark.parametrize("kind", list(FILES))
@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_a_file_that_is_not_a_centre_is_refused_with_its_code_and_left_untouched(tmp_path, kind, entry,
                                                                                 monkeypatch, capsys):
    from citygrid.cli import describe

    folder = tmp_path / "files"
    folder.mkdir()
    path = folder / "centre.gpkg"
    make, code = FILES[kind]
    make(path)
    before, mode = _snapshot(folder), _journal_mode(path)
    got = _entry_points(monkeypatch, capsys)[entry](path)
    if entry.startswith("citygrid "):  # the command line says the same thing, in one line
        expected = describe(db.identify(path).problem())
        assert got == f"citygrid: error: {expected}\n"
    else:
        assert got == code
    assert _snapshot(folder) == before  # bytes, mtime, no -wal / -shm / .blobs beside it
    assert _journal_mode(path) == mode


@pytest.mark.parametrize("kind", list(FILES))
def test_identify_names_each_kind_and_its_code(tmp_path, kind):
    path = tmp_path / "x.gpkg"
    make, code = FILES[kind]
    make(path)
    found = db.identify(path)
    assert found.problem().code == code and not found.is_centre
    if kind == "newer centre":
        assert found.schema == 99 and found.problem().details["supported"] == migrations.latest()


def test_identify_calls_a_missing_file_and_one_under_a_file_not_found(tmp_path):
    (tmp_path / "file").write_text("x")
    for path in (tmp_path / "nope.gpkg", tmp_path / "file" / "x.gpkg"):
        assert db.identify(path).problem().code == "db.not_found"


def test_identify_reads_a_centre_another_connection_holds_open_in_wal(center_path):
    """The migrations of a centre in use may still be in its WAL: read through it, not around it."""
    held = db.open_centre(center_path)
    try:
        with db.transaction(held):
            held.execute("INSERT INTO units (code, name, kind) VALUES ('u1', 'x', 'department')")
        assert Path(f"{center_path}-wal").exists()
        found = db.identify(center_path)
        assert (found.kind, found.schema) == ("centre", migrations.latest()) and found.problem() is None
    finally:
        held.close()


def test_the_service_pool_refuses_a_foreign_file_put_in_the_centres_place(center_path, tmp_path):
    """A restore that puts a GDAL GeoPackage where the centre was: the pool's fresh open refuses it
    and leaves it as it was."""
    from citygrid_server.centre import Centre

    centre = Centre(center_path)
    try:
        with centre.checkout() as c:
            c.execute("SELECT 1").fetchone()
        foreign = tmp_path / "foreign" / "other.gpkg"
        foreign.parent.mkdir()
        _gdal(foreign)
        os.replace(foreign, center_path)
        for suffix in ("-wal", "-shm"):
            Path(f"{center_path}{suffix}").unlink(missing_ok=True)
        before = _fingerprint(center_path)  # the service is running: read through SQLite alone
        with pytest.raises(Problem) as exc, centre.checkout():
            pass
        assert exc.value.code == "db.not_a_centre"
        assert _fingerprint(center_path) == before
        assert not Path(f"{center_path}-wal").exists() and not Path(f"{center_path}-shm").exists()
    finally:
        centre.close()


def _fingerprint(path: Path) -> tuple:
    """Size, mtime (a stat opens no descriptor) and, read by SQLite immutably, the header's fields and
    every row of every table: what a file that a server may hold open can be compared by, without
    a descriptor of ours whose close would drop the server's locks (see db.connect)."""
    st = path.stat()
    c = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro&immutable=1", uri=True)
    try:
        digest = hashlib.sha256()
        tables = [r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        for table in tables:
            for row in c.execute(f'SELECT * FROM "{table}"'):
                digest.update(repr(row).encode())
        header = tuple(c.execute(f"PRAGMA {p}").fetchone()[0] for p in ("application_id", "user_version",
                                                                          "schema_version", "page_count"))
        return st.st_size, st.st_mtime_ns, header, _journal_mode(path), digest.hexdigest()
    finally:
        c.close()


@pytest.mark.parametrize("kind", ["plain sqlite", "GDAL GeoPackage", "text file", "directory"])
def test_demo_force_replaces_only_a_centre(tmp_path, kind, monkeypatch, capsys):
    folder = tmp_path / "files"
    folder.mkdir()
    path = folder / "centre.gpkg"
    FILES[kind][0](path)
    before = _snapshot(folder)
    rc, err = _cli(["demo", path, "--force"], monkeypatch, capsys)
    assert rc == 1 and err.startswith("citygrid: error: ") and err.count("\n") == 1
    assert "--force replaces only a centre" in err
    assert _snapshot(folder) == before


def test_demo_force_may_replace_an_empty_file_and_a_centre(tmp_path):
    empty = tmp_path / "empty.gpkg"
    empty.touch()
    db.create_centre(empty, force=True).close()
    assert db.identify(empty).is_centre
    db.create_centre(empty, force=True).close()  # a centre, replaced by a fresh one
    assert db.identify(empty).is_centre


DEFECT_CODES = ("db.not_a_file", "db.empty", "db.not_sqlite", "db.not_a_geopackage", "db.not_a_centre",
                "db.not_replaced", "db.cannot_create", "db.disk_full", "cli.os_error", "cli.not_text",
                "serve.bad_port", "serve.port_in_use", "serve.cannot_listen", "check.component_name",
                "check.outside_grid")


@pytest.mark.parametrize("code", DEFECT_CODES)
def test_each_new_code_reads_in_chinese_and_english(code):
    import re

    from citygrid import i18n
    from citygrid.messages import TEXTS, message

    details = {name: "x" for name in re.findall(r"\{(\w+)", TEXTS[code])}
    try:
        english = message(Problem(code, **details))
        i18n.set_language("zh_CN")
        chinese = message(Problem(code, **details))
    finally:
        i18n.set_language(None)
    assert english == TEXTS[code].format(**details)
    assert chinese != english and "{" not in chinese
    if re.search(r"[a-z]", re.sub(r"\{\w+\}", "", TEXTS[code])):  # words, not only placeholders
        assert re.search(r"[\u4e00-\u9fff]", chinese), chinese
