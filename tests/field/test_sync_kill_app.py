# SPDX-License-Identifier: GPL-2.0-or-later
"""The field app's process SIGKILLed at random points of a sync (seeded), then the same data directory
opened by a new process that syncs to the end: every item exactly once on the centre with all its
photos, byte-exact, and nothing unexplained in the outbox. `CITYGRID_FAULT_ROUNDS` sets the rounds."""

import hashlib
import os
import random
import subprocess
import sys
import time
from pathlib import Path

import server_view as sv
from capture import NOW, where
from conftest import jpeg
from test_sync_live import signed_in, sync

from citygrid.sync.protocol import Location, Report, ReportKind
from citygrid_field.outbox import Outbox
from citygrid_field.store import Store

ROUNDS = int(os.environ.get("CITYGRID_FAULT_ROUNDS", "8"))
ROOT = Path(__file__).resolve().parents[2]
DRIVER = Path(__file__).with_name("sync_driver.py")
CHUNK = 32 * 1024
PHASES = ("pull", "upload", "push")


def driver(data: Path) -> subprocess.Popen:
    path = os.pathsep.join(str(ROOT / p) for p in ("shared", "server", "tests", "field_app"))
    return subprocess.Popen([sys.executable, str(DRIVER), str(data), str(CHUNK)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": path})


def kill_on(data: Path, phase: str, nth: int, delay: float) -> bool:
    """Run a sync and SIGKILL it `delay` s after its `nth` `phase <phase>` line; -> whether it was killed."""
    proc, seen = driver(data), 0
    for line in proc.stdout:
        seen += line.strip() == f"phase {phase}"
        if seen == nth:
            time.sleep(delay)
            proc.kill()  # SIGKILL: no finally, no atexit, no flush
            proc.wait()
            return proc.returncode == -9
    proc.wait()
    return False


def sync_to_the_end(data: Path) -> None:
    proc = driver(data)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0 and out.rstrip().endswith("end ok"), (out[-500:], err[-2000:])


def queue_reports(data: Path, photos: Path, spot: Location, tag: str, n: int = 2) -> dict[str, str]:
    """`n` reports, each with two photos of several chunks; -> {uuid: description}."""
    photos.mkdir(parents=True, exist_ok=True)
    store, out = Store(data), {}
    try:
        for i in range(n):
            shots = [jpeg(photos / f"{tag}-{i}-{k}.jpg", k, (320, 240), noise=True) for k in range(2)]
            text = f"暴露垃圾 {tag}-{i}"
            out[Outbox(store).add(Report(ReportKind.EVENT, "0102", NOW, Location(spot.lon + 0.0001 * i, spot.lat,
                                                                                 4.0), text), shots)] = text
    finally:
        store.close()
    return out


def assert_each_once_with_its_photos(centre: Path, data: Path, made: dict[str, str]) -> None:
    assert sv.items_seen(centre, list(made)) == dict.fromkeys(made, 1)
    store = Store(data)
    try:
        entries = {e.uuid: e for e in Outbox(store).entries()}
    finally:
        store.close()
    unexplained = [e for e in entries.values() if not e.final or e.blocked]
    assert not unexplained, [(e.uuid, e.status, e.blocked) for e in unexplained]
    for uuid, text in made.items():
        (case_no,), = sv.read(centre, "SELECT case_no FROM sync_items WHERE uuid = ?", (uuid,))
        assert sv.read(centre, "SELECT count(*) FROM cases WHERE description = ?", (text,)) == [(1,)]
        assert sv.read(centre, "SELECT count(*) FROM case_events WHERE case_no = ? AND from_status IS NULL",
                       (case_no,)) == [(1,)]
        shas = {p.sha256 for p in entries[uuid].photos}
        assert len(shas) == 2 and sv.case_photos(centre, case_no) == shas
        for sha in shas:
            blob = centre.with_suffix(".blobs") / sha[:2] / sha[2:4] / sha
            assert hashlib.sha256(blob.read_bytes()).hexdigest() == sha


def test_the_app_process_sigkilled_at_random_points_of_a_sync_ends_with_every_item_once(world, tmp_path):
    scout, _api = signed_in({**world, "data": tmp_path / "scout"})  # where the collector's grid is
    sync(scout)
    spot = where(scout, scout.tasks("check")[0]["case_no"])
    signed_in(world)  # the device under test has signed in and never pulled: pull has pages to cut
    made, killed = {}, set()
    for rnd in range(ROUNDS):
        rng = random.Random(rnd)
        made |= queue_reports(world["data"], tmp_path / "photos", spot, f"r{rnd}")
        phase = PHASES[rnd % 3]
        nth = rng.randint(1, 12 if phase == "upload" else 3)
        started = time.perf_counter()
        if kill_on(world["data"], phase, nth, rng.uniform(0, 0.03)):
            killed.add(phase)
        print(f"round {rnd}: {phase} #{nth} killed={phase in killed} {time.perf_counter() - started:.2f} s")
        sync_to_the_end(world["data"])
        assert_each_once_with_its_photos(world["path"], world["data"], made)
    assert killed == set(PHASES) or ROUNDS < 3, killed
