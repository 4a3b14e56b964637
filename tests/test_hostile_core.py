# SPDX-License-Identifier: GPL-2.0-or-later
"""The core under hostile input: push items and Open311 requests built from any JSON value give a
Problem or a receipt, never another exception, and never a half-written item; one item the server
fails on does not block its batch; item ids are per account; photos are cited only by their senders."""

import hashlib
import json
import logging
import re
import sqlite3
import uuid as uuidlib
from datetime import UTC, datetime, timedelta, timezone

import centre_fixture as cf
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from citygrid import crs, times
from citygrid.loop import workflow
from citygrid.problems import Problem
from citygrid.store import blobs, db
from citygrid.sync import batches, open311, protocol
from citygrid.sync import push as sync_push

KEY = "core-hostile-key"
HUGE = 10 ** 400
YEAR_1 = "0001-01-01T00:00:00+08:00"
YEAR_9999 = "9999-12-31T23:59:59-08:00"
STATUSES = {"accepted", "duplicate", "conflict", "rejected", "photos_missing"}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """One centre for the module: a connection, its blob store, an open check task of collector01."""
    path = tmp_path_factory.mktemp("core") / "center.gpkg"
    cf.build(path)
    conn = db.open_centre(path)
    store = blobs.store_for(path)
    task = cf.open_task(conn, cf.case_at(conn, "checking"), "check")
    other = cf.open_task(conn, cf.case_at(conn, "checking", dx=70), "check")
    workflow.reassign(conn, other["id"], "collector02", cf.actor(conn, "operator"))  # a conflict for 01
    open311.add_key(conn, "hostile", KEY)
    sha = store.put_bytes(b"\xff\xd8 sent by collector01 \xff\xd9")
    with db.transaction(conn):  # what the upload path records when collector01 sends these bytes
        conn.execute("INSERT INTO photo_senders (sha256, username) VALUES (?, 'collector01')", (sha,))
    yield {"conn": conn, "store": store, "task_id": task["id"], "other_task_id": other["id"], "sent_sha": sha}
    conn.close()


@pytest.fixture
def centre_path(tmp_path):
    path = tmp_path / "center.gpkg"
    cf.build(path)
    return path


@pytest.fixture
def cx(centre_path):
    c = db.open_centre(centre_path)
    yield c
    c.close()


def _lonlat(code="320508001002001", dx=50, dy=50):
    x, y = cf.centre_point(code, dx, dy)
    return crs.to_lonlat(x, y, 4549)


def _report(description="垃圾", **payload):
    lon, lat = _lonlat()
    body = {"kind": "event", "class_code": "0102", "description": description,
            "observed_at": "2026-11-23T09:00:00+08:00", "location": {"lon": lon, "lat": lat, "accuracy_m": 3}}
    return {"uuid": str(uuidlib.uuid4()), "type": "report", "photos": [], "payload": {**body, **payload}}


def _check(task_id, photos=()):
    return {"uuid": str(uuidlib.uuid4()), "type": "check", "photos": list(photos), "payload": {
        "task_id": task_id, "outcome": "pass", "observed_at": "2026-11-23T06:00:00+08:00",
        "location": {"lon": 120.0005, "lat": 31.2601, "accuracy_m": 4.5}}}


def _push(conn, store, items, username="collector01", device="dev-1", batch_id=None):
    batch = {"batch_id": batch_id or str(uuidlib.uuid4()), "device_id": device, "items": items}
    return sync_push.push(conn, cf.actor(conn, username), device, batch, store=store)["receipts"]


def _count(conn, table, where="1 = 1", args=()):
    return conn.execute(f"SELECT count(*) FROM {table} WHERE {where}", args).fetchone()[0]


# --- strategies: real items and forms with a few values replaced by any JSON value, or any JSON at all ---

SURROGATES = st.sampled_from(["\ud800", "a\udfffb", "\udc80" * 3])
BIG = {"10**400": HUGE, "-10**400": -HUGE, "2**63": 2 ** 63, "10**4000": 10 ** 4000}
SCALARS = (st.none() | st.booleans() | st.integers() | st.sampled_from(sorted(BIG)).map(BIG.get)
           | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=20) | SURROGATES)
JSON = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(max_size=6), inner, max_size=3), max_leaves=8)
ANY_TIME = st.builds(lambda d, minutes: d.replace(tzinfo=timezone(timedelta(minutes=minutes))).isoformat(),
                     st.datetimes(), st.integers(-1439, 1439))
TIMES = st.sampled_from([YEAR_1, YEAR_9999, "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z",
                         "2026-11-23T06:00:00"]) | ANY_TIME
NUMBERS = st.floats(-200, 200) | st.sampled_from(["1e400", "120.0", "nan", True]) | SCALARS
DROP = object()  # a mutation that removes the key
HOSTILE = {  # where in an item, and what may be put there (besides any JSON value)
    "uuid": st.sampled_from(["upper", "bare", "newline"]), "type": st.sampled_from(protocol.ITEM_TYPES),
    "created_at": TIMES, "photos": st.lists(st.sampled_from(["a" * 64, "A" * 64, "a" * 64 + "\n", "x"]),
                                            max_size=3),
    "payload": st.nothing(), "payload.task_id": st.text(max_size=3),
    "payload.outcome": st.sampled_from(["pass", "fail", "confirmed", "not_found"]),
    "payload.reason": st.text(max_size=5), "payload.note": st.text(max_size=5), "payload.observed_at": TIMES,
    "payload.location": st.nothing(), "payload.location.lon": NUMBERS, "payload.location.lat": NUMBERS,
    "payload.location.accuracy_m": NUMBERS, "payload.kind": st.sampled_from(["event", "component"]),
    "payload.class_code": st.sampled_from(["0102", "0101", "9999"]), "payload.description": st.text(max_size=5),
    "payload.ObjID": st.sampled_from(["3205080101000001", "x"]),
}


def _mutated(item, changes):
    """`item` with each (dotted path, value) applied; a uuid respelling keeps the uuid, DROP removes a key."""
    for path, value in changes:
        *parents, last = path.split(".")
        node = item
        for key in parents:
            node = node.get(key) if isinstance(node, dict) else None
        if not isinstance(node, dict):
            continue
        respelt = {"upper": str(node.get("uuid")).upper(), "bare": str(node.get("uuid")).replace("-", ""),
                   "newline": f"{node.get('uuid')}\n"}
        if value is DROP:
            node.pop(last, None)
        else:
            node[last] = respelt[value] if last == "uuid" and isinstance(value, str) and value in respelt else value
    return item


def _items(world):
    real = (st.builds(_report) | st.builds(_report, ObjID=st.just("3205080101000001"), kind=st.just("component"),
                                           class_code=st.just("0101"))
            | st.builds(_check, st.sampled_from([world["task_id"], world["other_task_id"]]),
                        st.sampled_from([(), (world["sent_sha"],), ("c" * 64,)])))
    change = st.sampled_from(sorted(HOSTILE)).flatmap(
        lambda path: st.tuples(st.just(path), HOSTILE[path] | JSON | st.just(DROP)))
    mutated = st.builds(_mutated, real, st.lists(change, max_size=3))
    return st.one_of(mutated, mutated, mutated, JSON)  # mostly real items with a few hostile values


HYPOTHESIS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                               HealthCheck.too_slow])


@HYPOTHESIS
@given(data=st.data())
def test_pushed_items_of_any_json_give_only_receipts_and_nothing_half_written(world, data):
    conn, store = world["conn"], world["store"]
    items = data.draw(st.lists(_items(world), min_size=1, max_size=4))
    before = {t: _count(conn, t) for t in ("cases", "case_events", "sync_items")}
    receipts = _push(conn, store, items)
    assert not conn.in_transaction
    assert len(receipts) == len(items)
    json.dumps(receipts, allow_nan=False).encode("utf-8")  # the receipts can go on the wire as they are
    fresh = []  # (item, receipt) of the items this push stored for the first time
    for item, r in zip(items, receipts, strict=True):
        assert r["status"] in STATUSES and (r["status"] == "accepted" or r["code"])
        event(f"{r['status']} {r['code']}")
        canon = _canonical(item.get("uuid") if isinstance(item, dict) else None)
        if canon is None:
            assert r["status"] == "rejected" and r["code"] == "sync.bad_uuid"
            continue
        assert r["uuid"] == item["uuid"]
        row = conn.execute("SELECT status, case_no FROM sync_items WHERE username = 'collector01' AND uuid = ?",
                           (canon,)).fetchone()
        if r["status"] == "photos_missing":
            assert row is None  # it waits: nothing applied, nothing kept yet
        elif r["status"] != "duplicate":
            assert row is not None and (row["status"], row["case_no"]) == (r["status"], r.get("case_no"))
            fresh.append((item, r))
    accepted = [(item, r) for item, r in fresh if r["status"] == "accepted"]
    assert _count(conn, "sync_items") - before["sync_items"] == len(fresh)
    assert _count(conn, "cases") - before["cases"] == sum(1 for item, _ in accepted if item["type"] == "report")
    if not any(r["status"] in ("accepted", "conflict") for _, r in fresh):
        assert _count(conn, "case_events") == before["case_events"]
    detail = batches.batch_detail(conn, cf.actor(conn, "supervisor"), _last_batch(conn))
    json.dumps(detail, allow_nan=False).encode("utf-8")  # what the supervisor reads back is valid JSON


def _canonical(value):
    """What the server stores for an item uuid: hex in 8-4-4-4-12 groups, hyphens optional, nothing after."""
    if isinstance(value, str) and re.fullmatch(r"[0-9a-fA-F]{8}(-?[0-9a-fA-F]{4}){3}-?[0-9a-fA-F]{12}", value):
        return str(uuidlib.UUID(hex=value))
    return None


def _last_batch(conn):
    return conn.execute("SELECT batch_id FROM sync_batches ORDER BY fid DESC LIMIT 1").fetchone()[0]


TEXT_FIELDS = ("description", "first_name", "last_name", "email", "phone", "address_string", "media_url")
FORM_VALUES = {
    "service_code": st.sampled_from(["event-0102", "event-0102\n", "component-0101", "event-9999"]) | JSON,
    "lat": st.builds(lambda: _lonlat()[1]) | NUMBERS, "long": st.builds(lambda: _lonlat()[0]) | NUMBERS,
    **{name: st.text(max_size=10) | st.integers() | JSON for name in TEXT_FIELDS},
}
REAL_FORM = {"service_code": "event-0102", "description": "垃圾"}


def _form(changes):
    lon, lat = _lonlat()
    return _mutated({**REAL_FORM, "lat": lat, "long": lon}, changes)


FORMS = st.builds(_form, st.lists(st.sampled_from(sorted(FORM_VALUES)).flatmap(
    lambda name: st.tuples(st.just(name), FORM_VALUES[name] | st.just(DROP))), max_size=3)) | JSON


@HYPOTHESIS
@given(key=st.one_of(st.just(KEY), st.just(KEY), JSON), form=FORMS)
def test_open311_requests_of_any_json_give_a_case_or_a_problem(world, key, form):
    conn = world["conn"]
    cases = _count(conn, "cases")
    try:
        created = open311.create_request(conn, key, form)
    except Problem as p:
        event(p.code)
        json.dumps(p.details, allow_nan=False).encode("utf-8")  # the error body can be sent
        assert _count(conn, "cases") == cases
        return
    event("created")
    assert key == KEY and isinstance(form, dict)
    assert _count(conn, "cases") == cases + 1
    assert open311.get_request(conn, created["service_request_id"])


@settings(max_examples=300, deadline=None)
@given(text=TIMES | st.text(max_size=40))
def test_any_time_text_parses_to_a_storable_time_or_a_problem(text):
    try:
        value = times.parse(text)
    except Problem as p:
        assert p.code.startswith("time.")
        return
    assert times.from_db(times.to_db(value)) <= value.astimezone(UTC)


@pytest.mark.parametrize("text", [YEAR_1, YEAR_9999, "0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999999Z"])
def test_times_at_the_edge_of_the_calendar_are_out_of_range(text):
    with pytest.raises(Problem) as e:
        times.parse(text)
    assert e.value.code == "time.out_of_range"


def test_an_aware_time_utc_cannot_hold_is_a_problem_when_stored():
    with pytest.raises(Problem) as e:
        times.to_db(datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=8))))
    assert e.value.code == "time.out_of_range"


def test_the_open311_default_window_stops_at_the_earliest_time(world):
    assert open311.get_requests(world["conn"], end=times.parse("0001-01-05T00:00:00Z")) == []


@pytest.mark.parametrize("field,value", [("lat", HUGE), ("long", -HUGE), ("lat", float("nan")), ("lat", True),
                                         ("lat", [31.2])])
def test_an_open311_location_that_is_not_a_finite_number_is_bad_location(world, field, value):
    lon, lat = _lonlat()
    with pytest.raises(Problem) as e:
        open311.create_request(world["conn"], KEY, {"service_code": "event-0102", "lat": lat, "long": lon,
                                                    field: value})
    assert e.value.code == "open311.bad_location" and e.value.details["field"] == field
    assert e.value.details["value"] == times.shown(value, 40)  # as sent, never the centre's x/y


@pytest.mark.parametrize("key", [7, HUGE, ["k"], {"k": 1}, True, "\ud800"])
def test_an_api_key_that_is_not_text_is_a_bad_key(world, key):
    with pytest.raises(Problem) as e:
        open311.create_request(world["conn"], key, {"service_code": "event-0102"})
    assert e.value.code == "open311.bad_key"


def test_a_service_code_with_a_trailing_newline_is_unknown():
    with pytest.raises(Problem) as e:
        open311.parse_service("event-0102\n")
    assert e.value.code == "open311.unknown_service"


# --- one bad item never blocks its batch ------------------------------------------------------------

def test_an_item_the_server_fails_on_is_rejected_and_kept_while_the_rest_apply(cx, centre_path, monkeypatch,
                                                                                caplog):
    store = blobs.store_for(centre_path)
    task = cf.open_task(cx, cf.case_at(cx, "checking"), "check")
    real = workflow.report

    def report(conn, actor, **kw):
        if kw["description"] == "boom":
            raise RuntimeError("a defect met by one item")
        return real(conn, actor, **kw)

    monkeypatch.setattr(workflow, "report", report)
    items = [_report("first"), _report("boom"), _check(task["id"]), _report("last")]
    cases = _count(cx, "cases")
    with caplog.at_level(logging.ERROR, logger="citygrid.sync"):
        receipts = _push(cx, store, items)
    assert [r["status"] for r in receipts] == ["accepted", "rejected", "accepted", "accepted"]
    assert receipts[1]["code"] == "sync.item_failed"
    assert _count(cx, "cases") == cases + 2
    assert workflow.case_row(cx, receipts[2]["case_no"])["status"] == "check_passed"
    kept = cx.execute("SELECT status, code, flagged, payload FROM sync_items WHERE uuid = ?",
                      (items[1]["uuid"],)).fetchone()
    assert (kept["status"], kept["code"], kept["flagged"]) == ("rejected", "sync.item_failed", 1)
    assert json.loads(kept["payload"])["description"] == "boom"
    (logged,) = [r for r in caplog.records if items[1]["uuid"] in r.getMessage()]
    assert logged.exc_info and "a defect met by one item" in str(logged.exc_info[1])
    again = _push(cx, store, items)  # the retry is answered from what was kept, nothing applied twice
    assert [r["status"] for r in again] == ["duplicate"] * 4 and again[1]["code"] == "sync.item_failed"
    assert _count(cx, "cases") == cases + 2


def test_when_keeping_a_failed_item_fails_too_its_receipt_still_comes_back(cx, centre_path, monkeypatch):
    real_store = sync_push._store

    def store_row(conn, item, *args, **kw):
        if item["payload"].get("description") == "boom":
            raise sqlite3.IntegrityError("a second defect")
        return real_store(conn, item, *args, **kw)

    monkeypatch.setattr(sync_push, "_store", store_row)
    items = [_report("boom"), _report("fine")]
    receipts = _push(cx, blobs.store_for(centre_path), items)
    assert [r["status"] for r in receipts] == ["rejected", "accepted"]
    assert receipts[0]["code"] == "sync.item_failed"
    assert _count(cx, "sync_items", "uuid = ?", (items[0]["uuid"],)) == 0


@pytest.mark.parametrize("trouble, code", [
    (Problem("db.locked"), "db.locked"),
    (sqlite3.OperationalError("disk I/O error"), "db.io_error"),
    (sqlite3.OperationalError("attempt to write a readonly database"), "db.readonly"),
    (sqlite3.DatabaseError("database disk image is malformed"), "db.corrupt")])
def test_a_failing_database_stops_the_push_so_the_device_retries_the_rest(cx, centre_path, monkeypatch,
                                                                          trouble, code):
    def locked(conn, actor, **kw):
        raise trouble

    items = [_report("first"), _report("second")]
    store = blobs.store_for(centre_path)
    monkeypatch.setattr(workflow, "report", locked)
    with pytest.raises((Problem, sqlite3.Error)) as e:
        _push(cx, store, items)
    assert db.translate(e.value).code == code if isinstance(e.value, sqlite3.Error) else e.value.code == code
    assert _count(cx, "sync_items") == 0
    monkeypatch.undo()
    assert [r["status"] for r in _push(cx, store, items)] == ["accepted", "accepted"]


def test_a_payload_too_long_to_keep_whole_is_kept_as_valid_json(cx, centre_path):
    item = _report(note="x" * 200_000, kind=["not a kind"])
    (r,) = _push(cx, blobs.store_for(centre_path), [item])
    assert r["status"] == "rejected"
    (text,) = cx.execute("SELECT payload FROM sync_items WHERE uuid = ?", (item["uuid"],)).fetchone()
    kept = json.loads(text)
    assert kept["truncated"] is True and kept["head"].startswith("{")


def test_a_stored_payload_that_is_not_json_reads_back_as_text(cx, centre_path):
    item = _report(kind=["not a kind"])
    _push(cx, blobs.store_for(centre_path), [item], batch_id="legacy")
    with db.transaction(cx):
        cx.execute("UPDATE sync_items SET payload = '{\"cut off' WHERE uuid = ?", (item["uuid"],))
    (got,) = batches.batch_detail(cx, cf.actor(cx, "supervisor"), "legacy")["items"]
    assert got["payload"] == '{"cut off'


# --- item ids are per account and have one spelling -----------------------------------------------

def test_another_spelling_of_an_item_uuid_is_a_duplicate_answered_in_the_spelling_sent(cx, centre_path):
    store = blobs.store_for(centre_path)
    item = _report()
    (first,) = _push(cx, store, [item])
    spellings = [item["uuid"].upper(), item["uuid"].replace("-", ""), item["uuid"].replace("-", "").upper()]
    for spelling in spellings:
        (r,) = _push(cx, store, [{**item, "uuid": spelling}])
        assert (r["status"], r["uuid"], r["case_no"]) == ("duplicate", spelling, first["case_no"])
    stored = [u for (u,) in cx.execute("SELECT uuid FROM sync_items")]
    assert stored == [item["uuid"]]


@pytest.mark.parametrize("suffix", ["\n", " ", "\r\n", "\x00"])
def test_a_uuid_with_anything_after_it_is_a_bad_uuid(cx, centre_path, suffix):
    item = _report()
    (r,) = _push(cx, blobs.store_for(centre_path), [{**item, "uuid": item["uuid"] + suffix}])
    assert (r["status"], r["code"]) == ("rejected", "sync.bad_uuid")
    assert _count(cx, "cases") == 0


def test_the_same_uuid_from_another_account_is_a_separate_item_and_reveals_nothing(cx, centre_path):
    store = blobs.store_for(centre_path)
    item = _report()
    (mine,) = _push(cx, store, [item], "collector01", "dev-1")
    (theirs,) = _push(cx, store, [{**item, "uuid": item["uuid"].upper()}], "collector02", "dev-2")
    assert mine["status"] == theirs["status"] == "accepted"
    assert theirs["case_no"] != mine["case_no"]
    rows = cx.execute("SELECT username, case_no FROM sync_items WHERE uuid = ? ORDER BY username",
                      (item["uuid"],)).fetchall()
    assert [tuple(r) for r in rows] == [("collector01", mine["case_no"]), ("collector02", theirs["case_no"])]


def test_another_accounts_item_does_not_end_the_wait_for_photos(cx, centre_path):
    store = blobs.store_for(centre_path)
    item = _report()
    waiting = {**item, "photos": ["b" * 64]}
    _push(cx, store, [item], "collector02", "dev-2")  # someone else's item with the same uuid, applied
    (r,) = _push(cx, store, [waiting], batch_id="mine-waiting")
    assert r["status"] == "photos_missing"
    detail = batches.batch_detail(cx, cf.actor(cx, "supervisor"), "mine-waiting")
    assert detail["photos_missing"] == 1
    assert [w["uuid"] for w in detail["waiting_for_photos"]] == [item["uuid"]]


def test_a_batch_id_with_a_trailing_newline_is_refused(cx, centre_path):
    with pytest.raises(Problem) as e:
        _push(cx, blobs.store_for(centre_path), [], batch_id="batch-1\n")
    assert e.value.details == {"reason": "batch_id"}


def test_another_accounts_batch_id_is_refused_without_naming_its_owner(cx, centre_path):
    store = blobs.store_for(centre_path)
    _push(cx, store, [_report()], "collector01", "dev-1", batch_id="shared-id")
    with pytest.raises(Problem) as e:
        _push(cx, store, [_report()], "collector02", "dev-2", batch_id="shared-id")
    assert e.value.code == "sync.batch_not_yours"
    assert "collector01" not in str(e.value) and "dev-1" not in str(e.value)


def _flagged_twice(cx, store):
    """The same uuid from two accounts, each a report flagged as a possible duplicate."""
    cf.case_at(cx, "reported", grid="320508001002001")
    item = _report()
    _push(cx, store, [item], "collector01", "dev-1")
    _push(cx, store, [item], "collector02", "dev-2")
    assert _count(cx, "sync_items", "uuid = ? AND flagged = 1", (item["uuid"],)) == 2
    return item["uuid"]


def test_resolving_a_uuid_two_accounts_sent_asks_whose_it_is(cx, centre_path):
    uuid = _flagged_twice(cx, blobs.store_for(centre_path))
    sup = cf.actor(cx, "supervisor")
    with pytest.raises(Problem) as e:
        batches.resolve_item(cx, sup, uuid, "看过了")
    assert e.value.code == "item.ambiguous" and e.value.details["usernames"] == ["collector01", "collector02"]
    batches.resolve_item(cx, sup, uuid.upper(), "看过了", username="collector02")
    rows = cx.execute("SELECT username, resolved_by FROM sync_items WHERE uuid = ? ORDER BY username", (uuid,))
    assert [tuple(r) for r in rows] == [("collector01", None), ("collector02", "supervisor")]
    batches.resolve_item(cx, sup, uuid, "也看过了", username="collector01")
    assert _count(cx, "sync_items", "uuid = ? AND resolved_at IS NULL", (uuid,)) == 0


# --- photos are cited by their senders only -----------------------------------------------------------

@pytest.mark.parametrize("sender,blob,status", [
    (None, True, "photos_missing"),             # the bytes are here, but nobody recorded as sending them
    ("collector02", True, "photos_missing"),    # someone else sent them: knowing the hash is not enough
    ("collector01", False, "photos_missing"),   # recorded, but the file is gone from the store
    ("collector01", True, "accepted"),
])
def test_a_photo_is_cited_only_by_an_account_that_sent_its_bytes(cx, centre_path, sender, blob, status):
    store = blobs.store_for(centre_path)
    task = cf.open_task(cx, cf.case_at(cx, "checking"), "check")
    data = b"\xff\xd8 a photo \xff\xd9"
    sha = store.put_bytes(data) if blob else hashlib.sha256(data).hexdigest()
    with db.transaction(cx):
        cx.execute("INSERT INTO photos (sha256, size, content_type, uploaded_by) VALUES (?, ?, 'image/jpeg', ?)",
                   (sha, len(data), sender or "collector02"))
        if sender:  # written directly: the upload path records senders on another branch
            cx.execute("INSERT INTO photo_senders (sha256, username) VALUES (?, ?)", (sha, sender))
    (r,) = _push(cx, store, [_check(task["id"], photos=[sha.upper()])])
    assert r["status"] == status
    if status == "photos_missing":
        assert r["missing"] == [sha]


@pytest.mark.parametrize("digest", ["a" * 64 + "\n", "A" * 64, "a" * 63, "a" * 65, 7, None])
def test_a_blob_digest_must_be_64_lower_hex_and_nothing_more(digest):
    from citygrid.store import blobs

    with pytest.raises(Problem) as exc:
        blobs.check_digest(digest)
    assert exc.value.code == "blob.bad_digest"


@pytest.mark.parametrize("service_code", ["\n", " ", ",", " , ,", "\t,\n"])
def test_an_open311_service_code_of_blanks_and_commas_filters_nothing(world, service_code):
    """Found by schemathesis: `service_code=%0A` built `AND ()` and answered 500."""
    everything = open311.get_requests(world["conn"])
    assert open311.get_requests(world["conn"], service_code=service_code) == everything
