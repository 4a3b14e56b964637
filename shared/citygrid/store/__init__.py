# SPDX-License-Identifier: GPL-2.0-or-later
"""Storage: the centre GeoPackage and the photo blobs beside it.

- `connection`: SQLite connections (pragmas, GeoPackage functions, transactions, coded errors);
- `db`: opening and creating a centre (refusing foreign or newer files, migrating older ones);
- `gpkg`: GeoPackage geometry blobs, ST_* functions, R-tree triggers, the contents tables;
- `migrations` and `schema_v1` … `schema_v4`: the numbered schema;
- `blobs`: the content-addressed photo store (`center.blobs/ab/cd/<sha256>`);
- `integrity`: `citygrid check`.

The store imports nothing of the case loop or of sync (a test holds the layering).
"""

from .db import connect, create_centre, open_centre, transaction

__all__ = ["connect", "create_centre", "open_centre", "transaction"]
