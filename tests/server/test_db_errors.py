# SPDX-License-Identifier: GPL-2.0-or-later
"""SQLite trouble under a request is a coded 503 with a retry hint, and the connection is not reused."""

import sqlite3

import pytest
from fastapi.testclient import TestClient

from citygrid import sync_pull


@pytest.mark.parametrize("text, code, retry", [("disk I/O error", "db.io_error", "5"),
                                               ("database is locked", "db.locked", "2")])
def test_sqlite_errors_under_a_request_are_503_with_retry_after(client, login, monkeypatch, text, code, retry):
    headers = login("collector01")
    seen = []

    def failing(cx, *args, **kwargs):
        seen.append(cx)
        raise sqlite3.OperationalError(text)

    monkeypatch.setattr(sync_pull, "pull", failing)
    r = client.get("/api/v1/sync/pull", headers=headers)
    assert r.status_code == 503, r.text
    assert r.json()["error"]["code"] == code
    assert r.headers["Retry-After"] == retry
    assert "/" not in r.text.replace("I/O", "")  # no server path in the answer
    idle = list(client.app.state.centre._idle.queue)
    assert (seen[0] in idle) == (code == "db.locked")  # a connection that met an I/O error is closed


def test_a_request_that_dies_mid_transaction_leaves_a_clean_connection(client, login, monkeypatch):
    headers = login("collector01")
    client = TestClient(client.app, raise_server_exceptions=False)

    def dies(cx, *args, **kwargs):
        cx.execute("BEGIN IMMEDIATE")
        raise RuntimeError("boom")

    monkeypatch.setattr(sync_pull, "pull", dies)
    assert client.get("/api/v1/sync/pull", headers=headers).status_code == 500
    assert not any(c.in_transaction for c in client.app.state.centre._idle.queue)
