# SPDX-License-Identifier: GPL-2.0-or-later
"""Signing in: server URL, user name, password -> a token kept in the store.

The centre's protocol is checked first (a newer server says `protocol.*`), then the credentials;
every refusal is the core's coded problem shown in the user's language. Signing in never touches the
outbox (`session.sign_in`); the work happens on a thread with its own connection to the store.
"""

from __future__ import annotations

from collections.abc import Callable

from kivy.event import EventDispatcher
from kivy.properties import BooleanProperty, StringProperty

from citygrid.problems import Problem

from ..session import Api, sign_in
from ..store import Store
from .background import in_background
from .language import Language

MakeApi = Callable[[str, str], Api]  # (server, lang) -> Api


def default_api(server: str, lang: str) -> Api:
    return Api(server, lang=lang, timeout=15.0)


class SignInVM(EventDispatcher):
    server = StringProperty("")
    username = StringProperty("")
    password = StringProperty("")
    busy = BooleanProperty(False)
    error = StringProperty("")
    signed_in = BooleanProperty(False)

    def __init__(self, store: Store, language: Language, make_api: MakeApi = default_api, **kw):
        super().__init__(**kw)
        self.store, self.language, self.make_api = store, language, make_api
        self.server = store.get("ui_server") or store.get("server") or ""
        self.username = store.get("username") or ""
        self.signed_in = bool(store.get("token"))
        self._problem: BaseException | None = None
        language.bind(lang=lambda *_: self._show())

    def submit(self) -> bool:
        """Start signing in; False (with the reason in `error`) when a field is empty or one is under way."""
        if self.busy:
            return False
        server, user = self.server.strip(), self.username.strip()
        if not (server and user and self.password):
            self._set_problem(Problem("field_ui.sign_in_incomplete"))
            return False
        self.busy, self.error, self._problem = True, "", None
        password, data_dir, lang = self.password, self.store.dir, self.language.lang
        in_background(lambda: _sign_in(data_dir, self.make_api(server, lang), user, password), self._done)
        return True

    def sign_out(self) -> None:
        """Forget the token (the outbox and the pulled tasks stay for the next sign-in)."""
        self.store.put(token=None)
        self.signed_in = False

    def _done(self, _answer, error: BaseException | None) -> None:
        self.busy = False
        if error is not None:
            self._set_problem(error)
            return
        self.password = ""
        self.store.put(ui_server=self.server.strip())
        self.signed_in = True

    def _set_problem(self, error: BaseException) -> None:
        self._problem = error
        self._show()

    def _show(self) -> None:
        if self._problem is None:
            self.error = ""
        else:
            self.error = self.language.problem(self._problem)


def _sign_in(data_dir, api: Api, username: str, password: str) -> dict:
    store = Store(data_dir)
    try:
        api.check_protocol()
        return sign_in(store, api, username, password)
    finally:
        store.close()
        api.close()
