# SPDX-License-Identifier: GPL-2.0-or-later
"""The demo centre: `build(path, scale, seed)` writes a plausible synthetic city around Suzhou Gusu
district — unit grids, basemap, components, units, accounts, calendar and the case history.

The same seed always writes the same database (only wall-clock columns such as
`case_events.recorded_at` differ); the history ends at `demo_history.NOW` whatever today is.
"""

from __future__ import annotations

import contextlib
import gc
import itertools
import math
import os
import random
import sqlite3
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

from ..i18n import _
from ..loop import accounts, deadlines, dictionaries
from ..problems import Problem
from ..store import blobs, db, gpkg
from ..sync import open311
from . import city as demo_city
from . import history as demo_history
from . import inventory as demo_inventory
from . import org as demo_org
from . import shift as demo_shift
from . import write as demo_write
from .city import Layout

CENTRE_NAME = "姑苏区数字城管监督指挥中心（演示）"
OPEN311_KEY, OPEN311_NAME = "citygrid-demo-key", "citygrid-demo"
FEATURES = ("grids", "components", "cases", "basemap_roads", "basemap_blocks", "basemap_water")
COUNTED = ("regions", "grids", "basemap_roads", "basemap_blocks", "basemap_water", "units", "users",
           "collector_grids", "classes", "conditions", "calendar_days", "components", "cases", "case_events",
           "tasks", "photos", "case_photos", "serials", "sync_changes")


@dataclass(frozen=True)
class Scale:
    """How much city and history to make."""

    name: str
    layout: Layout
    days: int  # of history, ending at demo_history.NOW
    rate: float  # reports per day
    collectors: int
    components: int  # 0: demo_inventory.PER_GRID per grid
    photo_days: int  # cases reported in the last N days get photos
    bulk: bool  # write the history with the bulk path


SCALES = {
    "small": Scale("small", Layout((5, 4), (2, 1), (1, 3), (0, 1)), days=60, rate=6.0, collectors=6,
                   components=0, photo_days=30, bulk=False),
    "city": Scale("city", Layout((37, 37), (4, 4), (4, 2), (1, 1)), days=1826, rate=548.0, collectors=45,
                  components=417_000, photo_days=2, bulk=True),
}


def scale(name: str, fraction: float = 1.0) -> Scale:
    """A named scale, or a fraction of it (area, components, collectors and report rate; same years)."""
    if name not in SCALES:
        raise Problem("demo.unknown_scale", scale=str(name), known=", ".join(SCALES))
    if isinstance(fraction, bool) or not isinstance(fraction, int | float) or not 0 < fraction <= 1:
        raise Problem("demo.bad_fraction", fraction=str(fraction))
    base = SCALES[name]
    if fraction == 1:
        return base
    lay = base.layout
    side = max(3, round(lay.blocks[0] * math.sqrt(fraction)))
    n = max(1, round(lay.streets[0] * lay.streets[1] * fraction))
    sx = min(side, math.ceil(math.sqrt(n)))
    sy = max(1, min(side, n // sx))
    comms = (max(1, min(lay.communities[0], side // sx)), max(1, min(lay.communities[1], side // sy)))
    layout = Layout((side, side), (sx, sy), comms, lay.canals)
    n_comms = sx * sy * comms[0] * comms[1]
    return replace(base, name=f"{name}×{fraction:g}", layout=layout, rate=base.rate * fraction,
                   collectors=max(math.ceil(n_comms / 3), round(base.collectors * fraction)),
                   components=round(base.components * fraction))


def build(path: str | os.PathLike, *, scale: Scale = SCALES["small"], seed: int = 1, force: bool = False,
          bulk: bool | None = None, workers: int | None = None, progress=None) -> dict:
    """Write a demo centre at `path` (refusing an existing file unless `force`); returns counts per table."""
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise Problem("demo.bad_seed", seed=str(seed))
    say = progress or (lambda _text: None)
    conn = db.create_centre(path, srs_id=4549, county_code=demo_city.DISTRICT[0], name=CENTRE_NAME,
                            force=force)
    try:
        _generation_pragmas(conn, fast=True)
        _build(conn, Path(path), scale, seed, scale.bulk if bulk is None else bulk, workers, say)
        _generation_pragmas(conn, fast=False)
        counts = table_counts(conn)
    except BaseException:
        conn.close()
        for suffix in ("", "-wal", "-shm", "-journal"):
            with contextlib.suppress(FileNotFoundError):
                os.remove(str(path) + suffix)
        raise
    conn.close()
    return counts


def _generation_pragmas(conn: sqlite3.Connection, *, fast: bool) -> None:
    """No fsync and a memory journal while generating (a failure deletes the file anyway)."""
    if fast:
        conn.execute("PRAGMA journal_mode = MEMORY")
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("PRAGMA cache_size = -262144")
        conn.execute("PRAGMA temp_store = MEMORY")
        conn.execute("PRAGMA threads = 2")  # the sorter of CREATE INDEX may use a helper thread
    else:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")


def _build(conn: sqlite3.Connection, path: Path, scale: Scale, seed: int, bulk: bool, workers, say) -> None:
    rng = random.Random(f"citygrid-demo/{seed}/organisation")
    last = demo_history.TODAY
    first = min(last - timedelta(days=scale.days - 1), demo_history.FIRST_DAY)
    say(_("reference tables and calendar"))
    dictionaries.install(conn)
    deadlines.set_days(conn, demo_org.holidays(first, last))
    say(_("streets, grids and basemap"))
    city = demo_city.build(scale.layout, seed)
    units = demo_org.units(city.regions, rng)
    with db.transaction(conn):
        _write_city(conn, city)
        _write_units(conn, units)
        collectors = _write_users(conn, city, units, scale.collectors, seed, rng)
    say(_("components"))
    inv = _inventory(conn, city, units, scale, seed, last)
    world = _world(conn, city, inv.by_class, collectors, scale, seed, path)
    world.keep_actions = not bulk
    days = [first + timedelta(days=k) for k in range((last - first).days + 1)]

    def components() -> None:
        say(_("writing {count} components").format(count=len(inv.rows)))
        with db.transaction(conn):
            demo_write.write_components(conn, demo_inventory.COLUMNS, inv.rows, inv.points)
            demo_write.insert(conn, "serials", ("scope", "last"), inv.serials)
        say((_("case history {first} .. {last} (bulk)") if bulk else _("case history {first} .. {last} (step by step)"))
            .format(first=first, last=last))

    if bulk:  # the planner processes start on the history while this one writes the components
        _bulk_history(conn, world, days, say, workers or os.cpu_count() or 1, meanwhile=components)
    else:
        components()
        _step_history(conn, world, days, say)
    say(_("the last shift from the devices"))
    demo_shift.build(conn, world, blobs.store_for(path))
    say(_("sync log"))
    with db.transaction(conn):
        demo_write.rebuild_sync_log(conn)
        # the demo's collectors sent their photos' bytes: they may cite them and see them
        conn.execute("INSERT OR IGNORE INTO photo_senders (sha256, username, at) "
                     "SELECT sha256, uploaded_by, uploaded_at FROM photos WHERE uploaded_by IS NOT NULL")
        for table in FEATURES:
            gpkg.update_extent(conn, table)
        for key, value in (("demo_seed", seed), ("demo_scale", scale.name), ("demo_now", demo_history.NOW)):
            db.set_meta(conn, key, str(value))


def _write_city(conn: sqlite3.Connection, city: demo_city.City) -> None:
    srs = city.srs_id
    demo_write.insert(conn, "regions", ("code", "name", "level", "parent_code"), city.regions)
    demo_write.insert(conn, "grids", ("geom", "code", "name", "street_code", "community_code", "area_m2"), [
        (gpkg.polygon([ring], srs), c.code, c.name, c.street, c.community, round(_area(ring), 1))
        for c in city.cells for ring in [city.ring(c.u0, c.u1, c.v0, c.v1)]])
    demo_write.insert(conn, "basemap_roads", ("geom", "name", "road_class", "width_m"),
                      [(gpkg.linestring(coords, srs), name, kind, width)
                       for coords, name, kind, width in city.roads])
    demo_write.insert(conn, "basemap_blocks", ("geom", "name", "landuse"),
                      [(gpkg.polygon([ring], srs), name, use) for ring, name, use in city.blocks])
    demo_write.insert(conn, "basemap_water", ("geom", "name"),
                      [(gpkg.polygon([ring], srs), name) for ring, name in city.water])


def _area(ring) -> float:
    return abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False))) / 2


def _write_units(conn: sqlite3.Connection, units: list) -> None:
    demo_write.insert(conn, "units", ("code", "name", "kind", "region_code", "phone"),
                      [(u.code, u.name, u.kind, u.region_code, u.phone) for u in units])
    conn.executemany("UPDATE classes SET owner_unit_code = ? WHERE kind = ? AND code = ?",
                     [(demo_org.owner_unit(c.kind, c.code), c.kind, c.code)
                      for c in dictionaries.classes(conn)])


def _write_users(conn, city, units, n_collectors: int, seed: int, rng) -> dict:
    """Accounts (one password hash for all) and each collector's grids; -> collector -> grid codes."""
    communities = [r[0] for r in city.regions if r[2] == "community"]
    runs = demo_org.collector_runs(communities, n_collectors)
    people = demo_org.users(units, len(runs), rng)
    hashed = demo_org.password_hash(seed)
    demo_write.insert(conn, "users", ("username", "display_name", "role", "unit_code", "password_hash",
                                      "created_at"), [(*p, hashed, demo_org.CREATED_AT) for p in people])
    by_community = defaultdict(list)
    for cell in city.cells:
        by_community[cell.community].append(cell.code)
    grids = {f"collector{i + 1:02d}": [g for c in run for g in by_community[c]] for i, run in enumerate(runs)}
    demo_write.insert(conn, "collector_grids", ("username", "grid_code"),
                      [(name, g) for name, codes in grids.items() for g in codes])
    open311.add_key(conn, OPEN311_NAME, OPEN311_KEY)
    conn.execute("UPDATE open311_keys SET created_at = ?", (demo_org.CREATED_AT,))
    return grids


def _inventory(conn, city, units, scale: Scale, seed: int, last: date) -> demo_inventory.Inventory:
    """The components (rows, points, serials) and, by class, the ones cases may name."""
    classes = dictionaries.classes(conn, "component")
    with_conditions = frozenset(r[0] for r in conn.execute(
        "SELECT DISTINCT class_code FROM conditions WHERE kind = 'component'"))
    per_grid = scale.components / len(city.cells) if scale.components else demo_inventory.PER_GRID
    return demo_inventory.build(city, classes, {u.code: u for u in units}, scheme=db.meta(conn, "code_scheme"),
                                last=last, seed=seed, per_grid=per_grid, case_classes=with_conditions)


def _world(conn, city, components: dict, collectors: dict, scale: Scale, seed: int,
           path: Path) -> demo_history.World:
    """What the history planner needs, read back from the centre just written."""
    conditions, names = defaultdict(dict), {}
    for c in dictionaries.classes(conn):
        names[(c.kind, c.code)] = c.minor_name
        for cond in dictionaries.conditions_for(conn, c.kind, c.code):
            conditions[(c.kind, c.code)][cond.condition_id] = cond
    actors = {u: accounts.Actor(u, role, unit) for u, role, unit in conn.execute(
        "SELECT username, role, unit_code FROM users")}
    actors[demo_history.OPEN311] = accounts.Actor(demo_history.OPEN311, "admin")
    collector_of = {g: name for name, grids in collectors.items() for g in grids}
    mine = [c.index for c in city.cells if collector_of[c.code] == "collector01"]
    photos = None
    if demo_write.Photos.available():  # Pillow is optional: without it the demo has no photos
        photos = demo_write.Photos(blobs.store_for(path), seed, city.srs_id)
    now = demo_history.ts_of(demo_history.NOW)
    return demo_history.World(
        seed=seed, calendar=deadlines.WorkCalendar.from_db(conn), step_limits=deadlines.step_limits(conn),
        conditions=dict(conditions), class_names=names, units=frozenset(r[0] for r in conn.execute(
            "SELECT code FROM units WHERE active = 1")),
        owner={(c.kind, c.code): c.owner_unit_code for c in dictionaries.classes(conn)},
        territory={street: unit for unit, street in conn.execute(
            "SELECT code, region_code FROM units WHERE kind = 'territorial'")},
        actors=actors, collector_of=collector_of, mine=mine, cells=city.cells,
        sites=demo_inventory.Sites(city), components=components, names={r[0]: r[1] for r in city.regions},
        srs_id=city.srs_id, city_xy=city.xy, rate=scale.rate, showcase_class=_showcase_class(conditions),
        now=now, photos=photos, photo_from=now - scale.photo_days * 86400)


def _showcase_class(conditions: dict) -> str:
    """暴露垃圾 (4 working hours) when the tables have it, else the event class with the shortest limit."""
    if ("event", "0102") in conditions:
        return "0102"
    hours = {"working_hours": 1, "calendar_hours": 1, "working_days": 8, "calendar_days": 24}
    events = [(min(c.limit * hours[c.unit] for c in conds.values()), code)
              for (kind, code), conds in conditions.items() if kind == "event"]
    if not events:
        raise Problem("demo.no_event_conditions")
    return min(events)[1]


def _step_history(conn, world, days, say) -> None:
    plans = [plan for day in days for plan in demo_history.plan_day(world, day)]
    say(_("replaying {actions} actions of {cases} cases through the workflow").format(
        actions=sum(len(p.actions) for p in plans), cases=len(plans)))
    demo_write.replay(conn, plans, world)


def _bulk_history(conn, world, days, say, workers: int, meanwhile=None) -> None:
    """Plan in worker processes, write here: one transaction per month of reports (`meanwhile` runs here
    once the planners have started)."""
    writer = demo_write.BulkHistory(conn)
    planned = zip(days, demo_write.planned_days(world, days, workers, meanwhile=meanwhile), strict=True)
    gc.freeze()  # the city, inventory and world stay as they are: full collections need not walk them,
    gc.disable()  # nor the rows in flight (tuples and lists, no cycles)
    try:
        with demo_write.bulk(conn, demo_write.BulkHistory.TABLES, keep_indexes=demo_write.BulkHistory.LIVE_INDEXES):
            for month, group in itertools.groupby(planned, key=lambda p: p[0].strftime("%Y-%m")):
                with db.transaction(conn):
                    for day, rows in group:
                        writer.add_day(rows, day)
                say("  " + _("{month}: {cases} cases, {events} events").format(
                    month=month, cases=writer.fids["cases"], events=writer.fids["case_events"]))
            say(_("the history's indexes and triggers, the cases' R-tree"))
            with db.transaction(conn):
                writer.finish()
        with db.transaction(conn):  # the indexes are back (bulk's exit): the tree was packed meanwhile
            writer.write_rtree()
    finally:
        gc.enable()
        gc.unfreeze()


def table_counts(conn: sqlite3.Connection) -> dict:
    """Rows per demo table, then cases per status as `cases.<status>`."""
    counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in COUNTED}
    for status, n in conn.execute("SELECT status, count(*) FROM cases GROUP BY status ORDER BY status"):
        counts[f"cases.{status}"] = n
    return counts

