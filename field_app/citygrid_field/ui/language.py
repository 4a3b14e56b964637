# SPDX-License-Identifier: GPL-2.0-or-later
"""The language the screens speak, switchable while the app runs.

One `Language` is shared by every view model: each binds to `lang` and renders its texts again when
it changes, and the .kv files read `app.tr(text, app.lang)` so Kivy redraws labels on a switch.
Texts are the core's gettext (`citygrid.i18n`): English msgids here, Chinese in `field_ui.po`.
"""

from __future__ import annotations

from kivy.event import EventDispatcher
from kivy.properties import OptionProperty

from citygrid import i18n, messages
from citygrid.problems import Problem

from ..session import Retryable


def tr(text: str, lang: str, **values) -> str:
    """`text` in `lang`, with its {placeholders} filled."""
    template = i18n.gettext(text, lang)
    return template.format(**values) if values else template


def problem_text(error: BaseException, lang: str) -> str:
    """A coded problem (or a Retryable's) as one line in `lang`; anything else as its class name."""
    if isinstance(error, Retryable):
        error = error.problem
    if isinstance(error, Problem):
        return messages.message(error, lang)
    return tr("something went wrong: {reason}", lang, reason=type(error).__name__)


class Language(EventDispatcher):
    lang = OptionProperty("zh_CN", options=list(i18n.LANGUAGES))

    def tr(self, text: str, **values) -> str:
        return tr(text, self.lang, **values)

    def problem(self, error: BaseException) -> str:
        return problem_text(error, self.lang)
