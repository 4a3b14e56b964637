# SPDX-License-Identifier: GPL-2.0-or-later
"""Credentials through the API: throttling by address and account, revocation, deactivated accounts."""

import threading
from datetime import timedelta

import centre_fixture as cf
import httpx
import pytest
from fastapi.testclient import TestClient
from live import LiveServer

from citygrid.loop import accounts
from citygrid.store import db
from citygrid_server.app import create_app
from citygrid_server.centre import ServiceConfig

LOGIN = "/api/v1/auth/login"
HOME, ATTACKER = ("10.0.0.5", 40001), ("203.0.113.9", 40002)


@pytest.fixture
def app(centre_path):
    return create_app(centre_path, ServiceConfig(login_max_failures=3, login_client_max_failures=5,
                                                 login_window=timedelta(minutes=15)))


@pytest.fixture
def from_address(app):
    """A TestClient whose requests come from the given (host, port)."""
    opened = []

    def make(address):
        client = TestClient(app, client=address)
        opened.append(client)
        return client.__enter__()
    yield make
    for client in opened:
        client.__exit__(None, None, None)


def post_login(client, username, password=cf.PASSWORD, device="dev-1"):
    return client.post(LOGIN, json={"username": username, "password": password, "device_id": device})


def test_spraying_one_guess_over_many_accounts_is_429_with_retry_after(from_address):
    attacker, home = from_address(ATTACKER), from_address(HOME)
    for name in ("admin", "gis", "operator", "leader", "dispatcher"):
        assert post_login(attacker, name, "Spring2026!").status_code == 401
    r = post_login(attacker, "supervisor")
    assert r.status_code == 429 and r.json()["error"]["code"] == "auth.throttled"
    assert 0 < int(r.headers["Retry-After"]) <= 15 * 60
    assert str(r.json()["error"]["details"]["retry_after_s"]) == r.headers["Retry-After"]
    assert post_login(home, "supervisor").status_code == 200


def test_an_attacker_elsewhere_cannot_lock_the_real_user_out(from_address):
    attacker, home = from_address(ATTACKER), from_address(HOME)
    assert post_login(home, "admin", device="desk-1").status_code == 200
    for _ in range(3):
        assert post_login(attacker, "admin", "guess-guess", device="evil").status_code == 401
    assert post_login(attacker, "admin", device="evil").status_code == 429
    assert post_login(home, "admin", device="desk-1").status_code == 200


def test_the_login_records_the_client_address(from_address, centre_path):
    post_login(from_address(HOME), "admin")
    c = db.open_centre(centre_path)
    rows = [tuple(r) for r in c.execute("SELECT username, client, ok FROM login_attempts")]
    c.close()
    assert rows == [("admin", HOME[0], 1)]


def test_a_password_change_ends_the_users_tokens(client, login, centre_path):
    headers, other = login("collector01"), login("collector02", "dev-2")
    c = db.open_centre(centre_path)
    accounts.set_password(c, "collector01", "another password")
    c.close()
    r = client.get("/api/v1/sync/pull", headers=headers)
    assert r.status_code == 401 and r.json()["error"]["code"] == "auth.token_invalid"
    assert client.get("/api/v1/sync/pull", headers=other).status_code == 200


def test_deactivation_ends_the_users_tokens(client, login, centre_path):
    headers = login("collector01")
    c = db.open_centre(centre_path)
    accounts.deactivate(c, "collector01")
    c.close()
    r = client.get("/api/v1/sync/pull", headers=headers)
    assert r.status_code == 401 and r.json()["error"]["code"] == "auth.token_invalid"


def test_a_deactivated_account_answers_exactly_like_a_wrong_password(client, centre_path):
    c = db.open_centre(centre_path)
    accounts.deactivate(c, "collector02")
    c.close()
    answers = [post_login(client, "collector02"), post_login(client, "collector02", "wrong-wrong"),
               post_login(client, "collector01", "wrong-wrong")]
    assert {(r.status_code, r.text) for r in answers} == {
        (401, '{"error":{"code":"auth.invalid","message":"wrong user name or password"}}')}


def test_a_device_id_with_a_trailing_newline_is_refused(client):
    r = post_login(client, "collector01", device="phone-7\n")
    assert r.status_code == 400 and r.json()["error"]["code"] == "auth.bad_device_id"  # a malformed request


# --- a real server: proxy addresses and parallel guesses across worker processes -----------

@pytest.fixture
def live(centre_path):
    server = LiveServer(centre_path, workers=2).start()
    yield server
    server.stop()


def test_parallel_guesses_across_workers_pass_the_account_limit_only_five_times(live, centre_path):
    codes, barrier = [], threading.Barrier(12)

    def guess():
        barrier.wait()
        r = httpx.post(f"{live.url}{LOGIN}", json={"username": "admin", "password": "guess-guess",
                                                   "device_id": "evil"}, timeout=60)
        codes.append(r.status_code)
    threads = [threading.Thread(target=guess) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(90)
    assert sorted(codes) == [401] * 5 + [429] * 7


def test_a_trusted_proxys_forwarded_address_is_the_one_throttled(live, centre_path):
    def guess(forwarded, username):
        return httpx.post(f"{live.url}{LOGIN}", headers={"X-Forwarded-For": forwarded}, timeout=30,
                          json={"username": username, "password": "guess-guess", "device_id": "d"}).status_code
    # uvicorn trusts X-Forwarded-For from 127.0.0.1 by default (--forwarded-allow-ips)
    assert [guess("198.51.100.7", f"user{i}") for i in range(30)] == [401] * 30
    assert guess("198.51.100.7", "user30") == 429
    assert guess("198.51.100.8", "user30") == 401
    c = db.open_centre(centre_path)
    clients = {r[0] for r in c.execute("SELECT client FROM login_attempts")}
    c.close()
    assert clients == {"198.51.100.7", "198.51.100.8"}
