# SPDX-License-Identifier: GPL-2.0-or-later
import base64

import pytest

from citygrid.loop import accounts
from citygrid.loop.accounts import Actor
from citygrid.problems import Problem
from citygrid.store import gpkg
from citygrid.sync import sessions

PW = "correct horse"
GRID_A, GRID_B, GRID_C = "320508001001001", "320508001001002", "320508001002001"


def add_grid(conn, code):
    ring = [[(0.0, 0.0), (100.0, 0.0), (100.0, 100.0), (0.0, 100.0), (0.0, 0.0)]]
    conn.execute("INSERT INTO grids (geom, code, street_code, community_code) VALUES (?, ?, ?, ?)",
                 (gpkg.polygon(ring, 4549), code, code[:9], code[:12]))


@pytest.fixture
def centre(conn):
    for code in (GRID_A, GRID_B, GRID_C):
        add_grid(conn, code)
    conn.execute("INSERT INTO units (code, name, kind) VALUES ('water', 'Water Co', 'department')")
    return conn


def users_snapshot(conn):
    return (conn.execute("SELECT * FROM users ORDER BY fid").fetchall(),
            conn.execute("SELECT * FROM collector_grids ORDER BY fid").fetchall())


def test_hash_has_the_documented_shape_and_a_fresh_salt():
    first, second = accounts.hash_password(PW), accounts.hash_password(PW)
    name, n, r, p, salt, digest = first.split("$")
    assert (name, n, r, p) == ("scrypt", "16384", "8", "1")
    assert len(base64.b64decode(salt)) == 16 and len(base64.b64decode(digest)) == 32
    assert first != second


def test_a_given_salt_repeats_the_hash_and_a_short_one_is_refused():
    salt = bytes(range(16))
    stored = accounts.hash_password(PW, salt=salt)
    assert stored == accounts.hash_password(PW, salt=salt) and accounts.verify_password(PW, stored)
    assert base64.b64decode(stored.split("$")[4]) == salt
    with pytest.raises(ValueError):
        accounts.hash_password(PW, salt=b"short")


def test_verify_accepts_the_password_and_nothing_else():
    stored = accounts.hash_password(PW)
    assert accounts.verify_password(PW, stored)
    assert not accounts.verify_password(PW + " ", stored)
    assert not accounts.verify_password("", stored)


@pytest.mark.parametrize("stored", ["", "plain", "md5$1$2$3$x$y", "scrypt$16384$8$1$!!$??",
                                    "scrypt$16384$8$1$c2FsdA==$", "scrypt$99999999999$8$1$c2FsdA==$aGFzaA==",
                                    "scrypt$1000$8$1$c2FsdA==$aGFzaA==", None])
def test_a_corrupt_stored_hash_never_matches(stored):
    assert accounts.verify_password(PW, stored) is False


def test_added_collector_gets_its_grids_and_can_log_in(centre):
    who = accounts.add_user(centre, "collector01", "collector", PW, display_name="Zhang San",
                            grids=[GRID_B, GRID_A])
    assert who == Actor("collector01", "collector", None, (GRID_A, GRID_B))
    assert accounts.authenticate(centre, "collector01", PW) == who
    assert accounts.actor(centre, "collector01") == who
    stored = centre.execute("SELECT password_hash FROM users").fetchone()[0]
    assert stored.startswith("scrypt$") and PW not in stored


def test_legacy_grid_codes_are_stored_in_their_15_digit_form(centre):
    who = accounts.add_user(centre, "c1", "collector", PW, grids=["32050800100101"])
    assert who.grids == (GRID_A,)


def test_a_single_grid_code_string_is_one_grid(centre):
    assert accounts.add_user(centre, "c1", "collector", PW, grids=GRID_B).grids == (GRID_B,)


def test_user_shows_one_account_with_its_display_name(centre):
    accounts.add_user(centre, "leader", "leader", PW, display_name="王五")
    accounts.deactivate(centre, "leader")
    shown = accounts.user(centre, "leader")
    assert (shown.display_name, shown.role, shown.active, shown.grids) == ("王五", "leader", False, ())


def test_unit_account_belongs_to_an_existing_unit(centre):
    who = accounts.add_user(centre, "water-desk", "unit", PW, unit_code="water")
    assert who.unit_code == "water"


BAD_USERS = [
    (dict(username="A"), "account.bad_username"),
    (dict(username="Bob"), "account.bad_username"),
    (dict(username="bob smith"), "account.bad_username"),
    (dict(username="x" * 33), "account.bad_username"),
    (dict(role="boss"), "account.unknown_role"),
    (dict(password="short"), "account.weak_password"),
    (dict(role="unit"), "account.unit_required"),
    (dict(role="unit", unit_code="gas"), "account.unknown_unit"),
    (dict(role="operator", unit_code="water"), "account.unit_not_allowed"),
    (dict(role="operator", grids=[GRID_A]), "account.grids_not_allowed"),
    (dict(grids=["320508001009009"]), "account.unknown_grid"),
    (dict(grids=["12345"]), "code.malformed_grid"),
    (dict(username="admin"), "account.exists"),
]


@pytest.mark.parametrize("changes,code", BAD_USERS)
def test_a_bad_account_is_refused_and_nothing_is_written(centre, changes, code):
    accounts.add_user(centre, "admin", "admin", PW)
    before = users_snapshot(centre)
    args = {"username": "bob", "role": "collector", "password": PW, **changes}
    with pytest.raises(Problem) as exc:
        accounts.add_user(centre, args.pop("username"), args.pop("role"), args.pop("password"), **args)
    assert exc.value.code == code
    assert users_snapshot(centre) == before


def test_unknown_user_and_wrong_password_look_the_same(centre):
    accounts.add_user(centre, "leader", "leader", PW)
    problems = []
    for username, password in (("leader", "wrong password"), ("nobody", PW)):
        with pytest.raises(Problem) as exc:
            accounts.authenticate(centre, username, password)
        problems.append(exc.value.to_wire())
    assert problems[0] == problems[1] == {"code": "auth.invalid", "details": {}}


def test_deactivated_user_cannot_act_and_logs_in_like_a_wrong_password(centre):
    accounts.add_user(centre, "operator", "operator", PW)
    accounts.deactivate(centre, "operator")
    with pytest.raises(Problem) as exc:
        accounts.actor(centre, "operator")
    assert exc.value.code == "account.inactive"
    answers = []
    for password in (PW, "wrong password"):
        with pytest.raises(Problem) as exc:
            accounts.authenticate(centre, "operator", password)
        answers.append(exc.value.to_wire())
    assert answers == [{"code": "auth.invalid", "details": {}}] * 2
    assert [u.active for u in accounts.list_users(centre)] == [False]


def test_every_login_answer_costs_one_check_of_that_accounts_hash(centre, monkeypatch):
    accounts.add_user(centre, "operator", "operator", PW)
    accounts.add_user(centre, "retired", "operator", PW)
    accounts.deactivate(centre, "retired")
    hashes = {r[0]: r[1] for r in centre.execute("SELECT username, password_hash FROM users")}
    checked = []
    real = accounts.verify_password
    monkeypatch.setattr(accounts, "verify_password", lambda pw, stored: checked.append(stored) or real(pw, stored))
    for username, password in (("retired", PW), ("retired", "wrong password"), ("operator", "wrong password"),
                               ("nobody", PW)):
        checked.clear()
        with pytest.raises(Problem):
            accounts.authenticate(centre, username, password)
        assert checked == [hashes.get(username, accounts._decoy_hash())]


def login(conn, username, device="dev-1"):
    return sessions.login(conn, username, PW, device)[0]


def live(conn, token):
    try:
        return sessions.resolve(conn, token)[0].username
    except Problem as exc:
        return exc.code


def test_a_password_change_ends_every_session_of_that_user_only(centre):
    accounts.add_user(centre, "gis", "gis", PW)
    accounts.add_user(centre, "leader", "leader", PW)
    tokens = [login(centre, "gis", "a"), login(centre, "gis", "b"), login(centre, "leader", "c")]
    accounts.set_password(centre, "gis", "a new password")
    assert [live(centre, t) for t in tokens] == ["auth.token_invalid", "auth.token_invalid", "leader"]
    fresh = sessions.login(centre, "gis", "a new password", "a")[0]
    assert live(centre, fresh) == "gis"


def test_deactivation_ends_every_session_of_that_user(centre):
    accounts.add_user(centre, "gis", "gis", PW)
    token = login(centre, "gis")
    accounts.deactivate(centre, "gis")
    assert live(centre, token) == "auth.token_invalid"
    assert centre.execute("SELECT count(*) FROM auth_tokens WHERE revoked_at IS NULL").fetchone()[0] == 0


def test_a_failed_password_change_ends_no_session(centre):
    accounts.add_user(centre, "gis", "gis", PW)
    token = login(centre, "gis")
    with pytest.raises(Problem):
        accounts.set_password(centre, "gis", "tiny")
    assert live(centre, token) == "gis"


def test_a_token_of_a_user_deactivated_behind_our_back_is_refused(centre):
    accounts.add_user(centre, "gis", "gis", PW)
    token = login(centre, "gis")
    centre.execute("UPDATE users SET active = 0 WHERE username = 'gis'")  # e.g. by hand in SQL
    assert live(centre, token) == "auth.token_invalid"


def test_unknown_user_is_a_coded_problem_for_every_admin_action(centre):
    for call in (lambda: accounts.actor(centre, "ghost"), lambda: accounts.set_password(centre, "ghost", PW),
                 lambda: accounts.deactivate(centre, "ghost"),
                 lambda: accounts.assign_grids(centre, "ghost", [])):
        with pytest.raises(Problem) as exc:
            call()
        assert exc.value.code == "account.unknown"


def test_set_password_replaces_the_old_one(centre):
    accounts.add_user(centre, "gis", "gis", PW)
    accounts.set_password(centre, "gis", "a new password")
    assert accounts.authenticate(centre, "gis", "a new password").role == "gis"
    with pytest.raises(Problem):
        accounts.authenticate(centre, "gis", PW)
    with pytest.raises(Problem) as exc:
        accounts.set_password(centre, "gis", "tiny")
    assert exc.value.code == "account.weak_password"


def test_assign_grids_replaces_a_collectors_grids(centre):
    accounts.add_user(centre, "c1", "collector", PW, grids=[GRID_A, GRID_B])
    assert accounts.assign_grids(centre, "c1", [GRID_C, GRID_C]) == (GRID_C,)
    assert accounts.actor(centre, "c1").grids == (GRID_C,)
    with pytest.raises(Problem) as exc:
        accounts.assign_grids(centre, "c1", [GRID_A, "320508001009009"])
    assert exc.value.code == "account.unknown_grid"
    assert accounts.actor(centre, "c1").grids == (GRID_C,)


def test_only_collectors_are_assigned_grids(centre):
    accounts.add_user(centre, "sup", "supervisor", PW)
    with pytest.raises(Problem) as exc:
        accounts.assign_grids(centre, "sup", [GRID_A])
    assert exc.value.code == "account.grids_not_allowed"


def test_collectors_for_grid_lists_active_collectors_of_that_grid_only(centre):
    accounts.add_user(centre, "c2", "collector", PW, grids=[GRID_A])
    accounts.add_user(centre, "c1", "collector", PW, grids=[GRID_A, GRID_B])
    accounts.add_user(centre, "c3", "collector", PW, grids=[GRID_A])
    accounts.add_user(centre, "c4", "collector", PW, grids=[GRID_C])
    accounts.deactivate(centre, "c3")
    assert accounts.collectors_for_grid(centre, GRID_A) == ["c1", "c2"]
    assert accounts.collectors_for_grid(centre, "32050800100102") == ["c1"]
    assert accounts.collectors_for_grid(centre, "320508009009009") == []


def test_list_users_shows_roles_units_and_grids_but_never_hashes(centre):
    accounts.add_user(centre, "water-desk", "unit", PW, unit_code="water", display_name="  ")
    accounts.add_user(centre, "c1", "collector", PW, grids=[GRID_B], display_name="Li Si")
    listed = [u.to_wire() for u in accounts.list_users(centre)]
    assert [(u["username"], u["display_name"], u["unit_code"], u["grids"]) for u in listed] == [
        ("c1", "Li Si", None, [GRID_B]), ("water-desk", "water-desk", "water", [])]
    assert all("hash" not in str(u) and "scrypt" not in str(u) for u in listed)
