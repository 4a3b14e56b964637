# SPDX-License-Identifier: GPL-2.0-or-later
"""Open311 GeoReport v2: services from the class tables, requests in and out, API keys."""

import centre_fixture as cf
import pytest

from citygrid import crs
from citygrid.loop import workflow
from citygrid.store import db
from citygrid.sync import open311

KEY = "hotline-key-123"


@pytest.fixture
def keyed(centre_path):
    c = db.open_centre(centre_path)
    open311.add_key(c, "12345热线", KEY)
    c.close()
    return centre_path


def _point():
    x, y = cf.centre_point("320508001002001")
    return crs.to_lonlat(x, y, 4549)


def test_discovery_and_services_list_the_standard_classes(client):
    d = client.get("/open311/v2/discovery.json").json()
    assert d["endpoints"][0]["specification"] == "http://wiki.open311.org/GeoReport_v2"
    services = client.get("/open311/v2/services.json").json()
    codes = {s["service_code"]: s for s in services}
    assert codes["event-0102"]["service_name"] == "暴露垃圾"
    assert codes["component-0101"]["group"] == "公用设施"
    assert client.get("/open311/v2/services/event-0102.json").json()["service_code"] == "event-0102"
    r = client.get("/open311/v2/services/event-9999.json")
    assert r.status_code == 404 and r.json()[0]["code"] == 404


def test_a_posted_request_becomes_a_public_case_in_reported(client, keyed):
    lon, lat = _point()
    r = client.post("/open311/v2/requests.json", data={
        "api_key": KEY, "service_code": "event-0102", "lat": lat, "long": lon, "description": "小区门口垃圾",
        "first_name": "张", "email": "zhang@example.org", "address_string": "平江路1号"})
    assert r.status_code == 201, r.text
    case_no = r.json()[0]["service_request_id"]
    c = db.open_centre(keyed)
    row = workflow.case_row(c, case_no)
    c.close()
    assert (row["status"], row["source"], row["grid_code"]) == ("reported", "public", "320508001002001")
    got = client.get(f"/open311/v2/requests/{case_no}.json").json()[0]
    assert got["status"] == "open" and got["status_notes"] == "Received; waiting to be accepted"
    assert abs(got["lat"] - lat) < 1e-6 and got["service_name"] == "暴露垃圾"


def test_a_wrong_key_is_refused_and_no_case_is_written(client, keyed):
    lon, lat = _point()
    r = client.post("/open311/v2/requests.json", data={"api_key": "nope", "service_code": "event-0102",
                                                        "lat": lat, "long": lon})
    assert r.status_code == 403 and r.json()[0]["code"] == 403
    c = db.open_centre(keyed)
    assert c.execute("SELECT count(*) FROM cases").fetchone()[0] == 0
    c.close()


@pytest.mark.parametrize("form,status", [
    ({"service_code": "event-0102"}, 400),                              # no location
    ({"service_code": "nonsense", "lat": 31.26, "long": 120.0}, 404),     # unknown service
    ({"service_code": "event-0102", "lat": 31.5, "long": 120.4}, 400),    # outside every grid
])
def test_bad_requests_get_open311_errors(client, keyed, form, status):
    r = client.post("/open311/v2/requests.json", data={"api_key": KEY, **form})
    assert r.status_code == status and isinstance(r.json(), list) and r.json()[0]["description"]


def test_requests_filter_by_status_service_and_ids(client, keyed):
    c = db.open_centre(keyed)
    open_no = cf.case_at(c, "dispatched")
    closed_no = cf.case_at(c, "reported", dx=60)
    workflow.act(c, closed_no, "reject", cf.actor(c, "operator"), note="不属于受理范围")
    c.close()
    window = {"start_date": "2026-11-01T00:00:00Z", "end_date": "2026-12-01T00:00:00Z"}
    closed = client.get("/open311/v2/requests.json", params={**window, "status": "closed"}).json()
    assert [x["service_request_id"] for x in closed] == [closed_no]
    opened = client.get("/open311/v2/requests.json", params={**window, "status": "open"}).json()
    assert [x["service_request_id"] for x in opened] == [open_no]
    assert opened[0]["agency_responsible"] == "环卫处" and opened[0]["expected_datetime"]
    both = client.get("/open311/v2/requests.json", params={"service_request_id": f"{open_no},{closed_no}"}).json()
    assert len(both) == 2
    none = client.get("/open311/v2/requests.json", params={**window, "service_code": "component-0101"}).json()
    assert none == []
