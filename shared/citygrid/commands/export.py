# SPDX-License-Identifier: GPL-2.0-or-later
"""`citygrid export PATH LAYER [--out FILE] [--where SQL] [--lonlat]`: a layer or table as CSV for Excel."""

from __future__ import annotations

import argparse
import sys

from ..i18n import _
from ..store import db


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "export", help=_("export a layer or table to CSV (UTF-8 with BOM, opens in Excel)"))
    parser.add_argument("path", metavar="PATH", help=_("centre GeoPackage"))
    parser.add_argument("layer", metavar="LAYER", help=_("layer or table, e.g. components, cases, grids, units"))
    parser.add_argument("--out", metavar="FILE", help=_("CSV file to write (default: standard output)"))
    parser.add_argument("--where", metavar="SQL", help=_("only rows matching this SQL condition, "
                                                          "e.g. \"status = 'closed'\""))
    parser.add_argument("--lonlat", action="store_true", help=_("points: add lon and lat columns"))
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..admin import export

    conn = db.open_centre(args.path, readonly=True)
    try:
        count = export.export(conn, args.layer, args.out, where=args.where, lonlat=args.lonlat)
    finally:
        conn.close()
    if args.out:
        print(_("exported {count} row(s) of {layer} to {file}").format(count=count, layer=args.layer,
                                                                      file=args.out))
    else:
        print(_("exported {count} row(s) of {layer}").format(count=count, layer=args.layer), file=sys.stderr)
    return 0
