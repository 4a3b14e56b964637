# SPDX-License-Identifier: GPL-2.0-or-later
import sqlite3
import struct
import subprocess
from pathlib import Path

import pytest

from citygrid.problems import Problem
from citygrid.store import db, gpkg, migrations, schema_v3

VALIDATE = Path("/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_gpkg.py")
SQUARE = [[(0.0, 0.0), (100.0, 0.0), (100.0, 100.0), (0.0, 100.0), (0.0, 0.0)]]


def test_point_blob_round_trips_and_has_envelope():
    blob = gpkg.point(500123.5, 3460000.25, 4549)
    assert gpkg.decode(blob) == ("POINT", (500123.5, 3460000.25), 4549)
    assert gpkg.envelope(blob) == (500123.5, 500123.5, 3460000.25, 3460000.25)


def test_polygon_blob_round_trips_with_header_envelope():
    blob = gpkg.polygon(SQUARE, 4549)
    kind, rings, srs = gpkg.decode(blob)
    assert kind == "POLYGON" and srs == 4549
    assert [tuple(p) for p in rings[0]] == SQUARE[0]
    assert gpkg.envelope(blob) == (0.0, 100.0, 0.0, 100.0)


def test_garbage_blob_is_a_coded_problem():
    with pytest.raises(Problem) as exc:
        gpkg.decode(b"not a geometry")
    assert exc.value.code == "geometry.not_gpkg_blob"


def test_rtree_follows_inserts_updates_and_deletes(conn):
    conn.execute("INSERT INTO grids (geom, code, street_code, community_code) VALUES (?, 'g1', 's', 'c')",
                 (gpkg.polygon(SQUARE, 4549),))
    assert conn.execute("SELECT minx, maxx FROM rtree_grids_geom").fetchone()[:] == (0.0, 100.0)
    moved = [[(x + 1000, y) for x, y in SQUARE[0]]]
    conn.execute("UPDATE grids SET geom = ? WHERE code = 'g1'", (gpkg.polygon(moved, 4549),))
    assert conn.execute("SELECT minx FROM rtree_grids_geom").fetchone()[0] == 1000.0
    conn.execute("DELETE FROM grids")
    assert conn.execute("SELECT count(*) FROM rtree_grids_geom").fetchone()[0] == 0


def test_every_change_to_a_synced_table_moves_its_revision_forward(conn):
    conn.execute("INSERT INTO units (code, name, kind) VALUES ('u1', 'Water', 'department')")
    (r1,) = conn.execute("SELECT rev FROM sync_changes WHERE entity='unit' AND entity_id='u1'").fetchone()
    conn.execute("UPDATE units SET name = 'Water Co' WHERE code = 'u1'")  # as QGIS would
    (r2,) = conn.execute("SELECT rev FROM sync_changes WHERE entity='unit' AND entity_id='u1'").fetchone()
    assert r2 > r1
    conn.execute("DELETE FROM units WHERE code = 'u1'")
    row = conn.execute("SELECT rev, deleted FROM sync_changes WHERE entity='unit' AND entity_id='u1'").fetchone()
    assert row["rev"] > r2 and row["deleted"] == 1


def test_case_events_are_append_only(conn):
    conn.execute("INSERT INTO case_events (case_no, action, actor, role, to_status, at) "
                 "VALUES ('c1', 'report', 'u', 'collector', 'reported', '2026-01-01T00:00:00.000Z')")
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("UPDATE case_events SET note = 'x'")
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("DELETE FROM case_events")


@pytest.mark.skipif(not VALIDATE.exists(), reason="GDAL's validate_gpkg.py is installed by make deps")
def test_new_centre_passes_gdal_validate_gpkg(center_path):
    res = subprocess.run(["/usr/bin/python3", str(VALIDATE), str(center_path)], capture_output=True, text=True)
    assert res.returncode == 0, res.stdout + res.stderr


def test_opening_a_file_that_is_not_a_geopackage_is_refused(tmp_path):
    p = tmp_path / "notes.gpkg"
    p.write_text("hello")
    with pytest.raises(Problem) as exc:
        db.open_centre(p)
    assert exc.value.code == "db.not_sqlite"


def test_opening_a_missing_file_is_refused(tmp_path):
    with pytest.raises(Problem) as exc:
        db.open_centre(tmp_path / "nope.gpkg")
    assert exc.value.code == "db.not_found"


def test_a_newer_schema_is_refused_and_left_untouched(center_path):
    c = db.open_centre(center_path)
    c.execute("INSERT INTO citygrid_migrations VALUES (999, 'future', '2030-01-01T00:00:00.000Z')")
    c.close()
    with pytest.raises(Problem) as exc:
        db.open_centre(center_path)
    assert exc.value.code == "db.newer_schema" and exc.value.details["found"] == 999
    c = db.connect(center_path)
    assert migrations.current(c) == 999  # nothing was rolled back or rewritten
    c.close()


def _version_1_centre(path):
    """A centre as the first release wrote it (schema version 1 only)."""
    c = db.connect(path, create=True)
    with db.transaction(c):
        gpkg.init_container(c)
    migrations.upgrade(c, settings={"srs_id": "4549"}, registry=migrations.MIGRATIONS[:1])
    return c


def test_a_version_1_centre_is_upgraded_on_open(tmp_path):
    path = tmp_path / "old.gpkg"
    c = _version_1_centre(path)
    c.execute("INSERT INTO units (code, name, kind) VALUES ('u1', 'Water', 'department')")
    c.close()
    c = db.open_centre(path)
    assert migrations.current(c) == migrations.latest()
    assert c.execute("SELECT name FROM units").fetchone()[0] == "Water"
    assert c.execute("SELECT count(*) FROM sync_batches").fetchone()[0] == 0
    c.close()


def test_read_only_open_of_an_older_centre_is_refused_not_upgraded(tmp_path):
    path = tmp_path / "old.gpkg"
    _version_1_centre(path).close()
    with pytest.raises(Problem) as exc:
        db.open_centre(path, readonly=True)
    assert exc.value.code == "db.older_schema"


def test_pending_migrations_run_in_order_once(center_path):
    calls = []
    nxt = migrations.latest() + 1

    def extra(conn, settings):
        calls.append(nxt)
        conn.execute("ALTER TABLE cases ADD COLUMN extra TEXT")

    registry = migrations.MIGRATIONS + [(nxt, "extra", extra)]
    c = db.connect(center_path)
    assert migrations.check_version(c, path="x", upgrade=True, registry=registry) == nxt
    assert calls == [nxt]
    assert migrations.current(c) == nxt
    assert "extra" in [r[1] for r in c.execute("PRAGMA table_info(cases)")]
    assert migrations.upgrade(c, registry=registry) == []  # idempotent


def test_a_failing_migration_leaves_the_database_at_its_old_version(center_path):
    def broken(conn, settings):
        conn.execute("CREATE TABLE half_done (x)")
        raise RuntimeError("boom")

    c = db.connect(center_path)
    nxt = migrations.latest() + 1
    with pytest.raises(RuntimeError):
        migrations.upgrade(c, registry=migrations.MIGRATIONS + [(nxt, "broken", broken)])
    assert migrations.current(c) == migrations.latest()
    assert c.execute("SELECT 1 FROM sqlite_master WHERE name='half_done'").fetchone() is None


def test_a_locked_database_is_a_coded_problem(center_path, monkeypatch):
    monkeypatch.setattr(db, "BUSY_TIMEOUT_MS", 50)
    holder = db.connect(center_path)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        other = db.connect(center_path)
        other.execute("PRAGMA busy_timeout = 50")
        with pytest.raises(Problem) as exc:
            with db.transaction(other):
                other.execute("INSERT INTO units (code, name, kind) VALUES ('x', 'x', 'department')")
        assert exc.value.code == "db.locked"
    finally:
        holder.execute("ROLLBACK")


def test_upserts_and_insert_or_ignore_are_tracked_too(conn):
    conn.execute("INSERT INTO units (code, name, kind) VALUES ('u1', 'Water', 'department')")
    (r1,) = conn.execute("SELECT rev FROM sync_changes WHERE entity_id = 'u1'").fetchone()
    conn.execute("INSERT INTO units (code, name, kind) VALUES ('u1', 'Water Co', 'department') "
                 "ON CONFLICT(code) DO UPDATE SET name = excluded.name")
    (r2,) = conn.execute("SELECT rev FROM sync_changes WHERE entity_id = 'u1'").fetchone()
    assert r2 > r1
    conn.execute("DELETE FROM units WHERE code = 'u1'")
    conn.execute("INSERT OR IGNORE INTO units (code, name, kind) VALUES ('u1', 'Back', 'department')")
    row = conn.execute("SELECT deleted FROM sync_changes WHERE entity_id = 'u1'").fetchone()
    assert row["deleted"] == 0
    assert conn.execute("SELECT count(*) FROM sync_changes WHERE entity_id = 'u1'").fetchone()[0] == 1


# -- version 3: CHECK constraints without IN lists -------------------------------------------------

def test_in_lists_become_or_chains_that_accept_the_same_values():
    sql = """CREATE TABLE t (a TEXT CHECK (a IN ('x', 'y')), "end" TEXT CHECK ("end" IN
        ('完好', '破损')), n REAL CHECK (n > 0))"""
    assert schema_v3.without_in_lists(sql) == """CREATE TABLE t (a TEXT CHECK (a = 'x' OR a = 'y'), "end" TEXT \
CHECK ("end" = '完好' OR "end" = '破损'), n REAL CHECK (n > 0))"""


def test_an_older_centre_gets_checks_without_in_lists_that_still_refuse_bad_values(tmp_path):
    path = tmp_path / "old.gpkg"
    c = _version_1_centre(path)
    assert "kind IN (" in c.execute("SELECT sql FROM sqlite_master WHERE name = 'tasks'").fetchone()[0]
    c.execute("INSERT INTO tasks (id, kind, case_no, created_at) VALUES ('t1', 'check', 'c1', 'now')")
    c.close()
    c = db.open_centre(path)
    schema = "\n".join(r[0] for r in c.execute("SELECT sql FROM sqlite_master WHERE type = 'table'"))
    assert " IN (" not in schema and "kind = 'verify' OR kind = 'check' OR kind = 'dispose'" in schema
    assert c.execute("SELECT count(*) FROM sqlite_master WHERE name = 'idx_case_events_at'").fetchone()[0] == 0
    assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert c.execute("SELECT kind FROM tasks").fetchone()[0] == "check"
    other = db.connect(path)  # a connection opened before or after sees the new constraints
    for conn in (c, other):
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute("INSERT INTO tasks (id, kind, case_no, created_at) VALUES ('t2', 'bogus', 'c1', 'now')")
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute("UPDATE tasks SET status = 'lost'")
    other.close()
    c.close()


class _Defensive:
    """A connection whose SQLite refuses writes to sqlite_master (SQLITE_DBCONFIG_DEFENSIVE)."""

    def __init__(self, conn):
        self.conn = conn

    def execute(self, sql, *args):
        if sql.startswith("UPDATE sqlite_master"):
            raise sqlite3.OperationalError("table sqlite_master may not be modified")
        return self.conn.execute(sql, *args)


def test_a_defensive_sqlite_keeps_the_in_lists_and_the_migration_still_applies(tmp_path):
    c = _version_1_centre(tmp_path / "old.gpkg")
    before = c.execute("SELECT sql FROM sqlite_master WHERE name = 'tasks'").fetchone()[0]
    with db.transaction(c):
        schema_v3.create(_Defensive(c), {})
    assert c.execute("SELECT sql FROM sqlite_master WHERE name = 'tasks'").fetchone()[0] == before
    assert c.execute("PRAGMA writable_schema").fetchone()[0] == 0
    c.close()


# --- point in polygon: the fast accept of convex grids never says yes where covers says no -------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from citygrid.store import gpkg as _gpkg  # noqa: E402


def _convex(n, cx, cy, r, turn):
    import math
    return [(cx + r * math.cos(turn + 2 * math.pi * k / n), cy + r * math.sin(turn + 2 * math.pi * k / n))
            for k in range(n)]


@settings(max_examples=300, deadline=None)
@given(n=st.integers(3, 9), cx=st.floats(-1e6, 4e6), cy=st.floats(-1e6, 4e6), r=st.floats(0.01, 5000),
       turn=st.floats(0, 7), reverse=st.booleans(),
       u=st.floats(-1.2, 1.2), v=st.floats(-1.2, 1.2))
def test_a_point_the_convex_fast_accept_takes_is_covered(n, cx, cy, r, turn, reverse, u, v):
    ring = _convex(n, cx, cy, r, turn)
    ring = (ring[::-1] if reverse else ring) + [ring[-1] if reverse else ring[0]]
    polygons = ([ring],)
    interior = _gpkg.convex_interior(polygons, 1e-6)
    assert interior is not None
    x, y = cx + u * r, cy + v * r
    if _gpkg.strictly_inside(interior, x, y):
        assert _gpkg.covers(polygons, x, y, 1e-6)
    if _gpkg.covers(polygons, x, y, 1e-6) and abs(u) < 0.5 and abs(v) < 0.5 and r > 1 and n > 3:
        assert _gpkg.strictly_inside(interior, x, y)  # well inside: taken without the exact test


def test_only_a_single_convex_ring_gets_a_fast_accept():
    square = [(0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0), (0.0, 0.0)]
    ell = [(0.0, 0.0), (10.0, 0.0), (10.0, 4.0), (4.0, 4.0), (4.0, 10.0), (0.0, 10.0), (0.0, 0.0)]
    star = [(0.0, 0.0), (6.0, 10.0), (10.0, 0.0), (0.0, 6.0), (10.0, 6.0), (0.0, 0.0)]
    hole = [(2.0, 2.0), (3.0, 2.0), (3.0, 3.0), (2.0, 3.0), (2.0, 2.0)]
    assert _gpkg.convex_interior(([square],), 1e-6) is not None
    for polygons in (([ell],), ([star],), ([square, hole],), ([square], [square])):
        assert _gpkg.convex_interior(polygons, 1e-6) is None


def test_point_xy_reads_plain_and_enveloped_points_alike():
    plain = _gpkg.point(3.5, -7.25, 4549)
    assert _gpkg.point_xy(plain) == (3.5, -7.25)
    enveloped = plain[:3] + bytes([0b11]) + plain[4:8] + struct.pack("<4d", 3.5, 3.5, -7.25, -7.25) + plain[8:]
    assert _gpkg.point_xy(enveloped) == (3.5, -7.25)
    empty = b"GP\x00\x11" + (4549).to_bytes(4, "little") + b"\x01\x01\x00\x00\x00" + b"\x00" * 16
    assert _gpkg.point_xy(empty) is None
    assert _gpkg.point_xy(_gpkg.polygon([[(0.0, 0.0), (1.0, 0.0), (0.0, 1.0), (0.0, 0.0)]], 4549)) is None
