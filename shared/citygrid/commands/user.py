# SPDX-License-Identifier: GPL-2.0-or-later
"""`citygrid user add|list PATH`: accounts of a centre."""

from __future__ import annotations

import argparse
import json
import sys

from ..loop import accounts
from ..store import db
from ..store.schema_v1 import ROLES


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("user", help="add and list accounts")
    parser.set_defaults(run=lambda args: _usage(parser))
    actions = parser.add_subparsers(dest="user_action", metavar="ACTION")

    add = actions.add_parser("add", help="add an account (the password is read from stdin)")
    add.add_argument("path", metavar="PATH", help="centre GeoPackage")
    add.add_argument("--username", required=True)
    add.add_argument("--role", required=True, help=f"one of {', '.join(ROLES)}")
    add.add_argument("--unit", metavar="CODE", help="unit code (role unit only)")
    add.add_argument("--grids", metavar="CODES", default="", help="comma-separated grid codes (collectors)")
    add.add_argument("--display-name", metavar="NAME")
    add.add_argument("--password-stdin", action="store_true", required=True,
                     help="read the password from the first line of stdin")
    add.set_defaults(run=run_add)

    listing = actions.add_parser("list", help="list accounts")
    listing.add_argument("path", metavar="PATH", help="centre GeoPackage")
    listing.add_argument("--format", choices=("table", "json"), default="table")
    listing.set_defaults(run=run_list)


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_usage(sys.stderr)
    return 2


def _read_password() -> str:
    """The first line of stdin without its line ending."""
    return sys.stdin.readline().rstrip("\r\n")


def run_add(args: argparse.Namespace) -> int:
    password = _read_password()
    grids = [g.strip() for g in args.grids.split(",") if g.strip()]
    conn = db.open_centre(args.path)
    try:
        who = accounts.add_user(conn, args.username, args.role, password, display_name=args.display_name,
                                unit_code=args.unit, grids=grids)
    finally:
        conn.close()
    extra = f", unit {who.unit_code}" if who.unit_code else ""
    extra += f", grids {', '.join(who.grids)}" if who.grids else ""
    print(f"added user {who.username} ({who.role}{extra})")
    return 0


def run_list(args: argparse.Namespace) -> int:
    conn = db.open_centre(args.path, readonly=True)
    try:
        users = accounts.list_users(conn)
    finally:
        conn.close()
    if args.format == "json":
        print(json.dumps([u.to_wire() for u in users], ensure_ascii=False, indent=2))
    else:
        print(_table(users))
    return 0


def _table(users: list[accounts.User]) -> str:
    head = ("username", "role", "display_name", "unit", "grids", "active")
    rows = [(u.username, u.role, u.display_name, u.unit_code or "", ",".join(u.grids),
             "yes" if u.active else "no") for u in users]
    widths = [max(len(str(r[i])) for r in [head, *rows]) for i in range(len(head))]
    return "\n".join("  ".join(str(v).ljust(w) for v, w in zip(r, widths, strict=True)).rstrip()
                     for r in [head, *rows])
