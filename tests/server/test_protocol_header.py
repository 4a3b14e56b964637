# SPDX-License-Identifier: GPL-2.0-or-later
"""The service reads the protocol versions and the device's header check from citygrid.sync.protocol."""

from citygrid.sync import protocol


def test_a_header_of_thousands_of_digits_is_malformed_not_a_server_error(client, login):
    """int() refuses text of more than 4,300 digits: the old check let it through to a 500."""
    h = login("collector01")
    r = client.get("/api/v1/sync/pull", headers={**h, protocol.HEADER: "9" * 5000})
    assert r.status_code == 400 and r.json()["error"]["code"] == "protocol.malformed"


def test_health_and_the_header_check_follow_the_protocols_versions(client, login, monkeypatch):
    monkeypatch.setattr(protocol, "PROTOCOL", 3)
    monkeypatch.setattr(protocol, "OLDEST_PROTOCOL", 2)
    body = client.get("/api/v1/health").json()
    assert (body["protocol"], body["oldest_protocol"]) == (3, 2)
    h = login("collector01")
    assert client.get("/api/v1/sync/pull", headers={**h, protocol.HEADER: "3"}).status_code == 200
    r = client.get("/api/v1/sync/pull", headers={**h, protocol.HEADER: "1"})
    assert r.status_code == 426 and r.json()["error"]["code"] == "protocol.too_old"
