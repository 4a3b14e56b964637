# SPDX-License-Identifier: GPL-2.0-or-later
"""The outbox's row, the 已办 list's row and the confirmation popup (layout in outbox.kv).

`ConfirmDrop` asks before anything is lost: its text comes from `OutboxVM.confirm_text`, so the
screen and the tests read the same sentence; only "Yes" calls the view model.
"""

from __future__ import annotations

from kivy.properties import BooleanProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.popup import Popup

from citygrid.problems import Problem


class OutboxItemRow(BoxLayout):
    uuid = StringProperty("")
    type = StringProperty("")
    title = StringProperty("")
    subject = StringProperty("")
    made_text = StringProperty("")
    photos_text = StringProperty("")
    status_text = StringProperty("")
    hint = StringProperty("")
    state = StringProperty("")
    can_retry = BooleanProperty(False)
    can_drop = BooleanProperty(False)
    can_drop_photo = BooleanProperty(False)
    drop_sha = StringProperty("")
    drop_path = StringProperty("")
    photo_paths = ObjectProperty([])


class OutcomeRow(BoxLayout):
    """One line of the 已办 list: what became of a sent item, and when."""
    uuid = StringProperty("")
    text = StringProperty("")
    when_text = StringProperty("")
    final = BooleanProperty(False)


class ConfirmDrop(Popup):
    vm = ObjectProperty()
    uuid = StringProperty("")
    action = StringProperty("drop")  # or "drop_photo"
    sha256 = StringProperty("")
    question = StringProperty("")

    def confirm(self) -> None:
        try:
            if self.action == "drop_photo":
                self.vm.drop_photo(self.uuid, self.sha256)
            else:
                self.vm.drop(self.uuid)
        except Problem as e:  # the item was received or changed meanwhile: say so, lose nothing
            self.question = self.vm.language.problem(e)
            return
        self.dismiss()


def ask(vm, uuid: str, action: str, sha256: str = "") -> ConfirmDrop:
    """Open the confirmation for `action` on item `uuid`; -> the popup (tests press its buttons)."""
    popup = ConfirmDrop(vm=vm, uuid=uuid, action=action, sha256=sha256, question=vm.confirm_text(uuid, action))
    popup.open()
    return popup
