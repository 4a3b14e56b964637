# SPDX-License-Identifier: GPL-2.0-or-later
"""Pull of one collector's 500 open tasks with their cases, grids and nearby components (target < 1 s).

    .venv/bin/python bench/bench_pull.py [--center var/demo-city/center.gpkg] [--tasks 500]

With --center, a copy of that centre is used (e.g. the city-scale demo) and `--tasks` open check tasks
are given to one collector; without it a centre of 1,600 grids, 64,000 components and 100,000 other
cases is built first. Prints the full pull (pages of 2,000, in-process and over HTTP on loopback) against
a baseline measured in the same run: reading the same task, case, grid and component rows with plain
indexed SELECTs. Figures only.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "shared"), str(ROOT / "server"), str(ROOT / "tests"), str(ROOT / "tests" / "server")]

import centre_fixture as cf  # noqa: E402

from citygrid.loop import accounts  # noqa: E402
from citygrid.store import db, gpkg  # noqa: E402
from citygrid.sync import pull as sync_pull  # noqa: E402


def build(path: Path, side: int = 40) -> None:
    """A synthetic centre: side x side grids of 100 m, 40 components each, 100,000 closed cases."""
    cf.build(path)
    c = db.open_centre(path)
    with db.transaction(c):
        c.execute("DELETE FROM grids WHERE code NOT IN (SELECT grid_code FROM collector_grids)")
        rows, comps = [], []
        for i in range(side * side):
            col, row = divmod(i, side)
            code = f"320508{2 + i // 999:03d}{(i // 99) % 999 + 1:03d}{i % 99 + 1:03d}"
            x, y = cf.X0 + 1000 + col * 100, cf.Y0 + row * 100
            ring = [[(x, y), (x + 100, y), (x + 100, y + 100), (x, y + 100), (x, y)]]
            rows.append((gpkg.polygon(ring, 4549), code, code[:9], code[:12]))
            for k in range(40):
                comps.append((gpkg.point(x + 2 + k * 2.4, y + 50, 4549), f"32050801{k % 20 + 1:02d}{i * 40 + k:06d}",
                              "部件", code))
        c.executemany("INSERT OR IGNORE INTO grids (geom, code, street_code, community_code) VALUES (?, ?, ?, ?)", rows)
        c.executemany("INSERT OR IGNORE INTO components (geom, ObjID, ObjName, BGID) VALUES (?, ?, ?, ?)", comps)
        start = datetime(2021, 1, 1, tzinfo=UTC)
        c.executemany(
            "INSERT INTO cases (geom, case_no, kind, class_code, status, grid_code, source, reported_at) "
            "VALUES (?, ?, 'event', '0102', 'closed', ?, 'collector', ?)",
            [(gpkg.point(cf.X0 + 1050, cf.Y0 + 50, 4549), f"N{i:09d}", rows[i % len(rows)][1],
              (start + timedelta(minutes=i)).strftime("%Y-%m-%dT%H:%M:%S.000Z")) for i in range(100_000)])
    c.close()


def give_tasks(path: Path, n: int) -> str:
    """`n` open check tasks for one collector, driven through the real workflow."""
    c = db.open_centre(path)
    user = "pullbench"
    with db.transaction(c):
        c.execute("INSERT OR IGNORE INTO users (username, display_name, role, password_hash) VALUES (?, ?, 'collector', ?)",
                  (user, user, accounts.hash_password(cf.PASSWORD)))
    for i in range(n):
        case_no = cf.case_at(c, "checking", grid=list(cf.GRIDS)[i % 4], dx=1 + (i * 0.37) % 98, dy=1 + (i * 0.91) % 98)
        c.execute("UPDATE tasks SET assignee = ? WHERE case_no = ? AND kind = 'check' AND status = 'open'",
                  (user, case_no))
    c.close()
    return user


def give_existing_tasks(path: Path, n: int) -> str:
    """On a real centre (the city demo): `n` open check tasks over its most recent cases, inserted
    directly (a pull does not care how a task came to be) for one collector."""
    c = db.open_centre(path)
    user = "pullbench"
    with db.transaction(c):
        c.execute("INSERT OR IGNORE INTO users (username, display_name, role, password_hash) VALUES (?, ?, 'collector', ?)",
                  (user, user, accounts.hash_password(cf.PASSWORD)))
        cases = [r[0] for r in c.execute("SELECT case_no FROM cases ORDER BY reported_at DESC LIMIT ?", (n,))]
        c.executemany("INSERT INTO tasks (id, kind, case_no, assignee, status, created_at, due_at) VALUES "
                      "(?, 'check', ?, ?, 'open', '2026-11-20T01:00:00.000Z', '2026-11-20T03:00:00.000Z')",
                      [(f"bench-{i:06d}", no, user) for i, no in enumerate(cases)])
    c.close()
    return user


def baseline(path: Path, user: str) -> float:
    """The same rows a pull sends, read with plain indexed SELECTs and no sync bookkeeping."""
    c = db.open_centre(path)
    t0 = time.perf_counter()
    tasks = c.execute("SELECT * FROM tasks WHERE assignee = ? AND status = 'open'", (user,)).fetchall()
    cases = [c.execute("SELECT * FROM cases WHERE case_no = ?", (t["case_no"],)).fetchone() for t in tasks]
    for g in {r["grid_code"] for r in cases}:
        c.execute("SELECT * FROM grids WHERE code = ?", (g,)).fetchall()
    for k in cases:
        x, y = gpkg.decode(k["geom"])[1]
        c.execute("SELECT c.* FROM rtree_components_geom r JOIN components c ON c.fid = r.id WHERE r.minx >= ? "
                  "AND r.maxx <= ? AND r.miny >= ? AND r.maxy <= ?", (x - 30, x + 30, y - 30, y + 30)).fetchall()
    for t in ("classes", "conditions", "units"):
        c.execute(f"SELECT * FROM {t}").fetchall()
    elapsed = time.perf_counter() - t0
    c.close()
    return elapsed


def pull_in_process(path: Path, user: str) -> tuple[float, int, int]:
    c = db.open_centre(path)
    actor = accounts.actor(c, user)
    t0, cursor, items, pages = time.perf_counter(), None, 0, 0
    while True:
        page = sync_pull.pull(c, actor, "bench-device", cursor, 2000)
        items += len(page["items"])
        pages += 1
        cursor = page["cursor"]
        if not page["has_more"]:
            break
    elapsed = time.perf_counter() - t0
    c.close()
    return elapsed, items, pages


def pull_over_http(path: Path, user: str) -> float:
    import httpx
    from live import LiveServer

    server = LiveServer(path).start()
    try:
        r = httpx.post(f"{server.url}/api/v1/auth/login", json={"username": user, "password": cf.PASSWORD,
                                                                 "device_id": "bench-http"})
        h = {"Authorization": f"Bearer {r.json()['token']}"}
        t0, cursor = time.perf_counter(), None
        with httpx.Client(timeout=60) as client:
            while True:
                params = {"limit": 2000} | ({"cursor": cursor} if cursor else {})
                body = client.get(f"{server.url}/api/v1/sync/pull", params=params, headers=h).json()
                cursor = body["cursor"]
                if not body["has_more"]:
                    break
        return time.perf_counter() - t0
    finally:
        server.stop()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--center", type=Path)
    ap.add_argument("--tasks", type=int, default=500)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="citygrid-pull-") as tmp:
        path = Path(tmp) / "center.gpkg"
        t0 = time.perf_counter()
        if a.center:
            shutil.copy(a.center, path)
            user = give_existing_tasks(path, a.tasks)
        else:
            build(path)
            user = give_tasks(path, a.tasks)
        c = db.open_centre(path)
        counts = {t: c.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("grids", "components", "cases")}
        c.close()
        print(f"setup {time.perf_counter() - t0:.1f} s: {counts}, {a.tasks} open checks for {user}")
        base = baseline(path, user)
        inproc, items, pages = pull_in_process(path, user)
        http = pull_over_http(path, user)
    print(f"baseline (plain SELECTs of the same rows): {base * 1000:.0f} ms")
    print(f"pull in-process: {inproc * 1000:.0f} ms for {items} items in {pages} page(s)  (x{inproc / base:.1f} baseline)")
    print(f"pull over HTTP on loopback: {http * 1000:.0f} ms  (target < 1000 ms)")


if __name__ == "__main__":
    main()
