# SPDX-License-Identifier: GPL-2.0-or-later
"""Shift end: N devices on loopback each push C checks with P photos of ~S MB to a real server.

Prints items/s and MB/s against the same run's limit (writing, fsyncing and hashing the same bytes
to disk in this process), the ratio, and the server's peak memory. Figures only; no assertions.

    .venv/bin/python bench/bench_shift_end.py [--devices 50] [--checks 40] [--photos 3] [--photo-mb 1.5]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import io
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "shared"), str(ROOT / "server"), str(ROOT / "tests"), str(ROOT / "tests" / "server")]

import centre_fixture as cf  # noqa: E402
from live import LiveServer  # noqa: E402

from citygrid.loop import accounts  # noqa: E402
from citygrid.store import db  # noqa: E402


def _jpeg_head() -> bytes:
    from PIL import Image
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (90, 120, 150)).save(buf, "JPEG")
    return buf.getvalue()


JPEG_HEAD = _jpeg_head()


def photo(device: int, check: int, n: int, size: int, base: bytes) -> bytes:
    """A real (tiny) JPEG, unique by its tag, padded to `size` (the server reads photo headers)."""
    tag = f"{device:04d}-{check:04d}-{n:02d}".encode()
    return JPEG_HEAD + tag + base[: size - len(JPEG_HEAD) - len(tag)]


def build(path: Path, devices: int, checks: int) -> dict[str, list[str]]:
    """A centre whose collectors each hold `checks` open 核查 tasks; -> username -> task ids."""
    cf.build(path)
    conn = db.open_centre(path)
    hashed = accounts.hash_password(cf.PASSWORD)
    grids = list(cf.GRIDS)
    with db.transaction(conn):
        for d in range(devices):
            conn.execute("INSERT INTO users (username, display_name, role, password_hash) VALUES (?, ?, 'collector', ?)",
                         (f"bench{d:03d}", f"bench{d:03d}", hashed))
    tasks: dict[str, list[str]] = {}
    for d in range(devices):
        user = f"bench{d:03d}"
        for c in range(checks):
            case_no = cf.case_at(conn, "checking", grid=grids[(d + c) % 4], dx=1 + (c * 2.3) % 98, dy=1 + d % 98)
            t = cf.open_task(conn, case_no, "check")
            conn.execute("UPDATE tasks SET assignee = ? WHERE id = ?", (user, t["id"]))
            tasks.setdefault(user, []).append(t["id"])
    conn.close()
    return tasks


async def login(client: httpx.AsyncClient, url: str, user: str) -> dict:
    r = await client.post(f"{url}/api/v1/auth/login", json={"username": user, "password": cf.PASSWORD,
                                                             "device_id": f"dev-{user}"})
    return {"Authorization": f"Bearer {r.json()['token']}"}


async def device(client: httpx.AsyncClient, url: str, user: str, h: dict, task_ids: list[str], d: int,
                 photos: int, size: int, base: bytes) -> tuple[int, int]:
    tus = {**h, "Tus-Resumable": "1.0.0"}
    items, sent = [], 0
    for c, task_id in enumerate(task_ids):
        shas = []
        for n in range(photos):
            data = photo(d, c, n, size, base)
            sha = hashlib.sha256(data).hexdigest()
            meta = f"sha256 {base64.b64encode(sha.encode()).decode()},content_type {base64.b64encode(b'image/jpeg').decode()}"
            r = await client.post(f"{url}/api/v1/uploads/", content=data, headers={  # creation-with-upload
                **tus, "Upload-Length": str(len(data)), "Upload-Metadata": meta,
                "Content-Type": "application/offset+octet-stream"})
            assert r.status_code == 201 and r.headers["Upload-Offset"] == str(len(data)), r.text
            shas.append(sha)
            sent += len(data)
        items.append({"uuid": str(uuid.uuid4()), "type": "check", "photos": shas, "payload": {
            "task_id": task_id, "outcome": "pass", "observed_at": "2026-11-23T17:30:00+08:00",
            "location": {"lon": 120.0, "lat": 31.26, "accuracy_m": 5}}})
    r = await client.post(f"{url}/api/v1/sync/push", headers=h, timeout=300,
                          json={"batch_id": str(uuid.uuid4()), "device_id": f"dev-{user}", "items": items})
    ok = sum(1 for x in r.json()["receipts"] if x["status"] == "accepted")
    return ok, sent


async def shift_end(url: str, tasks: dict, photos: int, size: int, base: bytes) -> tuple[int, int, float]:
    """Devices signed in during the shift; what is timed is the shift-end upload and push."""
    limits = httpx.Limits(max_connections=len(tasks) + 4)
    async with httpx.AsyncClient(timeout=300, limits=limits) as client:
        users = sorted(tasks)
        headers = await asyncio.gather(*[login(client, url, u) for u in users])
        t0 = time.perf_counter()
        results = await asyncio.gather(*[device(client, url, u, h, tasks[u], d, photos, size, base)
                                         for d, (u, h) in enumerate(zip(users, headers, strict=True))])
        elapsed = time.perf_counter() - t0
    return sum(r[0] for r in results), sum(r[1] for r in results), elapsed


def disk_limit(tmp: Path, devices: int, checks: int, photos: int, size: int, base: bytes) -> float:
    """Seconds to write, fsync and hash the same bytes as separate files, in this process."""
    out = tmp / "baseline"
    out.mkdir()
    t0 = time.perf_counter()
    for d in range(devices):
        for c in range(checks):
            for n in range(photos):
                data = photo(d, c, n, size, base)
                hashlib.sha256(data).hexdigest()
                with open(out / f"{d}-{c}-{n}", "wb") as fh:
                    fh.write(data)
                    fh.flush()
                    os.fsync(fh.fileno())
    return time.perf_counter() - t0


def peak_rss_mb(pid: int) -> float:
    total = 0
    for p in [pid] + [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]:
        for line in Path(f"/proc/{p}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                total += int(line.split()[1])
    return total / 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--devices", type=int, default=50)
    ap.add_argument("--checks", type=int, default=40)
    ap.add_argument("--photos", type=int, default=3)
    ap.add_argument("--photo-mb", type=float, default=1.5)
    ap.add_argument("--workers", type=int, default=1)
    a = ap.parse_args()
    size = int(a.photo_mb * 1024 * 1024)
    base = os.urandom(size)
    with tempfile.TemporaryDirectory(prefix="citygrid-bench-") as tmpdir:
        tmp = Path(tmpdir)
        t0 = time.perf_counter()
        tasks = build(tmp / "center.gpkg", a.devices, a.checks)
        print(f"setup: {a.devices} collectors x {a.checks} open checks in {time.perf_counter() - t0:.1f} s")
        server = LiveServer(tmp / "center.gpkg", workers=a.workers).start()
        try:
            accepted, sent, elapsed = asyncio.run(shift_end(server.url, tasks, a.photos, size, base))
            rss = peak_rss_mb(server.proc.pid)
        finally:
            server.stop()
        base_s = disk_limit(tmp, a.devices, a.checks, a.photos, size, base)
    items = a.devices * a.checks
    mb = sent / 1e6
    print(f"server:   {accepted}/{items} checks accepted, {a.devices * a.checks * a.photos} photos, "
          f"{mb:,.0f} MB in {elapsed:.1f} s -> {items / elapsed:,.1f} items/s, {mb / elapsed:,.1f} MB/s")
    print(f"baseline: write+fsync+sha256 of the same bytes in {base_s:.1f} s -> {mb / base_s:,.1f} MB/s")
    print(f"ratio:    server throughput = {base_s / elapsed * 100:.0f} % of the disk+hash limit (target >= 50 %)")
    print(f"server peak memory (VmHWM, all processes): {rss:,.0f} MB")


if __name__ == "__main__":
    main()
