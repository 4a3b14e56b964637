# SPDX-License-Identifier: GPL-2.0-or-later
"""Adopting citygrid for one's own city, on the centre side: creating an empty centre (`init`), importing
regions, units, grids and components through GDAL/OGR, replacing the class tables and the holiday
calendar, exporting layers. Centre-side only: these modules may use GDAL and pyproj (imported inside
functions, never at package import), and nothing the desk's loop or the field app carries imports them.
Ranked beside `sync`: they may import base modules, `store` and `loop`.
"""

__all__: list[str] = []
