# SPDX-License-Identifier: GPL-2.0-or-later
"""Schema 5: components edited outside the core keep the rules; grid codes in use cannot be renamed.

The triggers are exercised here through SQL on a core connection (which registers the same ST_*
functions every GeoPackage writer does) and, when QGIS is installed, through QGIS's own editing
tools in a separate process (tests/qgis_components_edit.py).
"""

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import centre_fixture as cf
import pytest

from citygrid import cli
from citygrid.admin import components
from citygrid.loop import geocode
from citygrid.store import db, gpkg, integrity, migrations, schema_v5

EDITOR = Path(__file__).with_name("qgis_components_edit.py")
A, B, C = "320508001001001", "320508001001002", "320508001002001"


@pytest.fixture
def centre(tmp_path):
    path = tmp_path / "centre.gpkg"
    cf.build(path)
    return path


def _rows(conn, sql, params=()):
    return [tuple(r) for r in conn.execute(sql, params)]


def _add(conn, name, x, y, **fields):
    cols = ", ".join(["geom", "ObjName", *fields])
    marks = ", ".join("?" * (2 + len(fields)))
    with db.transaction(conn):
        cur = conn.execute(f"INSERT INTO components ({cols}) VALUES ({marks})",
                           (gpkg.point(x, y, 4549), name, *fields.values()))
    return conn.execute("SELECT ObjID, BGID, ORDate, CHDate, ObjState FROM components WHERE fid = ?",
                        (cur.lastrowid,)).fetchone()


def test_a_component_inserted_without_codes_gets_them_from_the_database(centre):
    conn = db.open_centre(centre)
    objid, bgid, ordate, chdate, state = _add(conn, "上水井盖", *cf.centre_point(B))
    assert objid == "3205080101000002"  # after the fixture's ...000001
    assert bgid == B and ordate and chdate is None and state == "完好"  # CHDate empty on first survey
    assert _rows(conn, "SELECT last FROM serials WHERE scope = 'objid:3205080101'") == [(2,)]
    # the trigger and the core share one rule: the core's next ObjID follows the trigger's
    assert geocode.allocate_objid(conn, "0101") == "3205080101000003"
    assert _add(conn, "上水井盖", *cf.centre_point(A))[0] == "3205080101000004"
    # the component reached the sync log under its ObjID, never with a NULL id
    assert _rows(conn, "SELECT deleted FROM sync_changes WHERE entity = 'component' "
                       "AND entity_id = '3205080101000002'") == [(0,)]
    conn.close()


def test_serials_are_never_reused_after_a_delete(centre):
    conn = db.open_centre(centre)
    objid = _add(conn, "上水井盖", *cf.centre_point(B))[0]
    with db.transaction(conn):
        conn.execute("DELETE FROM components WHERE ObjID = ?", (objid,))
    assert _add(conn, "上水井盖", *cf.centre_point(B))[0] > objid
    conn.close()


def test_a_given_objid_and_bgid_are_kept(centre):
    conn = db.open_centre(centre)
    row = _add(conn, "上水井盖", *cf.centre_point(B), ObjID="3205080101000777", BGID=B, ORDate="2020-01-02")
    assert row[:3] == ("3205080101000777", B, "2020-01-02")
    assert _rows(conn, "SELECT count(*) FROM component_repairs") == [(0,)]
    # an editor that writes every column: the empty ObjState gets its default, CHDate stays empty
    row = _add(conn, "上水井盖", *cf.centre_point(B), ObjID="3205080101000778", BGID=B, ObjState=None)
    assert row[3:] == (None, "完好")
    conn.close()


@pytest.mark.parametrize("name, message", [("不存在的部件", schema_v5.MSG_UNKNOWN_NAME),
                                           ("", schema_v5.MSG_UNKNOWN_NAME),
                                           ("双名", schema_v5.MSG_AMBIGUOUS_NAME),
                                           ("旧名", schema_v5.MSG_UNKNOWN_NAME)])
def test_an_unknown_ambiguous_or_retired_objname_is_refused_with_its_message(centre, name, message):
    conn = db.open_centre(centre)
    with db.transaction(conn):
        conn.executemany("INSERT INTO classes (kind, code, major_code, major_name, minor_code, minor_name, "
                         "retired_at) VALUES ('component', ?, '09', '测试', ?, ?, ?)",
                         [("0998", "98", "双名", None), ("0999", "99", "双名", None),
                          ("0997", "97", "旧名", "2026-01-01T00:00:00Z")])
    before = _rows(conn, "SELECT count(*) FROM components") + _rows(conn, "SELECT * FROM serials")
    with pytest.raises(sqlite3.IntegrityError, match=message.split(" / ")[1]):
        _add(conn, name, *cf.centre_point(B))
    assert _rows(conn, "SELECT count(*) FROM components") + _rows(conn, "SELECT * FROM serials") == before
    conn.close()


def test_chdate_is_stamped_on_a_change_not_on_a_repeated_save(centre):
    conn = db.open_centre(centre)
    with db.transaction(conn):  # an editor writing every column back unchanged
        conn.execute("UPDATE components SET ObjName = ObjName, Note = Note, geom = geom WHERE fid = 1")
    assert _rows(conn, "SELECT CHDate FROM components WHERE fid = 1") == [(None,)]
    with db.transaction(conn):
        conn.execute("UPDATE components SET ObjState = '破损' WHERE fid = 1")
    (chdate,) = conn.execute("SELECT CHDate FROM components WHERE fid = 1").fetchone()
    assert chdate and len(chdate) == 10
    with db.transaction(conn):  # a date the user gives is kept
        conn.execute("UPDATE components SET Note = 'x', CHDate = '2001-01-01' WHERE fid = 1")
    assert _rows(conn, "SELECT CHDate FROM components WHERE fid = 1") == [("2001-01-01",)]
    with pytest.raises(sqlite3.IntegrityError, match="ObjID cannot be emptied"):
        conn.execute("UPDATE components SET ObjID = NULL WHERE fid = 1")
    conn.rollback()
    conn.close()


def test_a_moved_component_gets_a_provisional_grid_and_the_core_repairs_it(centre):
    conn = db.open_centre(centre)
    with db.transaction(conn):  # a triangle: its R-tree box holds points outside the polygon
        tri = [[(cf.X0 + 300, cf.Y0), (cf.X0 + 400, cf.Y0), (cf.X0 + 300, cf.Y0 + 100), (cf.X0 + 300, cf.Y0)]]
        conn.execute("INSERT INTO grids (geom, code, street_code, community_code) VALUES (?, ?, ?, ?)",
                     (gpkg.polygon(tri, 4549), "320508001001007", "320508001", "320508001001"))
    inside_box_only = (cf.X0 + 390, cf.Y0 + 90)
    with db.transaction(conn):
        conn.execute("UPDATE components SET geom = ? WHERE fid = 1", (gpkg.point(*inside_box_only, 4549),))
    assert _rows(conn, "SELECT BGID FROM components WHERE fid = 1") == [("320508001001007",)]  # provisional
    assert [f.code for f in integrity.check(centre)] == ["check.bgid_unrepaired"]
    assert components.repair(conn) == {"repaired": 1, "changed": 1, "outside": 1}
    assert _rows(conn, "SELECT BGID FROM components WHERE fid = 1") == [(None,)]
    with db.transaction(conn):
        conn.execute("UPDATE components SET geom = ? WHERE fid = 1", (gpkg.point(*cf.centre_point(C), 4549),))
    assert components.repair(conn)["changed"] == 0  # one box held it: the provisional grid was right
    assert _rows(conn, "SELECT BGID FROM components WHERE fid = 1") == [(C,)]
    conn.close()
    assert integrity.check(centre) == []


def test_check_repair_on_the_command_line(centre, capsys):
    conn = db.open_centre(centre)
    _add(conn, "上水井盖", *cf.centre_point(B))
    conn.close()
    assert cli.main(["check", str(centre)]) == 1
    assert "check.bgid_unrepaired" in capsys.readouterr().out
    assert cli.main(["check", str(centre), "--repair"]) == 0
    assert "repaired the grid of 1 component(s)" in capsys.readouterr().out


def test_a_grid_code_in_use_cannot_be_renamed_and_an_unused_one_can(centre):
    conn = db.open_centre(centre)
    for code in (A, B):  # A: a component and collector01; B: collector01's assignment only
        with pytest.raises(sqlite3.IntegrityError, match="cannot be changed"):
            conn.execute("UPDATE grids SET code = '320508001001009' WHERE code = ?", (code,))
        conn.rollback()
    with db.transaction(conn):
        conn.execute("DELETE FROM collector_grids WHERE grid_code = ?", (C,))
        conn.execute("UPDATE grids SET code = '320508001002009' WHERE code = ?", (C,))
    conn.close()
    assert integrity.check(centre) == []


def test_a_version_4_centre_upgrades_and_keeps_its_components(tmp_path):
    path = tmp_path / "v4.gpkg"
    conn = db.connect(path, create=True)
    with db.transaction(conn):
        gpkg.init_container(conn)
    migrations.upgrade(conn, settings={"srs_id": "4549"}, registry=migrations.MIGRATIONS[:4])
    from citygrid.loop import dictionaries
    dictionaries.install(conn)
    with db.transaction(conn):
        for serial in (1, 2, 3):
            conn.execute("INSERT INTO components (geom, ObjID, ObjName) VALUES (?, ?, '上水井盖')",
                         (gpkg.point(cf.X0 + serial, cf.Y0, 4549), f"320508010100000{serial}"))
        conn.execute("DELETE FROM components WHERE fid = 3")  # the highest fid is never handed out again
        conn.execute("CREATE VIEW my_manholes AS SELECT fid, ObjID FROM components")  # a user's own view
        conn.execute("CREATE TRIGGER my_note AFTER UPDATE OF Note ON components BEGIN SELECT 1; END")
    before = _rows(conn, "SELECT fid, geom, ObjID FROM components ORDER BY fid")
    conn.close()
    conn = db.open_centre(path)
    assert migrations.current(conn) == migrations.latest()  # through 5, and any later
    assert _rows(conn, "SELECT fid, geom, ObjID FROM components ORDER BY fid") == before
    assert _rows(conn, "SELECT count(*) FROM rtree_components_geom") == [(2,)]
    objid = _add(conn, "上水井盖", cf.X0 + 10, cf.Y0)[0]
    assert objid == "3205080101000003"  # above the highest present (no serial record in the v4 file)
    assert conn.execute("SELECT max(fid) FROM components").fetchone()[0] == 4
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert _rows(conn, "SELECT count(*) FROM my_manholes") == [(3,)]
    assert _rows(conn, "SELECT 1 FROM sqlite_master WHERE name = 'my_note'") == [(1,)]
    conn.close()
    assert [f.code for f in integrity.check(path)] == ["check.bgid_unrepaired"]  # the new one, no grids


def test_the_small_demo_made_at_version_4_upgrades_and_passes_check(tmp_path, monkeypatch):
    path = tmp_path / "demo.gpkg"
    from citygrid.loop import dictionaries

    conditions_for = dictionaries.conditions_for
    with monkeypatch.context() as m:  # the demo as the version-4 code wrote it (no retired classes yet)
        m.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS[:4])
        m.setattr(dictionaries, "active_class", dictionaries.class_entry)
        m.setattr(dictionaries, "conditions_for", lambda c, k, code, active_only=False: conditions_for(c, k, code))
        assert cli.main(["demo", str(path), "--scale", "small"]) == 0
    conn = db.connect(path, readonly=True)
    assert migrations.current(conn) == 4
    count = conn.execute("SELECT count(*) FROM components").fetchone()[0]
    conn.close()
    conn = db.open_centre(path)
    assert migrations.current(conn) == migrations.latest()
    assert conn.execute("SELECT count(*) FROM components").fetchone()[0] == count
    conn.close()
    assert integrity.check(path, quick=True) == []


# --- QGIS's own editing tools, in a separate process -------------------------------------------

def _qgis_available() -> bool:
    return subprocess.run([sys.executable, "-c", "import qgis.core"], capture_output=True).returncode == 0


qgis = pytest.mark.skipif(not _qgis_available(), reason="QGIS python bindings not installed")


def _qgis(path, *args):
    out = subprocess.run([sys.executable, str(EDITOR), str(path), *map(str, args)], capture_output=True,
                         text=True, timeout=120, env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin",
                                                      "HOME": str(Path(path).parent)})
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


@qgis
def test_qgis_adds_moves_and_renames_under_the_rules(centre):
    assert _qgis(centre, "add", *cf.centre_point(B), "上水井盖") == {"ok": True, "errors": []}
    conn = db.open_centre(centre)
    assert _rows(conn, "SELECT ObjID, ObjName, BGID, ObjState, CHDate FROM components WHERE fid = 2") == [
        ("3205080101000002", "上水井盖", B, "完好", None)]
    assert conn.execute("SELECT ORDate FROM components WHERE fid = 2").fetchone()[0]
    conn.close()

    refused = _qgis(centre, "add", *cf.centre_point(B), "没有这种部件")
    assert not refused["ok"] and any(schema_v5.MSG_UNKNOWN_NAME in e for e in refused["errors"])

    assert _qgis(centre, "move", "3205080101000002", *cf.centre_point(C))["ok"]
    conn = db.open_centre(centre)
    bgid, chdate = conn.execute("SELECT BGID, CHDate FROM components WHERE fid = 2").fetchone()
    assert bgid == C and chdate
    assert _rows(conn, "SELECT count(*) FROM components") == [(2,)]
    conn.close()

    renamed = _qgis(centre, "rename-grid", A, "320508001001009")
    assert not renamed["ok"] and any("cannot be changed" in e for e in renamed["errors"])
    assert cli.main(["check", str(centre), "--repair"]) == 0
