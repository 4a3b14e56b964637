# SPDX-License-Identifier: GPL-2.0-or-later
"""Schema version 5: edits made outside the core keep the rules; retired classes and conditions.

- `classes.retired_at`, `conditions.retired_at`: a class or condition that a newer code table no
  longer has is retired, not deleted: old cases, components and evaluations still show its name, new
  cases and registrations refuse it (`citygrid codes install`, loop.dictionaries).
- `components` is rebuilt with a nullable `ObjID` (still UNIQUE) and `ObjState` (filled with 完好): a GIS program's own editing tools
  (QGIS through OGR's GeoPackage driver) insert a row without one, and these triggers give it one.
  The triggers run in the editing program's connection, so they use only SQL and the functions every
  GeoPackage writer registers (ST_MinX/ST_MaxX/ST_MinY/ST_MaxY/ST_IsEmpty, which GeoPackage's own
  R-tree triggers already need); see docs/adopting.md, "Edits made in QGIS".
  * ObjID: the class is the one active component class whose minor name is the typed `ObjName`
    (unknown or ambiguous: RAISE(ABORT) with a message QGIS shows); the serial follows
    `loop.geocode.allocate_objid` exactly (scope `objid:<county><class>` in `serials`, above both the
    record and the highest serial present, never reused; width from the centre's code scheme).
  * ORDate: the local date of insertion when none is given. CHDate: stamped on every later change of
    the record (not on the first insert: DOMAIN.md §3 leaves it empty on first survey).
  * BGID: plain SQL cannot test a point against a polygon, so the trigger sets the grid whose R-tree
    box holds the point when exactly one does (else NULL) and marks the row in `component_repairs`;
    the core replaces it by the exact answer (`admin.components.repair`, `citygrid check --repair`).
- `grids.code` cannot be renamed while a component, case or collector assignment refers to it
  (a trigger refuses): renaming would leave orphans, and a cascade would rewrite history.
- The sync triggers of `components` skip the moment a row has no ObjID yet.
"""

from __future__ import annotations

import re
import sqlite3

from .schema_v1 import OBJ_STATES, change_triggers

NOW = "(strftime('%Y-%m-%dT%H:%M:%fZ','now'))"
TODAY = "date('now', 'localtime')"  # the editing computer's date: the city's own, where it is edited
_OBJID_NOT_NULL = re.compile(r"ObjID TEXT NOT NULL UNIQUE")
_OBJSTATE_NOT_NULL = re.compile(r"ObjState TEXT NOT NULL DEFAULT")

# messages a QGIS user sees in the commit error list (Chinese first, English second)
MSG_UNKNOWN_NAME = ("citygrid: ObjName 不是在用的部件小类名称 / "
                    "ObjName is not the minor class name of an active component class")
MSG_AMBIGUOUS_NAME = ("citygrid: 多个部件小类同名，无法由 ObjName 确定类别，请填写 ObjID / "
                      "several component classes have this ObjName: give the ObjID")
MSG_EXHAUSTED = "citygrid: 该类别的部件标识码流水号已用完 / no ObjID serial left for this class"
MSG_OBJID_NULL = "citygrid: 不能清空 ObjID / ObjID cannot be emptied"
MSG_OBJSTATE_NULL = "citygrid: 不能清空 ObjState / ObjState cannot be emptied"
MSG_GRID_RENAME = ("citygrid: 单元网格编码已被部件、案件或采集员使用，不能修改 / "
                   "this grid code is used by components, cases or collectors and cannot be changed")

# SQL pieces over NEW (a component row) and the centre's metadata
_COUNTY = "(SELECT value FROM citygrid_meta WHERE key = 'county_code')"
_SCHEME = "(SELECT value FROM citygrid_meta WHERE key = 'code_scheme')"
_SERIAL_DIGITS = 6  # both schemes (codes.SCHEMES) use 6 serial digits; checked in create()
_ACTIVE_BY_NAME = ("FROM classes WHERE kind = 'component' AND minor_name = NEW.ObjName "
                   "AND retired_at IS NULL")
_CLASS = f"(SELECT code {_ACTIVE_BY_NAME})"
_PREFIX = f"({_COUNTY} || {_CLASS})"
_SCOPE = f"('objid:' || {_PREFIX})"
_MAX_SERIAL = 10 ** _SERIAL_DIGITS - 1
# the highest serial already present for the prefix (as geocode._max_present)
_FLOOR = (f"coalesce((SELECT CAST(substr(ObjID, length({_PREFIX}) + 1) AS INTEGER) FROM components "
          f"WHERE ObjID BETWEEN {_PREFIX} || '{'0' * _SERIAL_DIGITS}' AND {_PREFIX} || '{'9' * _SERIAL_DIGITS}' "
          f"AND ObjID GLOB {_PREFIX} || '{'[0-9]' * _SERIAL_DIGITS}' ORDER BY ObjID DESC LIMIT 1), 0)")
_HAS_GEOM = "(NEW.geom IS NOT NULL AND NOT ST_IsEmpty(NEW.geom))"
_EMPTY = "(NEW.{c} IS NULL OR NEW.{c} = '')"
_NO_OBJID = _EMPTY.format(c="ObjID")
# the grid whose R-tree box holds the point when exactly one does, else NULL (exact answer: the core)
_BOX_GRID = ("(SELECT CASE WHEN count(*) = 1 THEN max(g.code) END FROM rtree_grids_geom r "
             "JOIN grids g ON g.fid = r.id WHERE r.minx <= ST_MinX(NEW.geom) AND r.maxx >= ST_MaxX(NEW.geom) "
             "AND r.miny <= ST_MinY(NEW.geom) AND r.maxy >= ST_MaxY(NEW.geom))")
_MARK = ("INSERT INTO component_repairs (fid, reason) SELECT NEW.fid, 'bgid' "
         "WHERE NOT EXISTS (SELECT 1 FROM component_repairs WHERE fid = NEW.fid);")
# columns whose change is a change of the record (CHDate); BGID/ORDate/CHDate are maintained
RECORD_COLUMNS = ("geom", "ObjID", "ObjName", "DeptCode1", "DeptName1", "DeptCode2", "DeptName2",
                  "DeptCode3", "DeptName3", "ObjState", "DataSource", "Note")

TRIGGERS = [
    # One trigger for every insert (one WHEN to test on an importer's complete rows). Its statements
    # test NEW, the row as inserted, so each fills only what was left empty. ObjState goes first:
    # filled while the ObjID is still empty, it is no "change" for the CHDate trigger.
    f"""CREATE TRIGGER citygrid_components_new AFTER INSERT ON components
    WHEN {_EMPTY.format(c="ObjID")} OR {_EMPTY.format(c="ORDate")} OR {_EMPTY.format(c="ObjState")}
      OR ({_EMPTY.format(c="BGID")} AND {_HAS_GEOM})
    BEGIN
      UPDATE components SET ObjState = '{OBJ_STATES[0]}' WHERE fid = NEW.fid AND {_EMPTY.format(c="ObjState")};
      UPDATE components SET ORDate = {TODAY} WHERE fid = NEW.fid AND {_EMPTY.format(c="ORDate")};
      UPDATE components SET BGID = {_BOX_GRID}
        WHERE fid = NEW.fid AND {_EMPTY.format(c="BGID")} AND {_HAS_GEOM};
      {_MARK[:-1]} AND {_EMPTY.format(c="BGID")} AND {_HAS_GEOM};
      SELECT RAISE(ABORT, '{MSG_UNKNOWN_NAME}')
        WHERE {_NO_OBJID} AND (SELECT count(*) {_ACTIVE_BY_NAME}) = 0;
      SELECT RAISE(ABORT, '{MSG_AMBIGUOUS_NAME}')
        WHERE {_NO_OBJID} AND (SELECT count(*) {_ACTIVE_BY_NAME}) > 1;
      INSERT INTO serials (scope, last) SELECT {_SCOPE}, 0
        WHERE {_NO_OBJID} AND NOT EXISTS (SELECT 1 FROM serials WHERE scope = {_SCOPE});
      UPDATE serials SET last = max(last, {_FLOOR}) + 1 WHERE {_NO_OBJID} AND scope = {_SCOPE};
      SELECT RAISE(ABORT, '{MSG_EXHAUSTED}')
        WHERE {_NO_OBJID} AND (SELECT last FROM serials WHERE scope = {_SCOPE}) > {_MAX_SERIAL};
      UPDATE components SET ObjID = {_PREFIX} || printf('%0{_SERIAL_DIGITS}d',
        (SELECT last FROM serials WHERE scope = {_SCOPE})) WHERE fid = NEW.fid AND {_NO_OBJID};
    END""",
    f"""CREATE TRIGGER citygrid_components_keep_objstate BEFORE UPDATE OF ObjState ON components
    WHEN {_EMPTY.format(c="ObjState")}
    BEGIN SELECT RAISE(ABORT, '{MSG_OBJSTATE_NULL}'); END""",
    f"""CREATE TRIGGER citygrid_components_moved AFTER UPDATE OF geom ON components
    WHEN NEW.geom IS NOT OLD.geom AND NEW.BGID IS OLD.BGID AND {_HAS_GEOM}
    BEGIN UPDATE components SET BGID = {_BOX_GRID} WHERE fid = NEW.fid; {_MARK} END""",
    f"""CREATE TRIGGER citygrid_components_chdate AFTER UPDATE OF {', '.join(RECORD_COLUMNS)} ON components
    WHEN OLD.ObjID IS NOT NULL AND OLD.ObjID != '' AND OLD.ObjState IS NOT NULL AND NEW.CHDate IS OLD.CHDate
      AND ({' OR '.join(f'NEW.{c} IS NOT OLD.{c}' for c in RECORD_COLUMNS)})
    BEGIN UPDATE components SET CHDate = {TODAY} WHERE fid = NEW.fid; END""",
    f"""CREATE TRIGGER citygrid_components_keep_objid BEFORE UPDATE OF ObjID ON components
    WHEN (NEW.ObjID IS NULL OR NEW.ObjID = '') AND OLD.ObjID IS NOT NULL AND OLD.ObjID != ''
    BEGIN SELECT RAISE(ABORT, '{MSG_OBJID_NULL}'); END""",
    f"""CREATE TRIGGER citygrid_grids_keep_code BEFORE UPDATE OF code ON grids
    WHEN NEW.code IS NOT OLD.code AND (
      EXISTS (SELECT 1 FROM components WHERE BGID = OLD.code)
      OR EXISTS (SELECT 1 FROM cases WHERE grid_code = OLD.code)
      OR EXISTS (SELECT 1 FROM collector_grids WHERE grid_code = OLD.code))
    BEGIN SELECT RAISE(ABORT, '{MSG_GRID_RENAME}'); END""",
]


def component_sync_triggers() -> list[str]:
    """schema_v1's change triggers for components, skipping a row that has no ObjID yet."""
    out = []
    for sql in change_triggers("component", "components", "{p}.ObjID"):
        name = sql.split()[2]
        if name.endswith("_insert"):
            sql = sql.replace(" BEGIN ", " WHEN NEW.ObjID IS NOT NULL BEGIN ", 1)
        elif name.endswith("_rekey"):
            sql = sql.replace(" WHEN ", " WHEN OLD.ObjID IS NOT NULL AND ", 1)
        elif name.endswith("_update"):
            sql = sql.replace(" BEGIN ", " WHEN NEW.ObjID IS NOT NULL BEGIN ", 1)
        else:  # delete
            sql = sql.replace(" BEGIN ", " WHEN OLD.ObjID IS NOT NULL BEGIN ", 1)
        out.append(sql)
    return out


def create(conn: sqlite3.Connection, settings: dict) -> None:
    from .. import codes  # a base module; the check keeps the triggers' constant honest

    assert all(s.serial_digits == _SERIAL_DIGITS for s in codes.SCHEMES.values())
    for table in ("classes", "conditions"):
        conn.execute(f"ALTER TABLE {table} ADD COLUMN retired_at DATETIME")
    conn.execute(f"""CREATE TABLE component_repairs (fid INTEGER PRIMARY KEY, reason TEXT NOT NULL,
        at DATETIME NOT NULL DEFAULT {NOW})""")
    _rebuild_components(conn)
    for sql in TRIGGERS:
        conn.execute(sql)


def _rebuild_components(conn: sqlite3.Connection) -> None:
    """`components` with a nullable ObjID (SQLite cannot drop a NOT NULL in place), same rows and fids."""
    (sql,) = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'components'").fetchone()
    if not _OBJID_NOT_NULL.search(sql):
        raise RuntimeError("components: unexpected ObjID definition")  # a centre we did not make
    body = _OBJID_NOT_NULL.sub("ObjID TEXT UNIQUE", sql, count=1)
    body = _OBJSTATE_NOT_NULL.sub("ObjState TEXT DEFAULT", body, count=1)
    body = body[body.index("("):]
    keep = [r[0] for r in conn.execute(
        "SELECT sql FROM sqlite_master WHERE tbl_name = 'components' AND type IN ('index', 'trigger') "
        "AND sql IS NOT NULL AND name NOT LIKE 'sync_components_%' ORDER BY type, name")]
    seq = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'components'").fetchone()
    conn.execute(f"CREATE TABLE components_v5 {body}")
    conn.execute("INSERT INTO components_v5 SELECT * FROM components ORDER BY fid")
    conn.execute("DROP TABLE components")
    # legacy mode: rename only the table, do not re-check views or triggers elsewhere that name
    # `components` (a user's view would otherwise fail the rename while no such table exists)
    (legacy,) = conn.execute("PRAGMA legacy_alter_table").fetchone()
    conn.execute("PRAGMA legacy_alter_table = ON")
    try:
        conn.execute("ALTER TABLE components_v5 RENAME TO components")
    finally:
        conn.execute(f"PRAGMA legacy_alter_table = {int(legacy)}")
    if seq is not None:
        conn.execute("UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = 'components'", (seq[0],))
    for stmt in keep:
        conn.execute(stmt)
    for stmt in component_sync_triggers():
        conn.execute(stmt)
