# SPDX-License-Identifier: GPL-2.0-or-later
"""A collector's full shift synced over loopback: 40 checks with 120 photos of ~1.5 MB pushed to a real
`citygrid serve` by the field app's SyncJob (pull, tus uploads, push, receipts, all bookkeeping in the
device store), against the raw tus upload of as many bytes by the app's own tus client (no store, no
pull, no push) to the same service in the same run. Throughput ratio = (sync bytes / sync wall time) /
(raw bytes / raw wall time); target >= 0.8. The two photo sets differ (the centre keeps blobs by
sha256, so the same bytes twice would not be sent twice); their sizes are printed. The order of the
two alternates between runs. Figures only; no assertions.

    .venv/bin/python bench/bench_field_sync.py [runs]
"""

from __future__ import annotations

import io
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "shared"), str(ROOT / "server"), str(ROOT / "tests"), str(ROOT / "tests" / "server"),
                str(ROOT / "field_app")]

import centre_fixture as cf  # noqa: E402
from live import LiveServer  # noqa: E402

from citygrid.store import db  # noqa: E402
from citygrid.sync.protocol import CheckResult, Location, Outcome  # noqa: E402
from citygrid_field.outbox import Outbox, Photo, photo_digest  # noqa: E402
from citygrid_field.session import Api, sign_in, signed_in_api  # noqa: E402
from citygrid_field.store import Store  # noqa: E402
from citygrid_field.sync_client import SyncJob  # noqa: E402
from citygrid_field.tus import TusUpload  # noqa: E402

CHECKS, PER_CHECK = 40, 3
AT = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


def photo(path: Path) -> Path:
    """A ~1.5 MB real JPEG (noise compresses badly, like a detailed street scene at phone quality)."""
    from PIL import Image

    buf = io.BytesIO()
    Image.frombytes("RGB", (1600, 1200), os.urandom(1600 * 1200 * 3)).save(buf, "JPEG", quality=88)
    path.write_bytes(buf.getvalue())
    return path


def centre(path: Path) -> None:
    """The fixture centre with 40 cases in 核查 (checking) in collector01's grid."""
    cf.build(path)
    conn = db.open_centre(path)
    try:
        for i in range(CHECKS):
            cf.case_at(conn, "checking", dx=5 + (i % 8) * 12, dy=5 + (i // 8) * 18, at=AT)
    finally:
        conn.close()


def queue_shift(store: Store, photos: Path) -> int:
    """A check (pass, 3 photos) for each of the 40 tasks pulled; -> the photos' bytes."""
    box, total = Outbox(store), 0
    for n, task in enumerate(t for t in store.tasks() if t["kind"] == "check"):
        case = store.record("case", task["case_no"])
        shots = [photo(photos / f"s{n}-{k}.jpg") for k in range(PER_CHECK)]
        total += sum(s.stat().st_size for s in shots)
        box.add(CheckResult(task["id"], Outcome.PASS, AT, location=Location(case["lon"], case["lat"], 5.0)), shots)
    return total


def raw_upload(server_url: str, token: str, photos: list[Path]) -> float:
    """The same tus client on its own: create (+ PATCH chunks) per photo, nothing kept; -> seconds.
    The hashes are known before the clock starts, as the app's are (taken at capture); both sides
    hash each file once more inside the clock, as TusUpload reads it."""
    api = Api(server_url, token)
    known = [(path, *photo_digest(path)) for path in photos]
    started = time.perf_counter()
    for path, sha, size in known:
        upload = TusUpload(api, Photo(sha, str(path), size, "image/jpeg", None, False), lambda _url: None)
        while not upload.done:
            upload.step()
    elapsed = time.perf_counter() - started
    api.close()
    return elapsed


def one_run(folder: Path, raw_first: bool) -> dict:
    centre(folder / "centre.gpkg")
    server = LiveServer(folder / "centre.gpkg").start()
    try:
        store = Store(folder / "device")
        sign_in(store, Api(server.url), "collector01", cf.PASSWORD)
        SyncJob(store, signed_in_api(store)).run()  # the morning's pull: 40 tasks
        (folder / "shift").mkdir()
        (folder / "raw").mkdir()
        shift_bytes = queue_shift(store, folder / "shift")
        raw = [photo(folder / "raw" / f"r{i}.jpg") for i in range(CHECKS * PER_CHECK)]
        raw_bytes = sum(p.stat().st_size for p in raw)
        figures = {"raw_bytes": raw_bytes, "shift_bytes": shift_bytes}
        for which in (("raw", "sync") if raw_first else ("sync", "raw")):
            if which == "raw":
                figures["raw_s"] = raw_upload(server.url, store.get("token"), raw)
            else:
                figures["sync_s"], figures["receipts"], figures["phases"] = sync_shift(store)
        return figures
    finally:
        server.stop()


def sync_shift(store: Store) -> tuple[float, int, dict]:
    """SyncJob polled as `run()` does, timing each phase; -> (seconds, accepted, seconds by phase)."""
    job, phases = SyncJob(store, signed_in_api(store)), {}
    started = time.perf_counter()
    job.start()
    while not job.done:
        phase, t = job.progress.phase, time.perf_counter()
        progress = job.poll()
        phases[phase] = phases.get(phase, 0.0) + time.perf_counter() - t
        if progress.waiting_s > 0:
            time.sleep(progress.waiting_s)
    elapsed, result = time.perf_counter() - started, job.finish()
    if result.problem is not None:
        raise SystemExit(f"the sync stopped: {result.problem.code} {result.problem.details}")
    return elapsed, sum(1 for s in result.receipts.values() if s.value == "accepted"), phases


def main(runs: int) -> None:
    ratios = []
    for run in range(runs):
        with tempfile.TemporaryDirectory() as folder:
            f = one_run(Path(folder), raw_first=run % 2 == 0)
        raw_mbs, sync_mbs = f["raw_bytes"] / 2**20 / f["raw_s"], f["shift_bytes"] / 2**20 / f["sync_s"]
        ratios.append(sync_mbs / raw_mbs)
        print(f"run {run + 1}: raw tus {f['raw_bytes'] / 2**20:.0f} MB in {f['raw_s']:.2f} s ({raw_mbs:.1f} MB/s); "
              f"shift sync {f['shift_bytes'] / 2**20:.0f} MB + {CHECKS} checks in {f['sync_s']:.2f} s "
              f"({sync_mbs:.1f} MB/s, {f['receipts']} accepted); ratio {ratios[-1]:.2f}")
        print("       sync phases: " + ", ".join(f"{k} {v:.2f} s" for k, v in f["phases"].items()))
    print(f"throughput sync/raw: median {statistics.median(ratios):.2f} (target >= 0.8)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
