# SPDX-License-Identifier: GPL-2.0-or-later
"""Hostile request bodies against a real `citygrid serve`: the server's peak memory (target < 250 MB).

    .venv/bin/python bench/bench_hostile.py [--mb 200]

Sends `--mb` MB bodies to login, Open311 JSON and form, push with and without a token, resolve
without a token and a GET, each once with Content-Length and once chunked. Every case gets a fresh
one-worker server on a small centre, warmed by ordinary requests (login, a push, an Open311 list: the
baseline); then its peak RSS is reset (/proc/PID/clear_refs) and, after the hostile request, VmHWM is
read from /proc/PID/status, so each line is that request's own peak next to the baseline's. The
client stops sending as soon as the server answers. Figures only.
"""

from __future__ import annotations

import argparse
import json
import os
import select
import socket
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PATHS = [str(ROOT / "shared"), str(ROOT / "server"), str(ROOT / "tests"), str(ROOT / "tests" / "server")]
sys.path[:0] = PATHS

import centre_fixture as cf  # noqa: E402
import httpx  # noqa: E402
from live import LiveServer  # noqa: E402

from citygrid.store import db  # noqa: E402
from citygrid.sync import open311  # noqa: E402

CHUNK = 1 << 20
TARGET_MB = 250


def peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM")


def reset_peak(pid: int) -> None:
    Path(f"/proc/{pid}/clear_refs").write_text("5")


def padded(prefix: bytes, suffix: bytes, total: int):
    """`total` bytes: prefix, b"a" filler, suffix; yielded in 1 MB chunks so the client holds none of it."""
    filler = total - len(prefix) - len(suffix)
    yield prefix
    block = b"a" * CHUNK
    while filler > 0:
        yield block[:filler]
        filler -= CHUNK
    yield suffix


def send(port: int, method: str, path: str, headers: dict, chunks, total: int, chunked: bool):
    """-> (status or None, MB sent): writes the body until done or until the server has answered."""
    head = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close",
            "Transfer-Encoding: chunked" if chunked else f"Content-Length: {total}"]
    head += [f"{k}: {v}" for k, v in headers.items()]
    sent = 0
    with socket.create_connection(("127.0.0.1", port), timeout=120) as s:
        s.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
        try:
            for chunk in chunks:
                if select.select([s], [], [], 0)[0]:
                    break  # the server answered early: a polite client stops sending
                s.sendall(b"%x\r\n%b\r\n" % (len(chunk), chunk) if chunked else chunk)
                sent += len(chunk)
            else:
                if chunked:
                    s.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass
        return read_status(s), sent / 2**20


def read_status(s: socket.socket) -> int | None:
    try:
        line = s.makefile("rb").readline()
    except (ConnectionResetError, TimeoutError):
        return None
    parts = line.split()
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None


def setup(tmp: Path) -> Path:
    path = tmp / "center.gpkg"
    cf.build(path)
    c = db.open_centre(path)
    open311.add_key(c, "bench", "bench-key")
    c.close()
    return path


def baseline(url: str) -> str:
    r = httpx.post(f"{url}/api/v1/auth/login", json={"username": "collector01", "password": cf.PASSWORD,
                                                     "device_id": "bench"})
    token = r.json()["token"]
    auth = {"Authorization": f"Bearer {token}"}
    httpx.post(f"{url}/api/v1/sync/push", json={"batch_id": "bench-1", "device_id": "bench", "items": []},
               headers=auth).raise_for_status()
    httpx.get(f"{url}/open311/v2/requests.json").raise_for_status()
    return token


def cases():
    """(name, method, path, headers, prefix, suffix); TOKEN in a header is replaced by a live token."""
    js = {"Content-Type": "application/json"}
    auth = {**js, "Authorization": "Bearer TOKEN"}
    return [
        ("login JSON", "POST", "/api/v1/auth/login", js, b'{"username": "', b'", "password": "x", "device_id": "d"}'),
        ("Open311 JSON", "POST", "/open311/v2/requests.json", js,
         b'{"api_key": "bench-key", "service_code": "event-0102", "lat": 31.2, "long": 120.0, "description": "',
         b'"}'),
        ("Open311 form", "POST", "/open311/v2/requests.json", {"Content-Type": "application/x-www-form-urlencoded"},
         b"api_key=bench-key&service_code=event-0102&lat=31.2&long=120.0&description=", b""),
        ("push, token", "POST", "/api/v1/sync/push", auth,
         b'{"batch_id": "bench-2", "device_id": "bench", "items": [], "pad": "', b'"}'),
        ("push, no token", "POST", "/api/v1/sync/push", js,
         b'{"batch_id": "bench-3", "device_id": "bench", "items": [], "pad": "', b'"}'),
        ("resolve, no token", "POST", f"/api/v1/items/{'1' * 8}-1111-1111-1111-{'1' * 12}/resolve", js,
         b'{"resolution": "', b'"}'),
        ("GET health + body", "GET", "/api/v1/health", js, b'{"x": "', b'"}'),
    ]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=int, default=200, help="size of each hostile body in MB")
    args = ap.parse_args()
    os.environ["PYTHONPATH"] = os.pathsep.join([*PATHS[:2], os.environ.get("PYTHONPATH", "")])
    with tempfile.TemporaryDirectory(prefix="citygrid-hostile-") as tmp:
        path = setup(Path(tmp))
        print(f"{'case':<20}{'framing':<16}{'status':>7}{'sent MB':>9}{'base MB':>9}{'peak MB':>9}{'s':>6}")
        worst = 0.0
        for case in cases():
            for chunked in (False, True):
                worst = max(worst, measure(path, case, chunked, args.mb * 2**20))
    print(json.dumps({"body_mb": args.mb, "worst_peak_mb": round(worst), "target_mb": TARGET_MB,
                      "ok": worst < TARGET_MB}))
    return 0


def measure(path: Path, case, chunked: bool, total: int) -> float:
    """One hostile request against a fresh, warmed server; prints and returns its peak RSS in MB."""
    name, method, target, headers, prefix, suffix = case
    server = LiveServer(path).start()
    try:
        pid = server.proc.pid
        token = baseline(server.url)  # warm: imports, the connection pool, scrypt's 16 MB
        reset_peak(pid)
        baseline(server.url)
        base = peak_mb(pid)
        headers = {k: v.replace("TOKEN", token) for k, v in headers.items()}
        reset_peak(pid)
        t0 = time.perf_counter()
        status, sent = send(server.port, method, target, headers, padded(prefix, suffix, total), total, chunked)
        peak = peak_mb(pid)
    finally:
        server.stop()
    print(f"{name:<20}{'chunked' if chunked else 'Content-Length':<16}{status or '-':>7}{sent:>9.0f}"
          f"{base:>9.0f}{peak:>9.0f}{time.perf_counter() - t0:>6.1f}")
    return peak


if __name__ == "__main__":
    sys.exit(main())
