# SPDX-License-Identifier: GPL-2.0-or-later
"""A laptop's GPS receiver through gpsd (a scripted gpsd on loopback), and the desktop's fallback to a
configured position."""

import json
import socket
import threading
from datetime import UTC, datetime

import pytest

from citygrid.problems import Problem
from citygrid_field.platform import gpsd

NOW = datetime(2026, 5, 4, 1, 2, 3, tzinfo=UTC)


class FakeGpsd:
    """gpsd on loopback: records what the client sends, then writes scripted report lines."""

    def __init__(self, lines):
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.received = b""
        self.lines = lines
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        conn, _ = self.server.accept()
        self.received = conn.recv(1024)
        for line in self.lines:
            conn.sendall(line if isinstance(line, bytes) else json.dumps(line).encode() + b"\n")
        self.conn = conn  # kept open: the client stops it


def wait_for(predicate, seconds=5.0):
    event = threading.Event()
    for _ in range(int(seconds * 100)):
        if predicate():
            return True
        event.wait(0.01)
    return False


def test_gpsd_fixes_come_from_tpv_reports_and_everything_else_is_skipped():
    lines = [{"class": "VERSION", "release": "3.22"}, {"class": "TPV", "mode": 1},
             {"class": "TPV", "mode": 3, "lat": 30.1, "lon": 120.1},  # no accuracy: weak evidence
             b"not json\n", b"[1, 2]\n", b"x" * 100_000 + b"\n",
             {"class": "TPV", "mode": 3, "lat": 95, "lon": 0, "eph": 3},
             {"class": "TPV", "mode": 2, "lat": 30.2, "lon": 120.2, "eph": 4.5, "time": "2026-05-04T01:02:03.000Z"},
             {"class": "TPV", "mode": 3, "lat": 30.3, "lon": 120.3, "epx": 2.0, "epy": 6.0}]
    fake = FakeGpsd(lines)
    got = []
    source = gpsd.GpsdLocation(port=fake.port)
    source.start(got.append)
    try:
        assert wait_for(lambda: len(got) >= 2)
    finally:
        source.stop()
    assert fake.received == gpsd.WATCH
    assert [(f.lat, f.accuracy, f.source) for f in got] == [(30.2, 4.5, "gpsd"), (30.3, 6.0, "gpsd")]
    assert got[0].time == NOW


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_gpsd_not_running_is_location_unavailable():
    port = free_port()
    assert not gpsd.gpsd_answers(port=port)
    with pytest.raises(Problem) as caught:
        gpsd.GpsdLocation(port=port).start(lambda f: None)
    assert caught.value.code == "location.unavailable" and str(port) in caught.value.details["reason"]


def test_desktop_location_falls_back_to_the_configured_position_without_gpsd():
    got = []
    desktop = gpsd.DesktopLocation((30.5, 120.5, 15.0), gpsd.GpsdLocation(port=free_port()))
    desktop.start(got.append)
    desktop.stop()
    assert [(f.lat, f.source) for f in got] == [(30.5, "fixed")]


def test_desktop_location_without_gpsd_or_a_position_is_unavailable():
    with pytest.raises(Problem) as caught:
        gpsd.DesktopLocation(None, gpsd.GpsdLocation(port=free_port())).start(lambda f: None)
    assert caught.value.code == "location.unavailable"
