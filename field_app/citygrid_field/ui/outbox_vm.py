# SPDX-License-Identifier: GPL-2.0-or-later
"""The outbox: every item made on this device with its photos and bytes, and what became of it.

Each row says, in the user's language, whether it waits, was received (with its case number), is kept
for the supervisor (a conflict or a refusal: shown, never hidden), or is held on the device because a
photo changed or vanished. Retry starts a sync; nothing here deletes an item.
"""

from __future__ import annotations

from kivy.event import EventDispatcher
from kivy.properties import ListProperty, StringProperty

from ..outbox import Entry, Outbox
from ..store import Store
from .language import Language
from .sync_vm import SyncVM

TYPES = {"check": "check (核查)", "verify": "verification (核实)", "report": "new report (上报)"}

COUNTS = "{waiting} waiting · {done} received · {held} for the supervisor · {blocked} need you"


def size_text(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n / 1024 / 1024:.1f} MB"


def state_of(e: Entry) -> str:
    if e.blocked:
        return "blocked"
    if e.status in ("conflict", "rejected"):
        return "held"
    return "done" if e.final else "waiting"


class OutboxVM(EventDispatcher):
    rows = ListProperty()
    counts = StringProperty("")

    def __init__(self, store: Store, language: Language, sync: SyncVM, **kw):
        super().__init__(**kw)
        self.store, self.language, self.sync = store, language, sync
        language.bind(lang=lambda *_: self.refresh())
        sync.bind(on_finished=lambda *_: self.refresh())

    def refresh(self) -> None:
        entries = Outbox(self.store).entries()
        self.rows = [self._row(e) for e in reversed(entries)]  # newest first
        states = [state_of(e) for e in entries]
        self.counts = self.language.tr(COUNTS, waiting=states.count("waiting"), done=states.count("done"),
                                       held=states.count("held"), blocked=states.count("blocked"))

    def retry(self, uuid: str | None = None) -> bool:
        """Send again: a held item's photos are checked again first (`Outbox.unblock`: the hold goes
        when they are whole), then a sync run (items are pushed oldest first, each exactly once)."""
        if uuid and any(e.uuid == uuid and e.blocked for e in Outbox(self.store).entries()):
            Outbox(self.store).unblock(uuid)
            self.refresh()
        return self.sync.start()

    def drop_photo(self, uuid: str, sha256: str) -> None:
        """The user lets a held item's photo go (explicitly); the item is sent without it."""
        Outbox(self.store).drop_photo(uuid, sha256)
        self.refresh()

    def drop(self, uuid: str) -> None:
        """The user gives up an item the centre has not received (explicitly)."""
        Outbox(self.store).drop(uuid)
        self.refresh()

    def _row(self, e: Entry) -> dict:
        tr = self.language.tr
        total = sum(p.bytes for p in e.photos)
        sent = sum(p.bytes for p in e.photos if p.uploaded)
        photos = tr("{n} photos, {size}", n=len(e.photos), size=size_text(total))
        if e.photos and not e.final and sent:
            photos += " · " + tr("{sent} sent", sent=size_text(sent))
        return {"uuid": e.uuid, "state": state_of(e), "can_retry": not e.final,
                "title": f"{tr(TYPES.get(e.type, e.type))}  {e.case_no or ''}".strip(),
                "photos_text": photos, "status_text": e.text(self.language.lang),
                "photo_paths": [p.path for p in e.photos]}
