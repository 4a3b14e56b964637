# SPDX-License-Identifier: GPL-2.0-or-later
"""The sync protocol both sides share: versions, wire types that round-trip, item validation with coded
problems, and the sync guarantee as code (a device deletes an item only once its receipt is final)."""

import hashlib
import json
import os
import subprocess
import sys
import uuid as uuidlib
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import centre_fixture as cf
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from citygrid import messages
from citygrid.problems import Problem
from citygrid.store import blobs, db
from citygrid.sync import protocol
from citygrid.sync import pull as sync_pull
from citygrid.sync import push as sync_push
from citygrid.sync.protocol import (
    CheckResult,
    Location,
    Outcome,
    PullItem,
    PullPage,
    PushBatch,
    PushItem,
    PushReply,
    Receipt,
    Report,
    ReportKind,
    Status,
    VerifyResult,
)

ROOT = Path(__file__).resolve().parents[1]
SEEN = datetime(2026, 11, 23, 6, 0, tzinfo=timezone(timedelta(hours=8)))

# --- versions -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("raw,version", [(None, 1), ("1", 1), ("01", 1), (1, 1)])
def test_a_version_the_centre_serves_is_read(raw, version):
    assert protocol.check_version(raw) == version


@pytest.mark.parametrize("raw", ["", "one", "1.0", " 1", "1\n", "²", "١", "-1", "9" * 5000, True, 1.0])
def test_a_version_that_is_not_ascii_digits_is_malformed(raw):
    """ "²" and "١" pass str.isdigit(), and "²" fails int(); int() refuses 5,000 digits."""
    with pytest.raises(Problem) as e:
        protocol.check_version(raw)
    assert e.value.code == "protocol.malformed"


def test_a_newer_device_is_told_to_update_the_centre_and_an_older_one_the_app():
    with pytest.raises(Problem) as newer:
        protocol.check_version(str(protocol.PROTOCOL + 1))
    assert newer.value.code == "protocol.unsupported" and newer.value.details["server"] == protocol.PROTOCOL
    with pytest.raises(Problem) as older:  # a device checks itself against the health of a newer centre
        protocol.check_version(protocol.PROTOCOL, newest=protocol.PROTOCOL + 2, oldest=protocol.PROTOCOL + 1)
    assert older.value.code == "protocol.too_old" and older.value.details["oldest"] == protocol.PROTOCOL + 1


# --- round trips --------------------------------------------------------------------------------------

TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
TIMES = st.builds(lambda d, minutes: d.replace(tzinfo=timezone(timedelta(minutes=minutes))),
                  st.datetimes(datetime(1900, 1, 1), datetime(2100, 1, 1)), st.integers(-1439, 1439))
FINITE = st.floats(allow_nan=False, allow_infinity=False)
LOCATIONS = st.builds(Location, st.floats(-180, 180), st.floats(-90, 90), st.none() | FINITE)
SHAS = st.binary(max_size=8).map(lambda b: hashlib.sha256(b).hexdigest())


def _results(cls):
    task_ids = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=128)
    return st.builds(cls, task_id=task_ids,
                     outcome=st.sampled_from(protocol.OUTCOMES[cls.TYPE]), observed_at=TIMES,
                     reason=st.none() | TEXT, note=st.none() | TEXT, location=st.none() | LOCATIONS,
                     ).filter(lambda r: r.outcome is not Outcome.FAIL or r.reason or r.note)


REPORTS = st.builds(Report, kind=st.sampled_from(ReportKind), class_code=TEXT, observed_at=TIMES,
                    location=LOCATIONS, description=TEXT, ObjID=st.none() | TEXT)
PAYLOADS = _results(CheckResult) | _results(VerifyResult) | REPORTS
ITEMS = st.builds(PushItem, uuid=st.uuids().map(str), payload=PAYLOADS,
                  created_at=st.none() | TIMES, photos=st.lists(SHAS, unique=True, max_size=20).map(tuple))
BATCHES = st.builds(PushBatch, batch_id=st.from_regex(protocol.BATCH_ID, fullmatch=True),
                    device_id=TEXT.filter(bool), items=st.lists(ITEMS, max_size=3).map(tuple))
RECEIPTS = st.builds(Receipt, uuid=TEXT, status=st.sampled_from(Status), code=st.none() | TEXT,
                     message=st.none() | TEXT, missing=st.lists(SHAS, max_size=3).map(tuple),
                     case_no=st.none() | TEXT.filter(bool))
REPLIES = st.builds(PushReply, batch_id=TEXT, receipts=st.lists(RECEIPTS, max_size=3).map(tuple))
JSON = st.recursive(st.none() | st.booleans() | st.integers(-2 ** 53, 2 ** 53) | FINITE | TEXT,
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
                    max_leaves=6)
PULL_ITEMS = st.builds(PullItem, st.sampled_from(protocol.PULL_TYPES), TEXT, st.booleans(),
                       st.dictionaries(TEXT, JSON, max_size=3))
PAGES = st.builds(PullPage, cursor=st.from_regex(protocol.CURSOR, fullmatch=True), has_more=st.booleans(),
                  items=st.lists(PULL_ITEMS, max_size=3).map(tuple))


# A stall of the shared VM while Hypothesis draws (once 1.5 s for one value in CI) is not a failure.
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=ITEMS | BATCHES | REPLIES | PAGES | RECEIPTS)
def test_every_wire_type_round_trips_through_json(value):
    wire = json.loads(json.dumps(value.to_wire(), allow_nan=False))
    back = type(value).from_wire(wire)
    assert back == value
    assert back.to_wire() == wire  # what to_wire writes is the normal form: it reads back to itself


def _respelt(wire: dict) -> dict:
    """The same item as another device might spell it: uuid upper case without hyphens, UTC times as Z,
    coordinates as text, photo digests upper case and repeated, a field the protocol does not know."""
    item = json.loads(json.dumps(wire))
    item["uuid"] = item["uuid"].replace("-", "").upper()
    item["photos"] = [p.upper() for p in item["photos"]] * 2 if len(item["photos"]) <= 10 else item["photos"]
    payload = item["payload"]
    payload["observed_at"] = payload["observed_at"].replace("+00:00", "Z")
    if payload.get("location"):
        payload["location"] = {k: str(v) for k, v in payload["location"].items()}
    payload["sent_by"] = "a newer app"
    return item


@settings(max_examples=200)
@given(value=ITEMS)
def test_another_spelling_of_a_valid_item_reads_as_the_same_item(value):
    assert PushItem.from_wire(_respelt(value.to_wire())) == value


@given(value=st.uuids(), upper=st.booleans(), hyphens=st.booleans())
def test_a_uuid_in_any_accepted_spelling_is_stored_as_the_uuid_module_spells_it(value, upper, hyphens):
    sent = str(value) if hyphens else value.hex
    sent = sent.upper() if upper else sent
    assert protocol.canonical_uuid(sent) == str(uuidlib.UUID(hex=sent)) == str(value)


# --- item validation: each fault has its code ---------------------------------------------------------

def _check_wire(**payload):
    body = {"task_id": "T1", "outcome": "pass", "observed_at": SEEN.isoformat(),
            "location": {"lon": 120.6, "lat": 31.3, "accuracy_m": 4}}
    return {"uuid": str(uuidlib.uuid4()), "type": "check", "photos": [], "payload": {**body, **payload}}


def _report_wire(**payload):
    body = {"kind": "event", "class_code": "0102", "description": "垃圾", "observed_at": SEEN.isoformat(),
            "location": {"lon": 120.6, "lat": 31.3}}
    return {"uuid": str(uuidlib.uuid4()), "type": "report", "payload": {**body, **payload}}


FAULTS = [  # (label, item, code, reason or None)
    ("not an object", ["check"], "sync.bad_uuid", None),
    ("uuid with a newline", {**_check_wire(), "uuid": str(uuidlib.uuid4()) + "\n"}, "sync.bad_uuid", None),
    ("unknown type", {**_check_wire(), "type": "inspect"}, "sync.bad_item", "type"),
    ("payload a list", {**_check_wire(), "payload": []}, "sync.bad_item", "payload"),
    ("created_at naive", {**_check_wire(), "created_at": "2026-11-23T06:00:00"}, "time.naive", None),
    ("year 1", _check_wire(observed_at="0001-01-01T00:00:00+08:00"), "time.out_of_range", None),
    ("observed_at a number", _check_wire(observed_at=7), "sync.bad_item", "observed_at"),
    ("lat off the globe", _check_wire(location={"lon": 120, "lat": 91}), "sync.bad_item", "location"),
    ("lon as 1e400", _check_wire(location={"lon": "1e400", "lat": 31}), "sync.bad_item", "location.lon"),
    ("accuracy a boolean", _check_wire(location={"lon": 120, "lat": 31, "accuracy_m": True}), "sync.bad_item",
     "location.accuracy_m"),
    ("empty task id", _check_wire(task_id=""), "sync.bad_item", "task_id"),
    ("task id of 129", _check_wire(task_id="t" * 129), "sync.bad_item", "task_id"),
    ("a verify outcome on a check", _check_wire(outcome="confirmed"), "sync.bad_item", "outcome"),
    ("a failed check without a reason", _check_wire(outcome="fail"), "sync.bad_item",
     "a failed check needs a reason"),
    ("note a list", _check_wire(note=["x"]), "sync.bad_item", "note"),
    ("NaN anywhere", _check_wire(extra={"deep": float("nan")}), "sync.bad_item", "NaN or Infinity"),
    ("a lone surrogate", _check_wire(note="\ud800"), "sync.bad_item", "text that is not valid UTF-8"),
    ("21 photos", {**_check_wire(), "photos": ["a" * 64] * 21}, "sync.bad_item", "photos"),
    ("photos null", {**_check_wire(), "photos": None}, "sync.bad_item", "photos"),
    ("a digest with a newline", {**_check_wire(), "photos": ["a" * 64 + "\n"]}, "blob.bad_digest", None),
    ("a report without a location", _report_wire(location=None), "sync.bad_item", "location"),
    ("a report of another kind", _report_wire(kind="tree"), "sync.bad_item", "kind"),
    ("a report without a class", _report_wire(class_code=None), "sync.bad_item", "class_code"),
    ("ObjID a number", _report_wire(ObjID=7), "sync.bad_item", "ObjID"),
    ("description null", _report_wire(description=None), "sync.bad_item", "description"),
]


@pytest.mark.parametrize("label,item,code,reason", FAULTS, ids=[f[0] for f in FAULTS])
def test_a_malformed_item_is_a_coded_problem(label, item, code, reason):
    with pytest.raises(Problem) as e:
        PushItem.from_wire(item)
    assert e.value.code == code
    if reason is not None:
        assert e.value.details["reason"] == reason


def test_an_items_first_fault_names_its_code_in_the_order_the_centre_checks():
    """A bad uuid before anything else (so duplicates are found first), then the time, then the rest."""
    worst = {**_check_wire(outcome="nope", observed_at="soon"), "photos": ["x"]}
    with pytest.raises(Problem) as e:
        PushItem.from_wire(worst)
    assert e.value.code == "time.malformed"
    with pytest.raises(Problem) as e:
        PushItem.from_wire({**worst, "uuid": 7})
    assert e.value.code == "sync.bad_uuid"


def test_a_verify_reason_joins_the_note_on_the_centre_as_it_always_has():
    item = {**_check_wire(outcome="not_found", reason="gone", note="asked"), "type": "verify"}
    parsed = PushItem.from_wire(item)
    where = Location(120.6, 31.3, 4)
    assert parsed.payload == VerifyResult("T1", Outcome.NOT_FOUND, SEEN, "gone", "asked", where)
    assert sync_push._note(sync_push._fields(parsed.payload)) == "gone / asked"


@pytest.mark.parametrize("batch,device,code,reason", [
    ([], None, "sync.bad_batch", "not an object"),
    ({"batch_id": "b\n", "device_id": "d", "items": []}, None, "sync.bad_batch", "batch_id"),
    ({"batch_id": "b", "device_id": "", "items": []}, None, "sync.bad_batch", "device_id"),
    ({"batch_id": "b", "device_id": "d", "items": []}, "e", "sync.device_mismatch", None),
    ({"batch_id": "b", "device_id": "d", "items": {}}, None, "sync.bad_batch", "items"),
    ({"batch_id": "b", "device_id": "d", "items": [{}] * 501}, None, "sync.too_many_items", None),
])
def test_a_malformed_batch_is_refused_whole(batch, device, code, reason):
    with pytest.raises(Problem) as e:
        protocol.read_batch(batch, device)
    assert e.value.code == code and e.value.details.get("reason") == reason


def test_the_centre_reads_items_one_by_one_while_a_whole_batch_needs_every_item_valid():
    batch = {"batch_id": "b-1", "device_id": "d", "items": [_check_wire(), {"uuid": "x"}]}
    assert protocol.read_batch(batch, "d") == ("b-1", batch["items"])
    with pytest.raises(Problem) as e:
        PushBatch.from_wire(batch)
    assert e.value.code == "sync.bad_uuid"


@pytest.mark.parametrize("answer,reason", [
    ({"uuid": "u", "status": "kept"}, "receipt status"),
    ({"uuid": 7, "status": "accepted"}, "receipt uuid"),
    ({"uuid": "u", "status": "photos_missing", "missing": ["not a digest"]}, "receipt missing"),
    ({"uuid": "u", "status": "accepted", "case_no": 12}, "receipt case_no"),
])
def test_a_malformed_receipt_is_a_bad_answer(answer, reason):
    with pytest.raises(Problem) as e:
        Receipt.from_wire(answer)
    assert e.value.code == "sync.bad_answer" and e.value.details["reason"] == reason


def test_a_pull_page_with_a_foreign_cursor_is_a_bad_answer():
    with pytest.raises(Problem) as e:
        PullPage.from_wire({"cursor": "r1\n", "has_more": False, "items": []})
    assert e.value.code == "sync.bad_answer"


def test_every_code_a_device_must_understand_has_a_text_to_translate():
    codes = {*protocol.RECEIPT_CODES, *protocol.BATCH_PROBLEMS, *protocol.VERSION_PROBLEMS, "sync.bad_answer"}
    assert sorted(c for c in codes if c not in messages.TEXTS) == []


def test_the_codes_of_each_status_come_with_that_status():
    assert {protocol.RECEIPT_CODES[c] for c in protocol.CONFLICTS} == {Status.CONFLICT}
    assert {protocol.RECEIPT_CODES[c] for c in protocol.ITEM_PROBLEMS} == {Status.REJECTED}


# --- the sync guarantee: delete only on a final receipt ------------------------------------------------

@pytest.mark.parametrize("status", list(Status))
def test_only_a_photos_missing_receipt_is_not_final(status):
    receipt = Receipt("u", status, missing=("a" * 64,))
    assert receipt.final is (status is not Status.PHOTOS_MISSING)
    assert receipt.uploads == (() if receipt.final else ("a" * 64,))


@pytest.fixture
def centre(tmp_path):
    path = tmp_path / "center.gpkg"
    cf.build(path)
    conn = db.open_centre(path)
    yield conn, blobs.store_for(path)
    conn.close()


class Outbox:
    """What a device keeps: every item until the centre answers it with a final receipt."""

    def __init__(self, *items: PushItem):
        # a device checks each item with the centre's own validation before it queues it
        self.items = {item.uuid: PushItem.from_wire(item.to_wire()) for item in items}

    def push(self, conn, store, batch_id: str) -> PushReply:
        batch = PushBatch(batch_id, "dev-1", tuple(self.items.values()))
        answer = sync_push.push(conn, cf.actor(conn, "collector01"), "dev-1", batch.to_wire(), store=store)
        reply = PushReply.from_wire(answer)
        for r in reply.receipts:
            if r.final:
                del self.items[r.uuid]
        return reply


def _check(task_id, outcome=Outcome.PASS, photos=()):
    return PushItem(str(uuidlib.uuid4()), CheckResult(task_id, outcome, SEEN, location=Location(120.6, 31.3)),
                    photos=photos)


def _kept(conn, uuid):
    return conn.execute("SELECT status FROM sync_items WHERE username = 'collector01' AND uuid = ?",
                        (uuid,)).fetchone()


def test_a_device_deletes_an_item_only_once_the_centre_holds_it(centre):
    """Final receipts are exactly the items the centre keeps for good, whatever their status."""
    conn, store = centre
    task = cf.open_task(conn, cf.case_at(conn, "checking"), "check")
    photo = b"\xff\xd8 the drain, cleared \xff\xd9"
    sha = hashlib.sha256(photo).hexdigest()
    unknown = replace(_check(task["id"]), payload=CheckResult("t" * 128, Outcome.PASS, SEEN))  # no such task
    waiting, late = _check(task["id"], photos=(sha,)), _check(task["id"])
    outbox = Outbox(waiting, unknown, late)
    reply = outbox.push(conn, store, "shift-1")
    assert [r.status for r in reply.receipts] == [Status.PHOTOS_MISSING, Status.REJECTED, Status.ACCEPTED]
    for item, r in zip((waiting, unknown, late), reply.receipts, strict=True):
        assert r.final is (_kept(conn, item.uuid) is not None)
    assert list(outbox.items) == [waiting.uuid] and reply.receipts[0].uploads == (sha,)
    store.put_bytes(photo)  # what the tus upload does, the sender recorded with it
    with db.transaction(conn):
        conn.execute("INSERT INTO photo_senders (sha256, username) VALUES (?, 'collector01')", (sha,))
    (r,) = outbox.push(conn, store, "shift-1").receipts
    assert (r.status, r.final) == (Status.CONFLICT, True)  # `late` checked the case first
    assert r.code in protocol.CONFLICTS
    assert outbox.items == {} and _kept(conn, waiting.uuid)["status"] == "conflict"


def test_a_lost_reply_is_answered_again_as_duplicate_with_the_same_case(centre):
    conn, store = centre
    task = cf.open_task(conn, cf.case_at(conn, "checking"), "check")
    item = _check(task["id"])
    first = Outbox(item).push(conn, store, "b-1").receipts[0]  # the device never saw this reply
    again = Outbox(item).push(conn, store, "b-1").receipts[0]
    assert (first.status, again.status) == (Status.ACCEPTED, Status.DUPLICATE)
    assert again.final and again.case_no == first.case_no


def test_a_centres_pull_page_reads_as_a_pull_page(centre):
    conn, _store = centre
    cf.open_task(conn, cf.case_at(conn, "checking"), "check")
    wire = sync_pull.pull(conn, cf.actor(conn, "collector01"), "dev-1", None)
    page = PullPage.from_wire(wire)
    assert page.to_wire() == wire and {"task", "case"} <= {it.type for it in page.items}


# --- what the field app carries -------------------------------------------------------------------------

def test_the_protocol_imports_only_the_standard_library_and_base_modules():
    code = ("import sys; before = set(sys.modules); import citygrid.sync.protocol; "
            "print(' '.join(sorted(set(sys.modules) - before)))")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "shared")}
    loaded = subprocess.run([sys.executable, "-S", "-c", code], env=env, capture_output=True, text=True,
                            check=True).stdout.split()
    ours = {m for m in loaded if m.split(".")[0] == "citygrid"}
    assert ours <= {"citygrid", "citygrid.problems", "citygrid.times", "citygrid.codes", "citygrid.crs",
                    "citygrid.sync", "citygrid.sync.protocol", "citygrid.sync.items"}
    # _sysconfigdata_* is the standard library's too, named after the platform
    tops = {m.split(".")[0] for m in loaded if not m.startswith("_sysconfigdata_")}
    assert tops - set(sys.stdlib_module_names) == {"citygrid"}


def test_times_on_the_wire_keep_their_instant():
    item = PushItem.from_wire(_check_wire(observed_at="2026-11-22T22:00:00Z"))
    assert item.payload.observed_at == SEEN and item.payload.observed_at.tzinfo is not None
    assert item.payload.observed_at.astimezone(UTC).hour == 22
