# SPDX-License-Identifier: GPL-2.0-or-later
"""Hostile values over HTTP (push items, batch filters, Open311): a coded 4xx or a `rejected` receipt, never a 5xx.

Bodies are written with `json.dumps` (ASCII escapes), so they can carry what a JSON parser accepts but
a careless server trips on: 400-digit integers, NaN and Infinity, lone surrogates, lists and objects
where text is expected. After each push the supervisor reads the batch back: stored data must not
make that read fail either.
"""

import json
import uuid

import centre_fixture as cf
import pytest
from fastapi.testclient import TestClient

from citygrid import crs
from citygrid.store import db
from citygrid.sync import open311
from citygrid_server.app import create_app

HUGE = 10 ** 400
SURROGATE = "\ud800"
OPEN311_KEY = "hostile-test-key"
YEAR_1 = "0001-01-01T00:00:00+08:00"
YEAR_9999 = "9999-12-31T23:59:59-08:00"
ODD = [None, True, HUGE, -HUGE, [], {}, ["pass"], {"a": 1}, float("nan"), float("inf"), SURROGATE]


@pytest.fixture(scope="module")
def quiet(tmp_path_factory):
    """One centre for the module (every test uses its own batch and item ids), and a client that answers
    500s as responses, so they show as statuses (the default test client raises them instead)."""
    path = tmp_path_factory.mktemp("hostile") / "center.gpkg"
    cf.build(path)
    c = db.open_centre(path)
    task = cf.open_task(c, cf.case_at(c, "checking"), "check")
    open311.add_key(c, "hostile", OPEN311_KEY)
    c.close()
    with TestClient(create_app(path), raise_server_exceptions=False) as client:
        client.task_id = task["id"]
        client.tokens = {}
        yield client


def _login(client, username, device="dev-1"):
    if (username, device) not in client.tokens:
        r = client.post("/api/v1/auth/login", json={"username": username, "password": cf.PASSWORD,
                                                    "device_id": device})
        assert r.status_code == 200, r.text
        client.tokens[username, device] = {"Authorization": f"Bearer {r.json()['token']}"}
    return client.tokens[username, device]


def _post(client, url, obj, headers=None):
    return client.post(url, content=json.dumps(obj).encode(), headers={**(headers or {}),
                                                                        "Content-Type": "application/json"})


def _check_item(task_id):
    return {"uuid": str(uuid.uuid4()), "type": "check", "created_at": "2026-11-23T06:00:01+08:00", "photos": [],
            "payload": {"task_id": task_id, "outcome": "pass", "observed_at": "2026-11-23T06:00:00+08:00",
                        "location": {"lon": 120.0005, "lat": 31.2601, "accuracy_m": 4.5}}}


def _lonlat():
    x, y = cf.centre_point("320508001002001")
    return crs.to_lonlat(x, y, 4549)


def _report_item():
    lon, lat = _lonlat()
    return {"uuid": str(uuid.uuid4()), "type": "report", "photos": [], "payload": {
        "kind": "event", "class_code": "0102", "description": "垃圾", "observed_at": "2026-11-23T09:00:00+08:00",
        "location": {"lon": lon, "lat": lat, "accuracy_m": 3}}}


def _set(item, path, value):
    """A copy of `item` with the value at a dotted path replaced (the key is added when missing)."""
    item = json.loads(json.dumps(item))
    *parents, last = path.split(".")
    node = item
    for key in parents:
        node = node[key]
    node[last] = value
    return item


# (label, item-maker taking the task id): every one must come back as a `rejected` receipt
REJECTED = (
    [(f"{f}={v!r:.20}", lambda t, f=f, v=v: _set(_check_item(t), f"payload.location.{f}", v))
     for f in ("lon", "lat", "accuracy_m") for v in (HUGE, -HUGE, "1e400", float("nan"), float("inf"), True, [], {})]
    + [(f"outcome={v!r:.20}", lambda t, v=v: _set(_check_item(t), "payload.outcome", v))
       for v in ([], {}, ["pass"], {"pass": 1}, None, 7, HUGE, True, "PASS", SURROGATE)]
    + [(f"observed_at={v!r:.20}", lambda t, v=v: _set(_check_item(t), "payload.observed_at", v))
       for v in (YEAR_1, YEAR_9999, "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "1899-12-31T00:00:00Z", 7, [], "", "2026-13-01T00:00:00Z", SURROGATE, "2026-11-23T06:00:00")]
    + [(f"created_at={v!r:.20}", lambda t, v=v: _set(_check_item(t), "created_at", v))
       for v in (YEAR_1, YEAR_9999, "garbage", SURROGATE)]
    + [(f"task_id={v!r:.20}", lambda t, v=v: _set(_check_item(t), "payload.task_id", v))
       for v in ([], {}, HUGE, SURROGATE, "x" * 10_000, "")]
    + [(f"type={v!r:.20}", lambda t, v=v: _set(_check_item(t), "type", v)) for v in ([], {}, SURROGATE, HUGE)]
    + [(f"payload={v!r:.20}", lambda t, v=v: _set(_check_item(t), "payload", v)) for v in ([], "x", None, HUGE)]
    + [(f"photos={v!r:.20}", lambda t, v=v: _set(_check_item(t), "photos", v))
       for v in (["a" * 64 + "\n"], [[]], [{}], "abc", [HUGE], [SURROGATE], ["a" * 64] * 21)]
    + [(f"note={v!r:.20}", lambda t, v=v: _set(_set(_check_item(t), "payload.outcome", "fail"), "payload.note", v))
       for v in (float("nan"), SURROGATE, [SURROGATE], {"k": float("inf")})]
    + [(f"report.{f}={v!r:.20}", lambda t, f=f, v=v: _set(_report_item(), f"payload.{f}", v))
       for f in ("kind", "class_code", "ObjID", "description")
       for v in ([], {}, HUGE, SURROGATE, float("nan"))]
    + [(f"report.location={v!r:.20}", lambda t, v=v: _set(_report_item(), "payload.location", v))
       for v in (None, [], "here", {"lon": 120.0}, {"lon": 120.0, "lat": 91}, {"lon": HUGE, "lat": 31.0})]
    + [(f"report.extra={v!r:.20}", lambda t, v=v: _set(_report_item(), "payload.extra", v))
       for v in (float("nan"), SURROGATE, {"deep": [float("-inf")]})]
)


@pytest.mark.parametrize("label,make", REJECTED, ids=[label for label, _ in REJECTED])
def test_a_hostile_item_value_is_a_rejected_receipt_and_the_batch_reads_back(quiet, label, make):
    h = _login(quiet, "collector01")
    batch_id = str(uuid.uuid4())
    r = _post(quiet, "/api/v1/sync/push", {"batch_id": batch_id, "device_id": "dev-1",
                                          "items": [make(quiet.task_id), _report_item()]}, h)
    assert r.status_code == 200, r.text
    bad, good = r.json()["receipts"]
    assert bad["status"] == "rejected" and bad["code"], bad
    assert good["status"] == "accepted", good
    detail = quiet.get(f"/api/v1/batches/{batch_id}", headers=_login(quiet, "supervisor", "desk"))
    assert detail.status_code == 200, detail.text
    assert len(detail.json()["items"]) == 2


# (label, body): the batch itself is malformed -> a coded 4xx
BAD_BATCHES = (
    [(f"batch_id={v!r:.20}", {"batch_id": v, "device_id": "dev-1", "items": []})
     for v in ([], {}, HUGE, SURROGATE, "abc\n", "", "x" * 65)]
    + [(f"device_id={v!r:.20}", {"batch_id": "b-1", "device_id": v, "items": []})
       for v in ([], {}, HUGE, SURROGATE, None)]
    + [(f"items={v!r:.20}", {"batch_id": "b-1", "device_id": "dev-1", "items": v}) for v in ({}, "x", HUGE, None)]
    + [(f"body={v!r:.20}", v) for v in ([], "x", HUGE, None, float("nan"))]
)


@pytest.mark.parametrize("label,body", BAD_BATCHES, ids=[label for label, _ in BAD_BATCHES])
def test_a_malformed_batch_is_a_coded_4xx(quiet, label, body):
    r = _post(quiet, "/api/v1/sync/push", body, _login(quiet, "collector01"))
    assert 400 <= r.status_code < 500, r.text
    assert r.json()["error"]["code"]


ODD_UUIDS = [[], {}, HUGE, SURROGATE, "12345678-1234-1234-1234-123456789abc\n", "{12345678-1234-1234-1234-123456789abc}"]


@pytest.mark.parametrize("value", ODD_UUIDS, ids=[f"{v!r:.20}" for v in ODD_UUIDS])
def test_an_item_with_an_odd_uuid_is_rejected_with_bad_uuid(quiet, value):
    item = _set(_check_item(quiet.task_id), "uuid", value)
    r = _post(quiet, "/api/v1/sync/push", {"batch_id": str(uuid.uuid4()), "device_id": "dev-1", "items": [item]},
              _login(quiet, "collector01"))
    assert r.status_code == 200, r.text
    (receipt,) = r.json()["receipts"]
    assert receipt["status"] == "rejected" and receipt["code"] == "sync.bad_uuid"


BAD_TIMES = [YEAR_1, YEAR_9999, "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "0001-01-05T00:00:00Z", "nonsense"]


@pytest.mark.parametrize("param", ["since", "until"])
@pytest.mark.parametrize("value", BAD_TIMES)
def test_batch_list_times_out_of_range_are_coded_400s(quiet, param, value):
    r = quiet.get("/api/v1/batches", params={param: value}, headers=_login(quiet, "supervisor", "desk"))
    assert r.status_code in (200, 400), r.text
    if r.status_code == 400:
        assert r.json()["error"]["code"].startswith("time.")


@pytest.mark.parametrize("param", ["start_date", "end_date"])
@pytest.mark.parametrize("value", BAD_TIMES)
def test_open311_dates_out_of_range_are_coded_4xx(quiet, param, value):
    r = quiet.get("/open311/v2/requests.json", params={param: value})
    assert r.status_code in (200, 400), r.text
    if r.status_code == 400:
        assert r.json()[0]["code"] == 400 and r.json()[0]["description"]


def test_year_one_with_an_offset_is_a_time_out_of_range(quiet):
    r = quiet.get("/api/v1/batches", params={"since": YEAR_1}, headers=_login(quiet, "supervisor", "desk"))
    assert r.status_code == 400 and r.json()["error"]["code"] == "time.out_of_range"


OPEN311_FIELDS = ("api_key", "service_code", "lat", "long", "description", "email", "phone", "first_name",
                  "last_name", "address_string", "media_url")


def _open311_form():
    lon, lat = _lonlat()
    return {"api_key": OPEN311_KEY, "service_code": "event-0102", "lat": lat, "long": lon, "description": "垃圾"}


@pytest.mark.parametrize("value", ODD, ids=[f"{v!r:.20}" for v in ODD])
@pytest.mark.parametrize("field", OPEN311_FIELDS)
def test_an_open311_field_of_any_json_type_gets_a_4xx_or_a_request(quiet, field, value):
    r = _post(quiet, "/open311/v2/requests.json", {**_open311_form(), field: value})
    assert r.status_code in (201, 400, 403, 404), r.text
    if r.status_code != 201:
        assert r.json()[0]["code"] == r.status_code and r.json()[0]["description"]
    if field in ("api_key", "service_code", "lat", "long") and value is not None:
        assert r.status_code != 201, "a non-text key, code or location is never accepted"
    if field in ("description", "email", "phone", "first_name", "last_name", "address_string", "media_url") \
            and isinstance(value, list | dict):
        assert r.status_code == 400 and "field" in r.json()[0]["description"]


def test_an_item_uuid_is_per_account_and_a_receipt_never_shows_another_accounts_case(quiet):
    item = _report_item()
    batch = {"device_id": "dev-1", "items": [item]}
    (mine,) = _post(quiet, "/api/v1/sync/push", {**batch, "batch_id": str(uuid.uuid4())},
                    _login(quiet, "collector01")).json()["receipts"]
    respelt = {**item, "uuid": item["uuid"].upper()}
    (theirs,) = _post(quiet, "/api/v1/sync/push", {"batch_id": str(uuid.uuid4()), "device_id": "dev-2",
                                                   "items": [respelt]}, _login(quiet, "collector02", "dev-2")
                      ).json()["receipts"]
    assert mine["status"] == theirs["status"] == "accepted"
    assert theirs["uuid"] == respelt["uuid"] and theirs["case_no"] != mine["case_no"]
    (again,) = _post(quiet, "/api/v1/sync/push", {**batch, "batch_id": str(uuid.uuid4()), "items": [respelt]},
                     _login(quiet, "collector01")).json()["receipts"]
    assert (again["status"], again["case_no"]) == ("duplicate", mine["case_no"])


def test_resolving_an_item_two_accounts_sent_is_a_409_until_the_username_says_whose(quiet):
    first, item = _report_item(), _report_item()  # `item` lands next to `first`: a possible duplicate, flagged
    for username, device, items in [("collector01", "dev-1", [first, item]), ("collector02", "dev-2", [item])]:
        r = _post(quiet, "/api/v1/sync/push", {"batch_id": str(uuid.uuid4()), "device_id": device, "items": items},
                  _login(quiet, username, device))
        assert r.json()["receipts"][-1]["code"] == "report.possible_duplicate"
    sup = _login(quiet, "supervisor", "desk")
    url = f"/api/v1/items/{item['uuid']}/resolve"
    r = quiet.post(url, json={"resolution": "转交派遣员"}, headers=sup)
    assert r.status_code == 409 and r.json()["error"]["code"] == "item.ambiguous"
    assert r.json()["error"]["details"]["usernames"] == ["collector01", "collector02"]
    r = quiet.post(url, params={"username": "collector02"}, json={"resolution": "转交派遣员"}, headers=sup)
    assert r.status_code == 204
    r = quiet.post(url, params={"username": "collector02"}, json={"resolution": "again"}, headers=sup)
    assert r.status_code == 400 and r.json()["error"]["code"] == "item.not_flagged"
    r = quiet.post(f"/api/v1/items/{item['uuid'].upper()}/resolve", params={"username": "collector01"},
                   json={"resolution": "看过了"}, headers=sup)
    assert r.status_code == 204
