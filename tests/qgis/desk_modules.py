# SPDX-License-Identifier: GPL-2.0-or-later
"""One copy of the desk plugin in sys.modules at a time: the QGIS tier imports the working tree's
`citygrid_desk` (pytest's pythonpath) and, in test_desk_plugin.py, the built zip's. A test module that
needs one copy sets the other aside for its duration and puts it back after."""

from __future__ import annotations

import sys
from contextlib import contextmanager


def _loaded() -> list[str]:
    return [n for n in sys.modules if n == "citygrid_desk" or n.startswith("citygrid_desk.")]


@contextmanager
def desk_set_aside(first_on_path: str | None = None):
    """No `citygrid_desk` module is loaded inside the block (`first_on_path`, if given, is searched
    first); afterwards what the block loaded is dropped and what was loaded before is back."""
    saved = {name: sys.modules.pop(name) for name in _loaded()}
    if first_on_path is not None:
        sys.path.insert(0, first_on_path)
    try:
        yield
    finally:
        if first_on_path is not None:
            sys.path.remove(first_on_path)
        for name in _loaded():
            del sys.modules[name]
        sys.modules.update(saved)
