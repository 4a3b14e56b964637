# SPDX-License-Identifier: GPL-2.0-or-later
"""Collectors' grids: their load, and moving grids between collectors (who may, what is logged)."""

import centre_fixture as cf
import pytest

from citygrid.loop import accounts, assignments, workflow
from citygrid.problems import Problem
from citygrid.store import db

G1, G2, G3 = "320508001001001", "320508001001002", "320508001002001"


@pytest.fixture
def c(centre):
    conn = db.open_centre(centre)
    yield conn
    conn.close()


def _grids(conn, username):
    return accounts.actor(conn, username).grids


def test_collectors_are_listed_with_their_grid_and_open_task_counts(c):
    case_no = cf.case_at(c, "reported")
    workflow.act(c, case_no, "send_verify", cf.actor(c, "operator"))
    loads = {load.username: load for load in assignments.collectors(c)}
    assert set(loads) == {"collector01", "collector02"}
    assert (loads["collector01"].grids, loads["collector01"].open_tasks) == (2, 1)
    assert (loads["collector02"].grids, loads["collector02"].open_tasks) == (2, 0)


@pytest.mark.parametrize("role", assignments.MANAGERS)
def test_a_manager_moves_a_grid_from_one_collector_to_another(c, role):
    now = assignments.move_grids(c, cf.actor(c, role), "collector02", [G1])
    assert now == tuple(sorted((G1, "320508001002001", "320508001002002")))
    assert _grids(c, "collector01") == (G2,)


def test_holders_names_the_other_collectors_who_hold_the_grids(c):
    assert assignments.holders(c, [G1, G3], besides="collector02") == {"collector01": [G1]}
    assert assignments.holders(c, [G1, G3]) == {"collector01": [G1], "collector02": [G3]}


def test_a_move_logs_the_grids_and_their_components_for_sync(c):
    top = c.execute("SELECT max(rev) FROM sync_changes").fetchone()[0]
    assignments.move_grids(c, cf.actor(c, "supervisor"), "collector02", [G1])
    logged = {tuple(r) for r in c.execute("SELECT entity, entity_id FROM sync_changes WHERE rev > ?", (top,))}
    assert logged == {("grid", G1), ("component", "3205080101000001")}


@pytest.mark.parametrize("role", ["operator", "dispatcher", "gis", "collector01", "unit_sw"])
def test_a_role_that_may_not_assign_is_refused_and_nothing_moves(c, role):
    with pytest.raises(Problem) as exc:
        assignments.move_grids(c, cf.actor(c, role), "collector02", [G1])
    assert exc.value.code == "assignment.forbidden_role"
    assert _grids(c, "collector01") == (G1, G2)


def test_no_account_is_refused(c):
    with pytest.raises(Problem) as exc:
        assignments.check_manager(None)
    assert exc.value.code == "assignment.forbidden_role"


@pytest.mark.parametrize(("username", "codes", "problem"), [
    ("collector02", [], "assignment.no_grids"),
    ("collector02", [G1, "320508009009009"], "account.unknown_grid"),
    ("collector02", [G1, "not a grid"], "code.malformed_grid"),
    ("operator", [G1], "account.grids_not_allowed"),
    ("nobody", [G1], "account.unknown"),
])
def test_a_bad_move_is_a_coded_problem_and_nothing_is_written(c, username, codes, problem):
    top = c.execute("SELECT max(rev) FROM sync_changes").fetchone()[0]
    with pytest.raises(Problem) as exc:
        assignments.move_grids(c, cf.actor(c, "leader"), username, codes)
    assert exc.value.code == problem
    assert _grids(c, "collector01") == (G1, G2)
    assert c.execute("SELECT max(rev) FROM sync_changes").fetchone()[0] == top


def test_a_deactivated_collector_receives_no_grids(c):
    accounts.deactivate(c, "collector02")
    with pytest.raises(Problem) as exc:
        assignments.move_grids(c, cf.actor(c, "leader"), "collector02", [G1])
    assert exc.value.code == "assignment.inactive_collector"
    assert _grids(c, "collector01") == (G1, G2)


def test_moving_grids_a_collector_already_holds_changes_nothing_but_the_log(c):
    assert assignments.move_grids(c, cf.actor(c, "leader"), "collector01", [G1]) == (G1, G2)
    assert _grids(c, "collector02") == (G3, "320508001002002")

