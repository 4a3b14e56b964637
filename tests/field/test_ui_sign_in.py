# SPDX-License-Identifier: GPL-2.0-or-later
"""The sign-in view model against a real `citygrid serve`, and its refusals in the user's language."""

import httpx
import pytest
from capture import shift
from live import free_port
from test_sync_live import PASSWORD
from ui_driver import tick_until

from citygrid.sync import protocol
from citygrid_field.outbox import Outbox
from citygrid_field.session import Api
from citygrid_field.store import Store
from citygrid_field.ui.language import Language
from citygrid_field.ui.sign_in_vm import SignInVM


def vm_for(store, server, lang="zh_CN", **kw) -> SignInVM:
    vm = SignInVM(store, Language(lang=lang), **kw)
    vm.server, vm.username = server, "collector01"
    return vm


def submit(vm: SignInVM, password: str) -> SignInVM:
    vm.password = password
    assert vm.submit()
    tick_until(lambda: not vm.busy)
    return vm


def test_signing_in_keeps_the_token_and_clears_the_password(world):
    store = Store(world["data"])
    vm = submit(vm_for(store, world["server"].url), PASSWORD)
    assert vm.error == "" and vm.signed_in
    assert store.get("token") and store.get("username") == "collector01"
    assert vm.password == "" and store.get("ui_server") == world["server"].url


def test_a_wrong_password_is_said_in_chinese_then_in_english_after_a_switch(world):
    store = Store(world["data"])
    vm = submit(vm_for(store, world["server"].url), "wrong-password")
    assert not vm.signed_in and store.get("token") is None
    assert vm.error == "用户名或密码错误", vm.error
    vm.language.lang = "en"
    assert vm.error == "wrong user name or password"


def test_signing_in_again_never_touches_the_outbox(world, tmp_path):
    from test_sync_live import sync

    from citygrid_field.session import sign_in

    store = Store(world["data"])
    sign_in(store, Api(world["server"].url), "collector01", PASSWORD)
    sync(store)
    uuids = set(shift(store, tmp_path / "photos").values())
    before = [(e.uuid, e.status, e.photos) for e in Outbox(store).entries()]
    vm = submit(vm_for(store, world["server"].url), "wrong-password")
    submit(vm, PASSWORD)
    assert vm.signed_in and {e.uuid for e in Outbox(store).entries()} == uuids
    assert [(e.uuid, e.status, e.photos) for e in Outbox(store).entries()] == before


def test_an_unreachable_server_is_said_and_nothing_is_kept(tmp_path):
    store = Store(tmp_path / "device")
    url = f"http://127.0.0.1:{free_port()}"
    vm = submit(vm_for(store, url, lang="en"), PASSWORD)
    assert not vm.signed_in and url in vm.error and "cannot be reached" in vm.error
    assert store.get("token") is None and store.get("ui_server") is None


def test_a_server_of_a_newer_protocol_says_update_the_app(tmp_path):
    def newer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"protocol": protocol.PROTOCOL + 5, "oldest_protocol": protocol.PROTOCOL + 3})

    store = Store(tmp_path / "device")
    make = lambda server, lang: Api(server, lang=lang, transport=httpx.MockTransport(newer))  # noqa: E731
    vm = submit(vm_for(store, "http://centre.example", make_api=make), PASSWORD)
    assert not vm.signed_in and "请升级应用" in vm.error, vm.error


@pytest.mark.parametrize("server, user, password", [("", "collector01", "x"), ("http://a", "", "x"),
                                                     ("http://a", "collector01", ""), ("  ", "  ", "x")])
def test_an_empty_field_is_refused_before_any_request(tmp_path, server, user, password):
    vm = SignInVM(Store(tmp_path / "device"), Language(lang="en"),
                  make_api=lambda *a: pytest.fail("no request for an empty field"))
    vm.server, vm.username, vm.password = server, user, password
    assert not vm.submit() and not vm.busy
    assert vm.error == "fill in the server, the user name and the password"
