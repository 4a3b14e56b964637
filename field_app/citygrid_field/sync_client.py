# SPDX-License-Identifier: GPL-2.0-or-later
"""Sync as a job (STYLE.md §5): `start()`, `poll()` until `done`, `finish()`.

Each poll does at most one request — a pull page, one tus request, one push — and commits what it
learnt before the next, so a job abandoned (or an app killed) at any poll loses nothing: the next job
over the same data directory picks up from the store. Network errors, 5xx and 503 with Retry-After
wait with exponential backoff (a poll while waiting does nothing); a 401 stops with
`field.sign_in_again` and clears the token, never the outbox.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from citygrid.problems import Problem
from citygrid.sync.protocol import PushBatch, Status

from .outbox import Outbox, Photo
from .session import Api, Retryable
from .store import Store
from .tus import CHUNK_BYTES, TusUpload


@dataclass
class Progress:
    phase: str = "idle"  # idle, check, pull, upload, push, done, failed
    items_total: int = 0
    items_done: int = 0  # items with a final receipt in this run
    bytes_total: int = 0
    bytes_sent: int = 0
    waiting_s: float = 0.0  # until the next try, after a failure


@dataclass
class SyncResult:
    receipts: dict[str, Status] = field(default_factory=dict)  # uuid -> status, this run
    pulled: int = 0
    problem: Problem | None = None  # why the run stopped early (nothing is lost either way)
    resumed_from: list[int] = field(default_factory=list)  # offsets photo uploads resumed from


@dataclass
class Settings:
    pull_limit: int = 500
    push_size: int = 100
    chunk_bytes: int = CHUNK_BYTES
    backoff_s: float = 1.0
    backoff_max_s: float = 60.0
    max_failures: int = 6  # in a row, then the job stops with the last problem
    rounds: int = 3  # push, upload what the receipts say is missing, push again


class SyncJob:
    def __init__(self, store: Store, api: Api, settings: Settings | None = None,
                 clock: Callable[[], float] = time.monotonic):
        self.store, self.api, self.outbox = store, api, Outbox(store)
        self.settings, self.clock = settings or Settings(), clock
        self.username = store.get("username")
        self.progress, self.result = Progress(), SyncResult()
        self.upload: TusUpload | None = None
        self.failures, self.retry_at, self.round = 0, 0.0, 1
        self.pushed: set[str] = set()  # pushed in this round
        self.queue: list[Photo] | None = None  # photos to upload in this round, read once per round
        self.missing_again = False  # a receipt in this round said photos_missing

    @property
    def done(self) -> bool:
        return self.progress.phase in ("done", "failed")

    def start(self) -> SyncJob:
        if not self.username or not self.api.token:
            return self._fail(Problem("field.not_signed_in"))
        waiting = self.outbox.waiting(self.username)
        photos = [p for p in self.outbox.photos(self.username) if not p.uploaded]
        self.progress = Progress("check", len(waiting), 0, sum(p.bytes for p in photos), 0)
        return self

    def poll(self) -> Progress:
        """Do the next request (or nothing while waiting to retry); -> the progress so far."""
        if self.done:
            return self.progress
        wait = self.retry_at - self.clock()
        if wait > 0:
            self.progress.waiting_s = wait
            return self.progress
        try:
            getattr(self, f"_{self.progress.phase}")()
            self.failures, self.progress.waiting_s = 0, 0.0
        except Retryable as e:
            self._retry(e)
        except Problem as e:
            self._stop(e)
        return self.progress

    def finish(self) -> SyncResult:
        return self.result

    def run(self, sleep: Callable[[float], None] = time.sleep) -> SyncResult:
        """Poll until done, sleeping while waiting to retry (for a thread, the CLI and tests)."""
        if self.progress.phase == "idle":
            self.start()
        while not self.done:
            p = self.poll()
            if p.waiting_s > 0:
                sleep(p.waiting_s)
        return self.finish()

    # --- failures -----------------------------------------------------------------------------------

    def _retry(self, e: Retryable) -> None:
        self.failures += 1
        if self.failures > self.settings.max_failures:
            self._fail(e.problem)
            return
        backoff = self.settings.backoff_s * 2 ** (self.failures - 1)
        delay = min(self.settings.backoff_max_s, e.retry_after if e.retry_after is not None else backoff)
        self.retry_at, self.progress.waiting_s = self.clock() + delay, delay
        if self.upload is not None:
            self.upload.stale()

    def _stop(self, e: Problem) -> None:
        if e.code == "field.sign_in_again":
            self.store.put(token=None)  # the outbox stays as it is
        if self.progress.phase == "upload" and self.upload is not None and _blocks_photo(e.code):
            self.outbox.block(self.upload.photo.sha256, e.code, path=self.upload.photo.path)
            self.upload = None  # this photo's items wait for the user; the others go on
            return
        self._fail(e)

    def _fail(self, problem: Problem) -> SyncJob:
        self.result.problem, self.progress.phase = problem, "failed"
        return self

    # --- phases ---------------------------------------------------------------------------------------

    def _check(self) -> None:
        self.api.check_protocol()
        self.progress.phase = "pull"

    def _pull(self) -> None:
        page = self.api.pull(self.store.cursor, self.settings.pull_limit)
        self.result.pulled += self.store.apply_page(page)
        if not page.has_more:
            self.progress.phase = "upload"

    def _upload(self) -> None:
        if self.upload is None:
            self.upload = self._next_upload()
            if self.upload is None:
                self.progress.phase = "push"
                return
        self.progress.bytes_sent += self.upload.step()
        if self.upload.done:
            self.result.resumed_from += self.upload.resumed_from
            self.outbox.set_upload(self.upload.photo.sha256, self.upload.url, uploaded=True)
            self.upload = None

    def _next_upload(self) -> TusUpload | None:
        """The next photo not on the centre; its file is checked as it is read (`TusUpload`)."""
        if self.queue is None:
            self.queue = [p for p in self.outbox.photos(self.username) if not p.uploaded]
        if not self.queue:
            self.queue = None  # the next round reads the outbox again
            return None
        photo = self.queue.pop(0)
        return TusUpload(self.api, photo, lambda url, sha=photo.sha256: self.outbox.set_upload(sha, url),
                         self.settings.chunk_bytes)

    def _push(self) -> None:
        items = [w for w in self.outbox.ready(self.username) if w["uuid"] not in self.pushed]
        items = items[:self.settings.push_size]
        if not items:
            return self._end_round()
        reply = self.api.push(PushBatch.from_wire(
            {"batch_id": self._batch_id(), "device_id": self.store.device_id, "items": items}))
        self.outbox.record(reply.receipts)
        self._count(reply.receipts)

    def _count(self, receipts) -> None:
        for r in receipts:
            self.pushed.add(r.uuid)
            self.result.receipts[r.uuid] = r.status
            self.progress.items_done += r.final
            self.missing_again |= r.status == Status.PHOTOS_MISSING

    def _end_round(self) -> None:
        if self.missing_again and self.round < self.settings.rounds:
            self.round, self.pushed, self.missing_again = self.round + 1, set(), False
            self.progress.phase = "upload"
            return
        if not self.outbox.waiting(self.username):
            self.store.put(batch_id=None)  # the next items start a new batch
        self.progress.phase = "done"

    def _batch_id(self) -> str:
        """One batch until all its items have final receipts; pushing it again is how a device resumes."""
        with self.store.transaction() as cx:
            if not self.store.get("batch_id"):
                self.store.put(cx, batch_id=f"b-{uuid.uuid4()}")
        return self.store.get("batch_id")


def _blocks_photo(code: str) -> bool:
    """A problem with one photo (refused by the centre, changed or gone on disk): its items wait."""
    return code.startswith("upload.") or code in ("field.photo_changed", "field.photo_gone")


def run_in_thread(job: SyncJob, on_progress: Callable[[Progress], None] | None = None,
                  on_done: Callable[[SyncResult], None] | None = None, tick_s: float = 0.05) -> threading.Thread:
    """Drive `job` on a daemon thread; callbacks come on that thread (a Kivy shell hops to the main one)."""
    def work():
        job.start()
        while not job.done:
            progress = job.poll()
            if on_progress:
                on_progress(progress)
            if progress.waiting_s > 0:
                time.sleep(min(progress.waiting_s, tick_s * 20))
        if on_done:
            on_done(job.finish())
    thread = threading.Thread(target=work, name="citygrid-sync", daemon=True)
    thread.start()
    return thread
