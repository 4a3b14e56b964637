# SPDX-License-Identifier: GPL-2.0-or-later
"""citygrid core: the closed loop of digital city management, in the stdlib alone (no UI toolkit or web
framework), carried by the QGIS desk, the field app and the sync service. Only the centre side reaches
for a geo library, inside functions: GDAL/OGR in `admin` (imports), pyproj in `crs` (CRSs beyond the
pure-Python Gauss-Krüger zones); importing the core loads neither (tests/test_core_arrow.py).

Base modules, shared by every part: `problems` (coded errors), `messages` (their lines), `i18n` (zh_CN/en),
`times` (stored timestamps), `crs` (the centre's coordinate systems), `codes` (grid, component and class
code formats). Subpackages, each importing only the base modules and those listed before it:
- `store`: the centre GeoPackage, its schema and migrations, photo blobs, the integrity check;
- `loop`: accounts, code tables, calendars and deadlines, transitions and the workflow, geocoding,
  evaluation;
- `sync`: the centre's side of device sync (pull, push, shift batches, sessions) and Open311;
- `admin`: adopting citygrid for a city (init, GDAL imports, code tables, calendar, export);
- `demo`: the demo city, imported only by `citygrid demo`.
The command line is `cli`, one module per command in `commands`. Importing a package imports none of
its modules but what its docstring names (docs/core-design.md is the map; tests/test_layering.py
holds the arrows).
"""

__version__ = "0.1.0"

from .problems import Problem  # noqa: E402

__all__ = ["Problem", "__version__"]
