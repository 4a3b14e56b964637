# SPDX-License-Identifier: GPL-2.0-or-later
"""Shift review: a shift of 50 devices x 40 items pushed through the real push path on a small built
centre, then `shift_review` timed against a plain `SELECT count(*) FROM sync_items` of the same rows
in the same run (target: the dock opens in under 1 s)."""

from __future__ import annotations

import sys
import tempfile
import time
import uuid as uuidlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import centre_fixture as cf  # noqa: E402
import review_shift as rs  # noqa: E402

from citygrid.loop import accounts  # noqa: E402
from citygrid.store import blobs, db  # noqa: E402
from citygrid.sync import review  # noqa: E402

DEVICES, ITEMS = 50, 40


def build(path: Path):
    cf.build(path)
    conn = db.open_centre(path)
    store = blobs.store_for(path)
    for d in range(DEVICES):
        accounts.add_user(conn, f"bench{d:02d}", "collector", cf.PASSWORD, grids=("320508001001001",))
    near = rs.case_lonlat(conn, cf.case_at(conn, "reported", at=rs.START))
    for d in range(DEVICES):
        user = f"bench{d:02d}"
        sha = rs.photo(conn, store, user, f"bench {d}", near if d % 3 else None)
        items = [rs.report((near[0] + (i % 7) * 1e-4, near[1]), photos=[sha]) for i in range(ITEMS)]
        for item in items:
            item["uuid"] = str(uuidlib.uuid4())
        rs.push(conn, store, items, username=user, device=f"dev-{d:02d}")
    return conn


def best(fn, runs=5) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        conn = build(Path(tmp) / "center.gpkg")
        built = time.perf_counter() - t0
        sup = cf.actor(conn, "supervisor")
        since, until = rs.window()
        seen = review.shift_review(conn, sup, since, until)
        t_review = best(lambda: review.shift_review(conn, sup, since, until))
        t_count = best(lambda: conn.execute("SELECT count(*) FROM sync_items").fetchone())
        print(f"shift: {DEVICES} devices x {ITEMS} items = {sum(g['items'] for g in seen['devices'])} items, "
              f"{len(seen['items'])} to decide (built in {built:.1f} s)")
        print(f"shift_review: {t_review * 1000:.1f} ms (target < 1000 ms)")
        print(f"SELECT count(*) FROM sync_items: {t_count * 1000:.3f} ms; ratio {t_review / t_count:.0f}x")


if __name__ == "__main__":
    main()
