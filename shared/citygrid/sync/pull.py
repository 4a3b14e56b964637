# SPDX-License-Identifier: GPL-2.0-or-later
"""Pull: per-assignment, fail-closed deltas for one device, paginated by a revision cursor.

A device sees only its open tasks (collectors: their 核实/核查 tasks; units: their disposal tasks),
the cases those tasks are about, the grids involved (and a collector's own grids), the components in
those grids, the dictionaries, and the outcomes of the items its account sent (`outcomes`). Every
query starts from the actor's scope, so a pull costs what the device's work costs, not what the
city's change log holds.

Why a per-device table of sent tasks: a task that is reassigned or cancelled must disappear from the
device that had it, and only from that one. `device_tasks` records what was sent; a tombstone is sent
when such a task leaves the scope, and the row is forgotten once a later cursor acknowledges it. A
page that never reached the device is sent again when it retries with its old cursor.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from .. import crs
from ..loop.accounts import Actor
from ..problems import Problem
from ..store import db, gpkg
from . import outcomes
from .protocol import PullItem, PullPage

CURSOR_PREFIX = "r"
ALL = 2**62  # a revision bound above every revision
DICTIONARY = ("class", "condition", "unit")
DISPOSAL_ACTIONS = ("report_disposal",)
CHECK_ACTIONS = ("check_pass", "check_fail", "field_result")


@dataclass(frozen=True)
class Item:
    rev: int
    type: str
    id: str
    deleted: bool
    data: dict | None

    def wire(self) -> PullItem:
        return PullItem(self.type, self.id, self.deleted, self.data or {})


def parse_cursor(cursor: str | None, top: int) -> int:
    if cursor in (None, ""):
        return 0
    if not isinstance(cursor, str) or not cursor.startswith(CURSOR_PREFIX) or not cursor[1:].isdigit():
        raise Problem("sync.bad_cursor", cursor=str(cursor)[:40])
    rev = int(cursor[1:])
    if rev > top:
        raise Problem("sync.bad_cursor", cursor=cursor)
    return rev


def pull(conn: sqlite3.Connection, actor: Actor, device_id: str, cursor: str | None,
         limit: int = 500) -> dict:
    """-> {"cursor", "has_more", "items"} per CONTRACT.md §4."""
    if actor.role not in ("collector", "unit"):
        raise Problem("auth.forbidden", role=actor.role)
    if not 1 <= limit <= 5000:
        raise Problem("sync.bad_limit", limit=limit)
    with db.transaction(conn):
        top = conn.execute("SELECT coalesce(max(rev), 0) FROM sync_changes").fetchone()[0]
        after = parse_cursor(cursor, top)
        _acknowledge(conn, device_id, after)
        scope = _Scope(conn, actor, device_id, limit)
        changes = _dedupe(sorted(scope.changes(after), key=lambda it: (it.rev, it.type, it.id)))
        more = len(changes) > limit
        if more:  # never cut between two items of one revision
            cut = changes[limit - 1].rev
            changes = [it for it in changes if it.rev <= cut]
        # the cursor is the last change sent, not a bundled row (those may be newer)
        last = changes[-1].rev if more else top
        page = [scope.materialize(it) for it in _dedupe(changes + scope.bundles(changes))]
        _remember(conn, device_id, page)
    return PullPage(f"{CURSOR_PREFIX}{last}", more, tuple(it.wire() for it in page)).to_wire()


def _dedupe(items: list[Item]) -> list[Item]:
    seen, out = set(), []
    for it in items:
        if (it.type, it.id) not in seen:
            seen.add((it.type, it.id))
            out.append(it)
    return out


def _acknowledge(conn: sqlite3.Connection, device_id: str, after: int) -> None:
    """A cursor acknowledges what came before it; no cursor means the device starts empty."""
    if after == 0:
        conn.execute("DELETE FROM device_tasks WHERE device_id = ?", (device_id,))
    else:
        conn.execute("DELETE FROM device_tasks WHERE device_id = ? AND tombstone_rev <= ?", (device_id, after))


def _remember(conn: sqlite3.Connection, device_id: str, page: list[Item]) -> None:
    for it in page:
        if it.type != "task":
            continue
        if it.deleted:
            conn.execute("UPDATE device_tasks SET tombstone_rev = ? WHERE device_id = ? AND task_id = ?",
                         (it.rev, device_id, it.id))
        else:
            conn.execute("INSERT INTO device_tasks (device_id, task_id, case_no, sent_rev) VALUES (?, ?, ?, ?) "
                         "ON CONFLICT(device_id, task_id) DO UPDATE SET sent_rev = excluded.sent_rev, "
                         "tombstone_rev = NULL", (device_id, it.id, it.data["case_no"], it.rev))


class _Scope:
    """What one actor's device may hold, and the rows that changed within it.

    Components: those of a collector's own grids (for new reports on patrol), the component a case
    names, and those within a square of ±`pull_component_radius_m` (default 30 m) around each task's case.
    """

    def __init__(self, conn: sqlite3.Connection, actor: Actor, device_id: str, limit: int):
        # one row more than a page, so a query that was cut short shows it (the page then says has_more)
        self.conn, self.actor, self.device, self.limit = conn, actor, device_id, limit + 1
        self.to_lonlat = crs.centre_transform(conn).inverse
        self.radius = float(db.meta(conn, "pull_component_radius_m", "30") or 30)
        if actor.role == "collector":
            where, args = "t.assignee = ? AND t.kind IN ('verify', 'check')", (actor.username,)
        else:
            where, args = "t.unit_code = ? AND t.kind = 'dispose'", (actor.unit_code,)
        self.task_where = f"t.status = 'open' AND {where}"
        self.task_args = args
        self.case_nos = {r[0] for r in conn.execute(f"SELECT DISTINCT t.case_no FROM tasks t WHERE {self.task_where}",
                                                    args)}
        # changes stream only for what the device already holds; a task sent now brings the rest along
        self.held = {r[0] for r in conn.execute(
            f"SELECT dt.task_id FROM device_tasks dt JOIN tasks t ON t.id = dt.task_id AND {self.task_where} "
            f"WHERE dt.device_id = ? AND dt.tombstone_rev IS NULL", (*args, device_id))}
        held_cases = {r[0] for r in self._in("SELECT case_no FROM tasks WHERE id IN ({})", self.held)}
        self.own_grids = set(actor.grids) if actor.role == "collector" else set()
        self.held_cases = held_cases
        self.grid_codes = self.own_grids | self._case_grids(held_cases)
        self.component_ids = self._own_components() | self._near_components(held_cases)

    def _case_grids(self, case_nos) -> set[str]:
        return {r[0] for r in self._in("SELECT grid_code FROM cases WHERE case_no IN ({})", case_nos) if r[0]}

    def _own_components(self) -> set[str]:
        return {r[0] for r in self._in("SELECT ObjID FROM components WHERE BGID IN ({})", self.own_grids)}

    def _near_components(self, case_nos) -> set[str]:
        """The component each case names and those in a square of ±radius around its point, found
        by one R-tree join per 500 cases (no Python per component)."""
        sql = ("SELECT c.ObjID FROM cases k JOIN rtree_components_geom x "
               "ON x.minx >= ST_MinX(k.geom) - :r AND x.maxx <= ST_MaxX(k.geom) + :r "
               "AND x.miny >= ST_MinY(k.geom) - :r AND x.maxy <= ST_MaxY(k.geom) + :r "
               "JOIN components c ON c.fid = x.id WHERE k.case_no IN ({}) "
               "UNION SELECT ObjID FROM cases WHERE case_no IN ({}) AND ObjID IS NOT NULL")
        out = set()
        values = sorted(case_nos)
        for i in range(0, len(values), 500):
            chunk = values[i:i + 500]
            marks = ",".join("?" * len(chunk))
            out.update(r[0] for r in self.conn.execute(sql.replace("{}", marks).replace(":r", str(float(self.radius))),
                                                       (*chunk, *chunk)))
        return out

    def _in(self, sql: str, values, *extra):
        values = sorted(values)
        for i in range(0, len(values), 500):
            chunk = values[i:i + 500]
            yield from self.conn.execute(sql.format(",".join("?" * len(chunk))), (*chunk, *extra))

    # --- changed rows: each query returns at most `limit` rows, oldest revision first ---------

    def changes(self, after: int) -> list[Item]:
        return (self._tasks(after) + self._task_tombstones(after) + self._rows("case", self.held_cases, after)
                + self._rows("grid", self.grid_codes, after) + self._rows("component", self.component_ids, after)
                + self._dictionary(after) + self._outcomes(after))

    def _tasks(self, after: int) -> list[Item]:
        sql = (f"SELECT sc.rev, t.* FROM tasks t JOIN sync_changes sc ON sc.entity = 'task' AND sc.entity_id = t.id "
               f"WHERE {self.task_where} AND sc.rev > ? ORDER BY sc.rev LIMIT ?")
        return [Item(r["rev"], "task", r["id"], False, r)
                for r in self.conn.execute(sql, (*self.task_args, after, self.limit))]

    def _task_tombstones(self, after: int) -> list[Item]:
        sql = (f"SELECT sc.rev, dt.task_id, dt.case_no FROM device_tasks dt "
               f"JOIN sync_changes sc ON sc.entity = 'task' AND sc.entity_id = dt.task_id "
               f"LEFT JOIN tasks t ON t.id = dt.task_id AND {self.task_where} "
               f"WHERE dt.device_id = ? AND sc.rev > ? AND t.id IS NULL ORDER BY sc.rev LIMIT ?")
        out = []
        for r in self.conn.execute(sql, (*self.task_args, self.device, after, self.limit)):
            out.append(Item(r["rev"], "task", r["task_id"], True, None))
            if r["case_no"] not in self.case_nos:
                out.append(Item(r["rev"], "case", r["case_no"], True, None))
        return out

    def _outcomes(self, after: int) -> list[Item]:
        """What became of the items this account sent (every device of the account gets them)."""
        return [Item(r["rev"], "outcome", r["uuid"], False, r)
                for r in outcomes.changed(self.conn, self.actor.username, after, self.limit)]

    # (table, key column)
    ROWS = {"case": ("cases", "case_no"), "grid": ("grids", "code"), "component": ("components", "ObjID")}

    def _rows(self, entity: str, keys, after: int = 0, *, upto: int | None = None) -> list[Item]:
        """Live rows of `entity` with these keys changed after revision `after` (at most `limit`,
        oldest first), or, with `upto`, every one whose revision is at most `upto`."""
        table, key = self.ROWS[entity]
        base = (f"SELECT sc.rev, t.* FROM {table} t JOIN sync_changes sc ON sc.entity = '{entity}' "
                f"AND sc.entity_id = t.{key} WHERE t.{key} IN ({{}}) ")
        if upto is not None:
            rows = self._in(base + "AND sc.rev <= ?", keys, upto)
        else:
            rows = self._in(base + "AND sc.rev > ? ORDER BY sc.rev LIMIT ?", keys, after, self.limit)
        return [Item(r["rev"], entity, r[key], False, r) for r in rows]

    def _dictionary(self, after: int) -> list[Item]:
        sql = ("SELECT sc.rev, sc.entity, sc.entity_id, sc.deleted FROM sync_changes sc "
               "WHERE sc.entity IN ('class', 'condition', 'unit') AND sc.rev > ? ORDER BY sc.rev LIMIT ?")
        return [Item(r["rev"], r["entity"], r["entity_id"], bool(r["deleted"]), None)
                for r in self.conn.execute(sql, (after, self.limit))]

    # --- what a newly sent task brings with it ---------------------------------------------

    def bundles(self, page: list[Item]) -> list[Item]:
        """A task the device does not hold yet brings its case, grid and nearby components along,
        whatever their revisions (they may predate the cursor)."""
        new_cases = {it.data["case_no"] for it in page
                     if it.type == "task" and not it.deleted and it.id not in self.held}
        if not new_cases:
            return []
        return (self._rows("case", new_cases, upto=ALL) + self._rows("grid", self._case_grids(new_cases), upto=ALL)
                + self._rows("component", self._near_components(new_cases), upto=ALL))

    # --- wire data ---------------------------------------------------------------------------

    def materialize(self, it: Item) -> Item:
        """Turn a chosen item's raw row into its wire data (only the page's items pay for this)."""
        if it.deleted:
            return it
        if it.type in DICTIONARY:
            data = dictionary_data(self.conn, it.type, it.id)
            return Item(it.rev, it.type, it.id, data is None, data)
        build = {"task": task_data, "case": self.case_data, "grid": self.grid_data,
                 "component": self.component_data, "outcome": self.outcome_data}[it.type]
        return Item(it.rev, it.type, it.id, False, build(it.data))

    def _lonlat(self, blob) -> tuple[float | None, float | None]:
        if blob is None:
            return None, None
        _kind, xy, _srs = gpkg.decode(blob)
        lon, lat = self.to_lonlat(xy[0], xy[1])
        return round(lon, 7), round(lat, 7)

    def case_data(self, r) -> dict:
        lon, lat = self._lonlat(r["geom"])
        cond = self.conn.execute("SELECT condition, close_standard FROM conditions WHERE kind = ? AND class_code = ? "
                                 "AND condition_id = ?", (r["kind"], r["class_code"], r["condition_id"])).fetchone()
        rows = self.conn.execute("SELECT p.sha256, e.action FROM case_photos p LEFT JOIN case_events e "
                                 "ON e.fid = p.event_fid WHERE p.case_no = ? ORDER BY p.fid", (r["case_no"],)).fetchall()
        photos = [row[0] for row in rows]
        return {"case_no": r["case_no"], "kind": r["kind"], "class_code": r["class_code"], "status": r["status"],
                "grid_code": r["grid_code"], "ObjID": r["ObjID"], "source": r["source"],
                "description": r["description"], "address": r["address"], "lon": lon, "lat": lat,
                "reported_at": r["reported_at"], "deadline_at": r["deadline_at"], "urgent": bool(r["urgent"]),
                "condition": cond["condition"] if cond else None,
                "close_standard": cond["close_standard"] if cond else None, "photos": photos,
                "photo_stages": {row[0]: photo_stage(row[1]) for row in rows}}

    def outcome_data(self, r) -> dict:
        return outcomes.outcome_data(self.conn, r)

    def grid_data(self, r) -> dict:
        ring = []
        if r["geom"] is not None:
            _kind, rings, _srs = gpkg.decode(r["geom"])
            ring = [[round(v, 7) for v in self.to_lonlat(x, y)] for x, y in rings[0]]
        return {"code": r["code"], "name": r["name"], "street_code": r["street_code"],
                "community_code": r["community_code"], "ring": ring}

    def component_data(self, r) -> dict:
        lon, lat = self._lonlat(r["geom"])
        return {"ObjID": r["ObjID"], "ObjName": r["ObjName"], "ObjState": r["ObjState"], "BGID": r["BGID"],
                "DeptName1": r["DeptName1"], "DeptName2": r["DeptName2"], "DeptName3": r["DeptName3"],
                "lon": lon, "lat": lat}


def photo_stage(action: str | None) -> str:
    """What a case photo shows, from the event that brought it: "disposal" (the unit's 处置 report, also
    after a rework), "check" (a collector's 核查 result), else "report" (the report, intake, 核实)."""
    if action in DISPOSAL_ACTIONS:
        return "disposal"
    return "check" if action in CHECK_ACTIONS else "report"


def task_data(r) -> dict:
    return {"id": r["id"], "kind": r["kind"], "case_no": r["case_no"], "due_at": r["due_at"],
            "status": r["status"], "created_at": r["created_at"]}


def dictionary_data(conn: sqlite3.Connection, entity: str, key: str) -> dict | None:
    if entity == "unit":
        r = conn.execute("SELECT code, name, kind FROM units WHERE code = ?", (key,)).fetchone()
        return dict(r) if r else None
    if entity == "class":
        kind, code = key.split(":", 1)
        r = conn.execute("SELECT kind, code, major_code, major_name, minor_code, minor_name, "
                         "retired_at IS NOT NULL AS retired FROM classes "
                         "WHERE kind = ? AND code = ?", (kind, code)).fetchone()
        return _with_retired(r)
    kind, code, cid = key.split(":", 2)
    r = conn.execute("SELECT kind, class_code, condition_id, condition, limit_value, limit_unit, urgent, "
                     "close_standard, retired_at IS NOT NULL AS retired FROM conditions WHERE kind = ? AND class_code = ? AND condition_id = ?",
                     (kind, code, cid)).fetchone()
    return _with_retired(r)


def _with_retired(r) -> dict | None:
    """A class or condition row for devices; `retired`: kept for history, refused for new cases."""
    if r is None:
        return None
    data = dict(r)
    data["retired"] = bool(data["retired"])
    return data
