# SPDX-License-Identifier: GPL-2.0-or-later
"""Decompression bombs against a real `citygrid serve`: the server's peak memory and time per step.

A device uploads a normal 4000x3000 JPEG and asks for its thumbnail (the baseline), then uploads
one-colour PNGs of 12000x12000 and 20000x20000 pixels (140 and 380 KB) and asks for thumbnails of
the same bombs placed in the blob store directly, as if stored before uploads were checked; last, the
largest colour PNG accepted, for the cost of a legitimate full decode. Peak memory is the server
process's VmHWM from /proc, reset before each step where the kernel allows (/proc/PID/clear_refs).
Figures only; no assertions.

    .venv/bin/python bench/bench_photo_bombs.py
"""

from __future__ import annotations

import base64
import hashlib
import io
import struct
import sys
import tempfile
import time
import zlib
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "shared"), str(ROOT / "server"), str(ROOT / "tests"), str(ROOT / "tests" / "server")]

import centre_fixture as cf  # noqa: E402
from live import LiveServer  # noqa: E402

from citygrid.store import blobs, db  # noqa: E402


def bomb_png(side: int, rgb: bool = False) -> bytes:
    """A one-colour greyscale (or RGB) PNG, ~140 KB at 12000x12000 grey, written row by row: this
    process never holds the pixels."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    z = zlib.compressobj(9)
    row = bytes(1 + side * (3 if rgb else 1))  # filter byte, then the pixels
    idat = b"".join(z.compress(row) for _ in range(side)) + z.flush()
    header = struct.pack(">IIBBBBB", side, side, 8, 2 if rgb else 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def normal_jpeg() -> bytes:
    from PIL import Image
    grey = Image.radial_gradient("L").resize((4000, 3000))
    buf = io.BytesIO()
    Image.merge("RGB", (grey, grey.transpose(Image.Transpose.FLIP_LEFT_RIGHT), grey)).save(buf, "JPEG", quality=90)
    return buf.getvalue()


class Memory:
    def __init__(self, pid: int):
        self.pid = pid

    def peak_mb(self) -> float:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def reset(self) -> bool:
        try:
            Path(f"/proc/{self.pid}/clear_refs").write_text("5")  # 5: reset the peak RSS to the current RSS
            return True
        except OSError:
            return False


def upload(url: str, headers: dict, data: bytes, ctype: str) -> httpx.Response:
    sha = hashlib.sha256(data).hexdigest()
    meta = ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in
                    {"sha256": sha, "filename": "p", "content_type": ctype}.items())
    return httpx.post(f"{url}/api/v1/uploads/", content=data, timeout=120, headers={
        **headers, "Tus-Resumable": "1.0.0", "Upload-Length": str(len(data)), "Upload-Metadata": meta,
        "Content-Type": "application/offset+octet-stream"})


def thumbnail(url: str, headers: dict, sha: str) -> httpx.Response:
    return httpx.get(f"{url}/api/v1/blobs/{sha}/thumbnail", params={"size": 256}, headers=headers, timeout=120)


def plant(path: Path, data: bytes, ctype: str, owner: str) -> str:
    """Bytes stored before uploads were checked: in the blob store, with their rows."""
    sha = blobs.store_for(path).put_bytes(data)
    conn = db.open_centre(path)
    with db.transaction(conn):
        conn.execute("INSERT OR IGNORE INTO photos (sha256, size, content_type, uploaded_by) VALUES (?, ?, ?, ?)",
                     (sha, len(data), ctype, owner))
        conn.execute("INSERT OR IGNORE INTO photo_senders (sha256, username) VALUES (?, ?)", (sha, owner))
    conn.close()
    return sha


def code(r: httpx.Response) -> str:
    if r.status_code < 400:
        return "-"
    try:
        return r.json()["error"]["code"]
    except ValueError:
        return "?"


def step(mem: Memory, label: str, size: int, request) -> float:
    mem.reset()
    t0 = time.perf_counter()
    r = request()
    ms = (time.perf_counter() - t0) * 1000
    peak = mem.peak_mb()
    print(f"{label:<34} {size / 1024:>9.0f} {r.status_code:>6} {code(r):<24} {ms:>9.0f} {peak:>9.1f}")
    return peak


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "center.gpkg"
        cf.build(path)
        server = LiveServer(path).start()
        try:
            r = httpx.post(f"{server.url}/api/v1/auth/login",
                           json={"username": "collector01", "password": cf.PASSWORD, "device_id": "bench"})
            h = {"Authorization": f"Bearer {r.json()['token']}"}
            mem = Memory(server.proc.pid)
            resettable = mem.reset()
            print(f"server pid {mem.pid}; peak reset per step: {'yes' if resettable else 'no (running peak)'}")
            print(f"idle server peak: {mem.peak_mb():.1f} MB\n")
            print(f"{'step':<34} {'bytes KB':>9} {'status':>6} {'code':<24} {'ms':>9} {'peak MB':>9}")
            photo = normal_jpeg()
            sha = hashlib.sha256(photo).hexdigest()
            step(mem, "upload 4000x3000 JPEG", len(photo), lambda: upload(server.url, h, photo, "image/jpeg"))
            base = step(mem, "thumbnail 256 of it (baseline)", len(photo), lambda: thumbnail(server.url, h, sha))
            peaks = []
            for side in (12000, 20000):
                bomb = bomb_png(side)
                peaks.append(step(mem, f"upload {side}x{side} PNG", len(bomb),
                                  lambda b=bomb: upload(server.url, h, b, "image/png")))
                bsha = plant(path, bomb, "image/png", "collector01")
                peaks.append(step(mem, f"thumbnail 256 of stored {side}x{side}", len(bomb),
                                  lambda s=bsha: thumbnail(server.url, h, s)))
            big = bomb_png(4096, rgb=True)  # 16.8 MP: the largest colour PNG accepted (decoded whole, 64 MB)
            bsha = hashlib.sha256(big).hexdigest()
            step(mem, "upload 4096x4096 RGB PNG", len(big), lambda: upload(server.url, h, big, "image/png"))
            step(mem, "thumbnail 256 of it", len(big), lambda: thumbnail(server.url, h, bsha))
            print(f"\nbombs' highest peak {max(peaks):.1f} MB against the baseline thumbnail's {base:.1f} MB")
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
