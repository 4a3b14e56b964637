# SPDX-License-Identifier: GPL-2.0-or-later
"""Health, login, tokens, errors: the service's front door."""

import centre_fixture

from citygrid.store import db


def test_health_reports_versions(client):
    r = client.get("/api/v1/health")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok" and body["schema"] >= 2 and body["version"]


def test_login_returns_a_token_and_the_user(client):
    r = client.post("/api/v1/auth/login", json={"username": "collector01", "password": centre_fixture.PASSWORD,
                                                "device_id": "phone-7"})
    assert r.status_code == 200
    body = r.json()
    assert len(body["token"]) >= 40 and body["expires_at"].endswith("Z")
    assert body["user"] == {"username": "collector01", "role": "collector", "display_name": "collector01"}


def test_wrong_password_and_unknown_user_look_the_same(client):
    a = client.post("/api/v1/auth/login", json={"username": "collector01", "password": "nope-nope", "device_id": "d"})
    b = client.post("/api/v1/auth/login", json={"username": "ghost", "password": "nope-nope", "device_id": "d"})
    assert a.status_code == b.status_code == 401
    assert a.json()["error"]["code"] == b.json()["error"]["code"] == "auth.invalid"


def test_repeated_failures_throttle_the_account(client):
    for _ in range(5):
        client.post("/api/v1/auth/login", json={"username": "collector01", "password": "bad-bad-bad", "device_id": "d"})
    r = client.post("/api/v1/auth/login", json={"username": "collector01", "password": centre_fixture.PASSWORD,
                                                "device_id": "d"})
    assert r.status_code == 429 and r.json()["error"]["code"] == "auth.throttled"


def test_token_is_stored_hashed_and_logout_revokes_it(client, login, centre_path):
    headers = login("collector01")
    token = headers["Authorization"].split()[1]
    c = db.open_centre(centre_path)
    stored = [r[0] for r in c.execute("SELECT token_hash FROM auth_tokens")]
    c.close()
    assert token not in stored and len(stored) == 1
    assert client.get("/api/v1/sync/pull", headers=headers).status_code == 200
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    r = client.get("/api/v1/sync/pull", headers=headers)
    assert r.status_code == 401 and r.json()["error"]["code"] == "auth.token_invalid"


def test_expired_token_is_refused(client, login, centre_path):
    headers = login("collector01")
    c = db.open_centre(centre_path)
    c.execute("UPDATE auth_tokens SET expires_at = '2000-01-01T00:00:00.000Z'")
    c.close()
    r = client.get("/api/v1/sync/pull", headers=headers)
    assert r.status_code == 401 and r.json()["error"]["code"] == "auth.token_expired"


def test_forged_and_missing_tokens_are_refused(client):
    assert client.get("/api/v1/sync/pull").json()["error"]["code"] == "auth.required"
    r = client.get("/api/v1/sync/pull", headers={"Authorization": "Bearer forged-token-xyz"})
    assert r.status_code == 401 and r.json()["error"]["code"] == "auth.token_invalid"


def test_centre_roles_cannot_pull_device_work(client, login):
    r = client.get("/api/v1/sync/pull", headers=login("operator"))
    assert r.status_code == 403 and r.json()["error"]["code"] == "auth.forbidden"


def test_malformed_json_and_wrong_content_type_are_clear_4xx(client, login):
    h = login("collector01")
    r = client.post("/api/v1/sync/push", content=b"{not json", headers={**h, "Content-Type": "application/json"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "request.bad_json"
    r = client.post("/api/v1/sync/push", content=b"x", headers={**h, "Content-Type": "text/plain"})
    assert r.status_code == 415


def test_unknown_route_has_the_error_body(client):
    r = client.get("/api/v1/nothing-here")
    assert r.status_code == 404 and r.json()["error"]["code"] == "http.not_found"


def test_openapi_document_lists_the_contract_paths(client):
    paths = client.get("/openapi.json").json()["paths"]
    for p in ["/api/v1/health", "/api/v1/auth/login", "/api/v1/auth/logout", "/api/v1/sync/pull",
              "/api/v1/sync/push", "/api/v1/uploads/", "/api/v1/uploads/{upload_id}", "/api/v1/blobs/{sha256}"]:
        assert p in paths, p


def test_a_device_on_a_newer_or_unknown_protocol_is_told_exactly_why(client, login):
    h = login("collector01")
    r = client.get("/api/v1/sync/pull", headers={**h, "Citygrid-Protocol": "99"})
    assert r.status_code == 426 and r.json()["error"]["code"] == "protocol.unsupported"
    assert "update the server" in r.json()["error"]["message"]
    r = client.get("/api/v1/sync/pull", headers={**h, "Citygrid-Protocol": "one"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "protocol.malformed"
    assert client.get("/api/v1/sync/pull", headers={**h, "Citygrid-Protocol": "1"}).status_code == 200
    assert client.get("/api/v1/health").json()["protocol"] == 1


def test_every_request_leaves_one_structured_access_log_line(client, caplog):
    import json
    import logging

    with caplog.at_level(logging.INFO, logger="citygrid.access"):
        client.get("/api/v1/health")
    (line,) = [json.loads(r.getMessage()) for r in caplog.records if r.name == "citygrid.access"]
    assert line["path"] == "/api/v1/health" and line["status"] == 200 and line["method"] == "GET"
