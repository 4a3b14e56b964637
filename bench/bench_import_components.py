# SPDX-License-Identifier: GPL-2.0-or-later
"""Importing a city's component inventory from a GDAL GeoPackage, against `ogr2ogr` copying the same layer.

    .venv/bin/python bench/bench_import_components.py [--count 417076] [--grids 40] [--dir DIR]

Builds a small centre (EPSG:4549, one street, `--grids`² unit grids of 100 m), writes COUNT component
points inside the grids with GDAL into a GeoPackage (ObjID, ObjName, DeptCode1/DeptName1, BGID,
ObjState, ORDate, as a city's survey file has them; every 10th row without ObjID, so ObjIDs are
allocated), then in the same run:
- times `ogr2ogr -f GPKG` copying that layer into a fresh GeoPackage (the baseline);
- times `citygrid.admin.importer.import_layer` into the fresh centre (read, validate, write);
and prints both, the ratio (target ≤ 2×) and the peak memory of this process (ru_maxrss), which holds
the import (the generator runs in a child process so its memory does not count). The files are
kept in `--dir` when given, else written to a temporary directory removed at the end.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "shared"))

X0, Y0 = 500_000.0, 3_460_000.0


def build_centre(path: Path, n: int) -> None:
    from citygrid.loop import dictionaries
    from citygrid.store import db, gpkg

    conn = db.create_centre(path, srs_id=4549, county_code="320508", name="bench")
    dictionaries.install(conn)
    with db.transaction(conn):
        conn.execute("INSERT INTO regions (code, name, level) VALUES ('320508', '姑苏区', 'district')")
        conn.execute("INSERT INTO regions (code, name, level, parent_code) VALUES ('320508001', '街道', 'street', '320508')")
        for c in range(1, n + 1):
            conn.execute("INSERT INTO regions (code, name, level, parent_code) VALUES (?, ?, 'community', '320508001')",
                         (f"320508001{c:03d}", f"社区{c}"))
        conn.execute("INSERT INTO units (code, name, kind) VALUES ('SW', '市水务局', 'department')")
        for col in range(n):
            for row in range(n):
                x, y = X0 + col * 100, Y0 + row * 100
                code = f"320508001{col + 1:03d}{row + 1:03d}"
                conn.execute("INSERT INTO grids (geom, code, name, street_code, community_code, area_m2) "
                             "VALUES (?, ?, ?, ?, ?, 10000)",
                             (gpkg.polygon([[(x, y), (x + 100, y), (x + 100, y + 100), (x, y + 100), (x, y)]], 4549),
                              code, code, code[:9], code[:12]))
    conn.close()


def generate(path: Path, count: int, n: int) -> None:
    """The source GeoPackage, written by GDAL (run in a child process)."""
    from osgeo import ogr, osr

    ogr.UseExceptions()
    from citygrid.loop import dictionaries

    classes = [c for c in dictionaries.load_classes(dictionaries.default_dir() / "components.csv", "component")][:40]
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(4549)
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
    lyr = ds.CreateLayer("components", srs, ogr.wkbPoint)
    for name in ("ObjID", "ObjName", "DeptCode1", "DeptName1", "BGID", "ObjState", "ORDate"):
        lyr.CreateField(ogr.FieldDefn(name, ogr.OFTString))
    rng = random.Random(7)
    serial = {}
    lyr.StartTransaction()
    defn = lyr.GetLayerDefn()
    for i in range(count):
        cls = classes[i % len(classes)]
        col, row = rng.randrange(n), rng.randrange(n)
        x, y = X0 + col * 100 + rng.uniform(1, 99), Y0 + row * 100 + rng.uniform(1, 99)
        f = ogr.Feature(defn)
        if i % 10:
            serial[cls.code] = serial.get(cls.code, 0) + 1
            f.SetField(0, f"320508{cls.code}{serial[cls.code]:06d}")
        f.SetField(1, cls.minor_name)
        f.SetField(2, "SW")
        f.SetField(3, "市水务局")
        f.SetField(4, f"320508001{col + 1:03d}{row + 1:03d}")
        f.SetField(5, "完好")
        f.SetField(6, f"2019-{1 + i % 12:02d}-{1 + i % 28:02d}")
        g = ogr.Geometry(ogr.wkbPoint)
        g.AddPoint_2D(x, y)
        f.SetGeometry(g)
        lyr.CreateFeature(f)
    lyr.CommitTransaction()
    ds = None  # noqa: F841


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=417_076)
    ap.add_argument("--grids", type=int, default=40, help="grids per side (100 m each)")
    ap.add_argument("--dir")
    ap.add_argument("--child-generate", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child_generate:
        generate(Path(args.child_generate[0]), int(args.child_generate[1]), int(args.child_generate[2]))
        return
    work = Path(args.dir or tempfile.mkdtemp(prefix="bench-import-"))
    work.mkdir(parents=True, exist_ok=True)
    source, centre, copy = work / "inventory.gpkg", work / "centre.gpkg", work / "ogr2ogr-copy.gpkg"
    for p in (source, centre, copy):
        for suffix in ("", "-wal", "-shm"):
            Path(str(p) + suffix).unlink(missing_ok=True)
    t = time.perf_counter()
    subprocess.run([sys.executable, __file__, "--child-generate", str(source), str(args.count), str(args.grids)],
                   check=True)
    print(f"source: {args.count:,} points written by GDAL in {time.perf_counter() - t:.1f} s ({source})")
    build_centre(centre, args.grids)

    os.sync()  # neither timed part inherits the other's (or the generator's) write-back
    t = time.perf_counter()
    subprocess.run(["ogr2ogr", "-f", "GPKG", str(copy), str(source), "components"], check=True)
    baseline = time.perf_counter() - t

    from citygrid.admin import importer
    from citygrid.store import db

    starts: dict[str, float] = {}

    def progress(stage, done, total):
        starts.setdefault(stage, time.perf_counter())  # a stage's first report comes after its first chunk

    os.sync()
    t = time.perf_counter()
    conn = db.open_centre(centre)
    result = importer.import_layer(conn, "components", source, progress=progress)
    conn.close()
    took = time.perf_counter() - t
    marks = [("open and read", t), *[(s, starts[s]) for s in ("check", "write") if s in starts],
             ("end", t + took)]
    stages = {name: nxt - at for (name, at), (_n, nxt) in zip(marks, marks[1:], strict=False)}
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    assert result.written and not result.bad_rows, result.counts()
    print(f"ogr2ogr -f GPKG copy:     {baseline:7.1f} s")
    print(f"citygrid import:          {took:7.1f} s  ({result.inserted:,} components, "
          f"{result.allocated:,} ObjIDs allocated)")
    print("  by stage (from the progress callback): " + ", ".join(f"{k} {v:.1f} s" for k, v in stages.items()))
    print(f"ratio import / ogr2ogr:   {took / baseline:7.2f}x  (target <= 2x)")
    print(f"peak memory (ru_maxrss):  {peak:7.0f} MB")
    print(f"centre {os.path.getsize(centre) / 1e6:.0f} MB, source {os.path.getsize(source) / 1e6:.0f} MB")
    if args.dir:
        print(f"files kept in {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
