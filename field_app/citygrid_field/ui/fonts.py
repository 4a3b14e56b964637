# SPDX-License-Identifier: GPL-2.0-or-later
"""A CJK font for every label: Debian's WenQuanYi Micro Hei (fonts-wqy-microhei) when present.

It replaces Kivy's default font name, so every Label and TextInput draws Chinese without naming a
font. Without one the app still starts, says so on the sign-in screen, and Chinese may show as boxes.
"""

from __future__ import annotations

import os
from pathlib import Path

ENV_FONT = "CITYGRID_FIELD_FONT"
CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "C:/Windows/Fonts/msyh.ttc",
    "/system/fonts/NotoSansCJK-Regular.ttc",  # Android
)


def find_cjk_font(environ=os.environ, candidates=CANDIDATES) -> Path | None:
    """$CITYGRID_FIELD_FONT, else the first CJK font of `candidates` on this machine; None when none is."""
    for name in (environ.get(ENV_FONT), *candidates):
        if name and Path(name).is_file():
            return Path(name)
    return None


def register_cjk_font(environ=os.environ) -> Path | None:
    """Make the CJK font Kivy's default; -> its path, or None (the fallback: Kivy's own Roboto)."""
    from kivy.core.text import DEFAULT_FONT, LabelBase

    path = find_cjk_font(environ)
    if path is not None:
        LabelBase.register(DEFAULT_FONT, str(path))
    return path
