# SPDX-License-Identifier: GPL-2.0-or-later
"""The field app's sync client against a real `citygrid serve` on 127.0.0.1: a shift offline, then sync."""

import random
import threading

import centre_fixture as cf
import pytest
import server_view as sv
from capture import shift
from live import LiveServer, free_port

from citygrid.loop import workflow
from citygrid.problems import Problem
from citygrid.store import db
from citygrid_field.outbox import Outbox
from citygrid_field.session import Api, sign_in, signed_in_api
from citygrid_field.store import Store
from citygrid_field.sync_client import Settings, SyncJob

PASSWORD = "secret-pass-1"
FAST = Settings(backoff_s=0.05, backoff_max_s=0.5, max_failures=40)


def signed_in(world, lang="zh_CN") -> tuple[Store, Api]:
    store = Store(world["data"])
    api = Api(world["server"].url, lang=lang)
    sign_in(store, api, "collector01", PASSWORD)
    return store, api


def sync(store: Store, settings: Settings = FAST, **kw):
    return SyncJob(store, signed_in_api(store, **kw), settings).run()


def assert_shift_landed(world, store: Store, uuids: dict[str, str]) -> None:
    """Every item exactly once on the centre, the check passed, the verify moved, the report has its photo."""
    path = world["path"]
    assert sv.items_seen(path, list(uuids.values())) == dict.fromkeys(uuids.values(), 1)
    entries = {e.uuid: e for e in Outbox(store).entries()}
    assert all(entries[u].final and entries[u].blocked is None for u in uuids.values()), entries
    checked = entries[uuids["check"]].case_no
    assert sv.case_status(path, checked) == "check_passed"
    assert sv.case_status(path, world["cases"]["verify"]) == "pending_register"
    report_case = entries[uuids["report"]].case_no
    assert report_case and sv.case_status(path, report_case) == "reported"
    for uuid, case_no in ((uuids["check"], checked), (uuids["report"], report_case)):
        shas = {p.sha256 for p in entries[uuid].photos}
        assert shas and shas <= sv.case_photos(path, case_no)
        assert all(sv.blob_exists(path, sha) for sha in shas)


def test_a_shift_done_offline_reaches_the_centre_exactly_once_with_its_photos(world, tmp_path):
    store, _api = signed_in(world)
    first = sync(store)
    assert first.problem is None and first.pulled > 0
    assert {t["kind"] for t in store.tasks()} == {"check", "verify"}
    uuids = shift(store, tmp_path / "photos")
    result = sync(store)
    assert result.problem is None, result.problem
    assert_shift_landed(world, store, uuids)
    texts = [e.text("zh_CN") for e in Outbox(store).entries()]
    assert all("中心已接收" in t for t in texts), texts
    again = sync(store)  # nothing left to send: nothing is sent twice
    assert again.receipts == {} and again.problem is None


def test_the_pull_drops_a_task_reassigned_while_offline_and_the_check_is_kept_as_a_conflict(world, tmp_path):
    store, _api = signed_in(world)
    sync(store)
    uuids = shift(store, tmp_path / "photos")
    conn = db.open_centre(world["path"])
    task = store.record("task", store.tasks("check")[-1]["id"])
    case_no = task["case_no"]
    workflow.act(conn, case_no, "reassign_task", cf.actor(conn, "operator"), task_id=task["id"],
                 assignee="collector02")
    conn.close()
    result = sync(store)
    assert result.problem is None
    assert result.receipts[uuids["check"]] == "conflict", result.receipts
    entry = {e.uuid: e for e in Outbox(store).entries()}[uuids["check"]]
    assert "监督员" in entry.text("zh_CN") and "supervisor" in entry.text("en")
    assert case_no not in {t["case_no"] for t in store.tasks()}


def test_wrong_password_is_refused_in_the_users_language_and_touches_nothing(world, tmp_path):
    store, api = signed_in(world)
    sync(store)
    uuids = shift(store, tmp_path / "photos")
    token = store.get("token")
    with pytest.raises(Problem) as e:
        sign_in(store, Api(world["server"].url), "collector01", "wrong-password")
    assert e.value.code == "auth.invalid"
    assert store.get("token") == token
    assert {x.uuid for x in Outbox(store).entries()} == set(uuids.values())


def test_an_ended_session_stops_with_sign_in_again_and_loses_nothing(world, tmp_path):
    store, api = signed_in(world)
    sync(store)
    uuids = shift(store, tmp_path / "photos")
    api.request("POST", "/api/v1/auth/logout")  # the token is revoked on the centre, as an expiry would
    result = sync(store)
    assert result.problem.code == "field.sign_in_again"
    assert store.get("token") is None
    assert all(not e.final for e in Outbox(store).entries())
    sign_in(store, Api(world["server"].url), "collector01", PASSWORD)
    assert sync(store).problem is None
    assert_shift_landed(world, store, uuids)


def test_an_unreachable_server_keeps_every_item_and_says_so(world, tmp_path):
    store, _api = signed_in(world)
    sync(store)
    uuids = shift(store, tmp_path / "photos")
    store.put(server=f"http://127.0.0.1:{free_port()}")
    result = sync(store, Settings(backoff_s=0.01, backoff_max_s=0.02, max_failures=3))
    assert result.problem.code == "field.unreachable"
    assert [e.status for e in Outbox(store).entries()] == [None, None, None]
    store.put(server=world["server"].url)
    assert sync(store).problem is None
    assert_shift_landed(world, store, uuids)


@pytest.mark.parametrize("seed", range(4))
def test_server_killed_mid_push_then_restarted_applies_every_item_once(world, tmp_path, seed):
    """SIGKILL the service a seeded moment (0-30 ms) after the 1st or 2nd push began (one item a push),
    so the answer may be lost; a later push meets the dead service; restarted, each item lands once."""
    rng = random.Random(seed)
    store, _api = signed_in(world)
    sync(store)
    uuids = shift(store, tmp_path / "photos")
    job = SyncJob(store, signed_in_api(store), Settings(push_size=1, backoff_s=0.05, backoff_max_s=0.5,
                                                        max_failures=40)).start()
    server: LiveServer = world["server"]
    push, kill_on, pushes, retries = job.api.push, rng.randrange(2) + 1, [], []

    def push_then_die(batch):
        pushes.append(batch)
        if len(pushes) != kill_on:
            return push(batch)
        killer = threading.Timer(rng.uniform(0, 0.03), server.kill)
        killer.start()
        try:
            return push(batch)
        finally:
            killer.join()

    job.api.push = push_then_die
    retry, job._retry = job._retry, lambda e: (retries.append(e), retry(e))
    while not retries:
        job.poll()
    assert not job.done and server.proc.poll() is not None
    world["server"] = LiveServer(world["path"], port=server.port).start()  # the fixture stops this one
    result = job.run()
    assert result.problem is None
    assert_shift_landed(world, store, uuids)
