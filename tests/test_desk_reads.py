# SPDX-License-Identifier: GPL-2.0-or-later
"""The core reads the desk's layers and sign-in need: unit names, a throttled sign-in without a token."""

import pytest

from citygrid.loop import accounts, dictionaries
from citygrid.problems import Problem
from citygrid.sync import sessions


@pytest.fixture
def desk_user(conn):
    accounts.add_user(conn, "operator", "operator", "operator-pass-1")
    return conn


def _tokens(conn) -> int:
    return conn.execute("SELECT count(*) FROM auth_tokens").fetchone()[0]


def test_unit_names_maps_every_unit_code_to_its_name_in_code_order(conn):
    conn.execute("INSERT INTO units (code, name, kind) VALUES ('U2', '市政', 'department'), "
                 "('U1', '环卫', 'department')")
    conn.execute("INSERT INTO units (code, name, kind, active) VALUES ('U0', '旧单位', 'owner', 0)")
    assert list(dictionaries.unit_names(conn).items()) == [("U0", "旧单位"), ("U1", "环卫"), ("U2", "市政")]


def test_unit_names_of_a_centre_without_units_is_empty(conn):
    assert dictionaries.unit_names(conn) == {}


def test_sign_in_returns_the_actor_records_a_success_and_issues_no_token(desk_user):
    actor = sessions.sign_in(desk_user, "operator", "operator-pass-1", "qgis-desk")
    assert (actor.username, actor.role) == ("operator", "operator")
    rows = desk_user.execute("SELECT username, device_id, ok FROM login_attempts").fetchall()
    assert [tuple(r) for r in rows] == [("operator", "qgis-desk", 1)]
    assert _tokens(desk_user) == 0


def test_a_wrong_password_is_auth_invalid_and_stays_a_failed_attempt(desk_user):
    with pytest.raises(Problem) as err:
        sessions.sign_in(desk_user, "operator", "wrong", "qgis-desk")
    assert err.value.code == "auth.invalid"
    assert desk_user.execute("SELECT ok FROM login_attempts").fetchall()[0][0] == 0


def test_sign_in_is_throttled_after_the_accounts_failure_limit(desk_user):
    policy = sessions.Policy(max_failures=2)
    for _ in range(2):
        with pytest.raises(Problem):
            sessions.sign_in(desk_user, "operator", "wrong", "qgis-desk", policy=policy)
    with pytest.raises(Problem) as err:
        sessions.sign_in(desk_user, "operator", "operator-pass-1", "qgis-desk", policy=policy)
    assert err.value.code == "auth.throttled" and err.value.details["retry_after_s"] > 0


def test_sign_in_refuses_a_bad_device_id_before_recording_anything(desk_user):
    with pytest.raises(Problem) as err:
        sessions.sign_in(desk_user, "operator", "operator-pass-1", "desk\n")
    assert err.value.code == "auth.bad_device_id"
    assert desk_user.execute("SELECT count(*) FROM login_attempts").fetchone()[0] == 0
