# SPDX-License-Identifier: GPL-2.0-or-later
"""Settings' "download offline map": what map the device has, and a download on its own thread.

`basemap_download.Download` runs on a daemon thread with its own Api (the network and files only);
Kivy's clock copies its progress into `fraction` ten times a second, so the screen never waits. A cut or
refused download leaves the old map in place and says why; pressing again resumes it.
"""

from __future__ import annotations

import threading

from kivy.clock import Clock
from kivy.event import EventDispatcher
from kivy.properties import BooleanProperty, NumericProperty, StringProperty

from citygrid import times
from citygrid.problems import Problem

from ..basemap_download import Download, on_device
from ..session import signed_in_api
from ..store import Store
from .language import Language
from .outbox_vm import size_text


class MapVM(EventDispatcher):
    map_text = StringProperty("")
    running = BooleanProperty(False)
    fraction = NumericProperty(0.0)
    status = StringProperty("")
    failed = BooleanProperty(False)
    __events__ = ("on_installed",)

    def __init__(self, store: Store, language: Language, **kw):
        super().__init__(**kw)
        self.store, self.language = store, language
        self._progress, self._result, self._event, self._outcome = (0, 0), None, None, None
        language.bind(lang=lambda *_: self._show())
        self._show()

    def start(self) -> bool:
        """Start the download unless one runs; False with the reason in `status` when not signed in."""
        if self.running:
            return False
        try:
            api = signed_in_api(self.store, self.language.lang)
        except Problem as e:
            self._outcome = e
            self._show()
            return False
        self.running, self.fraction, self._outcome, self._result, self._progress = True, 0.0, None, None, (0, 0)
        self._show()
        job = Download(api, self.store.dir, self._seen)
        threading.Thread(target=self._work, args=(job,), name="basemap-download", daemon=True).start()
        self._event = Clock.schedule_interval(self._update, 0.1)
        return True

    def _work(self, job: Download) -> None:  # on the download thread
        try:
            self._result = job.run()
        except Problem as e:
            self._result = e
        except Exception as e:  # noqa: BLE001 - the screen must say something, never hang
            self._result = Problem("field_outbox.download_failed", reason=type(e).__name__)
        finally:
            job.api.close()

    def _seen(self, done: int, total: int) -> None:  # on the download thread
        self._progress = (done, total)

    def _update(self, _dt) -> None:
        done, total = self._progress
        if total:
            self.fraction = min(1.0, done / total)
            self._show()
        if self._result is not None:
            self._event.cancel()
            self.running, self._outcome = False, self._result
            self._show()
            if self._outcome == "installed":
                self.dispatch("on_installed")

    def on_installed(self) -> None:
        pass

    def _show(self) -> None:
        tr, info = self.language.tr, on_device(self.store.dir)
        self.map_text = (tr("offline map on this device: {size}, {date}", size=size_text(info.size),
                             date=info.modified.astimezone(times.zone()).strftime("%Y-%m-%d %H:%M"))
                          if info else tr("no offline map on this device"))
        self.status = self._status_text()
        self.failed = isinstance(self._outcome, Problem)

    def _status_text(self) -> str:
        tr = self.language.tr
        if self.running:
            done, total = self._progress
            return tr("downloading the map: {done} of {total}", done=size_text(done), total=size_text(total))
        if isinstance(self._outcome, Problem):
            return self.language.problem(self._outcome)
        return {"installed": tr("the new map is in use"), "current": tr("the map is up to date"),
                None: ""}[self._outcome]
