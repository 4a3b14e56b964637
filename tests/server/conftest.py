# SPDX-License-Identifier: GPL-2.0-or-later
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import centre_fixture  # noqa: E402

from citygrid_server.app import create_app  # noqa: E402


@pytest.fixture
def centre_path(tmp_path):
    path = tmp_path / "center.gpkg"
    centre_fixture.build(path)
    return path


@pytest.fixture
def client(centre_path):
    with TestClient(create_app(centre_path)) as c:
        yield c


@pytest.fixture
def login(client):
    def do(username, device="dev-1", password=centre_fixture.PASSWORD):
        r = client.post("/api/v1/auth/login", json={"username": username, "password": password, "device_id": device})
        assert r.status_code == 200, r.text
        return {"Authorization": f"Bearer {r.json()['token']}"}
    return do
