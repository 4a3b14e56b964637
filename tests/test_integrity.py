# SPDX-License-Identifier: GPL-2.0-or-later
import re
import sqlite3
from pathlib import Path

import pytest

from citygrid.loop import accounts, dictionaries
from citygrid.messages import TEXTS
from citygrid.problems import Problem
from citygrid.store import blobs, db, gpkg, integrity

GRID_A, GRID_B = "320508001001001", "320508001001002"
OBJID = "3205080101000001"
RING = [[(0.0, 0.0), (100.0, 0.0), (100.0, 100.0), (0.0, 100.0), (0.0, 0.0)]]
AT = "2026-03-02T01:00:00.000Z"


def add_grid(conn, code, street=None, community=None):
    conn.execute("INSERT INTO grids (geom, code, street_code, community_code) VALUES (?, ?, ?, ?)",
                 (gpkg.polygon(RING, 4549), code, street or code[:9], community or code[:12]))


def add_component(conn, objid, bgid=GRID_A):
    conn.execute("INSERT INTO components (geom, ObjID, ObjName, BGID) VALUES (?, ?, '上水井盖', ?)",
                 (gpkg.point(50.0, 50.0, 4549), objid, bgid))


def add_case(conn, case_no, grid=GRID_A, class_code="0101", objid=OBJID):
    conn.execute("INSERT INTO cases (geom, case_no, kind, class_code, status, grid_code, ObjID, source, "
                 "reported_at) VALUES (?, ?, 'component', ?, 'dispatched', ?, ?, 'collector', ?)",
                 (gpkg.point(50.0, 50.0, 4549), case_no, class_code, grid, objid, AT))


def add_photo(conn, path, data: bytes, case_no="C1") -> str:
    sha = blobs.store_for(path).put_bytes(data)
    conn.execute("INSERT INTO photos (sha256, size, content_type) VALUES (?, ?, 'image/jpeg')",
                 (sha, len(data)))
    conn.execute("INSERT INTO case_photos (case_no, sha256) VALUES (?, ?)", (case_no, sha))
    return sha


@pytest.fixture
def centre(center_path, conn):
    """A small, consistent centre: two grids, the shipped classes, a collector, a case with a photo."""
    add_grid(conn, GRID_A)
    add_grid(conn, GRID_B)
    dictionaries.install(conn)
    accounts.add_user(conn, "collector01", "collector", "citygrid-demo", grids=[GRID_A])
    add_component(conn, OBJID)
    add_case(conn, "C1")
    conn.execute("INSERT INTO tasks (id, kind, case_no, assignee, created_at) "
                 "VALUES ('t1', 'check', 'C1', 'collector01', ?)", (AT,))
    conn.execute("INSERT INTO case_events (case_no, action, actor, role, to_status, at) "
                 "VALUES ('C1', 'report', 'collector01', 'collector', 'reported', ?)", (AT,))
    add_photo(conn, center_path, b"\xff\xd8 a photo of a manhole")
    return center_path


def codes_of(path):
    return [f.code for f in integrity.check(path)]


def only(path, code):
    """The details of the one finding, which must have `code` and an English line of its own."""
    findings = integrity.check(path)
    assert [f.code for f in findings] == [code], [f.message() for f in findings]
    assert findings[0].message() != str(Problem(code, **findings[0].details))
    return findings[0].details


def test_a_consistent_centre_is_clean(centre):
    assert integrity.check(centre) == []


def test_an_empty_new_centre_is_clean(center_path):
    assert integrity.check(center_path) == []


def test_check_only_reads_the_file(centre, conn):
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    before = centre.read_bytes()
    integrity.check(centre)
    assert centre.read_bytes() == before


@pytest.mark.parametrize("sql,table,column", [
    ("INSERT INTO tasks (id, kind, case_no, created_at) VALUES ('t2', 'verify', 'GONE', '2026-01-01')",
     "tasks", "case_no"),
    ("INSERT INTO case_events (case_no, action, actor, role, to_status, at) "
     "VALUES ('GONE', 'report', 'x', 'collector', 'reported', '2026-01-01')", "case_events", "case_no"),
    ("INSERT INTO case_photos (case_no, sha256) SELECT 'GONE', sha256 FROM photos", "case_photos", "case_no"),
    ("INSERT INTO case_photos (case_no, sha256) VALUES ('C1', '" + "ab" * 32 + "')", "case_photos", "sha256"),
    ("UPDATE components SET BGID = '320508001001099'", "components", "BGID"),
    ("UPDATE cases SET grid_code = '320508001001099'", "cases", "grid_code"),
    ("INSERT INTO collector_grids (username, grid_code) VALUES ('ghost', '" + GRID_B + "')",
     "collector_grids", "username"),
    ("INSERT INTO collector_grids (username, grid_code) VALUES ('collector01', '320508001001099')",
     "collector_grids", "grid_code"),
    ("UPDATE users SET unit_code = 'nowhere'", "users", "unit_code"),
])
def test_rows_referring_to_missing_rows_are_orphans(centre, conn, sql, table, column):
    conn.execute(sql)
    details = only(centre, "check.orphan")
    assert (details["table"], details["column"], details["count"]) == (table, column, 1)


def test_an_orphan_finding_counts_all_and_shows_a_few(centre, conn):
    conn.executemany("INSERT INTO tasks (id, kind, case_no, created_at) VALUES (?, 'verify', ?, ?)",
                     [(f"x{i}", f"GONE{i}", AT) for i in range(12)])
    details = only(centre, "check.orphan")
    assert details["count"] == 12 and len(details["examples"].split(", ")) == integrity.EXAMPLES


@pytest.mark.parametrize("sql,table,column", [
    ("UPDATE grids SET code = '32050800100101', street_code = '320508001', community_code = '320508001001' "
     "WHERE code = '" + GRID_B + "'", "grids", "code"),
    ("UPDATE grids SET code = '990508001001002', street_code = '990508001', community_code = '990508001001' "
     "WHERE code = '" + GRID_B + "'", "grids", "code"),
    ("INSERT INTO components (ObjID, ObjName) VALUES ('320508010100002', 'x')", "components", "ObjID"),
    ("INSERT INTO components (ObjID, ObjName) VALUES ('3205080100000002', 'x')", "components", "ObjID"),
    ("INSERT INTO components (ObjID, ObjName) VALUES ('9905080101000002', '上水井盖')", "components", "ObjID"),
    ("UPDATE cases SET ObjID = 'A205080101000001'", "cases", "ObjID"),
])
def test_malformed_codes_are_found_per_column(centre, conn, sql, table, column):
    conn.execute(sql)
    findings = integrity.check(centre)
    malformed = [f.details for f in findings if f.code == "check.malformed_code"]
    assert [(d["table"], d["column"], d["count"]) for d in malformed] == [(table, column, 1)]
    assert {f.code for f in findings} <= {"check.malformed_code", "check.unknown_class"}


def test_a_gb17_centre_flags_16_digit_objids(tmp_path):
    path = tmp_path / "c17.gpkg"
    conn = db.create_centre(path, scheme="gb17")
    add_component(conn, OBJID, bgid=None)
    add_component(conn, "32050801001000001", bgid=None)
    conn.close()
    findings = integrity.check(path)
    malformed = [f.details for f in findings if f.code == "check.malformed_code"]
    assert malformed == [{"table": "components", "column": "ObjID", "expected": "gb17 ObjID",
                          "count": 1, "examples": OBJID}]


def test_a_grid_whose_street_does_not_match_its_code_is_found(centre, conn):
    conn.execute("UPDATE grids SET street_code = '320508002' WHERE code = ?", (GRID_B,))
    assert only(centre, "check.grid_hierarchy")["examples"] == GRID_B


def test_cases_and_components_of_unknown_classes_are_found(centre, conn):
    conn.execute("UPDATE cases SET class_code = '0198'")
    add_component(conn, "3205080198000001")
    findings = integrity.check(centre)
    assert {(f.code, f.details["table"]) for f in findings} == {
        ("check.unknown_class", "cases"), ("check.unknown_class", "components")}


def test_a_deleted_rtree_entry_is_a_count_mismatch(centre, conn):
    conn.execute("DELETE FROM rtree_components_geom")
    details = only(centre, "check.rtree_count")
    assert (details["table"], details["geometries"], details["indexed"]) == ("components", 1, 0)


def test_empty_geometries_are_not_expected_in_the_rtree(centre, conn):
    empty_point = b"GP\x00\x11" + (4549).to_bytes(4, "little") + b"\x01\x01\x00\x00\x00" + b"\x00" * 16
    conn.execute("INSERT INTO components (geom, ObjID, ObjName, BGID) "
                 "VALUES (?, '3205080101000002', '上水井盖', ?)", (empty_point, GRID_A))
    conn.execute("INSERT INTO components (ObjID, ObjName, BGID) VALUES ('3205080101000003', '上水井盖', ?)",
                 (GRID_A,))
    assert integrity.check(centre) == []


def test_an_rtree_entry_for_a_missing_row_is_stale(centre, conn):
    conn.execute("DELETE FROM rtree_cases_geom")
    conn.execute("INSERT INTO rtree_cases_geom VALUES (999, 0, 1, 0, 1)")
    details = only(centre, "check.rtree_stale")
    assert (details["layer"], details["examples"]) == ("cases", "999")


def test_a_missing_rtree_and_missing_triggers_are_found(centre, conn):
    conn.execute("DROP TRIGGER rtree_grids_geom_update1")  # GeoPackage 1.4 has no update1
    assert integrity.check(centre) == []
    conn.execute("DROP TRIGGER rtree_grids_geom_insert")
    assert only(centre, "check.rtree_triggers")["missing"] == "insert"
    conn.execute("DROP TABLE rtree_grids_geom")
    assert "check.rtree_missing" in codes_of(centre)


def test_an_rtree_missing_from_gpkg_extensions_is_found(centre, conn):
    conn.execute("DELETE FROM gpkg_extensions WHERE table_name = 'cases'")
    assert only(centre, "check.rtree_unregistered")["rtree"] == "rtree_cases_geom"


def test_a_geometry_that_is_not_a_geopackage_blob_is_found(centre, conn):
    conn.execute("UPDATE cases SET geom = X'0101000000'")
    assert "check.bad_geometry" in codes_of(centre)


def test_a_photo_missing_from_the_store_is_found(centre, conn):
    sha = conn.execute("SELECT sha256 FROM photos").fetchone()[0]
    blobs.store_for(centre).path(sha).unlink()
    assert only(centre, "check.photo_missing")["examples"] == sha


def test_a_photo_whose_bytes_changed_is_corrupt(centre, conn):
    sha = conn.execute("SELECT sha256 FROM photos").fetchone()[0]
    blobs.store_for(centre).path(sha).write_bytes(b"edited in an image editor")
    details = only(centre, "check.photo_corrupt")
    assert (details["count"], details["examples"]) == (1, sha)


def test_a_wrong_application_id_is_found(centre, conn):
    conn.execute("PRAGMA application_id = 0")
    assert only(centre, "check.application_id")["found"] == "0x00000000"


def test_a_newer_schema_is_refused_as_open_centre_refuses_it(centre, conn):
    conn.execute("INSERT INTO citygrid_migrations VALUES (999, 'future', ?)", (AT,))
    conn.execute("UPDATE citygrid_meta SET value = '999' WHERE key = 'schema_version'")
    conn.execute("DELETE FROM rtree_components_geom")  # would be a finding, but is not looked at
    with pytest.raises(Problem) as exc:
        integrity.check(centre)
    assert exc.value.code == "db.newer_schema" and exc.value.details["found"] == 999


def test_an_unknown_code_scheme_setting_is_found(centre, conn):
    conn.execute("UPDATE citygrid_meta SET value = 'gb99' WHERE key = 'code_scheme'")
    assert only(centre, "check.bad_setting") == {"key": "code_scheme", "value": "gb99"}


def test_a_broken_foreign_key_is_found(centre, conn):
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("INSERT INTO gpkg_contents (table_name, data_type, srs_id) "
                 "VALUES ('stray', 'attributes', 12345)")
    details = only(centre, "check.foreign_key")
    assert (details["table"], details["parent"]) == ("gpkg_contents", "gpkg_spatial_ref_sys")


def test_every_finding_has_an_english_line(centre, conn):
    conn.execute("UPDATE components SET BGID = '320508001001099'")
    conn.execute("DELETE FROM rtree_components_geom")
    for finding in integrity.check(centre):
        text = finding.message()
        assert text != str(Problem(finding.code, **finding.details)) and "{" not in text


def test_a_missing_file_is_a_problem_not_a_finding(tmp_path):
    with pytest.raises(Problem) as exc:
        integrity.check(tmp_path / "nope.gpkg")
    assert exc.value.code == "db.not_found"


@pytest.mark.parametrize("content, code", [(b"just some notes\n", "db.not_sqlite"), (b"", "db.empty")])
def test_a_file_that_is_not_sqlite_is_a_problem(tmp_path, content, code):
    path = tmp_path / "notes.gpkg"
    path.write_bytes(content)
    with pytest.raises(Problem) as exc:
        integrity.check(path)
    assert exc.value.code == code


def test_a_sqlite_file_that_is_not_a_geopackage_is_a_problem(tmp_path):
    path = tmp_path / "other.sqlite"
    sqlite3.connect(path).execute("CREATE TABLE t (x)").connection.close()
    with pytest.raises(Problem) as exc:
        integrity.check(path)
    assert exc.value.code == "db.not_a_geopackage"


def test_every_code_raised_here_has_an_english_text():
    core = Path(integrity.__file__).parents[1]  # the whole citygrid package
    sources = list(core.rglob("*.py"))
    found = {m for p in sources for m in re.findall(r'"((?:code|dictionary|account|auth|check)\.[a-z_]+)"',
                                                  p.read_text(encoding="utf-8"))}
    assert len(found) > 40
    assert sorted(found - set(TEXTS)) == []


# --- components against their class, their units and their grid ----------------------------------

def test_an_objname_that_is_not_its_class_name_is_found(centre, conn):
    conn.execute("UPDATE components SET ObjName = '雨水井盖'")  # its ObjID says 0101 上水井盖
    add_component(conn, "3205080101000002")  # named right
    details = only(centre, "check.component_name")
    assert details["count"] == 1 and details["examples"] == "3205080101000001 雨水井盖 (上水井盖)"


def test_an_objname_of_an_unknown_or_malformed_class_is_left_to_those_findings(centre, conn):
    conn.execute("INSERT INTO components (ObjID, ObjName) VALUES ('3205089999000001', '不知道')")
    assert codes_of(centre) == ["check.unknown_class"]


@pytest.mark.parametrize("column", ["DeptCode1", "DeptCode2", "DeptCode3"])
def test_a_deptcode_not_in_the_units_is_found_and_an_empty_one_is_fine(centre, conn, column):
    conn.execute("INSERT INTO units (code, name, kind) VALUES ('water', 'Water Co', 'department')")
    add_component(conn, "3205080101000002")
    add_component(conn, "3205080101000003")
    conn.execute(f"UPDATE components SET {column} = CASE ObjID WHEN '3205080101000001' THEN 'water' "
                 f"WHEN '3205080101000002' THEN '' ELSE 'nobody' END")
    details = only(centre, "check.orphan")
    assert (details["table"], details["column"], details["count"], details["examples"]) == (
        "components", column, 1, "nobody")
    assert details["refers"] == "units.code"


def _place(conn, objid, x, y, bgid=GRID_A):
    conn.execute("INSERT INTO components (geom, ObjID, ObjName, BGID) VALUES (?, ?, '上水井盖', ?)",
                 (gpkg.point(x, y, 4549), objid, bgid))


def test_a_component_outside_its_bgid_grid_is_found(centre, conn):
    conn.execute("UPDATE grids SET geom = ? WHERE code = ?",
                 (gpkg.polygon([[(100.0, 0.0), (200.0, 0.0), (200.0, 100.0), (100.0, 100.0), (100.0, 0.0)]],
                                4549), GRID_B))
    _place(conn, "3205080101000002", 150.0, 50.0)            # in grid B, says A
    _place(conn, "3205080101000003", 100.0, 50.0)            # on the shared edge: in both
    _place(conn, "3205080101000004", 100.0, 50.0, GRID_B)
    _place(conn, "3205080101000005", 0.0, 0.0)               # on A's corner
    _place(conn, "3205080101000006", 50.0, 100.0000001)      # within a micrometre of A's edge
    _place(conn, "3205080101000007", 50.0, 100.01)           # a centimetre out
    _place(conn, "3205080101000008", 150.0, 50.0, GRID_B)
    details = only(centre, "check.outside_grid")
    assert details["count"] == 2
    assert details["examples"] == f"3205080101000002 ({GRID_A}), 3205080101000007 ({GRID_A})"


def test_a_point_in_a_hole_or_a_concave_notch_is_outside(centre, conn):
    # A: an L (concave) with a hole; B: two squares (a multipolygon)
    ell = [(0.0, 0.0), (100.0, 0.0), (100.0, 40.0), (40.0, 40.0), (40.0, 100.0), (0.0, 100.0), (0.0, 0.0)]
    hole = [(10.0, 10.0), (20.0, 10.0), (20.0, 20.0), (10.0, 20.0), (10.0, 10.0)]
    conn.execute("UPDATE grids SET geom = ? WHERE code = ?", (gpkg.polygon([ell, hole], 4549), GRID_A))
    squares = [[[(200.0, 0.0), (210.0, 0.0), (210.0, 10.0), (200.0, 10.0), (200.0, 0.0)]],
               [[(300.0, 0.0), (310.0, 0.0), (310.0, 10.0), (300.0, 10.0), (300.0, 0.0)]]]
    conn.execute("UPDATE grids SET geom = ? WHERE code = ?", (gpkg.multipolygon(squares, 4549), GRID_B))
    conn.execute("UPDATE components SET geom = ? WHERE ObjID = ?", (gpkg.point(5.0, 90.0, 4549), OBJID))
    conn.execute("UPDATE cases SET geom = ?", (gpkg.point(5.0, 90.0, 4549),))
    _place(conn, "3205080101000002", 70.0, 70.0)             # in the notch of the L
    _place(conn, "3205080101000003", 15.0, 15.0)             # in the hole
    _place(conn, "3205080101000004", 20.0, 15.0)             # on the hole's edge: in
    _place(conn, "3205080101000005", 305.0, 5.0, GRID_B)     # in B's second part
    _place(conn, "3205080101000006", 250.0, 5.0, GRID_B)     # between B's parts
    conn.execute("DELETE FROM component_repairs")  # as if written by the core: BGIDs taken as given
    details = only(centre, "check.outside_grid")
    assert details["count"] == 3 and details["examples"] == ", ".join(
        f"{o} ({g})" for o, g in [("3205080101000002", GRID_A), ("3205080101000003", GRID_A),
                                  ("3205080101000006", GRID_B)])


def test_components_without_a_point_or_a_grid_geometry_are_not_judged(centre, conn):
    conn.execute("INSERT INTO components (ObjID, ObjName, BGID) VALUES ('3205080101000002', '上水井盖', ?)",
                 (GRID_A,))
    conn.execute("UPDATE grids SET geom = NULL WHERE code = ?", (GRID_B,))
    _place(conn, "3205080101000003", 500.0, 500.0, GRID_B)
    assert integrity.check(centre) == []


def test_the_grid_check_counts_what_the_point_in_polygon_test_says(centre, conn):
    """On a rotated quadrilateral (the fast half-plane accept applies), the rule counts exactly the
    points gpkg.covers, geocode's own test, puts outside."""
    quad = [(100.0, 0.0), (200.0, 30.0), (190.0, 100.0), (100.0, 100.0), (100.0, 0.0)]
    conn.execute("UPDATE grids SET geom = ? WHERE code = ?", (gpkg.polygon([quad], 4549), GRID_B))
    points = [(90.0 + i * 7.3 % 120.0, -10.0 + i * 11.9 % 120.0) for i in range(80)]
    points += [(150.0, 15.0), (195.0, 65.0), (100.0, 50.0), (200.0, 30.0)]  # on edges and a vertex
    for i, (x, y) in enumerate(points):
        _place(conn, f"32050801010001{i:02d}", x, y, GRID_B)
    expected = sum(not gpkg.covers(([quad],), x, y, 1e-6) for x, y in points)
    assert 0 < expected < len(points) - 4
    assert only(centre, "check.outside_grid")["count"] == expected
