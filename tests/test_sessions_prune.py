# SPDX-License-Identifier: GPL-2.0-or-later
"""Pruning login records: attempts and expired tokens go after `RECORDS_KEPT`; what the throttling and
the trust period still read, and recent records, stay."""

from datetime import timedelta

import pytest

from citygrid import times
from citygrid.loop import accounts
from citygrid.problems import Problem
from citygrid.sync import sessions

PW = "correct horse"
NOW = times.parse("2026-12-01T08:00:00Z")
KEPT = sessions.RECORDS_KEPT


@pytest.fixture
def centre(conn):
    accounts.add_user(conn, "c1", "collector", PW)
    return conn


def login(conn, at, password=PW, device="dev-1"):
    try:
        sessions.login(conn, "c1", password, device, client="10.0.0.5", now=at)
    except Problem:
        pass


def count(conn, table):
    return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_records_are_kept_at_least_six_months():
    assert KEPT >= timedelta(days=182) and KEPT >= sessions.Policy().trusted_for


def test_attempts_and_expired_tokens_older_than_kept_go_and_recent_ones_stay(centre):
    login(centre, NOW - KEPT - timedelta(days=1))
    login(centre, NOW - KEPT - timedelta(days=1), password="wrong")
    login(centre, NOW - KEPT + timedelta(days=1))
    login(centre, NOW - timedelta(minutes=5), password="wrong")
    assert sessions.prune(centre, now=NOW) == (2, 1)
    ats = [times.from_db(r[0]) for r in centre.execute("SELECT at FROM login_attempts ORDER BY at")]
    assert ats == [NOW - KEPT + timedelta(days=1), NOW - timedelta(minutes=5)]
    assert count(centre, "auth_tokens") == 1
    assert sessions.prune(centre, now=NOW) == (0, 0)  # twice deletes nothing more


def test_a_trust_period_longer_than_kept_keeps_the_success_that_earns_it(centre):
    policy = sessions.Policy(trusted_for=KEPT + timedelta(days=30))
    login(centre, NOW - KEPT - timedelta(days=10))
    assert sessions.prune(centre, policy=policy, now=NOW) == (0, 0)
    assert count(centre, "login_attempts") == 1


def test_a_token_still_valid_is_never_pruned_whatever_its_age(centre):
    long = sessions.Policy(token_ttl=KEPT * 2)
    sessions.login(centre, "c1", PW, "dev-1", policy=long, now=NOW - KEPT - timedelta(days=1))
    assert sessions.prune(centre, now=NOW) == (1, 0)
    assert count(centre, "auth_tokens") == 1


def test_a_large_backlog_is_deleted_whole_in_batches(centre):
    old = times.to_db(NOW - KEPT - timedelta(days=3))
    rows = [("c1", "dev-1", "10.0.0.5", old, 0)] * (2 * 2000 + 7)
    centre.executemany("INSERT INTO login_attempts (username, device_id, client, at, ok) VALUES (?, ?, ?, ?, ?)", rows)
    centre.commit()
    login(centre, NOW - timedelta(hours=1))
    assert sessions.prune(centre, now=NOW) == (len(rows), 0)
    assert count(centre, "login_attempts") == 1


def test_pruning_keeps_the_lockout_working(centre):
    for _ in range(5):
        login(centre, NOW - timedelta(minutes=1), password="wrong", device="thief")
    sessions.prune(centre, now=NOW)
    with pytest.raises(Problem) as e:
        sessions.login(centre, "c1", PW, "thief", client="203.0.113.9", now=NOW)
    assert e.value.code == "auth.throttled"
