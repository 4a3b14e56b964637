# SPDX-License-Identifier: GPL-2.0-or-later
"""The service answers in the client's language: error messages (the code never changes), Open311
status notes for the public, Open311 location errors in the lat/long the client sent."""

from concurrent.futures import ThreadPoolExecutor

import centre_fixture as cf
import pytest

from citygrid import crs, i18n
from citygrid.messages import TEXTS, message
from citygrid.problems import Problem
from citygrid.store import db
from citygrid.store.schema_v1 import STATUSES
from citygrid.sync import open311
from citygrid_server import errors

KEY = "hotline-key-123"
REQUIRED_ZH = message(Problem("auth.required"), "zh_CN")
REQUIRED_EN = TEXTS["auth.required"]


@pytest.fixture(autouse=True)
def _english_server(monkeypatch):
    """The server's own locale is English unless a test says otherwise."""
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")


@pytest.fixture
def keyed(centre_path):
    c = db.open_centre(centre_path)
    open311.add_key(c, "12345热线", KEY)
    c.close()
    return centre_path


def _error(client, **headers):
    r = client.get("/api/v1/sync/pull", headers=headers)
    assert r.status_code == 401
    return r.json()["error"]


@pytest.mark.parametrize("accept, expected", [
    ("zh-CN,zh;q=0.9,en;q=0.8", REQUIRED_ZH), ("zh", REQUIRED_ZH), ("zh-TW", REQUIRED_ZH),
    ("en-US,en;q=0.9", REQUIRED_EN), ("en;q=0.5, zh;q=0.9", REQUIRED_ZH), ("zh;q=0, en", REQUIRED_EN),
    ("fr-FR", REQUIRED_EN), ("*", REQUIRED_EN), ("zh;q=nonsense, en", REQUIRED_EN), ("", REQUIRED_EN),
])
def test_the_error_message_follows_accept_language_and_the_code_does_not(client, accept, expected):
    err = _error(client, **({"Accept-Language": accept} if accept else {}))
    assert err == {"code": "auth.required", "message": expected}


def test_a_client_naming_no_language_gets_the_servers_default(client, monkeypatch):
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert _error(client)["message"] == REQUIRED_ZH
    assert _error(client, **{"Accept-Language": "fr"})["message"] == REQUIRED_ZH
    assert _error(client, **{"Accept-Language": "en"})["message"] == REQUIRED_EN


def test_concurrent_requests_never_share_a_language(client, monkeypatch):
    """Each response carries its own language; the process-wide one is never touched."""
    def refuse(lang):
        raise AssertionError("the server set the process-wide language")

    monkeypatch.setattr(i18n, "set_language", refuse)
    langs = ["zh-CN", "en"] * 20

    def ask(lang):
        return _error(client, **{"Accept-Language": lang})["message"]

    with ThreadPoolExecutor(max_workers=8) as pool:
        got = list(pool.map(ask, langs))
    assert got == [REQUIRED_ZH if lang.startswith("zh") else REQUIRED_EN for lang in langs]


def test_a_server_path_in_a_message_is_hidden_in_the_clients_language():
    r = errors.problem_response("/api/v1/x", Problem("db.not_found", path="/srv/secret/center.gpkg"), "zh_CN")
    assert b"secret" not in r.body and "没有此文件：中心数据库".encode() in r.body


def test_client_language_prefers_locale_then_accept_language():
    assert errors.client_language("en", "zh_CN") == "zh_CN"
    assert errors.client_language("zh", "en-GB") == "en"
    assert errors.client_language("zh", "fr") == "zh_CN"  # an unknown locale leaves it to the header
    assert errors.client_language("x" * 10_000) == "en"


# --- Open311 ------------------------------------------------------------------------------------

def test_every_case_status_has_a_sentence_for_the_public_in_both_languages():
    assert set(open311.STATUS_NOTES) == set(STATUSES)
    for status, english in open311.STATUS_NOTES.items():
        chinese = open311.status_notes(status, "zh_CN")
        assert open311.status_notes(status, "en") == english != status
        assert chinese != english and any("\u4e00" <= ch <= "\u9fff" for ch in chinese)
    assert open311.status_notes("dispatched", "zh_CN") == "已立案，正在处置"
    assert open311.status_notes("dispatched", "en") == "Registered; being handled"


def test_status_notes_in_the_publics_language(client, keyed):
    c = db.open_centre(keyed)
    case_no = cf.case_at(c, "dispatched")
    c.close()
    url = f"/open311/v2/requests/{case_no}.json"
    assert client.get(url).json()[0]["status_notes"] == "Registered; being handled"
    assert client.get(url, headers={"Accept-Language": "zh-CN"}).json()[0]["status_notes"] == "已立案，正在处置"
    assert client.get(url, params={"locale": "zh_CN"}).json()[0]["status_notes"] == "已立案，正在处置"
    assert client.get(url, params={"locale": "en"}, headers={"Accept-Language": "zh"}).json()[0][
        "status_notes"] == "Registered; being handled"
    listed = client.get("/open311/v2/requests.json", params={"service_request_id": case_no, "locale": "zh_CN"})
    assert listed.json()[0]["status_notes"] == "已立案，正在处置"
    assert listed.json()[0]["status"] == "open"
    missing = client.get("/open311/v2/requests/nope.json", headers={"Accept-Language": "zh-CN"})
    assert missing.status_code == 404 and missing.json() == [{"code": 404, "description": "没有此服务请求：nope"}]


def _cases(path) -> int:
    c = db.open_centre(path)
    try:
        return c.execute("SELECT count(*) FROM cases").fetchone()[0]
    finally:
        c.close()


@pytest.mark.parametrize("lat, long", [("31.5", "120.4"), ("31.300000", "119.9"), ("45", "120.6"),
                                       ("31.3", "130.0")])
def test_a_point_outside_every_grid_is_refused_in_the_coordinates_sent(client, keyed, lat, long):
    """Outside every grid, or so far away that the centre's projection refuses it: lat/long as sent."""
    for accept, says in (("en", f"the point lat {lat}, long {long} is outside the area this centre serves"),
                         ("zh-CN", f"点（纬度 {lat}，经度 {long}）不在本中心管辖的区域内")):
        r = client.post("/open311/v2/requests.json", headers={"Accept-Language": accept},
                        data={"api_key": KEY, "service_code": "event-0102", "lat": lat, "long": long})
        assert r.status_code == 400 and r.json() == [{"code": 400, "description": says}]
    assert _cases(keyed) == 0


@pytest.mark.parametrize("field, value", [("lat", "95"), ("lat", "-90.5"), ("long", "181"), ("long", "east"),
                                          ("lat", "nan"), ("lat", "1e400")])
def test_a_bad_lat_or_long_names_the_value_sent(client, keyed, field, value):
    lon, lat = crs.to_lonlat(*cf.centre_point("320508001002001"), 4549)
    form = {"api_key": KEY, "service_code": "event-0102", "lat": str(lat), "long": str(lon), field: value}
    limit = 90 if field == "lat" else 180
    r = client.post("/open311/v2/requests.json", data=form)
    assert r.status_code == 400
    assert r.json() == [{"code": 400, "description": f"{field} must be a number from -{limit} to {limit}, not {value}"}]
    r = client.post("/open311/v2/requests.json", data=form, headers={"Accept-Language": "zh"})
    assert r.json()[0]["description"] == f"{field} 须为 -{limit} 到 {limit} 之间的数字，而不是 {value}"
    assert _cases(keyed) == 0


def test_a_json_request_outside_every_grid_names_its_numbers(client, keyed):
    r = client.post("/open311/v2/requests.json", json={"api_key": KEY, "service_code": "event-0102",
                                                       "lat": 31.5, "long": 120.4})
    assert r.status_code == 400
    assert r.json()[0]["description"] == "the point lat 31.5, long 120.4 is outside the area this centre serves"


def test_the_frameworks_own_errors_speak_the_clients_language(client, login):
    zh = {"Accept-Language": "zh-CN"}
    r = client.get("/api/v1/nowhere", headers=zh)
    assert r.status_code == 404 and r.json()["error"] == {"code": "http.not_found",
                                                          "message": "此地址没有内容：请检查地址"}
    r = client.delete("/api/v1/health", headers=zh)
    assert r.status_code == 405 and r.json()["error"]["code"] == "http.method_not_allowed"
    assert r.json()["error"]["message"] == "此处不允许 DELETE（允许：GET）"
    r = client.get("/api/v1/sync/pull", params={"limit": "many"}, headers={**zh, **login("collector01")})
    assert r.status_code == 422 and r.json()["error"]["code"] == "request.invalid"
    assert r.json()["error"]["message"].startswith("请求无效：query.limit：")
    r = client.get("/open311/v2/requests.json", params={"status": "x" * 20}, headers=zh)
    assert r.status_code == 422 and r.json()[0]["description"].startswith("请求无效：")
    r = client.get("/api/v1/nowhere")
    assert r.json()["error"]["message"] == "nothing here: check the address"
