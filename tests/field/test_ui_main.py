# SPDX-License-Identifier: GPL-2.0-or-later
"""The entry point's options, its refusals before any window opens, and the CJK font's fallback."""

import argparse

import pytest

from citygrid_field.main import main, parser, window_size
from citygrid_field.ui.fonts import ENV_FONT, find_cjk_font


def test_the_options_of_the_contract_are_read():
    args = parser().parse_args(["--server", "http://127.0.0.1:8765", "--data", "/tmp/x", "--lang", "en"])
    assert (args.server, args.data, args.lang, args.window) == ("http://127.0.0.1:8765", "/tmp/x", "en", None)


@pytest.mark.parametrize("bad", ["fr", "zh_TW", ""])
def test_an_unknown_language_is_refused(bad, capsys):
    with pytest.raises(SystemExit):
        parser().parse_args(["--lang", bad])


@pytest.mark.parametrize("text, size", [("720x1280", (720, 1280)), ("1280X800", (1280, 800))])
def test_a_window_size_is_width_by_height(text, size):
    assert window_size(text) == size


@pytest.mark.parametrize("bad", ["720", "x", "0x0", "99999x800", "-720x1280", "7.5x800"])
def test_a_bad_window_size_is_refused(bad):
    with pytest.raises(argparse.ArgumentTypeError):
        window_size(bad)


def test_a_data_folder_that_is_a_file_is_said_in_the_users_language_before_any_window(tmp_path, capsys):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    assert main(["--data", str(blocker), "--lang", "zh_CN"]) == 2
    err = capsys.readouterr().err
    assert "无法使用数据文件夹" in err and str(blocker) in err


def test_the_font_is_the_one_named_then_debians_then_none(tmp_path):
    mine = tmp_path / "mine.ttc"
    mine.write_bytes(b"font")
    debian = tmp_path / "wqy.ttc"
    debian.write_bytes(b"font")
    assert find_cjk_font({ENV_FONT: str(mine)}, (str(debian),)) == mine
    assert find_cjk_font({ENV_FONT: str(tmp_path / "gone.ttc")}, (str(debian),)) == debian
    assert find_cjk_font({}, (str(tmp_path / "none.ttc"),)) is None


def test_every_text_the_screens_show_has_a_chinese_translation():
    import re
    from pathlib import Path

    from citygrid import i18n
    from citygrid_field import app
    from citygrid_field.ui import outbox_vm, tasks_vm

    ui = Path(app.__file__).parent / "ui"
    sources = [*ui.glob("*.kv"), *ui.glob("*.py"), Path(app.__file__)]
    texts = {m for p in sources for m in re.findall(r'tr\(\s*"([^"]+)"', p.read_text())}
    texts |= {*tasks_vm.KINDS.values(), *outbox_vm.TYPES.values(), outbox_vm.COUNTS, app.FONT_MISSING, "overdue", "due soon"}
    assert len(texts) > 30
    missing = sorted(t for t in texts if i18n.gettext(t, "zh_CN") == t)
    assert missing == []
