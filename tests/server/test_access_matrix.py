# SPDX-License-Identifier: GPL-2.0-or-later
"""Fail-closed access: every role against every authenticated endpoint."""

import pytest

USERS = {"admin": "admin", "operator": "operator", "leader": "leader", "dispatcher": "dispatcher",
         "supervisor": "supervisor", "gis": "gis", "collector": "collector01", "unit": "unit_sw"}
FIELD = {"collector", "unit"}
REVIEW = {"supervisor", "admin", "leader"}
EVERYONE = set(USERS)
SHA = "0" * 64
ENDPOINTS = [
    ("GET", "/api/v1/sync/pull", None, FIELD),
    ("POST", "/api/v1/sync/push", {"batch_id": "b-1", "device_id": "dev-m", "items": []}, FIELD),
    ("GET", "/api/v1/batches", None, REVIEW),
    ("GET", "/api/v1/batches/none", None, REVIEW),
    ("POST", "/api/v1/batches/none/review", None, REVIEW),
    ("POST", "/api/v1/items/none/resolve", {"resolution": "x"}, REVIEW),
    ("GET", f"/api/v1/blobs/{SHA}", None, EVERYONE),
    ("HEAD", f"/api/v1/blobs/{SHA}", None, EVERYONE),
    ("POST", "/api/v1/auth/logout", None, EVERYONE),
    ("GET", "/api/v1/basemap", None, EVERYONE),
    ("HEAD", "/api/v1/basemap", None, EVERYONE),
]


@pytest.fixture(scope="module")
def tokens(tmp_path_factory):
    import centre_fixture
    from fastapi.testclient import TestClient

    from citygrid_server.app import create_app

    path = tmp_path_factory.mktemp("m") / "center.gpkg"
    centre_fixture.build(path)
    client = TestClient(create_app(path))
    return client, path


def _login(client, user):
    import centre_fixture

    r = client.post("/api/v1/auth/login", json={"username": user, "password": centre_fixture.PASSWORD,
                                                "device_id": "dev-m"})
    return {"Authorization": f"Bearer {r.json()['token']}"}


@pytest.mark.parametrize("method,path,body,allowed", ENDPOINTS, ids=[f"{m} {p}" for m, p, _b, _a in ENDPOINTS])
@pytest.mark.parametrize("role", sorted(USERS) + ["anonymous"])
def test_role_can_reach_only_its_endpoints(tokens, method, path, body, allowed, role):
    client, _path = tokens
    headers = {} if role == "anonymous" else _login(client, USERS[role])
    r = client.request(method, path, json=body, headers=headers)
    if role == "anonymous":
        assert r.status_code == 401
    elif role in allowed:
        assert r.status_code not in (401, 403), r.text
    else:
        assert r.status_code == 403, r.text
