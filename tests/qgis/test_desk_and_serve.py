# SPDX-License-Identifier: GPL-2.0-or-later
"""The desk and `citygrid serve` on the same GeoPackage at once, as a centre works all day.

A real sync service (uvicorn on 127.0.0.1, its own process) takes a device's pushes in a loop while,
in this process, the desk plugin has the centre open (its QGIS layers reading the file through GDAL,
the core's connection `plugin.session.centre`) and the operator, leader and dispatcher take every
pushed case through accept → register → dispatch with the core's `workflow.act` on the desk's
connection, the layers reloading and repainting after each action. No "database is locked", every
accepted item and every desk action on disk afterwards, SQLite's integrity check ok.
"""

import sys
import threading
import time
import uuid
from pathlib import Path

import centre_fixture as cf
import httpx
import pytest

from citygrid import crs
from citygrid.loop import accounts, workflow
from citygrid.store import db

pytest.importorskip("qgis.core")
pytest.importorskip("uvicorn")
ROOT = Path(__file__).resolve().parents[2]
sys.path.append(str(ROOT / "tests" / "server"))
if not any(Path(p, "citygrid_desk").is_dir() for p in sys.path if p):
    sys.path.append(str(ROOT / "qgis_plugin"))  # the working tree's plugin, when PYTHONPATH lacks it
from live import LiveServer  # noqa: E402 (tests/server/live.py: a real `citygrid serve`)

pytestmark = [pytest.mark.qgis, pytest.mark.slow]
ROUNDS, PER_PUSH = 12, 4
MAX_ROUNDS = 60  # the device keeps pushing (up to this) until the desk has acted ROUNDS times meanwhile
GRIDS = ("320508001001001", "320508001001002")
NEXT = {"reported": ("operator", "accept"), "pending_register": ("leader", "register"),
        "registered": ("dispatcher", "dispatch")}


def _reports(n: int, rnd: int) -> list[dict]:
    out = []
    for i in range(n):
        x, y = cf.centre_point(GRIDS[i % 2], 10 + (rnd * 7 + i * 13) % 80, 10 + (i * 29) % 80)
        lon, lat = crs.to_lonlat(x, y, 4549)
        out.append({"uuid": str(uuid.uuid4()), "type": "report", "photos": [], "payload": {
            "kind": "event", "class_code": "0102", "description": f"暴露垃圾 第{rnd}轮 {i}",
            "observed_at": "2026-11-23T10:00:00+08:00", "location": {"lon": lon, "lat": lat, "accuracy_m": 4}}})
    return out


class Device(threading.Thread):
    """collector01's phone: at least ROUNDS pushes of PER_PUSH reports, and on until the desk has acted
    ROUNDS times while it pushed (`overlapped` set; at most MAX_ROUNDS), so a slow machine cannot make the
    two take turns; what was accepted, what went wrong."""

    def __init__(self, url: str):
        super().__init__(daemon=True)
        self.url, self.accepted, self.failures, self.rounds = url, [], [], 0
        self.overlapped = threading.Event()

    def run(self):
        try:
            r = httpx.post(f"{self.url}/api/v1/auth/login", json={"username": "collector01", "password": cf.PASSWORD,
                                                                   "device_id": "dev-a"}, timeout=30)
            r.raise_for_status()
            headers = {"Authorization": f"Bearer {r.json()['token']}"}
            for rnd in range(MAX_ROUNDS):
                if rnd >= ROUNDS and self.overlapped.is_set():
                    break
                self.rounds = rnd + 1
                body = {"batch_id": str(uuid.uuid4()), "device_id": "dev-a", "items": _reports(PER_PUSH, rnd)}
                r = httpx.post(f"{self.url}/api/v1/sync/push", json=body, headers=headers, timeout=60)
                if r.status_code != 200:
                    self.failures.append(r.text)
                    continue
                receipts = r.json()["receipts"]
                self.failures += [x for x in receipts if x["status"] != "accepted"]
                self.accepted += [x["uuid"] for x in receipts if x["status"] == "accepted"]
                time.sleep(0.05)
        except Exception as exc:  # reported by the test, never lost in the thread
            self.failures.append(repr(exc))


@pytest.fixture
def desk(qgis_iface, qgis_new_project, centre):
    from citygrid_desk.plugin import CitygridDesk

    plugin = CitygridDesk(qgis_iface)
    plugin.initGui()
    assert plugin.open_centre(str(centre), "operator", cf.PASSWORD)
    yield plugin
    plugin.unload()


def _pushed_cases(conn, uuids) -> dict:
    """case_no -> status of the cases the device's accepted items made (read on the desk's connection)."""
    if not uuids:
        return {}
    marks = ",".join("?" * len(uuids))
    return dict(conn.execute(f"SELECT c.case_no, c.status FROM sync_items i JOIN cases c ON c.case_no = i.case_no "
                             f"WHERE i.uuid IN ({marks})", uuids).fetchall())


def _refresh(layers) -> int:
    """What the desk does after an action: layers re-read from the file and repainted; features read."""
    read = 0
    for layer in layers.values():
        layer.reload()
        layer.triggerRepaint()
        read += sum(1 for _ in layer.getFeatures())
    return read


def _work(desk, device, condition_id) -> list[tuple]:
    """Act on every pushed case until the device is done and each is dispatched; the actions taken
    (case, action, whether the device was still pushing)."""
    conn, done, qgis_app = desk.session.centre, [], __import__("qgis.core").core.QgsApplication
    actors = {name: desk.session.actor if name == "operator" else accounts.actor(conn, name)
              for name in ("operator", "leader", "dispatcher")}
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        cases = _pushed_cases(conn, list(device.accepted))
        todo = [(no, status) for no, status in sorted(cases.items()) if status in NEXT]
        if not todo and not device.is_alive():
            return done
        for no, status in todo[:3]:
            who, action = NEXT[status]
            params = {"condition_id": condition_id} if action == "register" else {}
            workflow.act(conn, no, action, actors[who], **params)
            done.append((no, action, device.is_alive()))
            if sum(1 for *_, pushing in done if pushing) >= ROUNDS:
                device.overlapped.set()
            assert _refresh(desk.session.layers) > 0
            qgis_app.processEvents()
    raise AssertionError("the desk did not get through the pushed cases in time")


def test_the_desk_acts_while_the_service_takes_pushes_on_the_same_geopackage(desk, centre):
    conn = desk.session.centre
    condition_id = conn.execute("SELECT condition_id FROM conditions WHERE kind = 'event' AND class_code = '0102' "
                                "ORDER BY condition_id LIMIT 1").fetchone()[0]
    server = LiveServer(centre).start()
    try:
        device = Device(server.url)
        device.start()
        done = _work(desk, device, condition_id)
        device.join(timeout=120)
    finally:
        server.stop()
    assert device.failures == [], device.failures[:3]
    assert len(device.accepted) == device.rounds * PER_PUSH >= ROUNDS * PER_PUSH
    assert len(done) == 3 * len(device.accepted)  # accept, register, dispatch for each pushed case
    assert sum(1 for *_, pushing in done if pushing) >= ROUNDS, "the desk acted while the device pushed"
    desk.close_centre()
    _assert_on_disk(centre, device.accepted, done)


def _assert_on_disk(centre, accepted, done):
    c = db.open_centre(centre, readonly=True)
    try:
        cases = _pushed_cases(c, accepted)
        assert len(cases) == len(accepted) and set(cases.values()) == {"dispatched"}
        marks = ",".join("?" * len(cases))
        events = c.execute(f"SELECT count(*) FROM case_events WHERE case_no IN ({marks}) "
                           f"AND action IN ('accept', 'register', 'dispatch')", list(cases)).fetchone()[0]
        assert events == len(done)
        assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        c.close()
