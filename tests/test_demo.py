# SPDX-License-Identifier: GPL-2.0-or-later
"""The demo centre: a plausible, repeatable synthetic city written through the real workflow."""

import concurrent.futures
import contextlib
import dataclasses
import gc
import hashlib
import io
import itertools
import json
import multiprocessing
import os
import random
import sqlite3
import subprocess
import threading
import uuid
from pathlib import Path

import pytest

from citygrid import cli, codes, demo, times
from citygrid.demo import city as demo_city
from citygrid.demo import history as demo_history
from citygrid.demo import org as demo_org
from citygrid.demo import write as demo_write
from citygrid.loop import accounts, dictionaries, geocode, transitions
from citygrid.problems import Problem
from citygrid.store import blobs, db, gpkg, integrity, schema_v1
from citygrid.sync import open311

VALIDATE = Path("/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_gpkg.py")
# a few dozen grids and five days of cases (the showcase day included): seconds to build, all paths
TINY = demo.Scale("tiny", demo_city.Layout((3, 3), (1, 1), (1, 2), (0, 1)), days=5, rate=5.0, collectors=2,
                  components=600, photo_days=5, bulk=False)
WALL_CLOCK = {("case_events", "recorded_at"), ("citygrid_migrations", "applied_at"),
              ("gpkg_contents", "last_change")}


def dump(path) -> dict:
    """Every table's rows in rowid order (wall-clock columns blanked) and the schema; of an R-tree its
    entries and SQLite's check of it, not how its nodes are laid out (a packed load lays them out
    differently from row-by-row inserts)."""
    conn = sqlite3.connect(path)
    out = {"schema": sorted(conn.execute("SELECT type, name, sql FROM sqlite_master").fetchall(), key=str)}
    rtrees = [r for (r,) in conn.execute("SELECT name FROM sqlite_master WHERE sql LIKE 'CREATE VIRTUAL TABLE%rtree%'")]
    shadows = {f"{r}_{s}" for r in rtrees for s in ("node", "rowid", "parent")}
    for r in rtrees:
        out[f"rtreecheck {r}"] = conn.execute(f"SELECT rtreecheck('{r}')").fetchone()[0]
    for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"):
        if table in shadows:
            continue
        cols = [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')]
        shown = ", ".join("NULL" if (table, c) in WALL_CLOCK else f'"{c}"' for c in cols)
        order = "name" if table == "sqlite_sequence" else "rowid"
        out[table] = conn.execute(f'SELECT {shown} FROM "{table}" ORDER BY {order}').fetchall()
    conn.close()
    return out


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """The default demo, written by the CLI: (path, what it printed)."""
    path = tmp_path_factory.mktemp("demo") / "center.gpkg"
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli.main(["demo", str(path)]) == 0
    return path, out.getvalue()


@pytest.fixture
def conn(small):
    c = db.open_centre(small[0])
    yield c
    c.close()


def tiny(path, seed=1, bulk=False, workers=1):
    demo.build(path, scale=TINY, seed=seed, bulk=bulk, workers=workers)
    return dump(path)


# -- the command -----------------------------------------------------------------------------------

def test_cli_prints_counts_accounts_and_how_to_open_it_in_qgis(small):
    path, out = small
    assert f"wrote {path}" in out and "rows per table:" in out and "case_events" in out
    assert "password citygrid-demo" in out and "collector01" in out and "citygrid-demo-key" in out
    assert "QGIS" in out and "EPSG:4549" in out


def test_cli_refuses_to_overwrite_without_force(small, capsys):
    path = small[0]
    before = path.read_bytes()
    assert cli.main(["demo", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "already exists" in err and "--force" in err
    assert path.read_bytes() == before


def test_bad_seed_scale_and_fraction_are_coded_problems_and_write_nothing(tmp_path):
    for call, code in [(lambda: demo.build(tmp_path / "a.gpkg", seed=-1), "demo.bad_seed"),
                       (lambda: demo.scale("huge"), "demo.unknown_scale"),
                       (lambda: demo.scale("city", 0), "demo.bad_fraction"),
                       (lambda: demo.scale("city", 1.5), "demo.bad_fraction")]:
        with pytest.raises(Problem) as exc:
            call()
        assert exc.value.code == code
    assert list(tmp_path.iterdir()) == []


def test_a_build_that_fails_half_way_leaves_no_file(tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(demo.generate.demo_inventory, "build", broken)
    with pytest.raises(RuntimeError):
        demo.build(tmp_path / "c.gpkg", scale=TINY)
    assert not (tmp_path / "c.gpkg").exists()


def test_a_fraction_of_the_city_is_smaller_but_keeps_its_years():
    city, tenth = demo.scale("city"), demo.scale("city", 0.1)
    assert tenth.days == city.days and tenth.rate == pytest.approx(city.rate / 10)
    assert tenth.layout.blocks[0] ** 2 == pytest.approx(city.layout.blocks[0] ** 2 / 10, rel=0.15)
    assert tenth.components == 41_700 and tenth.collectors < city.collectors


# -- the city --------------------------------------------------------------------------------------

def test_the_city_scale_has_16_streets_of_8_communities_and_about_8500_grids():
    city = demo_city.build(demo.SCALES["city"].layout, seed=3)
    levels = [r[2] for r in city.regions]
    assert (levels.count("district"), levels.count("street"), levels.count("community")) == (1, 16, 128)
    assert 7_000 < len(city.cells) < 10_500 and len(city.water) == 2 and city.crossings
    communities = [r[0] for r in city.regions if r[2] == "community"]
    runs = demo_org.collector_runs(communities, demo.SCALES["city"].collectors)
    assert len(runs) == 45 and {len(r) for r in runs} <= {1, 2, 3}
    assert [c for run in runs for c in run] == communities


def test_grid_codes_are_valid_15_digits_and_grids_about_10000_square_metres(conn):
    rows = conn.execute("SELECT code, street_code, community_code, geom FROM grids").fetchall()
    assert len(rows) > 100
    for code, street, community, geom in rows:
        parsed = codes.parse_grid_code(code)
        assert len(code) == 15 and not parsed.legacy and parsed.county == "320508"
        assert (parsed.street_code, parsed.community_code) == (street, community)
        ring = gpkg.decode(geom)[1][0]
        area = abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False))) / 2
        assert 6_000 < area < 16_000


def test_grid_serials_run_from_one_in_each_community(conn):
    serials = {}
    for code, community in conn.execute("SELECT code, community_code FROM grids ORDER BY fid"):
        serials.setdefault(community, []).append(int(code[-3:]))
    assert all(s == list(range(1, len(s) + 1)) for s in serials.values())
    names = dict(conn.execute("SELECT code, level FROM regions"))
    assert set(serials) <= {c for c, level in names.items() if level == "community"}


def test_every_standard_component_class_is_in_the_inventory(conn):
    found = dict(conn.execute("SELECT substr(ObjID, 7, 4), min(ObjName) FROM components GROUP BY 1"))
    standard = dictionaries.load_classes(dictionaries.default_dir() / "components.csv", "component")
    assert {c.code: c.minor_name for c in standard}.items() <= found.items()


def test_objids_are_valid_unique_and_numbered_per_class_without_gaps(conn):
    ids = [r[0] for r in conn.execute("SELECT ObjID FROM components")]
    assert len(ids) == len(set(ids)) > 5_000
    last = {}
    for objid in ids:
        parsed = codes.parse_objid(objid, "gb16")
        last[parsed.class_code] = max(last.get(parsed.class_code, 0), parsed.serial_number)
    counted = dict(conn.execute("SELECT substr(ObjID, 7, 4), count(*) FROM components GROUP BY 1"))
    assert last == counted  # 1..n, none skipped
    serials = dict(conn.execute("SELECT scope, last FROM serials WHERE scope LIKE 'objid:%'"))
    assert serials == {f"objid:320508{k}": v for k, v in last.items()}


def test_every_component_lies_in_the_grid_its_bgid_names(conn):
    for geom, bgid in conn.execute("SELECT geom, BGID FROM components"):
        x, y = gpkg.decode(geom)[1]
        assert geocode.grid_at(conn, x, y)["code"] == bgid


def test_every_case_lies_in_its_grid(conn):
    for geom, grid, street in conn.execute("SELECT geom, grid_code, street_code FROM cases"):
        found = geocode.grid_at(conn, *gpkg.decode(geom)[1])
        assert (found["code"], found["street_code"]) == (grid, street)


# -- the history -----------------------------------------------------------------------------------

def test_every_status_is_present(conn):
    present = {r[0] for r in conn.execute("SELECT DISTINCT status FROM cases")}
    assert present == set(schema_v1.STATUSES)
    closed = conn.execute("SELECT count(*) FROM cases WHERE status = 'closed'").fetchone()[0]
    assert closed > conn.execute("SELECT count(*) FROM cases").fetchone()[0] / 2  # most are closed


def test_collector01_has_open_check_and_verify_tasks(conn):
    open_tasks = dict(conn.execute("SELECT kind, count(*) FROM tasks WHERE assignee = 'collector01' "
                                   "AND status = 'open' GROUP BY kind"))
    assert open_tasks.get("check", 0) >= 3 and open_tasks.get("verify", 0) >= 1


def test_the_history_has_reworks_returns_extensions_and_late_disposals(conn):
    actions = dict(conn.execute("SELECT action, count(*) FROM case_events GROUP BY action"))
    for action in ("report", "send_verify", "verify_confirmed", "register", "dispatch", "return", "extend",
                   "report_disposal", "check_pass", "check_fail", "rework", "close", "park", "void", "reject"):
        assert actions.get(action, 0) > 0, action
    late = conn.execute("SELECT count(*) FROM case_events WHERE action = 'report_disposal' AND at > due_at")
    assert late.fetchone()[0] > 0


def test_nothing_happens_after_the_demo_now(conn):
    now = times.to_db(demo_history.NOW)
    assert conn.execute("SELECT max(at) FROM case_events").fetchone()[0] <= now
    assert conn.execute("SELECT max(reported_at) FROM cases").fetchone()[0] <= now
    for table, column in (("sync_batches", "last_push_at"), ("sync_items", "received_at"), ("sync_receipts", "at"),
                          ("photos", "uploaded_at"), ("photo_senders", "at"), ("tasks", "created_at")):
        assert conn.execute(f"SELECT max({column}) FROM {table}").fetchone()[0] <= now, table


def test_photos_are_small_distinct_jpegs_in_the_blob_store(small, conn):
    store = blobs.store_for(small[0])
    rows = conn.execute("SELECT sha256, size FROM photos").fetchall()
    assert len(rows) > 50
    for sha, size in rows:
        data = store.path(sha).read_bytes()
        assert data[:2] == b"\xff\xd8" and len(data) == size < 20_000
        assert hashlib.sha256(data).hexdigest() == sha
    linked = conn.execute("SELECT count(DISTINCT case_no) FROM case_photos").fetchone()[0]
    assert linked > 20
    unsent = conn.execute("SELECT count(*) FROM photos p LEFT JOIN photo_senders s ON s.sha256 = p.sha256 "
                          "AND s.username = p.uploaded_by WHERE s.fid IS NULL").fetchone()[0]
    assert unsent == 0  # each photo's uploader may cite it and see it


def test_the_sync_log_has_one_revision_per_synced_row(conn):
    expected = sum(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                   for table, _key in schema_v1.SYNCED.values())
    # and one `outcome` per item the last shift's devices sent that has a case
    expected += conn.execute("SELECT count(*) FROM sync_items WHERE case_no IS NOT NULL").fetchone()[0]
    rows = conn.execute("SELECT count(*), count(DISTINCT entity || ':' || entity_id), sum(deleted) "
                        "FROM sync_changes").fetchone()
    assert tuple(rows) == (expected, expected, 0)


def test_demo_accounts_log_in_and_the_open311_key_works(conn):
    names = ("admin", "operator", "leader", "dispatcher", "supervisor", "gis", "collector01", "unit_szsw")
    for name in names:
        assert accounts.authenticate(conn, name, "citygrid-demo").username == name
    assert accounts.actor(conn, "collector01").grids
    assert open311.key_actor(conn, demo.OPEN311_KEY).role == "admin"


def test_the_demo_passes_the_integrity_check(small):
    assert integrity.check(small[0]) == []


@pytest.mark.skipif(not VALIDATE.exists(), reason="GDAL's validate_gpkg.py is installed by make deps")
def test_the_demo_passes_gdal_validate_gpkg(small):
    res = subprocess.run(["/usr/bin/python3", str(VALIDATE), str(small[0])], capture_output=True, text=True)
    assert res.returncode == 0, res.stdout + res.stderr


def test_a_bulk_build_with_packed_r_trees_passes_the_integrity_check_and_gdal(tmp_path):
    path = tmp_path / "bulk.gpkg"
    demo.build(path, scale=TINY, bulk=True, workers=2)
    assert integrity.check(path) == []
    conn = sqlite3.connect(path)
    for rtree in ("rtree_components_geom", "rtree_cases_geom"):
        assert conn.execute(f"SELECT rtreecheck('{rtree}')").fetchone()[0] == "ok"
    conn.close()
    if VALIDATE.exists():
        res = subprocess.run(["/usr/bin/python3", str(VALIDATE), str(path)], capture_output=True, text=True)
        assert res.returncode == 0, res.stdout + res.stderr


def test_task_ids_are_version_7_uuids_of_the_simulated_time_in_the_order_written(conn):
    """So the demo, like the workflow, appends to the tasks' unique id index instead of scattering."""
    # the last shift's cases (each named by an item its devices sent) are made after the history
    rows = conn.execute("SELECT id, created_at FROM tasks WHERE case_no NOT IN (SELECT case_no FROM sync_items "
                        "WHERE case_no IS NOT NULL) ORDER BY fid").fetchall()
    ids = [r[0] for r in rows]
    assert len(rows) > 100 and ids == sorted(ids) and len(set(ids)) == len(ids)
    for task_id, created in rows[:: max(1, len(rows) // 50)]:
        made = uuid.UUID(task_id)
        assert made.version == 7 and made.variant == uuid.RFC_4122
        assert made.int >> 80 == times.to_us(times.parse(created)) // 1000


# -- repeatability and the two paths ---------------------------------------------------------------

def test_the_same_seed_writes_the_same_database_whatever_the_clock(tmp_path, monkeypatch):
    first = tiny(tmp_path / "a.gpkg", bulk=True)
    monkeypatch.setattr(times, "now", lambda: demo_history.NOW.replace(year=2031))
    assert tiny(tmp_path / "b.gpkg", bulk=True) == first


def test_different_seeds_write_different_cities(tmp_path):
    one, two = tiny(tmp_path / "a.gpkg", seed=1, bulk=True), tiny(tmp_path / "b.gpkg", seed=2, bulk=True)
    assert one["grids"] != two["grids"] and one["cases"] != two["cases"]


def test_the_bulk_path_writes_exactly_the_rows_of_the_workflow_path(tmp_path):
    """Every table, row for row: the planner in two worker processes and executemany, or `workflow`."""
    step, bulk = tiny(tmp_path / "step.gpkg"), tiny(tmp_path / "bulk.gpkg", bulk=True, workers=2)
    assert len(step["case_events"]) > 100 and len(step["tasks"]) > 20 and len(step["photos"]) > 20
    for table in step:
        assert bulk[table] == step[table], table


# -- the planner runs the workflow's own table -------------------------------------------------------

# the actions the demo's cases take: every effect of the table the history shows
DEMO_ACTIONS = {"accept", "reject", "send_verify", "verify_confirmed", "verify_not_found", "register", "dispatch",
                "request_return", "return", "request_extension", "extend", "report_disposal", "send_check",
                "check_pass", "check_fail", "rework", "close", "park", "restore", "void"}


def _scripts():
    """Every branch of a case's fate, each source once, and a few combinations."""
    S = demo_history.Script
    plain = [S(source) for source in ("collector", "hotline", "public", "video", "app", "leader", "media")]
    return plain + [S(intake="reject"), S("hotline", found=False), S(register="reject"), S(register="void"),
                    S(wrong=True), S(park="park"), S(park="restore"), S(extend=True), S(late=True), S(fails=1),
                    S(fails=2), S("public", wrong=True, park="restore", extend=True, late=True, fails=2),
                    S(wrong=True, extend=True, fails=1), S("app", park="restore", late=True), S(sent_back=True),
                    S("hotline", fails=1, sent_back=True)]


def test_the_bulk_path_writes_exactly_the_rows_of_the_workflow_path_on_every_branch(tmp_path, monkeypatch):
    """Each case's fate one of `_scripts()` (drawn from the day's own random stream, so the planner
    processes draw alike): the bulk planner in two processes and `workflow` write the same rows."""
    world_of = demo.generate._world

    def with_fates(*args, **kwargs):  # the world goes to the planner processes, forked or started fresh
        world = world_of(*args, **kwargs)
        world.fates = tuple(_scripts())
        return world
    monkeypatch.setattr(demo.generate, "_world", with_fates)
    scale = dataclasses.replace(TINY, days=30, rate=10.0)  # a month: some parked cases are restored
    demo.build(tmp_path / "step.gpkg", scale=scale, bulk=False)
    demo.build(tmp_path / "bulk.gpkg", scale=scale, bulk=True, workers=2)
    step, bulk = dump(tmp_path / "step.gpkg"), dump(tmp_path / "bulk.gpkg")
    assert len(step["case_events"]) > 2000
    # (fid, case_no, action, ...); the last shift adds a reassignment and the conflict kept on its case
    assert {e[2] for e in step["case_events"]} == DEMO_ACTIONS | {"report", "reassign_task", "field_result"}
    for table in step:
        assert bulk[table] == step[table], table


@pytest.fixture(scope="module")
def planner(tmp_path_factory):
    """The world the history planner sees for a month of a busy tiny city."""
    captured = {}

    def grab(_conn, world, days, _say, _workers, meanwhile=None):
        captured.update(world=world, days=days)

    scale = dataclasses.replace(TINY, days=30, rate=25.0)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(demo.generate, "_bulk_history", grab)
        demo.build(tmp_path_factory.mktemp("plan") / "c.gpkg", scale=scale, bulk=True)
    return captured["world"], captured["days"]


def _plan(world, days) -> list:
    """The days' cases as the bulk path plans them, every script in turn (the same sequence each time)."""
    world.keep_actions = False
    scripts = itertools.cycle(_scripts())
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(demo_history, "draw_script", lambda rng, source, fates=(): next(scripts))
        return [plan for day in days for plan in demo_history.plan_day(world, day)]


def _rows(plans) -> list:
    return [(p.case, p.tasks, p.events) for p in plans]


def _events(plans, action: str) -> list[dict]:
    """The planned events of one action as column -> value."""
    rows = [e if isinstance(e, dict) else dict(zip(demo_write.EVENT_COLUMNS, e, strict=True))
            for p in plans for _key, e, _shas, _photos in p.events]
    return [e for e in rows if e["action"] == action]


def test_the_planner_follows_a_changed_transition_table_by_itself(planner, monkeypatch):
    """Copies of the table and its effects with a changed effect and a changed target status: the
    planned rows change with them (the demo keeps no effects of its own)."""
    world, days = planner
    before = _plan(world, days)
    effects, table = dict(transitions.EFFECTS), dict(transitions.TRANSITIONS)

    def accept(m):  # a new case field and event data, from what an effect sees
        m.fields["flags"] = "probe"
        m.data["probe"] = times.to_db(m.at)

    effects["accept"] = accept
    table[("check_passed", "close")] = dataclasses.replace(table[("check_passed", "close")], to="voided")
    monkeypatch.setattr(transitions, "EFFECTS", effects)
    monkeypatch.setattr(transitions, "TRANSITIONS", table)
    after = _plan(world, days)
    accepted = _events(after, "accept")
    assert len(accepted) > 50 and all(json.loads(e["data"]) == {"probe": e["at"]} for e in accepted)
    assert {p.case_no for p in after if p.case["flags"] == "probe"} == {e["case_no"] for e in accepted}
    closes = _events(after, "close")
    assert len(closes) > 50 and {e["to_status"] for e in closes} == {"voided"}
    was = {p.case_no: p.case["status"] for p in before}
    assert {p.case_no for p in after if p.case["status"] == "voided"} == \
           {no for no, status in was.items() if status in ("closed", "voided")}
    rows = demo_write.day_rows(world, days[-1])  # what the bulk writer gets
    assert any(r[1][1] == "accept" and "probe" in r[1][-1] for r in rows[2][max(rows[2])])


def test_the_planner_obeys_the_roles_of_the_transition_table(planner, monkeypatch):
    world, days = planner
    table = dict(transitions.TRANSITIONS)
    table[("check_passed", "close")] = dataclasses.replace(table[("check_passed", "close")],
                                                           roles=frozenset({"dispatcher"}))
    monkeypatch.setattr(transitions, "TRANSITIONS", table)
    with pytest.raises(Problem) as err:
        _plan(world, days)
    assert err.value.code == "case.forbidden_role" and err.value.details["action"] == "close"


def test_decide_makes_the_same_rows_from_microseconds_as_from_a_datetime(planner, monkeypatch):
    """The planner passes µs since the epoch; the workflow passes aware datetimes (in any zone)."""
    world, days = planner
    by_us = _plan(world, days)
    real = demo_history.decide

    def with_datetime(case, action, actor, at, ctx, **kwargs):
        assert at.__class__ is int
        return real(case, action, actor, times.from_us(at, demo_history.SUZHOU), ctx, **kwargs)

    monkeypatch.setattr(demo_history, "decide", with_datetime)
    assert _rows(_plan(world, days)) == _rows(by_us)
    assert len(by_us) > 500


def test_the_planner_refuses_what_the_workflow_refuses(planner):
    world, days = planner
    rng = random.Random(5)
    at, script, spot = demo_history._draft(world, rng, demo_history.ts_of(demo_history.NOW) - 86400,
                                           demo_history.Script())
    case = demo_history._Case(world, rng, "2026111900001", script, spot)
    case.report(at)
    with pytest.raises(Problem) as err:
        case.do(at + 60, "close", "leader")
    assert err.value.code == "case.illegal_transition"
    with pytest.raises(Problem) as err:
        case.do(at + 60, "accept", "dispatcher")
    assert err.value.code == "case.forbidden_role"
    with pytest.raises(Problem) as err:
        case.do(at + 60, "accept", "operator", bogus=1)
    assert err.value.code == "case.bad_param"
    assert case.case["status"] == "reported" and len(case.plan.events) == 1


def test_planning_makes_no_reference_cycles(planner):
    """The planner processes run without the cyclic collector: nothing they make may need it."""
    world, days = planner
    world.keep_actions = False
    gc.collect()
    gc.disable()
    try:
        rows = [demo_write.day_rows(world, day) for day in days[:10]]
        assert sum(len(r[1]) for r in rows) > 100
        del rows
        assert gc.collect() == 0
    finally:
        gc.enable()


def test_planners_start_fresh_and_get_the_world_when_another_thread_is_running(planner):
    """A fork copies the locks other threads hold: with another thread alive the planners start from
    forkserver and get the world pickled, and plan the same days as the writer would."""
    world, days = planner
    world.keep_actions = False
    stop = threading.Event()
    other = threading.Thread(target=stop.wait, daemon=True)
    other.start()
    try:
        context, sent = demo_write._planner_context(world)
        assert context.get_start_method() != "fork" and sent is world
        planned = list(demo_write.planned_days(world, days[:6], workers=2))
    finally:
        stop.set()
        other.join()
    assert planned == [demo_write.day_rows(world, day) for day in days[:6]]
    if threading.active_count() == 1:
        assert demo_write._planner_context(world) == (multiprocessing.get_context("fork"), None)


def _die(_day):
    os._exit(3)


def test_a_planner_that_dies_ends_the_build_instead_of_waiting_for_ever(planner, monkeypatch):
    world, days = planner
    monkeypatch.setattr(demo_write, "_planned", _die)
    monkeypatch.setattr(demo_write, "_planner_context", lambda w: (multiprocessing.get_context("fork"), None))
    with pytest.raises(concurrent.futures.process.BrokenProcessPool):
        list(demo_write.planned_days(world, days[:4], workers=2))


def test_a_bulk_load_drops_triggers_and_indexes_but_the_kept_ones_and_puts_them_back(tmp_path):
    conn = db.create_centre(tmp_path / "c.gpkg", srs_id=4549)
    names = ("SELECT name FROM sqlite_master WHERE type = ? AND tbl_name = ? AND sql IS NOT NULL "
             "ORDER BY name")

    def present(kind, table):
        return [r[0] for r in conn.execute(names, (kind, table))]

    before = {(k, t): present(k, t) for k in ("index", "trigger") for t in ("components", "tasks")}
    assert all(before.values())
    with demo_write.bulk(conn, ["components", "tasks"], keep_indexes=("tasks",)):
        assert present("index", "components") == [] and present("trigger", "components") == []
        assert present("trigger", "tasks") == [] and present("index", "tasks") == before[("index", "tasks")]
    assert {(k, t): present(k, t) for k in ("index", "trigger") for t in ("components", "tasks")} == before
    with demo_write.bulk(conn, ["components"]):  # nothing kept
        assert present("index", "components") == [] and present("trigger", "components") == []
    assert present("index", "components") == before[("index", "components")]
    with demo_write.bulk(conn, ["tasks"], keep_indexes=("idx_tasks_case",)):  # one kept by name
        assert present("index", "tasks") == ["idx_tasks_case"]
    assert present("index", "tasks") == before[("index", "tasks")]
    conn.close()


# -- the last shift from the devices ---------------------------------------------------------------

def _review(conn, who="supervisor"):
    from citygrid.demo import shift as demo_shift
    from citygrid.sync import review

    return review.shift_review(conn, accounts.actor(conn, who), *demo_shift.window())


def test_the_demo_supervisor_sees_the_last_shift_with_every_reason(conn):
    items = _review(conn)["items"]
    reasons = {r for item in items for r in item["reasons"]}
    assert reasons >= {"review.late", "review.photo_no_gps", "review.photo_far", "review.reassigned",
                       "review.possible_duplicate", "review.awaiting_closure"}
    (dup,) = [i for i in items if "review.possible_duplicate" in i["reasons"]]
    assert dup["type"] == "report" and conn.execute("SELECT status FROM cases WHERE case_no = ?",
                                                    (dup["duplicate_of"],)).fetchone()[0] == "checking"
    (moved,) = [i for i in items if "review.reassigned" in i["reasons"]]
    task = conn.execute("SELECT assignee FROM tasks WHERE id = ?",
                        (json.loads(conn.execute("SELECT payload FROM sync_items WHERE uuid = ?",
                                                 (moved["uuid"],)).fetchone()[0])["task_id"],)).fetchone()
    assert moved["status"] == "conflict" and task[0] != moved["username"]


def test_the_demo_shift_has_several_collectors_each_with_one_or_two_batches_and_every_result(conn):
    devices = _review(conn, "leader")["devices"]
    assert [d["username"] for d in devices] == [f"collector{i:02d}" for i in range(1, len(devices) + 1)]
    assert len(devices) >= 3 and all(1 <= len(d["batches"]) <= 2 for d in devices)
    kinds = {tuple(r) for r in conn.execute("SELECT type, json_extract(payload, '$.outcome') FROM sync_items")}
    assert kinds >= {("check", "pass"), ("check", "fail"), ("verify", "confirmed"), ("verify", "not_found"),
                     ("report", None)}
    failed = conn.execute("SELECT payload FROM sync_items WHERE json_extract(payload, '$.outcome') = 'fail'")
    assert json.loads(failed.fetchone()[0])["reason"]
    assert conn.execute("SELECT count(*) FROM sync_items WHERE resolved_at IS NULL AND flagged = 1").fetchone()[0]


def test_the_demo_shift_photos_are_recorded_as_uploaded_and_cited_by_their_senders(small, conn):
    store = blobs.store_for(small[0])
    rows = conn.execute("SELECT DISTINCT p.sha256, p.lon, s.username, i.username FROM sync_items i "
                        "JOIN json_each(i.photos) j JOIN photos p ON p.sha256 = j.value "
                        "LEFT JOIN photo_senders s ON s.sha256 = p.sha256 AND s.username = i.username").fetchall()
    assert len(rows) > 10 and all(store.has(sha) and sender == author for sha, _lon, sender, author in rows)
    assert any(lon is None for _sha, lon, _s, _a in rows)  # the one without GPS


def test_the_demo_shift_leaves_collector01_its_showcase_tasks_and_logs_its_outcomes(conn):
    showcase = conn.execute("SELECT count(*) FROM tasks WHERE assignee = 'collector01' AND status = 'open' "
                            "AND created_at < ?", (times.to_db(demo_history.NOW.replace(hour=0)),)).fetchone()[0]
    assert showcase >= 4
    logged = conn.execute("SELECT count(*) FROM sync_items i JOIN sync_changes c ON c.entity = 'outcome' "
                          "AND c.entity_id = i.uuid WHERE i.username = 'collector01' AND i.case_no IS NOT NULL")
    assert logged.fetchone()[0] >= 3  # pull type `outcome` offers them to its device (已办)
