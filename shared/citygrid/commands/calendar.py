# SPDX-License-Identifier: GPL-2.0-or-later
"""`citygrid calendar import PATH FILE`: a year's holidays and make-up working days (date,working,note)."""

from __future__ import annotations

import argparse
import sys

from ..i18n import _
from ..store import db
from ._argparse import usage


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("calendar", help=_("the work calendar: holidays and make-up working days"))
    parser.set_defaults(run=lambda args: usage(parser))
    actions = parser.add_subparsers(dest="calendar_action", metavar="ACTION")
    imp = actions.add_parser("import", help=_("import holidays and make-up working days from a CSV "
                                              "with the header date,working,note"))
    imp.add_argument("path", metavar="PATH", help=_("centre GeoPackage"))
    imp.add_argument("file", metavar="FILE", help=_("CSV file: date,working,note (1 = make-up working day, "
                                                    "0 = holiday)"))
    imp.add_argument("--replace-years", action="store_true",
                     help=_("also remove the other holidays of the years the file covers"))
    imp.add_argument("--dry-run", action="store_true", help=_("check and report, write nothing"))
    imp.set_defaults(run=run_import)


def run_import(args: argparse.Namespace) -> int:
    from ..admin import calendar

    conn = db.open_centre(args.path)
    try:
        report = calendar.import_days(conn, args.file, replace_years=args.replace_years, dry_run=args.dry_run)
    finally:
        conn.close()
    for w in report.warnings:
        print(_("warning: line {line}: {date} is a working weekday anyway; the row changes nothing").format(**w),
              file=sys.stderr)
    print(_("{days} day(s) for {years}: {holidays} holiday(s), {working} make-up working day(s)").format(
        days=report.days, years=", ".join(map(str, report.years)), holidays=report.holidays,
        working=report.working_days))
    if report.removed:
        print(_("{count} other day(s) of those years removed").format(count=report.removed))
    if report.open_cases_spanning:
        print(_("{count} open case(s) have deadlines over these dates; they keep the deadlines they were given")
              .format(count=report.open_cases_spanning))
    print(_("dry run: nothing was written") if args.dry_run else _("work calendar updated"))
    return 0
