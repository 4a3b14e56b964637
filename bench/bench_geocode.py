# SPDX-License-Identifier: GPL-2.0-or-later
"""Geocoding at city scale: point -> grid and nearest-component rates against bare R-tree queries.

Builds a centre with ~8,500 slightly irregular quadrilateral grids (85 km², real 15-digit codes) and
~417,000 components (Yichang's inventory), then prints rates. Figures only, no assertions.
Usage: python bench/bench_geocode.py [--components N] [--queries N] [--seed N]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "shared"))

from citygrid import crs  # noqa: E402
from citygrid.loop import geocode  # noqa: E402
from citygrid.store import db, gpkg  # noqa: E402

SRS, COUNTY = 4549, "320508"
X0, Y0, CELL, COLS, ROWS = 490_000.0, 3_455_000.0, 100.0, 100, 85  # 10 km x 8.5 km
JITTER = 15.0
CLASSES = ("0101", "0102", "0103", "0104", "0109", "0201", "0202", "0205", "0301", "0302",
           "0305", "0401", "0403", "0501", "0601", "0602")


def _vertices(rnd: random.Random) -> dict[tuple[int, int], tuple[float, float]]:
    """Lattice corners, the interior ones moved a little so grids are irregular but still tile."""
    out = {}
    for i in range(COLS + 1):
        for j in range(ROWS + 1):
            inner = 0 < i < COLS and 0 < j < ROWS
            dx, dy = (rnd.uniform(-JITTER, JITTER), rnd.uniform(-JITTER, JITTER)) if inner else (0, 0)
            out[i, j] = (X0 + i * CELL + dx, Y0 + (ROWS - j) * CELL + dy)  # row 0 is the northernmost
    return out


def _grid_code(col: int, row: int) -> tuple[str, str, str]:
    """(grid, street, community) codes: 20 streets of 10 communities of 50 grids, serials W->E, N->S."""
    street = 1 + (row // 25) * 5 + col // 20
    community = 1 + ((row % 25) // 5) * 2 + (col % 20) // 10
    serial = 1 + (row % 5) * 10 + col % 10
    street_code = f"{COUNTY}{street:03d}"
    community_code = f"{street_code}{community:03d}"
    return f"{community_code}{serial:03d}", street_code, community_code


def _grid_rows(rnd: random.Random):
    v = _vertices(rnd)
    for row in range(ROWS):
        for col in range(COLS):
            ring = [v[col, row + 1], v[col + 1, row + 1], v[col + 1, row], v[col, row], v[col, row + 1]]
            code, street, community = _grid_code(col, row)
            yield gpkg.polygon([ring], SRS), code, f"网格{code[-6:]}", street, community


def _component_rows(rnd: random.Random, count: int):
    serials = dict.fromkeys(CLASSES, 0)
    for _ in range(count):
        cls = rnd.choice(CLASSES)
        serials[cls] += 1
        x, y = X0 + rnd.uniform(0, COLS * CELL), Y0 + rnd.uniform(0, ROWS * CELL)
        col, row = int((x - X0) // CELL), ROWS - 1 - int((y - Y0) // CELL)
        yield (gpkg.point(x, y, SRS), f"{COUNTY}{cls}{serials[cls]:06d}", f"部件{cls}",
               _grid_code(col, row)[0], "2026-01-01", "实测")


def build(path: Path, rnd: random.Random, components: int):
    conn = db.create_centre(path, srs_id=SRS, county_code=COUNTY)
    conn.execute("PRAGMA cache_size = -200000")  # 200 MB: keeps the bulk R-tree inserts off the disk
    with db.transaction(conn):
        conn.executemany("INSERT INTO grids (geom, code, name, street_code, community_code) "
                         "VALUES (?, ?, ?, ?, ?)", _grid_rows(rnd))
        conn.executemany("INSERT INTO components (geom, ObjID, ObjName, BGID, ORDate, DataSource) "
                         "VALUES (?, ?, ?, ?, ?, ?)", _component_rows(rnd, components))
    return conn


def rate(fn, points) -> tuple[float, float]:
    """Calls of fn(x, y) per wall-clock second and per CPU second (less disturbed by other load)."""
    wall, cpu = time.perf_counter(), time.process_time()
    for x, y in points:
        fn(x, y)
    return len(points) / (time.perf_counter() - wall), len(points) / (time.process_time() - cpu)


def show(r: tuple[float, float]) -> str:
    return f"{r[0]:>9,.0f}/s (cpu {r[1]:>7,.0f}/s)"


def report(label: str, ours, baseline, baseline_label: str) -> None:
    print(f"{label:<30} {show(ours)}   {baseline_label} {show(baseline)}   ratio {ours[0] / baseline[0]:.2f}")


def bench_grids(conn, points) -> None:
    geocode.grid_at(conn, *points[0])  # builds the per-connection index once
    bare = rate(lambda x, y: conn.execute(geocode._GRID_CANDIDATES, (x, x, y, y)).fetchall(), points)
    ours = rate(lambda x, y: geocode.grid_at(conn, x, y), points)
    inside = sum(geocode.grid_at(conn, x, y) is not None for x, y in points[:2000])
    report("point -> grid (grid_at)", ours, bare, "bare R-tree")
    print(f"  ({inside}/2000 sample points inside a grid)")


def bench_nearest(conn, points, radius: float) -> None:
    sql = "SELECT id FROM rtree_components_geom WHERE minx <= ? AND maxx >= ? AND miny <= ? AND maxy >= ?"
    bare = rate(lambda x, y: conn.execute(sql, (x + radius, x - radius, y + radius, y - radius)).fetchall(),
                points)
    ours = rate(lambda x, y: geocode.nearest_components(conn, x, y, radius_m=radius), points)
    found = sum(len(geocode.nearest_components(conn, x, y, radius_m=radius)) for x, y in points[:500])
    report(f"nearest components r={radius:g} m", ours, bare, "bare R-tree")
    filtered = rate(lambda x, y: geocode.nearest_components(conn, x, y, radius_m=radius, class_code="0101"),
                    points)
    print(f"  with class filter 0101: {show(filtered)}; mean hits per query {found / 500:.1f} (limit 10)")


def bench_transform(points) -> None:
    lonlats = [crs.to_lonlat(x, y, SRS) for x, y in points]
    fwd = rate(lambda lon, lat: crs.to_projected(lon, lat, SRS), lonlats)
    inv = rate(lambda x, y: crs.to_lonlat(x, y, SRS), points)
    print(f"{'to_projected':<30} {show(fwd)}\n{'to_lonlat':<30} {show(inv)}")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--components", type=int, default=417_000)
    ap.add_argument("--queries", type=int, default=50_000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    rnd = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        conn = build(Path(tmp) / "center.gpkg", rnd, args.components)
        grids = conn.execute("SELECT count(*) FROM grids").fetchone()[0]
        print(f"built {grids:,} grids and {args.components:,} components in "
              f"{time.perf_counter() - start:.1f} s")
        points = [(X0 + rnd.uniform(-200, COLS * CELL + 200), Y0 + rnd.uniform(-200, ROWS * CELL + 200))
                  for _ in range(args.queries)]
        bench_grids(conn, points)
        bench_nearest(conn, points[: max(1, args.queries // 10)], 50.0)
        bench_transform(points[:20_000])
        start = time.perf_counter()
        geocode._CACHES.clear()
        geocode.grid_at(conn, *points[0])
        print(f"grid index (re)build: {(time.perf_counter() - start) * 1000:.0f} ms")
        conn.close()


if __name__ == "__main__":
    main()
