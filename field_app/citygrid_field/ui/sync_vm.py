# SPDX-License-Identifier: GPL-2.0-or-later
"""The sync button's model: runs the core's SyncJob on a thread, mirrors its progress on Kivy's clock.

The job gets its own connection to the store (WAL: the screens keep reading while it writes). The clock
copies the latest progress into `fraction` and `phase` ten times a second, so the UI never waits on
the network; when the job ends, `outcome` says what happened in the user's language and
`on_finished` fires (the task list and the outbox refresh on it).
"""

from __future__ import annotations

import dataclasses
from collections import Counter

from kivy.clock import Clock
from kivy.event import EventDispatcher
from kivy.properties import BooleanProperty, NumericProperty, StringProperty

from citygrid.problems import Problem

from ..session import signed_in_api
from ..store import Store
from ..sync_client import Progress, Settings, SyncJob, SyncResult, run_in_thread
from .language import Language

PHASES = {"idle": 0.0, "check": 0.02, "pull": 0.05, "upload": 0.1, "push": 0.85, "done": 1.0, "failed": 1.0}


def fraction(p: Progress) -> float:
    """0..1 for the progress bar: pulling is quick, photo bytes take most of it, then the push."""
    if p.phase == "upload" and p.bytes_total:
        return PHASES["upload"] + 0.75 * min(1.0, p.bytes_sent / p.bytes_total)
    if p.phase == "push" and p.items_total:
        return PHASES["push"] + 0.15 * min(1.0, p.items_done / p.items_total)
    return PHASES.get(p.phase, 0.0)


class SyncVM(EventDispatcher):
    running = BooleanProperty(False)
    fraction = NumericProperty(0.0)
    phase = StringProperty("idle")
    outcome = StringProperty("")
    needs_sign_in = BooleanProperty(False)
    __events__ = ("on_finished",)

    def __init__(self, store: Store, language: Language, settings: Settings | None = None, **kw):
        super().__init__(**kw)
        self.store, self.language, self.settings = store, language, settings or Settings()
        self._latest: Progress | None = None
        self._result: SyncResult | None = None
        self._event = self._job = self._last = None
        language.bind(lang=lambda *_: self._show())

    def start(self) -> bool:
        """Start a sync unless one runs; False with the reason in `outcome` when not signed in."""
        if self.running:
            return False
        try:
            api = signed_in_api(self.store, self.language.lang)
        except Problem as e:
            self._finish(SyncResult(problem=e))
            return False
        self.running, self.fraction, self.phase, self.outcome = True, 0.0, "check", ""
        self._latest, self._result = None, None
        self._job = SyncJob(Store(self.store.dir), api, self.settings)
        run_in_thread(self._job, on_progress=self._seen, on_done=self._ended)
        self._event = Clock.schedule_interval(self._update, 0.1)
        return True

    def _seen(self, progress: Progress) -> None:  # on the sync thread
        self._latest = dataclasses.replace(progress)

    def _ended(self, result: SyncResult) -> None:  # on the sync thread
        self._result = result

    def _update(self, _dt) -> None:
        if self._latest is not None:
            self.phase, self.fraction = self._latest.phase, fraction(self._latest)
        if self._result is not None:
            self._event.cancel()
            self._job.api.close()
            self._job.store.close()
            self._finish(self._result)

    def _finish(self, result: SyncResult) -> None:
        self._last = result
        self.running = False
        self.needs_sign_in = result.problem is not None and result.problem.code in (
            "field.sign_in_again", "field.not_signed_in")
        self.phase = "failed" if result.problem else "done"
        self.fraction = 1.0 if result.problem is None else self.fraction
        self._show()
        self.dispatch("on_finished", result)

    def on_finished(self, result: SyncResult) -> None:
        pass

    def _show(self) -> None:
        if self._last is not None:
            self.outcome = outcome_text(self._last, self.language)


def outcome_text(result: SyncResult, language: Language) -> str:
    if result.problem is not None:
        return language.problem(result.problem)
    counts = Counter(str(getattr(s, "value", s)) for s in result.receipts.values())
    text = language.tr("synced: {pulled} updates received, {sent} items sent", pulled=result.pulled,
                       sent=len(result.receipts))
    held = counts["conflict"] + counts["rejected"]
    if held:
        text += language.tr("; {held} kept for the supervisor (see the outbox)", held=held)
    return text
