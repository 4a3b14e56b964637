# SPDX-License-Identifier: GPL-2.0-or-later
"""`citygrid codes install PATH DIR [--dry-run]`: replace the class, condition and time-limit tables."""

from __future__ import annotations

import argparse

from .. import i18n
from ..i18n import _
from ..store import db
from ._argparse import usage


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("codes", help=_("replace the class and time-limit tables"))
    parser.set_defaults(run=lambda args: usage(parser))
    actions = parser.add_subparsers(dest="codes_action", metavar="ACTION")
    install = actions.add_parser(
        "install", help=_("replace the tables from a directory like resources/codes/ "
                          "(components.csv, events.csv, time_limits.csv)"))
    install.add_argument("path", metavar="PATH", help=_("centre GeoPackage"))
    install.add_argument("directory", metavar="DIR", help=_("directory with the code tables"))
    install.add_argument("--dry-run", action="store_true", help=_("check and report, write nothing"))
    install.set_defaults(run=run_install)


def run_install(args: argparse.Namespace) -> int:
    from ..admin import codes

    conn = db.open_centre(args.path)
    try:
        report = codes.install(conn, args.directory, dry_run=args.dry_run)
    finally:
        conn.close()
    head = (_("table"), _("added"), _("changed"), _("retired"), _("restored"), _("unchanged"))
    rows = [(label, *(str(n) for n in changes.counts().values()))
            for label, changes in ((_("classes"), report.classes), (_("conditions"), report.conditions))]
    print(i18n.table(head, rows))
    if report.classes.retired:
        shown = ", ".join(f"{k}:{c}" for k, c in report.classes.retired[:20])
        more = len(report.classes.retired) - 20
        print(_("retired classes (kept for history, refused for new cases): {classes}").format(
            classes=shown + (f" … (+{more})" if more > 0 else "")))
    print(_("dry run: nothing was written") if args.dry_run else _("code tables installed"))
    return 0
