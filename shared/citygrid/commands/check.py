# SPDX-License-Identifier: GPL-2.0-or-later
"""`citygrid check PATH`: integrity check; exit 0 when clean, 1 with one finding per line."""

from __future__ import annotations

import argparse
import json

from ..i18n import _
from ..store import integrity


def add_parser(subparsers) -> None:
    text = _("integrity check of a centre GeoPackage")
    parser = subparsers.add_parser("check", help=text, description=text)
    parser.add_argument("path", metavar="PATH", help=_("centre GeoPackage"))
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help=_("text: one finding a line; json: for programs"))
    parser.add_argument("--quick", action="store_true",
                        help=_("SQLite quick_check instead of integrity_check (much faster on big files)"))
    parser.add_argument("--repair", action="store_true",
                        help=_("first give components edited outside citygrid (QGIS) their exact grid"))
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.repair:
        _repair(args.path)
    findings = integrity.check(args.path, quick=args.quick)
    if args.format == "json":
        print(json.dumps({"path": str(args.path), "ok": not findings,
                          "findings": [f.to_wire() for f in findings]}, ensure_ascii=False, indent=2))
    elif findings:
        for finding in findings:
            print(f"{finding.code}: {finding.message()}")
    else:
        print(_("{path}: ok").format(path=args.path))
    return 1 if findings else 0


def _repair(path) -> None:
    from ..admin import components
    from ..store import db

    conn = db.open_centre(path)
    try:
        done = components.repair(conn)
    finally:
        conn.close()
    print(_("repaired the grid of {repaired} component(s) edited outside citygrid "
            "({changed} changed, {outside} outside every grid)").format(**done))
