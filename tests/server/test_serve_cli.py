# SPDX-License-Identifier: GPL-2.0-or-later
"""`citygrid serve` on a port it cannot have says so in one line and exits 1 (not uvicorn's log, 3)."""

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from citygrid.store import db

ROOT = Path(__file__).resolve().parents[2]


def serve(path, *args, timeout=60) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "shared"), str(ROOT / "server")])}
    return subprocess.run([sys.executable, "-m", "citygrid", "serve", str(path), *map(str, args)],
                          capture_output=True, text=True, env=env, timeout=timeout)


@pytest.fixture
def centre(tmp_path):
    path = tmp_path / "center.gpkg"
    db.create_centre(path).close()
    return path


def one_line(res: subprocess.CompletedProcess, expected: str) -> None:
    assert res.returncode == 1, res.stderr
    assert "Traceback" not in res.stderr and "INFO" not in res.stderr and "ERROR" not in res.stderr
    assert res.stderr.startswith("citygrid: error: ") and res.stderr.count("\n") == 1, res.stderr
    assert expected in res.stderr, res.stderr


def test_a_port_in_use_is_one_line_and_exit_1(centre):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        res = serve(centre, "--port", port)
    one_line(res, f"citygrid: error: port {port} on 127.0.0.1 is in use")


@pytest.mark.parametrize("host, reason", [
    ("192.0.2.1", "Cannot assign requested address"),  # TEST-NET-1: an address this machine does not have
    ("no-such-host.invalid", ""),                       # a name that does not resolve
])
def test_a_host_that_cannot_be_bound_is_one_line_and_exit_1(centre, host, reason):
    res = serve(centre, "--host", host, "--port", 8765)
    one_line(res, f"cannot listen on {host} port 8765: {reason}")


@pytest.mark.parametrize("port", [-1, 65536, 10**30])
def test_a_port_out_of_range_is_one_line(centre, port):
    one_line(serve(centre, "--port", port), "--port must be between 0 and 65535")


def test_the_centre_is_checked_before_the_port(tmp_path):
    """A missing centre is the first thing said, whatever the port."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        one_line(serve(tmp_path / "missing.gpkg", "--port", taken.getsockname()[1]), "no such file")
