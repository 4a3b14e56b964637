# SPDX-License-Identifier: GPL-2.0-or-later
"""English one-line texts for problem codes, used by the CLI and as msgids by the UIs.

The UIs translate by code (zh_CN first); a code without a text here falls back to the code itself
plus its details, so a new code is never silent.
"""

from __future__ import annotations

from .problems import Problem

TEXTS: dict[str, str] = {
    "db.not_found": "no such file: {path}",
    "db.exists": "{path} already exists (use --force to overwrite)",
    "db.not_a_geopackage": "{path} is not a GeoPackage",
    "db.not_a_centre": "{path} is a GeoPackage but not a citygrid centre",
    "db.newer_schema": "{path} was written by a newer citygrid (schema {found}; this version reads up to {supported})",
    "db.older_schema": "{path} has an older schema ({found}); open it for writing to upgrade to {supported}",
    "db.locked": "the database is locked by another program; try again when it has finished",
    "db.readonly": "the database is read-only",
    "db.cannot_open": "cannot open {path}: {reason}",
    "db.error": "database error: {reason}",
    "crs.unsupported": "unsupported coordinate reference system EPSG:{srs_id}",
    "time.malformed": "not a valid ISO 8601 time: {value}",
    "time.naive": "time without a timezone: {value}",
}


def message(problem: Problem) -> str:
    template = TEXTS.get(problem.code)
    if template is not None:
        try:
            return template.format(**problem.details)
        except (KeyError, IndexError):
            pass
    return str(problem)
