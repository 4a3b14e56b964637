# SPDX-License-Identifier: GPL-2.0-or-later
"""The screens: thin shells holding their view model; layout in the .kv file beside each.

Only the first screens (sign-in, the task list) are built at start: the others, with their .kv files
and their imports (the map, the file chooser), are built the first time they are shown (`build`), so
a cold start pays for none of them."""

from __future__ import annotations

from pathlib import Path

from kivy.app import App
from kivy.lang import Builder
from kivy.properties import BooleanProperty, ObjectProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.screenmanager import Screen

FIRST_KV = ("common.kv", "sign_in.kv", "tasks.kv")  # what the first screen shown needs
KV_OF = {"outbox": ("outbox.kv",), "settings": ("settings.kv",), "task_detail": ("forms.kv", "photo_picker.kv"),
         "result_form": ("forms.kv", "photo_picker.kv"), "report": ("report.kv", "photo_picker.kv")}
KV_FILES = FIRST_KV + tuple(dict.fromkeys(f for files in KV_OF.values() for f in files))


def load_kv(names: tuple[str, ...] = FIRST_KV) -> None:
    """Load the layouts explicitly (the app is not named after them), each once."""
    here = Path(__file__).parent
    for name in names:
        path = str(here / name)
        if path not in Builder.files:
            Builder.load_file(path)


def screen_class(name: str) -> type[Screen]:
    """The class of a screen shown later, its .kv files loaded first (its module imported on first use)."""
    load_kv(KV_OF.get(name, ()))
    if name == "report":
        from .report_screen import ReportScreen
        return ReportScreen
    from .task_detail_screen import TaskDetailScreen  # PhotoTile and PhotoStrip, which forms.kv lays out

    if name == "task_detail":
        return TaskDetailScreen
    return {"outbox": OutboxScreen, "settings": SettingsScreen, "result_form": ResultFormScreen}[name]


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
        from .task_detail_screen import show_tiles

        vm.bind(photos=lambda _vm, photos: show_tiles(self.ids.photos, photos))

    def on_pre_enter(self, *_):
        from .task_detail_screen import show_tiles

        show_tiles(self.ids.photos, self.vm.photos)
