# SPDX-License-Identifier: GPL-2.0-or-later
"""Storage: the centre GeoPackage and the photo blobs beside it.

- `connection`: SQLite connections (pragmas, GeoPackage functions, transactions, coded errors);
- `db`: opening and creating a centre (refusing foreign or newer files, migrating older ones); its
  `open_centre`, `create_centre`, `connect` and `transaction` are also here, as everything starts there;
- `gpkg`: GeoPackage geometry blobs, ST_* functions, R-tree triggers, the contents tables;
- `migrations` and `schema_v1` … `schema_v6`: the numbered schema;
- `blobs`: the content-addressed photo store (`center.blobs/ab/cd/<sha256>`);
- `rtree`: bulk loading of an empty R-tree (packed; the demo and `citygrid import` fill 417,000 points);
- `integrity`: `citygrid check`.

The store imports only the base modules, nothing of the case loop, sync or the demo (a test holds the
layering). Importing this package loads what opening a centre needs (`db`, `connection`, `gpkg`,
`migrations`, the schemas); `blobs`, `integrity` and `rtree` load when named.
"""

from .db import connect, create_centre, open_centre, transaction

__all__ = ["blobs", "connect", "connection", "create_centre", "db", "gpkg", "integrity", "migrations",
           "open_centre", "rtree", "schema_v1", "schema_v2", "schema_v3", "schema_v4", "schema_v5",
           "schema_v6", "transaction"]
