# SPDX-License-Identifier: GPL-2.0-or-later
"""The composition root: builds the services (store, platform backend, sync job runner), the view
models over them and the screens, loads the .kv files explicitly, and moves between screens."""

from __future__ import annotations

from kivy.app import App
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.screenmanager import NoTransition, ScreenManager

from citygrid.problems import Problem

from .outbox import Outbox
from .platform import Platform, backend
from .store import Store
from .sync_client import Settings
from .ui import screens
from .ui.basemap_watch import BasemapWatch
from .ui.fonts import register_cjk_font
from .ui.language import Language, tr
from .ui.outbox_vm import OutboxVM
from .ui.photo_picker import choose_photo, webcam_found, webcam_shot
from .ui.report_vm import ReportVM
from .ui.result_form_vm import ResultFormVM, sweep_captures
from .ui.settings_vm import SettingsVM
from .ui.sign_in_vm import SignInVM
from .ui.sync_vm import SyncVM
from .ui.task_detail_vm import TaskDetailVM
from .ui.tasks_vm import TasksVM

FONT_MISSING = "Chinese font not found: Chinese text may show as boxes. Install fonts-wqy-microhei."


class FieldApp(App):
    title = "citygrid 城管通"
    lang = StringProperty("zh_CN")
    username = StringProperty("")
    syncing = BooleanProperty(False)
    font_warning = StringProperty("")

    def __init__(self, store: Store, server: str | None = None, lang: str | None = None,
                 platform: Platform | None = None, sync_settings: Settings | None = None, **kw):
        super().__init__(**kw)
        self.store, self.server_arg, self.lang_arg = store, server, lang
        self.platform, self.sync_settings = platform, sync_settings

    def tr(self, text: str, lang: str | None = None) -> str:
        return tr(text, lang or self.lang)

    def build(self):
        font = register_cjk_font()
        self._services()
        self._view_models()
        self.font_warning = "" if font else self.tr(FONT_MISSING)
        screens.load_kv()
        self.manager = ScreenManager(transition=NoTransition())
        self.show("tasks" if self.sign_in_vm.signed_in else "sign_in")
        return self.manager

    def _screen_args(self, name: str) -> dict:
        return {"sign_in": {"vm": self.sign_in_vm}, "tasks": {"vm": self.tasks_vm, "sync": self.sync_vm},
                "outbox": {"vm": self.outbox_vm, "sync": self.sync_vm},
                "settings": {"vm": self.settings_vm, "sign_in": self.sign_in_vm},
                "task_detail": {"vm": self.detail_vm, "basemaps": self.basemaps}, "result_form": {"vm": self.form_vm},
                "report": {"vm": self.report_vm, "tasks_points": self._task_points, "basemaps": self.basemaps}}[name]

    def screen(self, name: str):
        """The screen called `name`, built (with its .kv and imports) the first time it is asked for."""
        if not self.manager.has_screen(name):
            cls = {"sign_in": screens.SignInScreen, "tasks": screens.TasksScreen}.get(name) or screens.screen_class(name)
            self.manager.add_widget(cls(name=name, **self._screen_args(name)))
        return self.manager.get_screen(name)

    def _services(self) -> None:
        self.language = Language()
        self.platform = self.platform or backend(data=self.store.dir, chooser=choose_photo(self.language),
                                                 webcam=webcam_shot(self.language), webcam_found=webcam_found)
        self._sweep()
        self.language.bind(lang=self.setter("lang"))

    def _view_models(self) -> None:
        store, language = self.store, self.language
        self.settings_vm = SettingsVM(store, language)  # restores the saved language
        self.basemaps = BasemapWatch(store.dir)  # the maps switch when settings installs a new one
        self.settings_vm.map.bind(on_installed=lambda *_: self.basemaps.changed())
        if self.lang_arg:
            self.settings_vm.set_language(self.lang_arg)
        if self.server_arg:
            self.settings_vm.set_server(self.server_arg)
        self.lang = language.lang
        self.sign_in_vm = SignInVM(store, language)
        self.sync_vm = SyncVM(store, language, self.sync_settings)
        self.tasks_vm, self.outbox_vm = TasksVM(store, language), OutboxVM(store, language, self.sync_vm)
        self.report_vm = ReportVM(store, language, self.platform)
        self.sign_in_vm.bind(signed_in=self._signed_in)
        self.sync_vm.bind(running=self.setter("syncing"), needs_sign_in=self._needs_sign_in,
                          on_finished=lambda *_: self.tasks_vm.refresh())
        self.detail_vm = TaskDetailVM(store, language)
        self.form_vm = ResultFormVM(store, language, self.platform)
        self.username = store.get("username") or ""

    def show(self, name: str) -> None:
        refresh = {"tasks": self.tasks_vm.refresh, "outbox": self.outbox_vm.refresh}.get(name)
        if refresh is not None:
            refresh()
        self.screen(name)
        self.manager.current = name

    def _signed_in(self, _vm, signed_in: bool) -> None:
        self.username = self.store.get("username") or ""
        if signed_in:
            self.show("tasks")
            self.sync_vm.start()

    def _needs_sign_in(self, _vm, needed: bool) -> None:
        if needed:
            self.sign_in_vm.signed_in = False
            self.show("sign_in")

    def sign_out(self) -> None:
        self.sign_in_vm.sign_out()
        self.show("sign_in")

    def on_start(self) -> None:
        try:
            self.platform.location.start(self._fix)
        except Problem:
            pass  # no position source: the list sorts by due time; the form says so when it needs one

    def _fix(self, fix) -> None:
        self.tasks_vm.fix = self.form_vm.fix = self.detail_vm.fix = fix
        self.report_vm.on_fix(fix)

    # --- task detail and the check / verify form (part forms) ----------------------------------------

    def _sweep(self) -> None:
        """Before any form opens: photos a killed capture left with no item, and raw captures."""
        try:
            Outbox(self.store).sweep_unkept(self.platform.storage.photos)
            sweep_captures(self.platform.storage.root)
        except OSError:
            pass  # a read-only data dir: the sign-in / settings screens say so; nothing is lost

    def open_task(self, task_id: str) -> None:
        self.detail_vm.open(task_id)
        self.show("task_detail")
        self.detail_vm.fetch()

    def open_form(self, task_id: str) -> None:
        self.form_vm.open(task_id)
        self.show("result_form")

    def save_form(self) -> None:
        if self.form_vm.save():
            self.show("outbox")

    def back(self) -> None:
        self.show("task_detail" if self.manager.current == "result_form" else "tasks")


    def _task_points(self) -> list[tuple[float, float]]:
        """(lat, lon) of the cases of the tasks on the device, for the map's markers."""
        cases = (self.store.record("case", t.get("case_no") or "") or {} for t in self.store.tasks())
        return [(c["lat"], c["lon"]) for c in cases if c.get("lat") is not None and c.get("lon") is not None]

    def on_stop(self) -> None:
        try:
            self.platform.location.stop()
        except Problem:
            pass
