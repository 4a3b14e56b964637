# SPDX-License-Identifier: GPL-2.0-or-later
"""What a centre does all day: devices push while QGIS and the sqlite3 shell open and close the file.

Every item the service answered `accepted` must be in the file — while the service runs, after it
stops, and the file must pass SQLite's integrity check. (Before the fix, the service's own header
read dropped its locks, the next program to close the file deleted the WAL under it, and every later
`accepted` item went into a deleted file.)
"""

import os
import shutil
import subprocess
import sys
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import centre_fixture as cf
import httpx
import pytest
from live import LiveServer

from citygrid import crs
from citygrid.store import db

ROUNDS = int(os.environ.get("CITYGRID_OPEN_ROUNDS", "12"))
PER_PUSH = 5
EDITOR = Path(__file__).with_name("qgis_editor.py")
QGIS_ENV = {"QT_QPA_PLATFORM": "offscreen"}

pytestmark = pytest.mark.skipif(shutil.which("sqlite3") is None, reason="the sqlite3 shell is not installed")


def shell(path, sql: str) -> str:
    out = subprocess.run(["sqlite3", "-cmd", ".timeout 20000", str(path), sql], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def _qgis_available() -> bool:
    return subprocess.run([sys.executable, "-c", "import qgis.core"], capture_output=True).returncode == 0


def _login(url, user, device):
    r = httpx.post(f"{url}/api/v1/auth/login", json={"username": user, "password": cf.PASSWORD, "device_id": device})
    r.raise_for_status()
    return {"Authorization": f"Bearer {r.json()['token']}"}


def _reports(device, grid, n):
    out = []
    for i in range(n):
        x, y = cf.centre_point(grid, 5 + (i * 17) % 90, 5 + (i * 29) % 90)
        lon, lat = crs.to_lonlat(x, y, 4549)
        out.append({"uuid": str(uuid.uuid4()), "type": "report", "photos": [], "payload": {
            "kind": "event", "class_code": "0102", "description": f"{device} 暴露垃圾 {i}",
            "observed_at": "2026-11-23T10:00:00+08:00", "location": {"lon": lon, "lat": lat, "accuracy_m": 4}}})
    return out


def _push(url, headers, device, items):
    body = {"batch_id": str(uuid.uuid4()), "device_id": device, "items": items}
    r = httpx.post(f"{url}/api/v1/sync/push", json=body, headers=headers, timeout=60)
    assert r.status_code == 200, r.text
    return r.json()["receipts"]


def _pull(url, headers):
    r = httpx.get(f"{url}/api/v1/sync/pull", headers=headers, timeout=60)
    assert r.status_code == 200, r.text


def _on_disk(path, uuids) -> int:
    c = db.open_centre(path, readonly=True)
    try:
        found = 0
        for i in range(0, len(uuids), 500):
            part = uuids[i:i + 500]
            found += c.execute(f"SELECT count(*) FROM sync_items i JOIN cases c ON c.case_no = i.case_no "
                               f"WHERE i.uuid IN ({','.join('?' * len(part))})", part).fetchone()[0]
        return found
    finally:
        c.close()


def test_every_accepted_item_survives_qgis_and_the_sqlite3_shell_opening_the_file(centre_path):
    editor = None
    server = LiveServer(centre_path).start()
    accepted: list[str] = []
    try:
        devices = [("collector01", "dev-a", "320508001001001"), ("collector02", "dev-b", "320508001002001")]
        heads = {d: _login(server.url, u, d) for u, d, _g in devices}
        if _qgis_available():
            editor = subprocess.Popen([sys.executable, str(EDITOR), str(centre_path), str(ROUNDS * 2)],
                                      stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                      env={**os.environ, **QGIS_ENV})
        for rnd in range(ROUNDS):
            with ThreadPoolExecutor(10) as pool:  # overlapping requests: the service opens several connections
                pulls = [pool.submit(_pull, server.url, heads[d]) for _u, d, _g in devices for _ in range(4)]
                pushes = [pool.submit(_push, server.url, heads[d], d, _reports(d, g, PER_PUSH)) for _u, d, g in devices]
                for f in pulls:
                    f.result()
                receipts = [r for f in pushes for r in f.result()]
            # another program opens the file, reads, writes, backs it up, and closes it again
            assert int(shell(centre_path, "SELECT count(*) FROM cases;")) >= len(accepted)
            shell(centre_path, f"UPDATE units SET name = '市水务局{rnd}' WHERE code = 'SW';")
            if rnd % 4 == 0:
                shell(centre_path, f".backup '{centre_path.parent / 'backup.gpkg'}'")
            receipts += _push(server.url, heads["dev-a"], "dev-a", _reports("dev-a", "320508001001002", PER_PUSH))
            assert {r["status"] for r in receipts} == {"accepted"}, receipts
            accepted += [r["uuid"] for r in receipts]
            # read by another process while the service runs: every accepted item is in the file
            assert _on_disk(centre_path, accepted) == len(accepted), f"round {rnd}"
            assert Path(f"{centre_path}-wal").exists()
        if editor is not None:
            out, _ = editor.communicate(timeout=300)
            assert editor.returncode == 0, out
            assert f"edited {ROUNDS * 2} busy" in out
            print("QGIS:", out.strip().splitlines()[-1])
    finally:
        if editor is not None and editor.poll() is None:
            editor.kill()
        server.stop()
    assert len(accepted) == ROUNDS * PER_PUSH * 3
    assert _on_disk(centre_path, accepted) == len(accepted)
    assert shell(centre_path, "PRAGMA integrity_check;") == "ok"
    assert shell(centre_path, "SELECT count(*) FROM sync_items;") == str(len(accepted))
    assert shell(centre_path, "SELECT Note LIKE 'QGIS edit %' FROM components;") == ("1" if editor else "0")
