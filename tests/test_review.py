# SPDX-License-Identifier: GPL-2.0-or-later
"""The shift review: a shift pushed through the real push path, each item flagged with its reason."""

import centre_fixture as cf
import pytest
import review_shift as rs

from citygrid.problems import Problem
from citygrid.store import blobs, db
from citygrid.sync import review


@pytest.fixture(scope="module")
def shift(tmp_path_factory):
    path = tmp_path_factory.mktemp("review") / "center.gpkg"
    cf.build(path)
    conn = db.open_centre(path)
    built = rs.build(conn, blobs.store_for(path))
    yield conn, built, review.shift_review(conn, cf.actor(conn, "supervisor"), *rs.window())
    conn.close()


def _flags(shift) -> dict:
    conn, built, seen = shift
    by_uuid = {i["uuid"]: i for i in seen["items"]}
    return {k: by_uuid.get(item["uuid"], {}).get("reasons", []) for k, item in built["items"].items()}


def test_every_item_of_the_shift_is_flagged_with_its_reason(shift):
    flags = _flags(shift)
    assert flags["passed"] == ["review.awaiting_closure"]
    assert flags["failed"] == []  # a failed check went back to the unit: nothing to decide
    assert flags["late"] == ["review.late", "review.awaiting_closure"]
    assert flags["reassigned"] == ["review.reassigned"]
    assert flags["no_gps"] == ["review.photo_no_gps", "review.awaiting_closure"]
    assert flags["far"] == ["review.photo_far", "review.awaiting_closure"]
    assert flags["duplicate"] == ["review.possible_duplicate"]


def test_a_duplicate_report_names_the_open_case_it_repeats_and_its_photos(shift):
    conn, built, seen = shift
    (item,) = [i for i in seen["items"] if i["uuid"] == built["items"]["duplicate"]["uuid"]]
    assert item["duplicate_of"] == built["open_case"]
    assert item["photos"] == [built["photos"]["report"]] and item["case_no"]


def test_batches_are_grouped_per_device_and_collector_with_counts(shift):
    _conn, built, seen = shift
    (group,) = seen["devices"]
    assert (group["device_id"], group["username"]) == ("dev-1", "collector01")
    assert (group["items"], group["accepted"], group["conflict"], group["rejected"]) == (7, 6, 1, 0)
    assert len(group["batches"]) == 1


def test_a_supervisor_may_only_discard_while_a_leader_may_close(shift):
    conn, built, supervised = shift
    led = review.shift_review(conn, cf.actor(conn, "leader"), *rs.window())
    by_uuid = {i["uuid"]: i for i in led["items"]}
    assert by_uuid[built["items"]["passed"]["uuid"]]["decisions"] == ["close", "rework", "discard"]
    assert by_uuid[built["items"]["duplicate"]["uuid"]]["decisions"] == ["merge", "discard"]
    assert all(i["decisions"] == ["discard"] for i in supervised["items"])


@pytest.mark.parametrize("username", ["collector01", "operator", "unit_hw", "dispatcher"])
def test_the_review_is_refused_to_roles_that_do_not_review(shift, username):
    conn = shift[0]
    with pytest.raises(Problem) as caught:
        review.shift_review(conn, cf.actor(conn, username), *rs.window())
    assert caught.value.code == "auth.forbidden"


def test_a_shift_outside_the_window_is_empty(shift):
    conn = shift[0]
    since, until = rs.window()
    seen = review.shift_review(conn, cf.actor(conn, "supervisor"), until, until + (until - since))
    assert seen["devices"] == [] and seen["items"] == []
