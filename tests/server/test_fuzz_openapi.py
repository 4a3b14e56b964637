# SPDX-License-Identifier: GPL-2.0-or-later
"""schemathesis over /openapi.json: no 5xx, responses match the documented schemas; every operation,
the push body included (authenticated, from its documented schema)."""

import os
import tempfile
from collections import Counter
from pathlib import Path

import centre_fixture
import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis import checks

from citygrid.store import db
from citygrid.sync import open311
from citygrid_server.app import create_app

CHECKS = [checks.not_a_server_error, checks.status_code_conformance, checks.content_type_conformance,
          checks.response_schema_conformance, checks.response_headers_conformance]
EXAMPLES = int(os.environ.get("CITYGRID_FUZZ_EXAMPLES", "30"))
PUSH_EXAMPLES = int(os.environ.get("CITYGRID_FUZZ_PUSH_EXAMPLES", "150"))
PUSH = "/api/v1/sync/push"
DEVICE = "fuzz-device"
SEEN = Counter()  # operation -> cases sent, and "valid pushes": schema-valid batches with items; read last

# tus bodies are plain bytes: send what schemathesis generates for application/octet-stream
schemathesis.serializer.alias("application/offset+octet-stream", "application/octet-stream")


def _app(tmp_dir):
    path = tmp_dir / "center.gpkg"
    centre_fixture.build(path)
    c = db.open_centre(path)
    centre_fixture.case_at(c, "checking")
    open311.add_key(c, "fuzz", "fuzz-key")
    c.close()
    return create_app(path)


APP = _app(Path(tempfile.mkdtemp(prefix="citygrid-fuzz-")))
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)
others = schema.exclude(path=PUSH)
push_only = schema.include(path=PUSH)


def _token(device: str = DEVICE, username: str = "collector01") -> str:
    with TestClient(APP) as client:
        r = client.post("/api/v1/auth/login", json={"username": username, "password": centre_fixture.PASSWORD,
                                                    "device_id": device})
        return r.json()["token"]


@pytest.fixture(scope="module")
def token():
    return _token()


@pytest.fixture(scope="module")
def supervisor():
    return _token("fuzz-desk", "supervisor")


def _reviews(path: str) -> bool:
    return path.startswith(("/api/v1/batches", "/api/v1/items/"))


@others.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_never_errors_and_matches_its_schema(case, token, supervisor):
    SEEN[case.operation.label] += 1
    # review routes get past their role check; logout revokes its token, so it gets one of its own
    own = supervisor if _reviews(case.path) else token
    own = _token("fuzz-logout") if case.path == "/api/v1/auth/logout" else own
    # semantic refusals of schema-valid input (a batch for another device...) are 4xx by design
    case.call_and_validate(headers={"Authorization": f"Bearer {own}"}, checks=CHECKS)


@push_only.parametrize()
@settings(max_examples=PUSH_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_push_answers_every_documented_body_with_receipts(case, token):
    SEEN[case.operation.label] += 1
    valid = case.meta is not None and not case.meta.generation.mode.is_negative
    if valid and isinstance(case.body, dict):
        case.body["device_id"] = DEVICE  # the one thing the schema cannot know: the token's device
    response = case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)
    if valid and isinstance(case.body, dict):
        # a body that matches PushIn is never refused whole: each item gets its receipt
        assert response.status_code == 200, response.text
        assert len(response.json()["receipts"]) == len(case.body["items"])
        SEEN["valid pushes"] += bool(case.body["items"])


def test_every_operation_was_fuzzed():
    if not SEEN:
        pytest.skip("counts the cases of the fuzz tests above, run in the same session")
    operations = {f"{method.upper()} {path}" for path, ops in APP.openapi()["paths"].items() for method in ops}
    assert operations - set(SEEN) == set(), "run the whole file: these operations were never called"
    assert SEEN[f"POST {PUSH}"] >= min(PUSH_EXAMPLES, 50)
    assert SEEN["valid pushes"] >= min(PUSH_EXAMPLES // 10, 10), "the push body schema yields no valid batches"
