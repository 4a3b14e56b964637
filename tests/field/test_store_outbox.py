# SPDX-License-Identifier: GPL-2.0-or-later
"""The device's store, outbox and sync job without a server (httpx.MockTransport stands in for one)."""

import os
from datetime import UTC, datetime

import httpx
import pytest
from conftest import jpeg

from citygrid.problems import Problem
from citygrid.sync.protocol import CheckResult, Outcome, PullItem, PullPage, Receipt, Status
from citygrid_field.outbox import Outbox
from citygrid_field.session import Api
from citygrid_field.store import Store
from citygrid_field.sync_client import Settings, SyncJob

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
TASK = {"id": "t1", "kind": "check", "case_no": "C1", "due_at": "2026-11-25T00:00:00Z", "status": "open"}


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "device")
    s.put(username="collector01", server="http://centre.invalid", token="tok")
    yield s
    s.close()


def page(cursor, *items, more=False):
    return PullPage(cursor, more, tuple(items))


def test_a_pull_page_applies_with_its_cursor_and_a_tombstone_drops_the_task(store):
    store.apply_page(page("r5", PullItem("task", "t1", False, TASK), PullItem("future_type", "x", False, {})))
    assert store.cursor == "r5" and [t["id"] for t in store.tasks()] == ["t1"]
    store.apply_page(page("r9", PullItem("task", "t1", True, {})))
    assert store.cursor == "r9" and store.tasks() == []


def test_a_pull_cut_off_half_way_leaves_the_previous_state_and_cursor(store, monkeypatch):
    store.apply_page(page("r5", PullItem("task", "t1", False, TASK)))
    calls = []

    def dies(cx, kind, key, data):
        calls.append(key)
        if len(calls) == 2:
            raise KeyboardInterrupt  # the app killed between two rows of one page
    monkeypatch.setattr(store, "_keep", dies)
    with pytest.raises(KeyboardInterrupt):
        store.apply_page(page("r8", PullItem("task", "t2", False, {**TASK, "id": "t2"}),
                              PullItem("task", "t3", False, {**TASK, "id": "t3"})))
    assert store.cursor == "r5" and [t["id"] for t in store.tasks()] == ["t1"]


def test_data_written_by_a_newer_app_is_refused_not_touched(tmp_path):
    Store(tmp_path).cx.execute("INSERT INTO migrations VALUES ('m999_future', 'now')")
    with pytest.raises(Problem) as e:
        Store(tmp_path)
    assert e.value.code == "field.newer_data"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_data_dir_is_a_clear_problem(tmp_path):
    tmp_path.chmod(0o500)
    try:
        with pytest.raises(Problem) as e:
            Store(tmp_path / "device")
        assert e.value.code == "field.data_dir"
    finally:
        tmp_path.chmod(0o700)


@pytest.mark.parametrize("name, content, code", [
    ("note.txt", b"hello", "field.photo_type"), ("gone.jpg", None, "field.photo_gone")])
def test_a_photo_that_is_not_one_queues_nothing(store, tmp_path, name, content, code):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(Problem) as e:
        Outbox(store).add(CheckResult("t1", Outcome.PASS, NOW), [path])
    assert e.value.code == code and Outbox(store).entries() == []


def test_an_item_the_centre_would_refuse_is_refused_before_it_is_queued(store):
    with pytest.raises(Problem) as e:
        Outbox(store).add(CheckResult("t1", Outcome.FAIL, NOW))  # a failed check needs a reason
    assert e.value.code == "sync.bad_item" and Outbox(store).entries() == []


def test_only_a_final_receipt_lets_an_item_be_forgotten(store, tmp_path):
    box = Outbox(store)
    photo = jpeg(tmp_path / "p.jpg")
    a, b = box.add(CheckResult("t1", Outcome.PASS, NOW), [photo]), box.add(CheckResult("t2", Outcome.PASS, NOW))
    sha = box.entries()[0].photos[0].sha256
    box.set_upload(sha, "/u/1", uploaded=True)
    box.record((Receipt(a, Status.PHOTOS_MISSING, "sync.photos_missing", missing=(sha,)),
                Receipt(b, Status.ACCEPTED, case_no="C2")))
    assert box.forget_final() == 1
    (left,) = box.entries()
    assert left.uuid == a and not left.final and not left.photos[0].uploaded
    assert "照片仍在上传" in left.text("zh_CN")


def test_a_conflict_receipt_is_shown_in_the_users_language(store):
    box = Outbox(store)
    uuid = box.add(CheckResult("t1", Outcome.PASS, NOW))
    box.record((Receipt(uuid, Status.CONFLICT, "task.not_held", "the task moved", case_no="C1"),))
    (entry,) = box.entries()
    assert entry.final
    assert entry.text("zh_CN").startswith("已记录在案件 C1") and "supervisor" in entry.text("en")


def fake_server(routes: dict):
    """A MockTransport answering `routes[(method, path)]` (a status and a JSON body, or a callable)."""
    def handle(request: httpx.Request) -> httpx.Response:
        answer = routes.get((request.method, request.url.path))
        if answer is None:
            return httpx.Response(404, json={"error": {"code": "x.not_found", "message": "no"}})
        return answer(request) if callable(answer) else httpx.Response(answer[0], json=answer[1])
    return httpx.MockTransport(handle)


def job_for(store, routes, clock=lambda: 0.0, **settings) -> SyncJob:
    api = Api("http://centre.invalid", "tok", transport=fake_server(routes))
    return SyncJob(store, api, Settings(**settings), clock=clock).start()


def test_a_server_that_no_longer_speaks_this_apps_protocol_is_a_coded_stop(store):
    health = (200, {"status": "ok", "protocol": 3, "oldest_protocol": 2})
    result = job_for(store, {("GET", "/api/v1/health"): health}).run()
    assert result.problem.code == "protocol.too_old"


def test_a_503_with_retry_after_waits_that_long_then_gives_up_keeping_everything(store):
    busy = lambda r: httpx.Response(503, headers={"Retry-After": "7"},  # noqa: E731
                                    json={"error": {"code": "db.locked", "message": "busy"}})
    now = [0.0]
    job = job_for(store, {("GET", "/api/v1/health"): busy}, clock=lambda: now[0], max_failures=2)
    uuid = Outbox(store).add(CheckResult("t1", Outcome.PASS, NOW))
    assert job.poll().waiting_s == 7
    assert job.poll().waiting_s == 7 and not job.done  # nothing is tried before its time
    now[0] = 7.5
    job.poll()
    now[0] = 100
    job.poll()
    assert job.done and job.result.problem.code == "db.locked"
    assert [e.uuid for e in Outbox(store).entries()] == [uuid]


def test_a_malformed_answer_stops_with_a_coded_problem(store):
    routes = {("GET", "/api/v1/health"): (200, {"protocol": 1, "oldest_protocol": 1}),
              ("GET", "/api/v1/sync/pull"): (200, {"cursor": "not-a-cursor", "has_more": False, "items": []})}
    result = job_for(store, routes).run()
    assert result.problem.code == "sync.bad_answer" and store.cursor is None
