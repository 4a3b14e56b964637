# SPDX-License-Identifier: GPL-2.0-or-later
"""Login throttling: per client address and per account, atomic, trusted sources never locked out."""

import multiprocessing
import threading
from datetime import timedelta

import pytest

from citygrid import times
from citygrid.loop import accounts
from citygrid.problems import Problem
from citygrid.store import db
from citygrid.sync import sessions

PW = "correct horse"
T0 = times.parse("2026-03-02T08:00:00Z")
HOME, ELSEWHERE, ATTACKER = "10.0.0.5", "10.0.0.77", "203.0.113.9"
POLICY = sessions.Policy(max_failures=3, client_max_failures=5, window=timedelta(minutes=15),
                         trusted_for=timedelta(days=30))


@pytest.fixture
def centre(conn):
    accounts.add_user(conn, "admin", "admin", PW)
    accounts.add_user(conn, "c1", "collector", PW)
    return conn


def attempt(conn, username, password, *, client=ATTACKER, device="dev-x", at=T0, policy=POLICY):
    """The outcome of one login: 'ok' or the problem's code (with its details)."""
    try:
        sessions.login(conn, username, password, device, client=client, policy=policy, now=at)
    except Problem as exc:
        return exc.code, exc.details
    return "ok", {}


def code_of(*args, **kwargs):
    return attempt(*args, **kwargs)[0]


def failures(conn):
    return conn.execute("SELECT count(*) FROM login_attempts WHERE ok = 0").fetchone()[0]


def test_a_device_id_with_a_trailing_newline_is_refused(centre):
    assert code_of(centre, "admin", PW, device="desk-1\n") == "auth.bad_device_id"
    assert code_of(centre, "admin", PW, device="desk-1") == "ok"


def test_the_default_policy_is_the_documented_one():
    p = sessions.Policy()
    assert (p.max_failures, p.window, p.client_max_failures, p.trusted_for) == (
        5, timedelta(minutes=15), 30, timedelta(days=30))


def test_spraying_one_guess_over_many_accounts_from_one_address_is_throttled(centre):
    names = [f"user{i}" for i in range(POLICY.client_max_failures)]
    assert [code_of(centre, n, "wrong guess") for n in names] == ["auth.invalid"] * len(names)
    code, details = attempt(centre, "c1", PW)  # a fresh account, even with its right password
    assert code == "auth.throttled" and details["retry_after_s"] == 15 * 60
    assert code_of(centre, "c1", PW, client=HOME) == "ok"  # other addresses are not affected


def test_an_attacker_elsewhere_cannot_lock_out_a_source_that_signed_in_before(centre):
    assert code_of(centre, "admin", PW, client=HOME, device="desk-1", at=T0 - timedelta(days=29)) == "ok"
    later = T0 + timedelta(minutes=1)
    for _ in range(POLICY.max_failures):
        assert code_of(centre, "admin", "wrong guess") == "auth.invalid"
    assert code_of(centre, "admin", PW, at=later) == "auth.throttled"  # the attacker's source
    assert code_of(centre, "admin", PW, client="198.51.100.1", device="new-1", at=later) == "auth.throttled"
    assert code_of(centre, "admin", PW, client=HOME, device="desk-1", at=later) == "ok"
    assert code_of(centre, "admin", PW, client=HOME, device="other-pc", at=later) == "ok"  # same address
    assert code_of(centre, "admin", PW, client=ELSEWHERE, device="desk-1", at=later) == "ok"  # same device


def test_trust_lapses_after_the_trust_period(centre):
    assert code_of(centre, "admin", PW, client=HOME, device="desk-1", at=T0 - timedelta(days=31)) == "ok"
    for _ in range(POLICY.max_failures):
        code_of(centre, "admin", "wrong guess")
    assert code_of(centre, "admin", PW, client=HOME, device="desk-1") == "auth.throttled"


def test_trust_is_per_account(centre):
    assert code_of(centre, "c1", PW, client=HOME, device="desk-1", at=T0 - timedelta(days=1)) == "ok"
    for _ in range(POLICY.max_failures):
        code_of(centre, "admin", "wrong guess")
    assert code_of(centre, "admin", PW, client=HOME, device="desk-1") == "auth.throttled"


def test_a_trusted_source_is_still_limited_by_its_own_failures(centre):
    assert code_of(centre, "admin", PW, client=HOME, device="desk-1", at=T0 - timedelta(days=1)) == "ok"
    for _ in range(POLICY.max_failures):
        assert code_of(centre, "admin", "typo typo", client=HOME, device="desk-1") == "auth.invalid"
    assert code_of(centre, "admin", PW, client=HOME, device="desk-1") == "auth.throttled"


def test_a_trusted_source_is_still_subject_to_its_address_limit(centre):
    assert code_of(centre, "admin", PW, client=HOME, device="desk-1", at=T0 - timedelta(days=1)) == "ok"
    for i in range(POLICY.client_max_failures):
        code_of(centre, f"user{i}", "wrong guess", client=HOME)
    assert code_of(centre, "admin", PW, client=HOME, device="desk-1") == "auth.throttled"


def test_a_lockout_ends_by_itself_and_attempts_during_it_do_not_extend_it(centre):
    for i in range(POLICY.max_failures):  # at T0, T0+1 min, T0+2 min
        code_of(centre, "admin", "wrong guess", at=T0 + timedelta(minutes=i))
    code, details = attempt(centre, "admin", PW, at=T0 + timedelta(minutes=12))
    assert code == "auth.throttled" and details["retry_after_s"] == 3 * 60  # the first failure ages out
    for minute in (13, 14):  # the attacker keeps trying: refused, not counted
        assert code_of(centre, "admin", "wrong guess", at=T0 + timedelta(minutes=minute)) == "auth.throttled"
    assert failures(centre) == POLICY.max_failures
    assert code_of(centre, "admin", PW, at=T0 + POLICY.window + timedelta(seconds=1)) == "ok"


def test_an_address_lockout_ends_by_itself(centre):
    for i in range(POLICY.client_max_failures):
        code_of(centre, f"user{i}", "wrong guess")
    assert code_of(centre, "c1", PW, at=T0 + timedelta(minutes=14)) == "auth.throttled"
    assert code_of(centre, "c1", PW, at=T0 + timedelta(minutes=15, seconds=1)) == "ok"


def test_a_success_restarts_the_account_count(centre):
    sources = iter(f"198.51.100.{i}" for i in range(1, 100))  # one guess per address: no address limit
    for _ in range(POLICY.max_failures - 1):
        code_of(centre, "admin", "wrong guess", client=next(sources))
    assert code_of(centre, "admin", PW, client=next(sources), device="desk-1") == "ok"
    for _ in range(POLICY.max_failures):
        assert code_of(centre, "admin", "wrong guess", client=next(sources)) == "auth.invalid"
    assert code_of(centre, "admin", "wrong guess", client=next(sources)) == "auth.throttled"


def test_a_success_does_not_restart_the_address_count(centre):
    for i in range(POLICY.client_max_failures - 1):
        code_of(centre, f"user{i}", "wrong guess")
    assert code_of(centre, "c1", PW) == "ok"  # an attacker's own account cannot clear the address
    assert code_of(centre, "user9", "wrong guess") == "auth.invalid"
    assert code_of(centre, "user10", "wrong guess") == "auth.throttled"


def test_every_attempt_records_its_client_and_a_success_is_flipped_to_ok(centre):
    code_of(centre, "admin", "wrong guess", client=ATTACKER)
    code_of(centre, "admin", PW, client=HOME)
    rows = centre.execute("SELECT username, client, ok FROM login_attempts ORDER BY fid").fetchall()
    assert [tuple(r) for r in rows] == [("admin", ATTACKER, 0), ("admin", HOME, 1)]


@pytest.mark.parametrize("host,key", [
    ("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64"),
    ("::ffff:192.0.2.7", "192.0.2.7"), ("192.0.2.7", "192.0.2.7"), ("testclient", "testclient"),
    (None, None)])
def test_an_ipv6_client_is_counted_by_its_64_network(host, key):
    assert sessions.client_key(host) == key


def test_addresses_in_one_ipv6_64_share_one_limit(centre):
    for i in range(POLICY.client_max_failures):
        code_of(centre, f"user{i}", "wrong guess", client=f"2001:db8:1:2::{i + 1:x}")
    assert code_of(centre, "c1", PW, client="2001:db8:1:2::ffff") == "auth.throttled"
    assert code_of(centre, "c1", PW, client="2001:db8:1:3::1") == "ok"


def test_deactivated_account_answers_like_a_wrong_password(centre):
    accounts.deactivate(centre, "c1")
    answers = [attempt(centre, "c1", PW), attempt(centre, "c1", "wrong guess"), attempt(centre, "admin", "wrong")]
    assert answers == [("auth.invalid", {})] * 3


# --- parallel guesses ----------------------------------------------------------------------

GUESSERS = 8


def _guess(path, barrier, results=None):
    conn = db.open_centre(path, migrate=False)
    try:
        barrier.wait()
        code = code_of(conn, "admin", "wrong guess", at=times.now())
    finally:
        conn.close()
    if results is None:
        return code
    results.put(code)


def _outcomes(codes):
    return sorted(codes).count("auth.invalid"), sorted(codes).count("auth.throttled")


def test_parallel_guesses_from_threads_cannot_pass_the_account_limit(centre, center_path):
    barrier, codes = threading.Barrier(GUESSERS), []
    threads = [threading.Thread(target=lambda: codes.append(_guess(center_path, barrier)))
               for _ in range(GUESSERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert _outcomes(codes) == (POLICY.max_failures, GUESSERS - POLICY.max_failures)
    assert failures(centre) == POLICY.max_failures


def test_parallel_guesses_from_processes_cannot_pass_the_account_limit(centre, center_path):
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(GUESSERS), ctx.Queue()
    procs = [ctx.Process(target=_guess, args=(center_path, barrier, results)) for _ in range(GUESSERS)]
    for p in procs:
        p.start()
    codes = [results.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(30)
    assert _outcomes(codes) == (POLICY.max_failures, GUESSERS - POLICY.max_failures)
    assert failures(centre) == POLICY.max_failures
