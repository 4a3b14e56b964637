# SPDX-License-Identifier: GPL-2.0-or-later
"""`outbox.Entry` carries when the item was made and its payload: the outbox screen reads them there,
from the one reader of the outbox table, never from the table itself."""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from citygrid import times
from citygrid.sync.protocol import CheckResult, Outcome, PullItem, PullPage
from citygrid_field.outbox import Outbox
from citygrid_field.store import Store

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
NOON = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
FIELD_APP = Path(__file__).resolve().parents[2] / "field_app" / "citygrid_field"


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "device")
    s.put(username="collector01")
    yield s
    s.close()


def test_an_entry_says_when_it_was_made_and_what_it_sends(store):
    uuid = Outbox(store).add(CheckResult("t1", Outcome.PASS, NOW))
    (entry,) = Outbox(store).entries()
    made = store.cx.execute("SELECT created_at FROM outbox WHERE uuid = ?", (uuid,)).fetchone()[0]
    assert entry.created_at == made and entry.created_at
    assert entry.payload["task_id"] == "t1" and entry.payload["outcome"] == "pass"


@pytest.mark.parametrize("item", ['{"payload": "not a dict"}', "not json at all", "[1, 2]", '{"no": "payload"}'])
def test_an_unreadable_stored_item_gives_an_empty_payload_not_a_crash(store, item):
    uuid = Outbox(store).add(CheckResult("t1", Outcome.PASS, NOW))
    store.cx.execute("UPDATE outbox SET item = ? WHERE uuid = ?", (item, uuid))
    (entry,) = Outbox(store).entries()
    assert entry.payload == {} and entry.uuid == uuid


def test_the_outbox_screen_shows_the_made_time_and_class_from_the_entry(store):
    from citygrid_field.ui.language import Language
    from citygrid_field.ui.outbox_vm import OutboxVM
    from citygrid_field.ui.sync_vm import SyncVM

    store.apply_page(PullPage("r1", False, (
        PullItem("task", "t1", False, {"id": "t1", "kind": "check", "case_no": "C1", "status": "open"}),
        PullItem("case", "C1", False, {"case_no": "C1", "kind": "event", "class_code": "0102"}),
        PullItem("class", "event:0102", False, {"major_name": "市容环境", "minor_name": "暴露垃圾"}))))
    uuid = Outbox(store).add(CheckResult("t1", Outcome.PASS, NOW))
    store.cx.execute("UPDATE outbox SET created_at = ? WHERE uuid = ?", (times.to_db(NOON), uuid))
    language = Language()
    language.lang = "en"
    vm = OutboxVM(store, language, SyncVM(store, language))
    vm.refresh()
    (row,) = vm.rows
    assert row["made_text"].startswith("made 11-24 ") and row["subject"] == "市容环境 / 暴露垃圾"
    assert row["title"].endswith("C1")


def test_the_outbox_view_model_never_reads_the_outbox_table_itself():
    source = (FIELD_APP / "ui" / "outbox_vm.py").read_text()
    assert "FROM outbox" not in source and "store.cx" not in source
