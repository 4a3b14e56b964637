# SPDX-License-Identifier: GPL-2.0-or-later
"""Push's seams for a simulated clock: `now` stamps everything the push writes, `new_id` names its tasks,
and `_record_photo(at=...)` stamps the upload rows (the demo's last shift uses them)."""

from datetime import UTC, datetime

import centre_fixture as cf
import pytest
import review_shift as rs

from citygrid import times
from citygrid.problems import Problem
from citygrid.store import blobs, db
from citygrid.sync import batch_file
from citygrid.sync import push as sync_push

THEN = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)


@pytest.fixture
def cx(centre):
    conn = db.open_centre(centre)
    yield conn, blobs.store_for(centre)
    conn.close()


def _push(conn, store, items, **kw):
    batch = {"batch_id": rs.check("x")["uuid"], "device_id": "dev-c", "items": items}
    return sync_push.push(conn, cf.actor(conn, "collector01"), "dev-c", batch, store=store, **kw)["receipts"]


def test_a_push_given_a_time_stamps_its_batch_receipts_and_items_with_it(cx):
    conn, store = cx
    case_no = cf.case_at(conn, "checking", at=THEN.replace(hour=1))
    task = cf.open_task(conn, case_no, "check")["id"]
    items = [rs.check(task, "fail", observed=times.to_db(THEN.replace(hour=5))), {"uuid": "not a uuid"},
             {**rs.check(task), "type": "nonsense"}]
    receipts = _push(conn, store, items, now=THEN, new_id=lambda: "0190f0e0-0000-7000-8000-00000000abcd")
    assert [r["status"] for r in receipts] == ["accepted", "rejected", "rejected"]
    stamp = times.to_db(THEN)
    assert {tuple(r) for r in conn.execute("SELECT received_at, last_push_at FROM sync_batches")} == {(stamp, stamp)}
    assert {r[0] for r in conn.execute("SELECT received_at FROM sync_items")} == {stamp}
    assert {r[0] for r in conn.execute("SELECT at FROM sync_receipts")} == {stamp}
    made = conn.execute("SELECT id FROM tasks WHERE case_no = ? AND status = 'open'", (case_no,)).fetchone()[0]
    assert made == "0190f0e0-0000-7000-8000-00000000abcd"  # the failed check's new 处置 task


def test_a_push_without_a_time_stamps_the_clock(cx):
    conn, store = cx
    before = times.to_db(times.now())
    _push(conn, store, [rs.report((120.6, 31.3))])
    (received,) = conn.execute("SELECT received_at FROM sync_items").fetchone()
    assert received >= before


def test_a_naive_time_is_refused_before_anything_is_written(cx):
    conn, store = cx
    with pytest.raises(Problem):
        _push(conn, store, [rs.report((120.6, 31.3))], now=THEN.replace(tzinfo=None))
    assert conn.execute("SELECT count(*) FROM sync_batches").fetchone()[0] == 0


def test_a_photo_recorded_at_a_time_carries_it_on_both_rows(cx):
    conn, store = cx
    sha = store.put_bytes(rs._jpeg("clock"))
    batch_file._record_photo(conn, sha, 10, {"lon": 120.6, "lat": 31.3}, "collector01", at=times.to_db(THEN))
    assert conn.execute("SELECT uploaded_at FROM photos WHERE sha256 = ?", (sha,)).fetchone()[0] == times.to_db(THEN)
    assert conn.execute("SELECT at FROM photo_senders WHERE sha256 = ?", (sha,)).fetchone()[0] == times.to_db(THEN)
