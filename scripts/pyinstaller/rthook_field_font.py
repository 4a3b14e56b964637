# SPDX-License-Identifier: GPL-2.0-or-later
"""PyInstaller runtime hook of the field app: the CJK font bundled beside it (build.spec copies
WenQuanYi Micro Hei when the build machine has it) is the one the app uses, unless
$CITYGRID_FIELD_FONT names another; a bundle built without it falls back to the system's fonts."""

import os
import sys
from pathlib import Path

_font = Path(getattr(sys, "_MEIPASS", Path(__file__).parent)) / "fonts" / "wqy-microhei.ttc"
if _font.is_file():
    os.environ.setdefault("CITYGRID_FIELD_FONT", str(_font))
