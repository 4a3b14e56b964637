# SPDX-License-Identifier: GPL-2.0-or-later
"""The citygrid core as the desk sees it: vendored in the plugin zip, or from the working tree.

The zip carries the core as the subpackage `citygrid_desk._vendor.citygrid` and imports it
relatively: nothing is put on sys.path, so another `citygrid` installed in QGIS's Python (an older
or newer release) can neither shadow the vendored copy nor be shadowed by it. The core's own
imports are relative, so it works under that name. Run from the working tree (no `_vendor/`),
the desk uses `citygrid` from `shared/`, which the developer's PYTHONPATH provides.
"""

try:
    from ._vendor.citygrid import messages
    from ._vendor.citygrid.loop import accounts
    from ._vendor.citygrid.problems import Problem
    from ._vendor.citygrid.store import db
    VENDORED = True
except ModuleNotFoundError as exc:
    if exc.name != f"{__package__}._vendor":
        raise
    from citygrid import messages
    from citygrid.loop import accounts
    from citygrid.problems import Problem
    from citygrid.store import db
    VENDORED = False

__all__ = ["VENDORED", "Problem", "accounts", "db", "messages"]
