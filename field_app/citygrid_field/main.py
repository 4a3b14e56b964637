# SPDX-License-Identifier: GPL-2.0-or-later
"""`citygrid-field [--server URL] [--data DIR] [--lang zh_CN|en] [--window WxH]`: the collectors' app.

Kivy reads its own options from sys.argv and the window size from its Config when first imported:
both are settled here before any Kivy import.
"""

from __future__ import annotations

import argparse
import os
import sys

from citygrid import i18n, messages
from citygrid.problems import Problem


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="citygrid-field", description=i18n.gettext("the collectors' field app"))
    p.add_argument("--server", help=i18n.gettext("the sync service, e.g. http://127.0.0.1:8765"))
    p.add_argument("--data", help=i18n.gettext("the folder the app keeps its data in"))
    p.add_argument("--lang", choices=i18n.LANGUAGES, help=i18n.gettext("the language of the screens"))
    p.add_argument("--window", metavar="WxH", type=window_size,
                   help=i18n.gettext("the window's size on a laptop, e.g. 720x1280"))
    return p


def window_size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(text) from None
    if not (200 <= w <= 8000 and 200 <= h <= 8000):
        raise argparse.ArgumentTypeError(text)
    return w, h


def configure_kivy(window: tuple[int, int] | None) -> None:
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    from kivy.config import Config

    if window:
        Config.set("graphics", "width", str(window[0]))
        Config.set("graphics", "height", str(window[1]))
    Config.set("input", "mouse", "mouse,multitouch_on_demand")  # no red dots on a right click


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    configure_kivy(args.window)
    from .app import FieldApp
    from .platform.storage import desktop_root
    from .store import Store

    try:
        store = Store(args.data or desktop_root(os.environ))  # a refused folder is said before any window
        FieldApp(store, server=args.server, lang=args.lang).run()
    except Problem as e:
        print(messages.message(e, args.lang), file=sys.stderr)
        return 2
    return 0
