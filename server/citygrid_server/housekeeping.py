# SPDX-License-Identifier: GPL-2.0-or-later
"""The service's housekeeping: abandoned tus uploads, old login records and auth tokens.

One sweep at service start and then every `ServiceConfig.sweep_every`, in a background thread of each
worker process, never on a request's path. Running in several workers at once is harmless: an upload is
removed only under its lock (one being written is skipped), and deleting old rows twice deletes nothing
the second time. A sweep that fails (a locked database, a full disk) is logged and tried again next time.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from citygrid.sync import sessions

from .centre import Centre

log = logging.getLogger("citygrid.housekeeping")
UPLOAD_FILE = re.compile(r"([0-9a-f]{32})\.(json|part|lock|tmp)")


@dataclass(frozen=True)
class Swept:
    uploads: int
    login_attempts: int
    auth_tokens: int


def sweep(centre: Centre, now: float | None = None) -> Swept:
    """One pass; `now` (epoch seconds) for tests."""
    now = time.time() if now is None else now
    uploads = sweep_uploads(centre, now)
    with centre.checkout() as conn:
        attempts, tokens = sessions.prune(conn, policy=centre.config.session_policy(),
                                          now=datetime.fromtimestamp(now, UTC))
    return Swept(uploads, attempts, tokens)


def sweep_uploads(centre: Centre, now: float) -> int:
    """Remove every upload (and leftover file of one) not touched for the upload expiry."""
    store = centre.uploads
    if not store.root.is_dir():
        return 0
    ids = {m.group(1) for p in store.root.iterdir() if (m := UPLOAD_FILE.fullmatch(p.name))}
    return sum(store.remove_idle(upload_id, now) for upload_id in sorted(ids))


class Housekeeper:
    """A daemon thread sweeping now and then every `every` seconds until `stop()`."""

    def __init__(self, centre: Centre, every: float):
        self.centre, self.every = centre, every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="housekeeping", daemon=True)
        self.passes = 0

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sweep_logged()
            self._stop.wait(self.every)

    def sweep_logged(self) -> None:
        try:
            swept = sweep(self.centre)
        except Exception:  # noqa: BLE001 - the service keeps serving; the next pass tries again
            log.exception("housekeeping sweep failed")
        else:
            if swept.uploads or swept.login_attempts or swept.auth_tokens:
                log.info("housekeeping removed %d expired upload(s), %d login record(s), %d auth token(s)",
                         swept.uploads, swept.login_attempts, swept.auth_tokens)
        self.passes += 1
