# SPDX-License-Identifier: GPL-2.0-or-later
"""Schema version 1: the centre GeoPackage's layers and tables (see docs/schema.md)."""

from __future__ import annotations

import sqlite3

from .. import crs
from . import gpkg

STATUSES = ("reported", "verifying", "pending_register", "rejected", "registered", "dispatched",
            "returned", "disposed", "checking", "check_passed", "closed", "voided", "parked")
ROLES = ("admin", "operator", "leader", "dispatcher", "supervisor", "gis", "collector", "unit")
SOURCES = ("collector", "public", "hotline", "video", "leader", "media", "app")
OBJ_STATES = ("完好", "破损", "丢失", "废弃", "移除")


def _in(values) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


PK = "fid INTEGER PRIMARY KEY AUTOINCREMENT"
NOW = "(strftime('%Y-%m-%dT%H:%M:%fZ','now'))"

INTERNAL = """
CREATE TABLE citygrid_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE citygrid_migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at DATETIME NOT NULL);
CREATE TABLE serials (scope TEXT PRIMARY KEY, last INTEGER NOT NULL);
CREATE TABLE sync_changes (
  rev INTEGER PRIMARY KEY AUTOINCREMENT, entity TEXT NOT NULL, entity_id TEXT NOT NULL,
  deleted INTEGER NOT NULL DEFAULT 0, UNIQUE (entity, entity_id));
"""

ATTRIBUTES = {
    "regions": f"""({PK}, code TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
        level TEXT NOT NULL CHECK (level IN ('district', 'street', 'community')), parent_code TEXT)""",
    "classes": f"""({PK}, kind TEXT NOT NULL CHECK (kind IN ('component', 'event')),
        code TEXT NOT NULL, major_code TEXT NOT NULL, major_name TEXT NOT NULL,
        minor_code TEXT NOT NULL, minor_name TEXT NOT NULL, owner_unit_code TEXT,
        UNIQUE (kind, code))""",
    "conditions": f"""({PK}, kind TEXT NOT NULL CHECK (kind IN ('component', 'event')),
        class_code TEXT NOT NULL, condition_id INTEGER NOT NULL, condition TEXT NOT NULL,
        limit_value REAL NOT NULL CHECK (limit_value > 0),
        limit_unit TEXT NOT NULL CHECK (limit_unit IN
          ('working_hours', 'working_days', 'calendar_hours', 'calendar_days')),
        urgent INTEGER NOT NULL DEFAULT 0, close_standard TEXT, source TEXT,
        UNIQUE (kind, class_code, condition_id))""",
    "units": f"""({PK}, code TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('department', 'territorial', 'maintainer', 'owner')),
        region_code TEXT, phone TEXT, active INTEGER NOT NULL DEFAULT 1)""",
    "users": f"""({PK}, username TEXT NOT NULL UNIQUE, display_name TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN {_in(ROLES)}), unit_code TEXT,
        password_hash TEXT NOT NULL, active INTEGER NOT NULL DEFAULT 1,
        created_at DATETIME NOT NULL DEFAULT {NOW})""",
    "collector_grids": f"""({PK}, username TEXT NOT NULL, grid_code TEXT NOT NULL,
        UNIQUE (username, grid_code))""",
    "case_events": f"""({PK}, case_no TEXT NOT NULL, action TEXT NOT NULL, actor TEXT NOT NULL,
        role TEXT NOT NULL, from_status TEXT, to_status TEXT NOT NULL, at DATETIME NOT NULL,
        due_at DATETIME, unit_code TEXT, task_id TEXT, note TEXT,
        photos TEXT NOT NULL DEFAULT '[]', data TEXT NOT NULL DEFAULT '{{}}',
        recorded_at DATETIME NOT NULL DEFAULT {NOW})""",
    "tasks": f"""({PK}, id TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL CHECK (kind IN ('verify', 'check', 'dispose')),
        case_no TEXT NOT NULL, assignee TEXT, unit_code TEXT,
        status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'cancelled')),
        created_at DATETIME NOT NULL, due_at DATETIME, done_at DATETIME, outcome TEXT,
        created_by TEXT)""",
    "photos": f"""({PK}, sha256 TEXT NOT NULL UNIQUE CHECK (length(sha256) = 64),
        size INTEGER NOT NULL, content_type TEXT NOT NULL, width INTEGER, height INTEGER,
        taken_at DATETIME, lon REAL, lat REAL, accuracy_m REAL, uploaded_by TEXT,
        uploaded_at DATETIME NOT NULL DEFAULT {NOW})""",
    "case_photos": f"""({PK}, case_no TEXT NOT NULL, sha256 TEXT NOT NULL, event_fid INTEGER,
        UNIQUE (case_no, sha256))""",
    "calendar_periods": f"""({PK}, start TEXT NOT NULL CHECK (start GLOB '[0-2][0-9]:[0-5][0-9]'),
        "end" TEXT NOT NULL CHECK ("end" GLOB '[0-2][0-9]:[0-5][0-9]'), CHECK (start < "end"))""",
    "calendar_days": f"""({PK}, day DATE NOT NULL UNIQUE, working INTEGER NOT NULL, note TEXT)""",
}

FEATURES = {
    "grids": ("POLYGON", f"""({PK}, geom POLYGON, code TEXT NOT NULL UNIQUE, name TEXT,
        street_code TEXT NOT NULL, community_code TEXT NOT NULL, area_m2 REAL)"""),
    "components": ("POINT", f"""({PK}, geom POINT, ObjID TEXT NOT NULL UNIQUE, ObjName TEXT NOT NULL,
        DeptCode1 TEXT, DeptName1 TEXT, DeptCode2 TEXT, DeptName2 TEXT, DeptCode3 TEXT, DeptName3 TEXT,
        BGID TEXT, ObjState TEXT NOT NULL DEFAULT '完好' CHECK (ObjState IN {_in(OBJ_STATES)}),
        ORDate DATE, CHDate DATE, DataSource TEXT, Note TEXT)"""),
    "cases": ("POINT", f"""({PK}, geom POINT, case_no TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL CHECK (kind IN ('component', 'event')), class_code TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN {_in(STATUSES)}), grid_code TEXT, ObjID TEXT,
        source TEXT NOT NULL CHECK (source IN {_in(SOURCES)}), description TEXT, address TEXT,
        reporter TEXT, condition_id INTEGER, urgent INTEGER NOT NULL DEFAULT 0, unit_code TEXT,
        street_code TEXT, community_code TEXT, reported_at DATETIME NOT NULL,
        registered_at DATETIME, dispatched_at DATETIME, deadline_at DATETIME, step_due_at DATETIME,
        disposed_at DATETIME, closed_at DATETIME, parked_from TEXT,
        rework_count INTEGER NOT NULL DEFAULT 0, flags TEXT,
        updated_at DATETIME NOT NULL DEFAULT {NOW})"""),
    "basemap_roads": ("LINESTRING", f"({PK}, geom LINESTRING, name TEXT, road_class TEXT, width_m REAL)"),
    "basemap_blocks": ("POLYGON", f"({PK}, geom POLYGON, name TEXT, landuse TEXT)"),
    "basemap_water": ("POLYGON", f"({PK}, geom POLYGON, name TEXT)"),
}

INDEXES = """
CREATE INDEX idx_regions_parent ON regions (parent_code);
CREATE INDEX idx_collector_grids_grid ON collector_grids (grid_code);
CREATE INDEX idx_case_events_case ON case_events (case_no, fid);
CREATE INDEX idx_case_events_action_at ON case_events (action, at);
CREATE INDEX idx_case_events_at ON case_events (at);
CREATE INDEX idx_case_events_action_due ON case_events (action, due_at);
CREATE INDEX idx_tasks_assignee ON tasks (assignee, status);
CREATE INDEX idx_tasks_unit ON tasks (unit_code, status);
CREATE INDEX idx_tasks_case ON tasks (case_no);
CREATE INDEX idx_case_photos_sha ON case_photos (sha256);
CREATE INDEX idx_grids_community ON grids (community_code);
CREATE INDEX idx_components_bgid ON components (BGID);
CREATE INDEX idx_cases_status ON cases (status, deadline_at);
CREATE INDEX idx_cases_step_due ON cases (status, step_due_at);
CREATE INDEX idx_cases_grid ON cases (grid_code);
CREATE INDEX idx_cases_unit ON cases (unit_code, status);
CREATE INDEX idx_cases_reported ON cases (reported_at);
CREATE INDEX idx_users_role ON users (role);
"""

APPEND_ONLY = """
CREATE TRIGGER case_events_no_update BEFORE UPDATE ON case_events
BEGIN SELECT RAISE(ABORT, 'case_events is append-only'); END;
CREATE TRIGGER case_events_no_delete BEFORE DELETE ON case_events
BEGIN SELECT RAISE(ABORT, 'case_events is append-only'); END;
"""

# entity name on the wire -> (table, business key expression over {p} = NEW or OLD)
SYNCED = {
    "grid": ("grids", "{p}.code"),
    "component": ("components", "{p}.ObjID"),
    "case": ("cases", "{p}.case_no"),
    "task": ("tasks", "{p}.id"),
    "unit": ("units", "{p}.code"),
    "class": ("classes", "{p}.kind || ':' || {p}.code"),
    "condition": ("conditions", "{p}.kind || ':' || {p}.class_code || ':' || {p}.condition_id"),
}


def change_triggers(entity: str, table: str, key: str) -> list[str]:
    """Triggers that record every insert, update and delete of `table` in sync_changes.

    One row per entity: a newer change deletes the older row and inserts a new one, so its revision
    moves forward. Why DELETE + INSERT and not INSERT OR REPLACE: an outer statement's conflict
    clause (an UPSERT, INSERT OR IGNORE) overrides a trigger's, which would fail or skip the record.
    """
    new, old = key.format(p="NEW"), key.format(p="OLD")

    def put(k: str, deleted: int) -> str:
        return (f"DELETE FROM sync_changes WHERE entity = '{entity}' AND entity_id = {k}; "
                f"INSERT INTO sync_changes (entity, entity_id, deleted) VALUES ('{entity}', {k}, {deleted});")

    return [
        f"CREATE TRIGGER sync_{table}_insert AFTER INSERT ON {table} BEGIN {put(new, 0)} END",
        f"CREATE TRIGGER sync_{table}_rekey AFTER UPDATE ON {table} WHEN {old} IS NOT {new} "
        f"BEGIN {put(old, 1)} END",
        f"CREATE TRIGGER sync_{table}_update AFTER UPDATE ON {table} BEGIN {put(new, 0)} END",
        f"CREATE TRIGGER sync_{table}_delete AFTER DELETE ON {table} BEGIN {put(old, 1)} END",
    ]


def create(conn: sqlite3.Connection, settings: dict) -> None:
    srs_id = int(settings.get("srs_id", 4549))
    if not conn.execute("SELECT 1 FROM gpkg_spatial_ref_sys WHERE srs_id = ?", (srs_id,)).fetchone():
        gpkg.add_srs(conn, srs_id, *crs.definition(srs_id))  # else written by create_centre (any CRS)
    gpkg.add_srs(conn, 4326, *crs.definition(4326))
    gpkg.add_srs(conn, 4490, *crs.definition(4490))
    for stmt in INTERNAL.split(";"):
        if stmt.strip():
            conn.execute(stmt)
    for table, body in ATTRIBUTES.items():
        conn.execute(f"CREATE TABLE {table} {body}")
        gpkg.register_attributes(conn, table)
    for table, (gtype, body) in FEATURES.items():
        conn.execute(f"CREATE TABLE {table} {body}")
        gpkg.register_features(conn, table, "geom", gtype, srs_id)
    for stmt in (INDEXES + APPEND_ONLY).split(";\n"):
        if stmt.strip():
            conn.execute(stmt)
    for entity, (table, key) in SYNCED.items():
        for trig in change_triggers(entity, table, key):
            conn.execute(trig)
    defaults = {"timezone": "Asia/Shanghai", "county_code": "320508", "center_name": "",
                "code_scheme": "gb16", "work_weekdays": "1,2,3,4,5", "working_day_hours": "",
                "auto_close_on_check_pass": "0", "duplicate_radius_m": "30"}
    for key, value in {**defaults, **settings}.items():
        conn.execute("INSERT OR REPLACE INTO citygrid_meta (key, value) VALUES (?, ?)", (key, str(value)))
    conn.executemany('INSERT INTO calendar_periods (start, "end") VALUES (?, ?)',
                     [("08:00", "12:00"), ("14:00", "18:00")])
