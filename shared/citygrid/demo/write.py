# SPDX-License-Identifier: GPL-2.0-or-later
"""Writing the demo centre: the city's tables, the case history by either path, the sync log.

Two ways to write the history, which must give identical rows: `replay` calls the workflow action
by action (small demos, and the reference), `BulkHistory` writes the planner's rows with executemany
in large transactions, with the big tables' triggers and secondary indexes dropped meanwhile.
"""

from __future__ import annotations

import collections
import concurrent.futures
import contextlib
import gc
import hashlib
import io
import itertools
import multiprocessing
import os
import sqlite3
import threading
from array import array
from collections import defaultdict
from datetime import date
from operator import itemgetter

from .. import crs, times
from ..loop import tasks as tasklib
from ..loop import workflow
from ..store import rtree, schema_v1, schema_v6
from . import history as demo_history
from .history import LOCAL, from_ts

PHOTO_COLUMNS = ("sha256", "size", "content_type", "width", "height", "taken_at", "lon", "lat",
                 "accuracy_m", "uploaded_by", "uploaded_at")
EVENT_COLUMNS = ("case_no", "action", "actor", "role", "from_status", "to_status", "at", "due_at",
                 "unit_code", "task_id", "note", "photos", "data")
_EVENT_ROW, _PHOTO_ROW = itemgetter(*EVENT_COLUMNS), itemgetter(*PHOTO_COLUMNS)
_TASK_ROW = itemgetter(*tasklib.COLUMNS)


def insert(conn: sqlite3.Connection, table: str, columns, rows) -> None:
    """executemany of row tuples into the named columns."""
    names = ", ".join(f'"{c}"' for c in columns)
    conn.executemany(f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))})", rows)


@contextlib.contextmanager
def bulk(conn: sqlite3.Connection, tables, *, keep_indexes=()):
    """Drop the tables' triggers and secondary indexes (but those `keep_indexes` names, by index name
    or by table) for a bulk load, and put them back after.

    The caller fills the R-trees itself (the sync log is rebuilt at the end by `rebuild_sync_log`).
    """
    marks = ", ".join("?" * len(tables))
    saved = [row for row in conn.execute(
        f"SELECT type, name, sql, tbl_name FROM sqlite_master WHERE type IN ('trigger', 'index') "
        f"AND sql IS NOT NULL AND tbl_name IN ({marks}) ORDER BY type, name", tuple(tables))
        if row[0] == "trigger" or (row[1] not in keep_indexes and row[3] not in keep_indexes)]
    for kind, name, _sql, _table in saved:
        conn.execute(f'DROP {kind.upper()} "{name}"')
    try:
        yield
    finally:
        for _kind, _name, sql, _table in saved:
            conn.execute(sql)


def rebuild_sync_log(conn: sqlite3.Connection) -> None:
    """One revision per synced entity, table by table in key order (read from the keys' unique indexes,
    and the log's own unique index grows at its end): a new centre has no history to replay."""
    conn.execute("DELETE FROM sync_changes")
    conn.execute("DELETE FROM sqlite_sequence WHERE name = 'sync_changes'")
    for entity, (table, key) in schema_v1.SYNCED.items():
        conn.execute(f"INSERT INTO sync_changes (entity, entity_id, deleted) "
                     f"SELECT '{entity}', {key.format(p=table)} AS k, 0 FROM {table} ORDER BY k")
    schema_v6.log_all(conn)


def write_components(conn: sqlite3.Connection, columns, rows, points) -> None:
    """Components (fid first) and their R-tree, packed from their (x, y), triggers off."""
    with bulk(conn, ["components"]):
        insert(conn, "components", columns, rows)
        rtree.load_points(conn, "rtree_components_geom", [r[0] for r in rows],
                          [x for x, _y in points], [y for _x, y in points])


# -- photos ----------------------------------------------------------------------------------------

class Photos:
    """Small, distinct JPEGs per case step (Pillow), stored in the centre's blob store."""

    def __init__(self, store, seed: int, srs_id: int):
        self.store, self.seed, self.srs_id = store, seed, srs_id

    @staticmethod
    def available() -> bool:
        try:
            import PIL.Image  # noqa: F401
        except ImportError:
            return False
        return True

    def make(self, case_no: str, step: int, k: int, ts: int, who: str, xy) -> dict:
        """The `photos` row of the k-th picture taken at one step of a case (the file stored)."""
        data = self.jpeg(f"{self.seed}/{case_no}/{step}/{k}", f"{case_no} #{step}.{k}")
        sha = self._put(data)
        lon, lat = crs.to_lonlat(xy[0], xy[1], self.srs_id)
        noise = hashlib.sha256(sha.encode()).digest()  # repeatable "randomness" for this picture
        return {"sha256": sha, "size": len(data), "content_type": "image/jpeg", "width": 160, "height": 120,
                "taken_at": times.to_db(from_ts(ts - 60 - noise[0])), "lon": round(lon, 7), "lat": round(lat, 7),
                "accuracy_m": 3.0 + noise[1] % 12, "uploaded_by": who, "uploaded_at": times.to_db(from_ts(ts))}

    def _put(self, data: bytes) -> str:
        """Into the store's layout like `BlobStore.put_bytes`, but without an fsync per photo (thousands)."""
        sha = hashlib.sha256(data).hexdigest()
        target = self.store.path(sha)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f".incoming-{sha}")
            tmp.write_bytes(data)
            os.replace(tmp, target)
        return sha

    @staticmethod
    def jpeg(key: str, label: str) -> bytes:
        """A 160×120 picture of coloured shapes and a caption, the same bytes for the same key."""
        from PIL import Image, ImageDraw

        h = hashlib.sha512(key.encode()).digest()
        img = Image.new("RGB", (160, 120), (h[0] // 2 + 60, h[1] // 2 + 60, h[2] // 2 + 60))
        draw = ImageDraw.Draw(img)
        for i in range(5):
            x, y, w, r, g, b = h[3 + 6 * i:9 + 6 * i]
            box = (x % 140, y % 100, x % 140 + 12 + w % 50, y % 100 + 10 + w % 40)
            (draw.ellipse if i % 2 else draw.rectangle)(box, fill=(r, g, b))
        draw.text((4, 106), label, fill=(255, 255, 255))
        out = io.BytesIO()
        img.save(out, "JPEG", quality=70)
        return out.getvalue()


# -- the two history paths ---------------------------------------------------------------------------

def replay(conn: sqlite3.Connection, plans, world) -> None:
    """The step-by-step path: every action through `workflow`, in the order it happened."""
    steps = [(key, plan, action, actor, kwargs, event[3]) for plan in plans
             for (key, action, actor, kwargs), event in zip(plan.actions, plan.events, strict=True)]
    steps.sort(key=lambda s: s[0])
    ids, clock = {}, [0]  # the task ids of each case, made at the time of the action (clock[0])
    for key, plan, action, actor, kwargs, photo_rows in steps:
        insert(conn, "photos", PHOTO_COLUMNS, [tuple(r[c] for c in PHOTO_COLUMNS) for r in photo_rows])
        clock[0] = key[0]
        if action == "report":
            ids[plan.case_no] = world.ids.for_case(plan.case_no, clock)
            workflow.report(conn, actor, at=from_ts(key[0]), **kwargs)
        else:
            workflow.act(conn, plan.case_no, action, actor, at=from_ts(key[0]), new_id=ids[plan.case_no],
                         **kwargs)


def day_rows(world, day) -> tuple:
    """One report day planned and reduced to plain tuples (cheap to pass between processes).

    -> (case columns, [(case row, x, y)], {local day: [(key, event row)]}, {local day: [(key, task row)]},
    [(key, case number, photo digests, photos rows)]): events bucketed by the day they happened, tasks by
    the day of the event that made them, tasks and photos keyed by that event; a key is one int that
    sorts like (time, case number, step).
    """
    plans = demo_history.plan_day(world, day)
    columns = tuple(plans[0].case) if plans else ()
    case_row = itemgetter(*columns) if columns else None
    cases = [(case_row(p.case), p.report["x"], p.report["y"]) for p in plans]
    events, tasks, photos = defaultdict(list), defaultdict(list), []
    for plan in plans:
        serial = int(plan.case_no) * _STEPS
        keys = {}
        for (ts, _no, step), event, shas, photo_rows in plan.events:
            key = keys[step] = ts * _TIME + serial + step
            events[(ts + LOCAL) // 86400].append((key, _EVENT_ROW(event)))
            if shas or photo_rows:
                photos.append((key, plan.case_no, shas, [_PHOTO_ROW(r) for r in photo_rows]))
        for (ts, _no, step), row in plan.tasks:
            tasks[(ts + LOCAL) // 86400].append((keys[step], _TASK_ROW(row)))
    return columns, cases, dict(events), dict(tasks), photos


_STEPS = 1000  # steps of one case, at most
_TIME = 10 ** 13 * _STEPS  # case numbers have 13 digits: the time comes first in a key


_WORLD = None  # the planner's world in a worker process (inherited by fork, or sent to it)


def _planned(day) -> tuple:
    return day_rows(_WORLD, day)


def _planner_process(world=None) -> None:
    """A planner yields the CPU to the writer, which is on the critical path (on 2 cores the city×0.1
    build took 17.1 s instead of 19.3 s), and runs without the cyclic garbage collector: planning
    makes no reference cycles (a test checks), and at the city scale the collections walked the
    inherited world's ~1 M objects over and over (planning 15.5 µs per event instead of 17.7).
    `world` comes when the process was not forked from the writer (see `_planner_context`)."""
    global _WORLD
    if world is not None:
        _WORLD = world
    os.nice(10)
    gc.freeze()
    gc.disable()


def _planner_context(world) -> tuple:
    """How planner processes start, and the world to send them (None: they inherit it).

    Forking is cheap (the city's world is ~1 M objects, shared copy-on-write), but it is only safe in a
    process with one thread: a fork copies the locks other threads hold at that moment, and a planner
    that needs one waits for ever (a test run whose earlier tests left threads behind hung here). Any
    other thread, and the planners start fresh from `forkserver` (or `spawn`) and get the world pickled."""
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork"), None
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn"), world


def planned_days(world, days, workers: int, ahead: int = 64, meanwhile=None):
    """`day_rows` for each day, in order; planned in `workers` processes when more than one, at most
    `ahead` days per worker in front of the writer (planned days wait in memory). A planner that dies
    ends the build with BrokenProcessPool (a `multiprocessing.Pool` would wait for its day for ever).
    `meanwhile()` runs before the first day is handed out, once the planners are at work."""
    global _WORLD
    if workers < 2:
        if meanwhile:
            meanwhile()
        yield from (day_rows(world, day) for day in days)
        return
    context, sent = _planner_context(world)
    _WORLD = world
    try:
        pool = concurrent.futures.ProcessPoolExecutor(workers, mp_context=context, initializer=_planner_process,
                                                      initargs=(sent,))
        try:
            todo, waiting = iter(days), collections.deque()
            for day in itertools.islice(todo, ahead * workers):
                waiting.append(pool.submit(_planned, day))
            if meanwhile:
                meanwhile()
            while waiting:
                rows = waiting.popleft().result()
                for day in itertools.islice(todo, 1):
                    waiting.append(pool.submit(_planned, day))
                yield rows
        finally:  # a build that stops early does not wait for the days planned ahead
            pool.shutdown(wait=True, cancel_futures=True)
    finally:
        _WORLD = None


class BulkHistory:
    """The bulk path: cases as each day is planned; events, tasks and photos once their day is past;
    the cases' R-tree at the end (`finish`, `write_rtree`)."""

    TABLES = ("cases", "case_events", "tasks", "photos", "case_photos")
    # indexes kept up while loading: events and tasks arrive in time order, so (action, at) and
    # (action, due_at) grow at a few hot places, and tasks' are small. The events' (case_no, fid)
    # scatters over every open case: it is built after the load, when the planners are done and the
    # sorter has the second core (city scale: the history 13 s shorter, the end 7 s longer, 0.35 GB
    # more peak memory; all of them built after: 37 s at the end and 7.6 s longer in all)
    LIVE_INDEXES = ("idx_case_events_action_at", "idx_case_events_action_due", "tasks")

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        self.events, self.tasks, self.photos = defaultdict(list), defaultdict(list), []
        self.fids = dict.fromkeys(self.TABLES, 0)
        self.points = array("q"), array("d"), array("d")  # the cases' fid, x, y for their R-tree

    def add_day(self, rows: tuple, day: date) -> None:
        """Write one report day's cases; queue their events by the day they happened; flush the past."""
        columns, cases, events, tasks, photos = rows
        if cases:
            first = self.fids["cases"] + 1  # the table starts empty: SQLite numbers the rows from 1 in order
            insert(self.conn, "cases", columns, [c[0] for c in cases])
            self.points[0].extend(range(first, first + len(cases)))
            self.points[1].extend(c[1] for c in cases)
            self.points[2].extend(c[2] for c in cases)
            self.fids["cases"] += len(cases)
            self.conn.execute("INSERT INTO serials (scope, last) VALUES (?, ?)",  # as next_case_no keeps it
                              (f"case:{day:%Y%m%d}", len(cases)))
        for when, happened in events.items():
            self.events[when].append(happened)
        for when, made in tasks.items():
            self.tasks[when].append(made)
        self.photos += photos
        self.flush((day - date(1970, 1, 1)).days)

    def finish(self) -> None:
        """Write what is still queued, and start packing the cases' R-tree (see `rtree`) in a thread:
        it runs while SQLite builds the dropped indexes (which releases the GIL); `write_rtree` writes it."""
        self.flush()
        if any(self.tasks.values()) or self.photos:  # each belongs to an event, and all are written
            raise RuntimeError("demo bulk history: tasks or photos left without their event")
        self._pool = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="rtree-pack")
        self._packing = self._pool.submit(rtree.pack_points, *self.points, name="rtree_cases_geom")

    def write_rtree(self) -> None:
        """The cases' R-tree, as `finish` packed it."""
        try:
            packed = self._packing.result()
        finally:
            self._pool.shutdown()
        rtree.load_points(self.conn, "rtree_cases_geom", *self.points, packed=packed)
        self.points = array("q"), array("d"), array("d")

    def flush(self, upto: int | None = None) -> None:
        """Write every queued event that happened on or before local day `upto` (all when None), with the
        tasks and photos they made.

        Rows go in without their fid: the tables start empty, so SQLite numbers them in this order.
        `recorded_at` is the moment of writing, one value per flush (the workflow path stamps each row).
        """
        days = sorted(d for d in self.events if upto is None or d <= upto)
        if not days:
            return
        events = sorted(itertools.chain.from_iterable(lst for d in days for lst in self.events.pop(d)))
        last = events[-1][0]
        # a task is bucketed by the day of the event that made it: those days are these days
        made = sorted(itertools.chain.from_iterable(lst for d in days for lst in self.tasks.pop(d, ())),
                      key=_KEY)  # stable: a case's tasks made by one event keep their order
        recorded = times.to_db(times.now())
        self.conn.executemany(f"INSERT INTO case_events ({', '.join(EVENT_COLUMNS)}, recorded_at) "
                              f"VALUES ({', '.join('?' * len(EVENT_COLUMNS))}, '{recorded}')",
                              map(_ROW, events))
        insert(self.conn, "tasks", tasklib.COLUMNS, map(_ROW, made))
        if self.photos:
            self._photos(events, last)
        self.fids["case_events"] += len(events)

    def _photos(self, events: list, last: int) -> None:
        """The photos rows and case_photos links of the events just written (fid = position + offset)."""
        shot = sorted(p for p in self.photos if p[0] <= last)
        self.photos = [p for p in self.photos if p[0] > last]
        wanted = {p[0] for p in shot}
        fid_of = {key: self.fids["case_events"] + i for i, (key, _row) in enumerate(events, 1) if key in wanted}
        insert(self.conn, "photos", PHOTO_COLUMNS, [r for p in shot for r in p[3]])
        insert(self.conn, "case_photos", ("case_no", "sha256", "event_fid"),
               [(no, sha, fid_of[key]) for key, no, shas, _rows in shot for sha in shas])


_KEY, _ROW = itemgetter(0), itemgetter(1)
