# SPDX-License-Identifier: GPL-2.0-or-later
"""`citygrid init PATH --division CODE --name NAME [--crs CRS] [--scheme gb16|gb17]`: an empty centre for
one's own district (a thin shell over citygrid.admin.centre.create)."""

from __future__ import annotations

import argparse
import sys

from .. import codes
from ..admin import centre
from ..i18n import _


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "init", help=_("create an empty centre for your own district"),
        description=_("Create an empty, valid centre GeoPackage: the district's region, the class and "
                      "time-limit tables, the work calendar of this year and the next, and an admin "
                      "account whose password is read from stdin. An existing file is never overwritten."))
    parser.add_argument("path", metavar="PATH", help=_("the new centre GeoPackage (must not exist)"))
    parser.add_argument("--division", required=True, metavar="CODE",
                        help=_("the district's 6-digit county-level division code (GB/T 2260), e.g. 510104"))
    parser.add_argument("--name", required=True, metavar="NAME", help=_("the district's name, e.g. 锦江区"))
    parser.add_argument("--crs", metavar="CRS",
                        help=_("the centre's projected CRS in metres: EPSG:N, a PROJ string or a file "
                               "holding WKT (default: the 3-degree Gauss-Kruger zone of the province)"))
    parser.add_argument("--scheme", choices=sorted(codes.SCHEMES), default=codes.DEFAULT_SCHEME,
                        help=_("the ObjID and class code layout (default {default})").format(
                            default=codes.DEFAULT_SCHEME))
    parser.add_argument("--codes", metavar="DIR",
                        help=_("the class and time-limit tables to install (default: resources/codes)"))
    parser.add_argument("--password-stdin", action="store_true", required=True,
                        help=_("read the admin password from the first line of stdin"))
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    password = sys.stdin.readline().rstrip("\r\n")
    made = centre.create(args.path, division=args.division, name=args.name, admin_password=password,
                         crs_spec=args.crs, scheme=args.scheme, codes_dir=args.codes)
    print(report(made))
    return 0


def report(made: centre.Summary) -> str:
    """What `init` made and what to do next, in the user's language."""
    lines = [
        _("created {path}: {name} ({division})").format(path=made.path, name=made.name, division=made.division),
        "  " + _("coordinate system {crs} ({crs_name})").format(crs=made.crs, crs_name=made.crs_name),
        "  " + _("code scheme {scheme}: {classes} classes, {conditions} registration conditions").format(
            scheme=made.scheme, classes=made.classes, conditions=made.conditions),
        "  " + _("work calendar {years}: Monday to Friday, {days} public holidays and make-up working days").format(
            years=", ".join(map(str, made.years)), days=made.calendar_days),
        "  " + _("account {username} (administrator)").format(username=made.admin),
    ]
    if made.crs_derived:
        lines.append(_("note: the coordinate system was chosen from the province; if your city uses another "
                       "zone or a local system, delete the file and run init again with --crs"))
    for year in made.missing_years:
        lines.append(_("note: the public holidays of {year} are not in the bundled file, so {year} has weekends "
                       "only; run `citygrid calendar import {path} FILE` once they are published").format(
                           year=year, path=made.path))
    lines += [
        _("next steps:"),
        f"  citygrid import grids {made.path} GRIDS.shp",
        f"  citygrid import components {made.path} COMPONENTS.gpkg",
        f"  citygrid user add {made.path} --username NAME --role ROLE --password-stdin",
    ]
    return "\n".join(lines)
