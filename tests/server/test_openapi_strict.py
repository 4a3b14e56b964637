# SPDX-License-Identifier: GPL-2.0-or-later
"""/openapi.json is complete and strict: every $ref resolves, the push body is there with its three
payload shapes, parameters carry their patterns and formats, tus headers are declared, and a wrong
method is a 405 that names every allowed method."""

import pytest
import schemathesis

UUID = "12345678-1234-1234-1234-123456789abc"


@pytest.fixture
def doc(client):
    return client.get("/openapi.json").json()


def _refs(node):
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"]
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def _resolve(doc, ref):
    assert ref.startswith("#/"), ref
    node = doc
    for part in ref[2:].split("/"):
        node = node[part]
    return node


def _param(doc, path, method, name):
    (param,) = [p for p in doc["paths"][path][method].get("parameters", []) if p["name"] == name]
    return param


def test_the_document_is_valid_openapi_and_every_ref_resolves(doc):
    schemathesis.openapi.from_dict(doc).validate()  # against the OpenAPI 3.1 meta-schema
    missing = sorted({ref for ref in _refs(doc) if not _has(doc, ref)})
    assert missing == []


def _has(doc, ref):
    try:
        _resolve(doc, ref)
        return True
    except KeyError:
        return False


def test_the_push_body_is_pushin_with_the_three_payload_shapes(doc):
    body = doc["paths"]["/api/v1/sync/push"]["post"]["requestBody"]
    assert body["required"] and body["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/PushIn"}
    push_in = doc["components"]["schemas"]["PushIn"]
    assert set(push_in["required"]) == {"batch_id", "device_id", "items"}
    assert push_in["properties"]["batch_id"]["pattern"]
    items = push_in["properties"]["items"]["items"]
    kinds = {}
    for ref in (alt["$ref"] for alt in items["oneOf"]):
        item = _resolve(doc, ref)
        kinds[item["properties"]["type"]["const"]] = _resolve(doc, item["properties"]["payload"]["$ref"])
    assert set(kinds) == {"check", "verify", "report"}
    assert set(kinds["check"]["properties"]["outcome"]["enum"]) == {"pass", "fail"}
    assert set(kinds["verify"]["properties"]["outcome"]["enum"]) == {"confirmed", "not_found"}
    assert {"kind", "class_code", "observed_at", "location"} <= set(kinds["report"]["required"])
    assert kinds["check"]["properties"]["observed_at"]["format"] == "date-time"


def test_the_resolution_body_is_documented_though_read_after_the_token(doc):
    body = doc["paths"]["/api/v1/items/{uuid}/resolve"]["post"]["requestBody"]
    ref = body["content"]["application/json"]["schema"]["$ref"]
    assert _resolve(doc, ref)["properties"]["resolution"]["minLength"] == 1


@pytest.mark.parametrize("path,method,name,pattern", [
    ("/api/v1/blobs/{sha256}", "get", "sha256", "^[0-9a-f]{64}$"),
    ("/api/v1/blobs/{sha256}", "head", "sha256", "^[0-9a-f]{64}$"),
    ("/api/v1/blobs/{sha256}/thumbnail", "get", "sha256", "^[0-9a-f]{64}$"),
    ("/api/v1/uploads/{upload_id}", "patch", "upload_id", "^[0-9a-f]{32}$"),
    ("/api/v1/uploads/{upload_id}", "head", "upload_id", "^[0-9a-f]{32}$"),
    ("/api/v1/uploads/{upload_id}", "delete", "upload_id", "^[0-9a-f]{32}$"),
    ("/api/v1/batches/{batch_id}", "get", "batch_id", None),
    ("/api/v1/batches/{batch_id}/review", "post", "batch_id", None),
    ("/api/v1/items/{uuid}/resolve", "post", "uuid", None),
])
def test_path_parameters_carry_their_patterns(doc, path, method, name, pattern):
    schema = _param(doc, path, method, name)["schema"]
    assert schema["type"] == "string" and schema["pattern"]
    if pattern:
        assert schema["pattern"] == pattern


@pytest.mark.parametrize("path,name", [("/api/v1/batches", "since"), ("/api/v1/batches", "until"),
                                       ("/open311/v2/requests.json", "start_date"),
                                       ("/open311/v2/requests.json", "end_date")])
def test_date_query_parameters_are_date_times(doc, path, name):
    assert _param(doc, path, "get", name)["schema"]["format"] == "date-time"


def test_dates_are_still_parsed_as_the_core_parses_them(client, login):
    sup = login("supervisor", "desk")
    for value in ("2026-11-23T08:00:00Z", "2026-11-23T08:00:00+08:00", "2026-11-23T08:00+08:00"):
        assert client.get("/api/v1/batches", params={"since": value}, headers=sup).status_code == 200, value
        assert client.get("/open311/v2/requests.json", params={"start_date": value}).status_code == 200, value
    r = client.get("/api/v1/batches", params={"since": "yesterday"}, headers=sup)
    assert r.status_code == 400 and r.json()["error"]["code"] == "time.malformed"


def test_thumbnail_size_is_an_enum(doc):
    schema = _param(doc, "/api/v1/blobs/{sha256}/thumbnail", "get", "size")["schema"]
    assert schema["enum"] == [128, 256, 512] and schema["default"] == 256


def test_a_malformed_path_id_is_refused_before_the_core_sees_it(client, login):
    h = login("collector01")
    r = client.get("/api/v1/blobs/NOT-A-HASH", headers=h)
    assert r.status_code == 422 and r.json()["error"]["code"] == "request.invalid"
    r = client.head(f"/api/v1/uploads/{'Z' * 32}", headers={**h, "Tus-Resumable": "1.0.0"})
    assert r.status_code == 422


@pytest.mark.parametrize("method,required,optional,body", [
    ("post", {"Tus-Resumable", "Upload-Length", "Upload-Metadata"}, {"Upload-Checksum"}, False),
    ("patch", {"Tus-Resumable", "Upload-Offset"}, {"Upload-Checksum"}, True),
    ("head", {"Tus-Resumable"}, set(), None),
    ("delete", {"Tus-Resumable"}, set(), None),
])
def test_tus_headers_are_declared(doc, method, required, optional, body):
    path = "/api/v1/uploads/" if method == "post" else "/api/v1/uploads/{upload_id}"
    op = doc["paths"][path][method]
    headers = {p["name"]: p for p in op["parameters"] if p["in"] == "header"}
    assert {n for n, p in headers.items() if p["required"]} == required
    assert {n for n, p in headers.items() if not p["required"]} == optional
    assert headers["Tus-Resumable"]["schema"]["enum"] == ["1.0.0"]
    for name in ("Upload-Metadata", "Upload-Checksum"):
        if name in headers:
            assert headers[name]["schema"]["pattern"]
    for name in ("Upload-Length", "Upload-Offset"):
        if name in headers:
            assert headers[name]["schema"]["type"] == "integer"
    if body is None:
        assert "requestBody" not in op
    else:
        assert op["requestBody"]["required"] is body
        assert list(op["requestBody"]["content"]) == ["application/offset+octet-stream"]


def test_the_open311_request_body_is_documented_in_both_media_types(doc):
    body = doc["paths"]["/open311/v2/requests.json"]["post"]["requestBody"]
    assert set(body["content"]) == {"application/x-www-form-urlencoded", "application/json"}
    assert "201" in doc["paths"]["/open311/v2/requests.json"]["post"]["responses"]


@pytest.mark.parametrize("method,path,allowed", [
    ("OPTIONS", "/api/v1/health", "GET"),
    ("DELETE", "/api/v1/health", "GET"),
    ("DELETE", f"/api/v1/blobs/{'0' * 64}", "GET, HEAD"),
    ("GET", f"/api/v1/uploads/{'0' * 32}", "DELETE, HEAD, PATCH"),
    ("PUT", "/api/v1/uploads/", "OPTIONS, POST"),
    ("GET", f"/api/v1/items/{UUID}/resolve", "POST"),
])
def test_a_wrong_method_is_405_with_every_allowed_method_in_allow(client, method, path, allowed):
    r = client.request(method, path)
    assert r.status_code == 405 and r.headers["Allow"] == allowed
    assert r.json()["error"]["code"] == "http.method_not_allowed"
    assert r.json()["error"]["details"]["allowed"] == allowed.split(", ")


def test_a_wrong_method_under_open311_is_405_in_georeport_form(client):
    r = client.delete("/open311/v2/requests.json")
    assert r.status_code == 405 and r.headers["Allow"] == "GET, POST" and r.json()[0]["code"] == 405


def test_every_pattern_in_the_document_is_anchored(doc):
    """JSON Schema patterns match anywhere in a value unless anchored; the core matches whole values."""
    found = []

    def walk(node, where):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "pattern" and isinstance(value, str):
                    found.append((where, value))
                else:
                    walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{where}/{i}")

    walk(doc, "")
    assert len(found) > 10
    loose = [(w, p) for w, p in found if not (p.startswith("^") and p.endswith("$"))]
    assert loose == []
