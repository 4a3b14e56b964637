# SPDX-License-Identifier: GPL-2.0-or-later
"""Evaluation at city scale: one month and one year per --by, against a bare count over the same range;
the overdue-cases query against a scan of the cases table.

Generates (in a temp dir, with executemany) a centre with N cases over ten years and a realistic
case loop per case (~9 events: report, intake or 核实, 立案, dispatch, disposal, 核查, close; some
rejected, returned, reworked or late), then times `evaluation.evaluate` (targets: a month < 1 s, a
year < 10 s) and `deadlines.overdue` (target: < 100 ms). Figures only, no assertions.
Usage: python bench/bench_evaluation.py [--cases N] [--years N] [--seed N] [--keep PATH]
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "shared"))

from citygrid.loop import deadlines, evaluation  # noqa: E402
from citygrid.store import db  # noqa: E402

COUNTY, END = "420981", datetime(2026, 1, 1, tzinfo=timezone(timedelta(hours=8)))
STREETS, COMMUNITIES_PER_STREET, GRIDS_PER_COMMUNITY = 16, 8, 10  # 128 communities, 1,280 grids
UNITS, COLLECTORS, OPERATORS, LEADERS, DISPATCHERS = 43, 156, 10, 6, 8
PUBLIC = ("public", "hotline", "app", "media")
HOUR = 3600
LIMITS = {"reported": HOUR // 2, "verifying": HOUR, "pending_register": HOUR // 2,
          "registered": HOUR // 2, "returned": HOUR // 2, "disposed": HOUR // 2, "checking": 2 * HOUR,
          "check_passed": HOUR // 2}
DISPOSAL_LIMITS = (4 * HOUR, 2 * 24 * HOUR, 7 * 24 * HOUR)
_HOURS: dict[int, str] = {}


def stamp(sec: int) -> str:
    """UTC seconds -> the database's DATETIME text, fast (hour prefixes cached)."""
    hour, rest = divmod(sec, 3600)
    prefix = _HOURS.get(hour)
    if prefix is None:
        prefix = _HOURS[hour] = datetime.fromtimestamp(hour * 3600, UTC).strftime("%Y-%m-%dT%H:")
    m, s = divmod(rest, 60)
    return f"{prefix}{m:02d}:{s:02d}.000Z"


class Loop:
    """One case's events, built step by step; stops (leaving the case open) at the data's end."""

    def __init__(self, rnd: random.Random, no: str, t: int, end: int):
        self.rnd, self.no, self.t, self.end = rnd, no, t, end
        self.status, self.due, self.unit, self.events, self.open = None, None, None, [], True

    def step(self, action, actor, role, to, limit=None, late=0.15, unit=None, data="{}") -> bool:
        """Spend the current step (late with probability `late`), then log `action`; False past the end."""
        if self.due is not None:
            span = self.due - self.t
            self.t += int(span * (self.rnd.uniform(1.05, 3) if self.rnd.random() < late else self.rnd.uniform(0.1, 1)))
        else:
            self.t += self.rnd.randint(60, 1800)
        if self.t >= self.end:
            return False
        due = stamp(self.due) if self.due is not None else None
        self.unit = unit or self.unit
        self.events.append((self.no, action, actor, role, self.status, to, stamp(self.t), due, self.unit, data))
        self.status = to
        self.due = self.t + (limit if limit is not None else LIMITS.get(to, 0)) if to in LIMITS or limit else None
        return True


def case_loop(rnd: random.Random, no: str, t: int, end: int, source: str, collector: str):
    """The events of one case and its status now (a loop cut at `end` leaves the case open)."""
    lp = Loop(rnd, no, t, end)
    op, ld, dp = (f"op{rnd.randrange(OPERATORS):02d}", f"ld{rnd.randrange(LEADERS):02d}",
                  f"dp{rnd.randrange(DISPATCHERS):02d}")
    unit = f"U{rnd.randrange(UNITS):03d}"
    role = "collector" if source == "collector" else "operator"
    lp.t -= 60
    ok = lp.step("report", collector if source == "collector" else op, role, "reported", data=f'{{"source":"{source}"}}')
    if source != "collector":
        ok = ok and lp.step("send_verify", op, "operator", "verifying")
        if ok and rnd.random() < 0.05:
            lp.step("verify_not_found", collector, "collector", "rejected")
            return lp
        ok = ok and lp.step("verify_confirmed", collector, "collector", "pending_register")
    elif rnd.random() < 0.03:
        if ok:
            lp.step("reject", op, "operator", "rejected")
        return lp
    else:
        ok = ok and lp.step("accept", op, "operator", "pending_register")
    limit = rnd.choice(DISPOSAL_LIMITS)
    ok = ok and lp.step("register", ld, "leader", "registered")
    ok = ok and lp.step("dispatch", dp, "dispatcher", "dispatched", limit=limit, unit=unit)
    if ok and rnd.random() < 0.02:
        ok = lp.step("return", dp, "dispatcher", "returned", data='{"erroneous_dispatch":true}')
        ok = ok and lp.step("dispatch", dp, "dispatcher", "dispatched", limit=limit, unit=f"U{rnd.randrange(UNITS):03d}")
    for rework in range(3):
        ok = ok and lp.step("report_disposal", unit, "unit", "disposed", late=0.2)
        ok = ok and lp.step("send_check", op, "operator", "checking")
        if ok and rework < 2 and rnd.random() < 0.05:
            ok = lp.step("check_fail", collector, "collector", "dispatched", limit=limit)
            continue
        ok = ok and lp.step("check_pass", collector, "collector", "check_passed")
        break
    if ok:
        lp.step("close", ld, "leader", "closed")
    return lp


def populate(conn, n_cases: int, years: int, seed: int) -> tuple[int, int]:
    """Reference rows, then n cases with their logs; returns (cases, events)."""
    rnd = random.Random(seed)
    grids = reference(conn)
    by_grid = {g: f"col{i % COLLECTORS:03d}" for i, (g, _, _) in enumerate(grids)}
    end = int(END.timestamp())
    start = end - years * 365 * 86400
    times_ = sorted(rnd.randrange(start, end) for _ in range(n_cases))
    cases, events, tasks, total = [], [], [], 0
    for i, t in enumerate(times_):
        grid, street, community = grids[rnd.randrange(len(grids))]
        source = "collector" if rnd.random() < 0.8 else rnd.choice(PUBLIC)
        lp = case_loop(rnd, f"C{i:08d}", t, end, source, by_grid[grid])
        status = lp.status or "reported"
        deadline = stamp(lp.due) if status == "dispatched" and lp.due else None
        step_due = stamp(lp.due) if lp.due else None
        cases.append((lp.no, "event", "0101", status, grid, source, stamp(t), street, community, lp.unit,
                      deadline, step_due))
        if status in ("verifying", "checking"):
            tasks.append((f"T{i}", "verify" if status == "verifying" else "check", lp.no, by_grid[grid],
                          stamp(lp.t), step_due))
        events.extend(lp.events)
        if len(events) > 400_000:
            total += flush(conn, cases, events, tasks)
    total += flush(conn, cases, events, tasks)
    return n_cases, total


def flush(conn, cases: list, events: list, tasks: list) -> int:
    n = len(events)
    with db.transaction(conn):
        conn.executemany("INSERT INTO cases (case_no, kind, class_code, status, grid_code, source, reported_at, "
                         "street_code, community_code, unit_code, deadline_at, step_due_at) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", cases)
        conn.executemany("INSERT INTO case_events (case_no, action, actor, role, from_status, to_status, at, "
                         "due_at, unit_code, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", events)
        conn.executemany("INSERT INTO tasks (id, kind, case_no, assignee, created_at, due_at) "
                         "VALUES (?, ?, ?, ?, ?, ?)", tasks)
    cases.clear(), events.clear(), tasks.clear()
    return n


def reference(conn) -> list[tuple[str, str, str]]:
    """Streets, communities, grids, units and users; returns (grid, street, community) codes."""
    grids, regions = [], []
    for s in range(1, STREETS + 1):
        street = f"{COUNTY}{s:03d}"
        regions.append((street, f"第{s}街道", "street", COUNTY))
        for c in range(1, COMMUNITIES_PER_STREET + 1):
            community = f"{street}{c:03d}"
            regions.append((community, f"{s}街道{c}社区", "community", street))
            grids += [(f"{community}{g:03d}", street, community) for g in range(1, GRIDS_PER_COMMUNITY + 1)]
    users = ([(f"col{i:03d}", f"监督员{i}", "collector") for i in range(COLLECTORS)]
             + [(f"op{i:02d}", f"受理员{i}", "operator") for i in range(OPERATORS)]
             + [(f"ld{i:02d}", f"值班长{i}", "leader") for i in range(LEADERS)]
             + [(f"dp{i:02d}", f"派遣员{i}", "dispatcher") for i in range(DISPATCHERS)])
    with db.transaction(conn):
        conn.executemany("INSERT INTO regions (code, name, level, parent_code) VALUES (?, ?, ?, ?)", regions)
        conn.executemany("INSERT INTO grids (code, name, street_code, community_code) VALUES (?, ?, ?, ?)",
                         [(g, f"网格{g[-6:]}", s, c) for g, s, c in grids])
        conn.executemany("INSERT INTO units (code, name, kind) VALUES (?, ?, 'department')",
                         [(f"U{i:03d}", f"专业部门{i}") for i in range(UNITS)])
        conn.executemany("INSERT INTO users (username, display_name, role, password_hash) VALUES (?, ?, ?, 'x')", users)
        conn.executemany("INSERT INTO collector_grids (username, grid_code) VALUES (?, ?)",
                         [(f"col{i % COLLECTORS:03d}", g) for i, (g, _, _) in enumerate(grids)])
    return grids


def without_indexes(conn, fill):
    """Run fill() with the big tables' indexes dropped, then rebuild exactly the same indexes."""
    rows = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                        "AND tbl_name IN ('case_events', 'cases')").fetchall()
    for name, _ in rows:
        conn.execute(f"DROP INDEX {name}")
    result = fill()
    t = time.perf_counter()
    for _, sql in rows:
        conn.execute(sql)
    print(f"indexes rebuilt in {time.perf_counter() - t:.1f} s")
    return result


def timed(fn, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def measure(conn, label: str, start: date, end: date) -> None:
    lo, hi = evaluation.period(conn, start, end)
    baseline = timed(lambda: conn.execute("SELECT count(*) FROM case_events WHERE at >= ? AND at < ?",
                                          (lo, hi)).fetchone())
    n = conn.execute("SELECT count(*) FROM case_events WHERE at >= ? AND at < ?", (lo, hi)).fetchone()[0]
    print(f"\n{label} {start} .. {end}: {n:,} events; baseline count(*) {baseline * 1000:.1f} ms")
    for by, level in (("unit", None), ("region", "street"), ("region", "community"), ("region", "grid"),
                      ("collector", None), ("post", None)):
        results = []
        took = timed(lambda by=by, level=level, out=results: out.append(
            evaluation.evaluate(conn, start, end, by, level=level)))
        name = by + (f"/{level}" if level else "")
        print(f"  {name:<17} {took * 1000:8.1f} ms  {len(results[-1]):5d} objects  "
              f"x{took / baseline:,.0f} baseline")


def measure_overdue(conn, now: datetime, collector: str = "col000") -> None:
    """`deadlines.overdue` as the desk asks it: all, the first page, one unit's, one collector's grids
    (also run by bench_demo.py on the demo city)."""
    statuses = ("dispatched", *deadlines.STEP_STATUSES)
    scan = timed(lambda: conn.execute(
        f"SELECT count(*) FROM cases WHERE +status IN ({', '.join('?' * len(statuses))}) AND CASE status "
        "WHEN 'dispatched' THEN deadline_at ELSE step_due_at END < ?",
        (*statuses, stamp(int(now.timestamp())))).fetchone())
    sql, params = deadlines.overdue_sql(now)
    bare = timed(lambda: conn.execute(sql, params).fetchall())
    (cases,) = conn.execute("SELECT count(*) FROM cases").fetchone()
    unit = conn.execute("SELECT unit_code FROM cases WHERE status = 'dispatched' GROUP BY unit_code "
                        "ORDER BY count(*) DESC LIMIT 1").fetchone()[0]
    grids = [g for (g,) in conn.execute("SELECT grid_code FROM collector_grids WHERE username = ?", (collector,))]
    print(f"\noverdue cases at {now.isoformat(timespec='minutes')} of {cases:,}; a scan of the cases table "
          f"{scan * 1000:.1f} ms, the query's SQL alone {bare * 1000:.1f} ms")
    for name, kwargs in (("all", {}), ("first page (50)", {"limit": 50}), (f"unit {unit}", {"unit_code": unit}),
                         (f"{collector}'s {len(grids)} grids", {"grid_codes": grids})):
        results = []
        took = timed(lambda kwargs=kwargs, out=results: out.append(deadlines.overdue(conn, now, **kwargs)))
        print(f"  {name:<22} {took * 1000:8.1f} ms  {len(results[-1]):6,d} cases  "
              f"{took / scan:6.2f} x the scan   (target: < 100 ms)")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", help="write the centre here and keep it (reused when it exists)")
    args = parser.parse_args(argv)
    tmp = tempfile.mkdtemp(prefix="bench_evaluation_")
    path = Path(args.keep) if args.keep else Path(tmp) / "center.gpkg"
    try:
        if not path.exists():
            conn = db.create_centre(path, county_code=COUNTY)
            conn.execute("PRAGMA synchronous = OFF")
            t = time.perf_counter()
            n, events = without_indexes(conn, lambda: populate(conn, args.cases, args.years, args.seed))
            print(f"generated {n:,} cases, {events:,} events in {time.perf_counter() - t:.1f} s")
            conn.close()
        conn = db.open_centre(path)
        measure(conn, "one month", date(2025, 11, 1), date(2025, 12, 1))
        measure(conn, "one year ", date(2024, 12, 1), date(2025, 12, 1))
        measure_overdue(conn, END)
        conn.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
