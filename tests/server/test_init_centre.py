# SPDX-License-Identifier: GPL-2.0-or-later
"""A centre made by `citygrid init` in a CRS other than the demo's serves devices: the pull sends the
grid and the component in longitude/latitude (as pyproj computes them), and a report sent at a
longitude/latitude inside the grid lands in that grid at the right x/y."""

import math
import uuid

import init_fixture as fx
import pytest
from fastapi.testclient import TestClient

from citygrid.loop import accounts
from citygrid.store import db, gpkg
from citygrid_server.app import create_app


@pytest.fixture(params=sorted(fx.CRSES))
def made(request, tmp_path):
    spec, path = fx.CRSES[request.param], tmp_path / "jinjiang.gpkg"
    fx.make(path, spec)
    placed = fx.seed(path, spec)
    conn = db.open_centre(path)
    try:
        accounts.add_user(conn, "collector01", "collector", fx.PASSWORD, grids=[fx.GRID])
    finally:
        conn.close()
    with TestClient(create_app(path)) as client:
        r = client.post("/api/v1/auth/login", json={"username": "collector01", "password": fx.PASSWORD,
                                                    "device_id": "dev-1"})
        assert r.status_code == 200, r.text
        yield {"client": client, "headers": {"Authorization": f"Bearer {r.json()['token']}"}, "spec": spec,
               "path": path, **placed}


def pull_all(client, headers) -> list:
    items, cursor = [], None
    while True:
        body = client.get("/api/v1/sync/pull", params={"limit": 50} | ({"cursor": cursor} if cursor else {}),
                          headers=headers).json()
        items += body["items"]
        cursor = body["cursor"]
        if not body["has_more"]:
            return items


def test_the_pull_sends_the_grid_and_the_component_in_lon_lat(made):
    items = {(i["type"], i["id"]): i["data"] for i in pull_all(made["client"], made["headers"])}
    to_lonlat = fx.to_lonlat(made["spec"])
    grid = items[("grid", fx.GRID)]
    assert len(grid["ring"]) == 5
    for (lon, lat), (x, y) in zip(grid["ring"], made["ring"], strict=True):
        rlon, rlat = to_lonlat(x, y)
        assert abs(lon - rlon) < 1e-7 and abs(lat - rlat) < 1e-7
    comp = items[("component", fx.OBJID)]
    rlon, rlat = to_lonlat(*made["component"])
    assert abs(comp["lon"] - rlon) < 1e-7 and abs(comp["lat"] - rlat) < 1e-7
    assert abs(comp["lon"] - fx.LON0) < 0.002 and abs(comp["lat"] - fx.LAT0) < 0.002  # near 锦江区 indeed


def test_a_report_at_a_lon_lat_inside_the_grid_lands_in_it(made):
    lon, lat = fx.to_lonlat(made["spec"])(made["centre"][0] + 70.0, made["centre"][1] + 60.0)
    item = {"uuid": str(uuid.uuid4()), "type": "report", "photos": [], "payload": {
        "kind": "event", "class_code": "0102", "description": "暴露垃圾", "observed_at": "2026-11-23T10:00:00+08:00",
        "location": {"lon": lon, "lat": lat, "accuracy_m": 5}}}
    r = made["client"].post("/api/v1/sync/push", json={"batch_id": str(uuid.uuid4()), "device_id": "dev-1",
                                                       "items": [item]}, headers=made["headers"])
    assert r.status_code == 200, r.text
    assert [x["status"] for x in r.json()["receipts"]] == ["accepted"], r.text
    conn = db.open_centre(made["path"], readonly=True)
    try:
        case_no, grid_code, geom = conn.execute("SELECT case_no, grid_code, geom FROM cases").fetchone()
    finally:
        conn.close()
    x, y = gpkg.decode(geom)[1]
    assert grid_code == fx.GRID
    assert math.hypot(x - made["centre"][0] - 70.0, y - made["centre"][1] - 60.0) < 1e-3
    # and the public sees it where it was reported (Open311 converts back through the same transform)
    (shown,) = made["client"].get(f"/open311/v2/requests/{case_no}.json").json()
    assert abs(shown["long"] - lon) < 1e-7 and abs(shown["lat"] - lat) < 1e-7


def test_a_report_outside_every_grid_is_refused_with_a_coded_reason(made):
    lon, lat = fx.to_lonlat(made["spec"])(made["centre"][0] + 500.0, made["centre"][1])
    item = {"uuid": str(uuid.uuid4()), "type": "report", "photos": [], "payload": {
        "kind": "event", "class_code": "0102", "description": "暴露垃圾", "observed_at": "2026-11-23T10:00:00+08:00",
        "location": {"lon": lon, "lat": lat, "accuracy_m": 5}}}
    r = made["client"].post("/api/v1/sync/push", json={"batch_id": str(uuid.uuid4()), "device_id": "dev-1",
                                                       "items": [item]}, headers=made["headers"])
    assert r.status_code == 200, r.text
    receipt = r.json()["receipts"][0]
    assert receipt["status"] != "accepted" and "geocode.outside_grids" in str(receipt), receipt
