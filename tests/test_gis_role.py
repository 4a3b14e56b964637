# SPDX-License-Identifier: GPL-2.0-or-later
"""The GIS technician's role `gis`: an account of the centre (schema 1's users CHECK has always held
it, so the desk's component maintenance needs no migration) that takes no step of the case loop."""

import sqlite3

import centre_fixture as cf
import pytest

from citygrid.loop import transitions, workflow
from citygrid.problems import Problem
from citygrid.store import db, schema_v1


def test_a_fresh_centre_accepts_a_gis_account_and_refuses_an_unknown_role(center_path):
    conn = db.open_centre(center_path)
    assert "gis" in schema_v1.ROLES
    conn.execute("INSERT INTO users (username, display_name, role, password_hash) VALUES ('g', 'g', 'gis', 'x')")
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        conn.execute("INSERT INTO users (username, display_name, role, password_hash) "
                     "VALUES ('h', 'h', 'surveyor', 'x')")
    conn.close()


def test_no_transition_of_the_loop_is_open_to_gis():
    assert "gis" not in transitions.ROLES
    assert not any("gis" in transitions.roles_for(action) for action in transitions.ACTIONS)
    assert all(transitions.allowed_actions(status, "gis") == [] for status in schema_v1.STATUSES)


def test_a_gis_account_acting_on_a_case_is_refused_and_nothing_changes(centre):
    conn = db.open_centre(centre)
    case_no = cf.case_at(conn, "reported")
    before = conn.execute("SELECT status, (SELECT count(*) FROM case_events) FROM cases").fetchall()
    for action in ("accept", "reject", "send_verify"):
        with pytest.raises(Problem) as refused:
            workflow.act(conn, case_no, action, cf.actor(conn, "gis"), note="x")
        assert refused.value.code == "case.forbidden_role"
    with pytest.raises(Problem, match="forbidden_role"):
        x, y = cf.centre_point("320508001001001")
        workflow.report(conn, cf.actor(conn, "gis"), kind="event", class_code="0102", x=x, y=y,
                        description="x", source="hotline")
    assert conn.execute("SELECT status, (SELECT count(*) FROM case_events) FROM cases").fetchall() == before
    conn.close()
