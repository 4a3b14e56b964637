# SPDX-License-Identifier: GPL-2.0-or-later
"""Signing in to a centre from the desk: the dialog's flows (right, wrong then right, throttled, cancel)."""

import centre_fixture
import pytest

from citygrid.store import db

qgis_core = pytest.importorskip("qgis.core")
pytestmark = pytest.mark.qgis
from citygrid_desk import plugin as desk_plugin  # noqa: E402 (after the QGIS check)
from citygrid_desk import session as desk_session  # noqa: E402
from citygrid_desk import signin_dialog  # noqa: E402
from qgis.PyQt.QtWidgets import QDialog, QLineEdit  # noqa: E402

RIGHT = ("operator", centre_fixture.PASSWORD)


@pytest.fixture
def desk(qgis_iface, qgis_new_project):
    plugin = desk_plugin.CitygridDesk(qgis_iface)
    plugin.initGui()
    yield plugin
    plugin.unload()


@pytest.fixture
def shown(monkeypatch):
    texts = []
    monkeypatch.setattr(desk_session.QMessageBox, "warning", lambda parent, title, text: texts.append(text))
    return texts


@pytest.fixture
def typed(monkeypatch):
    """The user at the dialog: each pair in `typed` is typed and OK pressed, in turn; None presses Cancel.
    Returns what the dialog showed after each try."""
    attempts, seen = [], []

    def exec_(dialog):
        assert dialog.password.echoMode() == QLineEdit.Password
        seen.append(("title", dialog.windowTitle(), dialog.centre.text()))
        for attempt in attempts:
            if attempt is None:
                dialog.reject()
                break
            dialog.username.setText(attempt[0])
            dialog.password.setText(attempt[1])
            dialog.buttons.button(dialog.buttons.Ok).click()
            seen.append(dialog.problem.text())
            if dialog.result() == QDialog.Accepted:
                break
        return dialog.result()

    monkeypatch.setattr(signin_dialog.SignInDialog, "exec_", exec_)
    return attempts, seen


def _nothing_added(desk):
    return desk.centre is None and qgis_core.QgsProject.instance().mapLayers() == {} and \
        qgis_core.QgsProject.instance().layerTreeRoot().children() == []


def test_the_right_password_signs_in_and_shows_the_centres_name(desk, centre, typed, shown):
    attempts, seen = typed
    attempts.append(RIGHT)
    assert desk.open_centre(centre) is True, shown
    assert desk.actor.username == "operator" and desk.actor.role == "operator"
    assert seen[0] == ("title", "Sign in to 测试中心", "测试中心")
    assert seen[1:] == [""] and shown == []


def test_a_wrong_password_is_shown_in_the_dialog_and_the_user_tries_again(desk, centre, typed, shown):
    attempts, seen = typed
    attempts += [("operator", "wrong"), RIGHT]
    assert desk.open_centre(centre) is True
    assert seen[1:] == ["wrong user name or password", ""]
    assert desk.actor.role == "operator" and shown == []


def test_after_too_many_wrong_passwords_the_core_throttles_even_the_right_one(desk, centre, typed):
    attempts, seen = typed
    attempts += [("operator", "wrong")] * 5 + [RIGHT, None]
    assert desk.open_centre(centre) is False
    assert seen[1:6] == ["wrong user name or password"] * 5
    assert seen[6].startswith("too many failed sign-ins; try again in ")
    assert _nothing_added(desk)


def test_cancel_aborts_the_open_with_nothing_added_and_no_message(desk, centre, typed, shown):
    attempts, _ = typed
    attempts.append(None)
    assert desk.open_centre(centre) is False
    assert _nothing_added(desk) and shown == []


def test_cancel_after_a_wrong_password_adds_nothing(desk, centre, typed, shown):
    attempts, seen = typed
    attempts += [("nobody", "x"), None]
    assert desk.open_centre(centre) is False
    assert seen[1] == "wrong user name or password" and _nothing_added(desk) and shown == []


def test_the_dialog_speaks_the_users_language(desk, centre, typed, monkeypatch):
    monkeypatch.setattr(qgis_core.QgsApplication, "locale", staticmethod(lambda: "zh_CN"))
    attempts, seen = typed
    attempts += [("operator", "wrong"), None]
    desk.open_centre(centre)
    assert seen[1] == "用户名或密码错误"


def test_sign_ins_are_recorded_in_the_centre_as_the_desks(desk, centre, typed):
    attempts, _ = typed
    attempts += [("operator", "wrong"), RIGHT]
    assert desk.open_centre(centre)
    desk.close_centre()
    conn = db.open_centre(centre)
    rows = conn.execute("SELECT username, device_id, ok FROM login_attempts ORDER BY fid").fetchall()
    conn.close()
    mine = qgis_core.QgsSettings().value(desk_plugin.DEVICE_ID_KEY)
    assert mine.startswith(desk_plugin.DEVICE_ID_PREFIX)
    assert [tuple(r) for r in rows] == [("operator", mine, 0), ("operator", mine, 1)]


@pytest.fixture
def fresh_install():
    """QGIS as just installed: no device id kept yet (put back afterwards)."""
    settings = qgis_core.QgsSettings()
    kept = settings.value(desk_plugin.DEVICE_ID_KEY)
    settings.remove(desk_plugin.DEVICE_ID_KEY)
    yield settings
    settings.remove(desk_plugin.DEVICE_ID_KEY)
    if kept is not None:
        settings.setValue(desk_plugin.DEVICE_ID_KEY, kept)


def test_an_installation_makes_its_device_id_once_and_keeps_it(fresh_install):
    import uuid

    first = desk_plugin.device_id()
    assert first.startswith(desk_plugin.DEVICE_ID_PREFIX)
    assert uuid.UUID(first.removeprefix(desk_plugin.DEVICE_ID_PREFIX)).version == 4
    assert fresh_install.value(desk_plugin.DEVICE_ID_KEY) == first
    assert desk_plugin.device_id() == first
    fresh_install.remove(desk_plugin.DEVICE_ID_KEY)  # another installation
    assert desk_plugin.device_id() != first


@pytest.mark.parametrize("bad", ["qgis desk", "x" * 129, "evil\nline", ""])
def test_a_device_id_edited_into_one_the_centre_refuses_is_made_again(fresh_install, bad):
    fresh_install.setValue(desk_plugin.DEVICE_ID_KEY, bad)
    made = desk_plugin.device_id()
    assert made != bad and made.startswith(desk_plugin.DEVICE_ID_PREFIX)
    assert fresh_install.value(desk_plugin.DEVICE_ID_KEY) == made


def test_two_desks_are_two_devices_in_the_centre(desk, centre, fresh_install, monkeypatch):
    monkeypatch.setattr(signin_dialog, "ask", lambda *a: pytest.fail("the dialog was shown"))
    ids = []
    for _ in range(2):
        fresh_install.remove(desk_plugin.DEVICE_ID_KEY)  # a second QGIS installation
        assert desk.open_centre(centre, *RIGHT) is True
        ids.append(fresh_install.value(desk_plugin.DEVICE_ID_KEY))
        desk.close_centre()
    conn = db.open_centre(centre)
    rows = conn.execute("SELECT device_id, username FROM devices ORDER BY device_id").fetchall()
    conn.close()
    assert ids[0] != ids[1] and [tuple(r) for r in rows] == sorted((i, "operator") for i in ids)


def test_given_credentials_skip_the_dialog(desk, centre, monkeypatch):
    monkeypatch.setattr(signin_dialog, "ask", lambda *a: pytest.fail("the dialog was shown"))
    assert desk.open_centre(centre, *RIGHT) is True


def test_the_dialog_in_chinese_with_a_refusal_is_saved_for_a_look(centre, qgis_iface, tmp_path, monkeypatch):
    import shutil
    import subprocess
    from pathlib import Path

    from qgis.PyQt.QtCore import QCoreApplication, QTranslator

    tool = shutil.which("lrelease") or shutil.which("lrelease-qt5")
    if tool is None:
        pytest.skip("lrelease is missing (Debian: qttools5-dev-tools)")
    root = Path(__file__).resolve().parents[2]
    qm = tmp_path / "zh.qm"
    subprocess.run([tool, "-silent", *map(str, sorted((root / "qgis_plugin/citygrid_desk/i18n/zh_CN").glob("*.ts"))),
                    "-qm", str(qm)], check=True)
    translator = QTranslator()
    assert translator.load(str(qm)) and QCoreApplication.installTranslator(translator)
    monkeypatch.setattr(qgis_core.QgsApplication, "locale", staticmethod(lambda: "zh_CN"))
    try:
        conn = db.open_centre(centre)
        dialog = signin_dialog.SignInDialog(None, "测试中心", lambda u, p: desk_plugin.sessions.sign_in(
            conn, u, p, desk_plugin.device_id()))
        dialog.username.setText("operator")
        dialog.password.setText("wrong")
        dialog.accept()
        assert dialog.problem.text() == "用户名或密码错误" and dialog.result() != QDialog.Accepted
        assert dialog.windowTitle() == "登录 测试中心" and dialog.password.text() == ""
        out = root / "var" / "test-artifacts"
        out.mkdir(parents=True, exist_ok=True)
        dialog.show()
        assert dialog.grab().save(str(out / "desk-signin-zh.png"))
        dialog.close()
        conn.close()
    finally:
        QCoreApplication.removeTranslator(translator)
