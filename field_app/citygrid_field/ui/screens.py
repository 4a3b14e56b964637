# SPDX-License-Identifier: GPL-2.0-or-later
"""The screens: thin shells holding their view model; layout in the .kv file beside each."""

from __future__ import annotations

from pathlib import Path

from kivy.app import App
from kivy.lang import Builder
from kivy.properties import BooleanProperty, ObjectProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.screenmanager import Screen

from .report_screen import ReportScreen  # noqa: F401  (the new report's screen, with its map)
from .task_detail_screen import PhotoTile, TaskDetailScreen, show_tiles  # noqa: F401  (the detail, with its map)

KV_FILES = ("common.kv", "sign_in.kv", "tasks.kv", "outbox.kv", "settings.kv", "forms.kv", "report.kv",
            "photo_picker.kv")


def load_kv() -> None:
    """Load the layouts explicitly (the app is not named after them), each once."""
    here = Path(__file__).parent
    for name in KV_FILES:
        path = str(here / name)
        if path not in Builder.files:
            Builder.load_file(path)


class SignInScreen(Screen):
    vm = ObjectProperty()


class TasksScreen(Screen):
    vm = ObjectProperty()
    sync = ObjectProperty()


class OutboxScreen(Screen):
    vm = ObjectProperty()
    sync = ObjectProperty()


class SettingsScreen(Screen):
    vm = ObjectProperty()
    sign_in = ObjectProperty()


class TaskRow(ButtonBehavior, BoxLayout):
    """A task; a tap opens its detail."""
    title = StringProperty("")
    detail = StringProperty("")
    due_text = StringProperty("")
    flag = StringProperty("")
    task_id = StringProperty("")
    case_no = StringProperty("")
    due_ts = ObjectProperty(None, allownone=True)
    distance_m = ObjectProperty(None, allownone=True)

    def on_release(self):
        App.get_running_app().open_task(self.task_id)


class OutboxRow(BoxLayout):
    uuid = StringProperty("")
    title = StringProperty("")
    photos_text = StringProperty("")
    status_text = StringProperty("")
    state = StringProperty("")
    can_retry = BooleanProperty(False)
    photo_paths = ObjectProperty([])


class ResultFormScreen(Screen):
    vm = ObjectProperty()

    def on_vm(self, _screen, vm) -> None:
        vm.bind(photos=lambda _vm, photos: show_tiles(self.ids.photos, photos))

    def on_pre_enter(self, *_):
        show_tiles(self.ids.photos, self.vm.photos)
