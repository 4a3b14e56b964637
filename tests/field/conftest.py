# SPDX-License-Identifier: GPL-2.0-or-later
"""A real `citygrid serve` over the small centre fixture with open 核查/核实 tasks for collector01."""

import io
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "server"))
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "field_app"))

import centre_fixture as cf  # noqa: E402
from live import LiveServer  # noqa: E402

from citygrid.loop import workflow  # noqa: E402
from citygrid.store import db  # noqa: E402


def jpeg(path: Path, seed: int = 0, size=(64, 48), noise: bool = False) -> Path:
    """A small real JPEG (noise makes it hundreds of kilobytes, for cutting uploads midway)."""
    from PIL import Image

    if noise:
        image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    else:
        image = Image.new("RGB", size, (seed * 40 % 255, 120, 200))
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=95)
    path.write_bytes(buf.getvalue())
    return path


def build_centre(path: Path, checks: int = 2) -> dict:
    """-> {"checks": [case_no…], "verify": case_no} with open tasks for collector01."""
    cf.build(path)
    conn = db.open_centre(path)
    try:
        at = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
        out = {"checks": [cf.case_at(conn, "checking", dx=10 + 20 * i, at=at) for i in range(checks)]}
        verify = cf.case_at(conn, "reported", grid="320508001001002", at=at)
        workflow.act(conn, verify, "send_verify", cf.actor(conn, "operator"), at=at)
        out["verify"] = verify
    finally:
        conn.close()
    return out


@pytest.fixture
def world(tmp_path):
    path = tmp_path / "centre.gpkg"
    cases = build_centre(path)
    server = LiveServer(path).start()
    yield {"path": path, "server": server, "cases": cases, "data": tmp_path / "device"}
    server.stop()
