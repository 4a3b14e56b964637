# SPDX-License-Identifier: GPL-2.0-or-later
"""The outbox: every item made on this device with its photos and bytes, and what became of it.

Each row says what the item is for (the case number and its class, read from the pulled task and case),
when it was made, its photos and bytes, and, in the user's language, whether it waits, was received
(with its case number), is kept for the supervisor (a conflict or a refusal, with the centre's reason),
or is held on the device because a photo changed or vanished. Buttons appear only where they help:
retry for a held item or after a failed sync; for a held item, "send without this photo" (when the item
stays valid: a check or a report keeps at least one photo) and "discard", each behind a confirmation
that says what is lost. Items with a final receipt stay listed until the user clears them
(`Outbox.forget_final`); nothing else here deletes an item.

`sent` is the 已办 list: what became of the items this account sent (pulled outcomes, newest first,
`outcomes_text`); an item still in the outbox shows its outcome on its row. `tab` picks the list shown.
"""

from __future__ import annotations

from kivy.event import EventDispatcher
from kivy.properties import ListProperty, NumericProperty, StringProperty

from citygrid import times
from citygrid.problems import Problem

from ..outbox import Entry, Outbox
from ..store import Store
from .language import Language
from .outcomes_text import outcome_text, sent_rows
from .sync_vm import SyncVM

TYPES = {"check": "check (核查)", "verify": "verification (核实)", "report": "new report (上报)"}
NEEDS_PHOTO = {"check", "report"}  # a verification may go without one

DISCARD_TASK = ("Discard {item}? It and its {n} photos are deleted from this device and never reach the centre; "
                "the task must be done again.")
DISCARD_REPORT = ("Discard {item}? It and its {n} photos are deleted from this device and never reach the centre; "
                  "report the problem again if it is still there.")
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
    finals = NumericProperty(0)  # items with a final receipt, which "clear received" forgets
    sent = ListProperty()  # 已办: the outcomes of sent items
    tab = StringProperty("outbox")  # or "sent"

    def __init__(self, store: Store, language: Language, sync: SyncVM, **kw):
        super().__init__(**kw)
        self.store, self.language, self.sync = store, language, sync
        language.bind(lang=lambda *_: self.refresh())
        sync.bind(on_finished=lambda *_: self.refresh())

    def refresh(self) -> None:
        entries = Outbox(self.store).entries()
        self.rows = [self._row(e) for e in reversed(entries)]  # newest first
        states = [state_of(e) for e in entries]
        self.finals = sum(e.final for e in entries)
        self.counts = self.language.tr(COUNTS, waiting=states.count("waiting"), done=states.count("done"),
                                       held=states.count("held"), blocked=states.count("blocked"))
        self.sent = sent_rows(self.store.outcomes(), self.language.lang)

    def show(self, tab: str) -> None:
        """Show the outbox ("outbox") or the 已办 list ("sent")."""
        self.tab = tab if tab in ("outbox", "sent") else "outbox"

    def retry(self, uuid: str | None = None) -> bool:
        """Send again: a held item's photos are checked again first (`Outbox.unblock`: the hold goes
        when they are whole), then a sync run (items are pushed oldest first, each exactly once)."""
        if uuid and any(e.uuid == uuid and e.blocked for e in Outbox(self.store).entries()):
            Outbox(self.store).unblock(uuid)
            self.refresh()
        return self.sync.start()

    def drop_photo(self, uuid: str, sha256: str) -> None:
        """The user lets a held item's photo go (explicitly); the item is sent without it. Refused
        (`field_outbox.last_photo`) when it is the only photo of an item that needs one."""
        entry = self._entry(uuid)
        if entry.type in NEEDS_PHOTO and len(entry.photos) <= 1:
            raise Problem("field_outbox.last_photo")
        Outbox(self.store).drop_photo(uuid, sha256)
        self.refresh()

    def drop(self, uuid: str) -> None:
        """The user gives up an item the centre has not received (explicitly)."""
        Outbox(self.store).drop(uuid)
        self.refresh()

    def forget_received(self) -> int:
        """Clear the items the centre holds for good (a final receipt); -> how many."""
        n = Outbox(self.store).forget_final()
        self.refresh()
        return n

    def confirm_text(self, uuid: str, action: str) -> str:
        """What the confirmation says is lost by `action` ("drop" or "drop_photo") on this item."""
        row = next(r for r in self.rows if r["uuid"] == uuid)
        tr = self.language.tr
        if action == "drop_photo":
            return tr("Send {item} without the photo {path}? The photo will not reach the centre.",
                      item=row["title"], path=row["drop_path"])
        return tr(DISCARD_REPORT if row["type"] == "report" else DISCARD_TASK, item=row["title"],
                  n=len(row["photo_paths"]))

    def _entry(self, uuid: str) -> Entry:
        entry = next((e for e in Outbox(self.store).entries() if e.uuid == uuid), None)
        if entry is None or entry.final:
            raise Problem("field.not_in_outbox", uuid=uuid)
        return entry

    def _row(self, e: Entry) -> dict:
        tr, state = self.language.tr, state_of(e)
        total = sum(p.bytes for p in e.photos)
        sent = sum(p.bytes for p in e.photos if p.uploaded)
        photos = tr("{n} photos, {size}", n=len(e.photos), size=size_text(total))
        if e.photos and not e.final and sent:
            photos += " · " + tr("{sent} sent", sent=size_text(sent))
        case_no, what = self._subject(e, e.payload or {})
        drop = self._droppable(e)
        return {"uuid": e.uuid, "type": e.type, "state": state, "title": f"{tr(TYPES.get(e.type, e.type))}  {case_no}".strip(),
                "subject": what, "made_text": self._made_text(e.created_at),
                "photos_text": photos, "status_text": self._status(e),
                "photo_paths": [p.path for p in e.photos],
                "can_retry": state == "blocked" or (not e.final and self.sync.phase == "failed"),
                "can_drop": not e.final and state == "blocked",
                "can_drop_photo": drop is not None and state == "blocked",
                "drop_sha": drop.sha256 if drop else "", "drop_path": drop.path if drop else "",
                "hint": self._hint(e, state, drop)}

    def _status(self, e: Entry) -> str:
        """The receipt's state, then what became of the item when the centre has said."""
        outcome = self.store.outcome(e.uuid)
        said = e.text(self.language.lang)
        return f"{said} · {outcome_text(outcome, self.language.lang)}" if outcome else said

    def _subject(self, e: Entry, payload: dict) -> tuple[str, str]:
        """(case number, class name) the item is for: the task's case, or the report's class."""
        task = self.store.record("task", str(payload.get("task_id") or "")) or {}
        case_no = e.case_no or task.get("case_no") or ""
        case = self.store.record("case", case_no) or {}
        kind, code = case.get("kind"), case.get("class_code")
        if e.type == "report":
            kind, code = payload.get("kind"), payload.get("class_code")
        cls = self.store.record("class", f"{kind}:{code}") or {}
        names = [n for n in (cls.get("major_name"), cls.get("minor_name")) if n]
        return case_no, " / ".join(names) or str(code or "")

    def _made_text(self, created: str | None) -> str:
        try:
            when = times.from_db(created) if created else None
        except Problem:
            when = None
        return self.language.tr("made {when}", when=when.astimezone(times.zone()).strftime("%m-%d %H:%M")) if when else ""

    def _droppable(self, e: Entry):
        """The held item's photo that changed or vanished, when sending without it keeps the item valid."""
        path = e.blocked_details.get("path") if e.blocked else None
        photo = next((p for p in e.photos if p.path == path), None)
        if photo is None or (e.type in NEEDS_PHOTO and len(e.photos) <= 1):
            return None
        return photo

    def _hint(self, e: Entry, state: str, drop) -> str:
        tr = self.language.tr
        if e.final:
            return tr("stays here until you clear received items")
        if state == "blocked" and drop is None and e.type in NEEDS_PHOTO and len(e.photos) <= 1:
            return self.language.problem(Problem("field_outbox.last_photo"))
        return ""
