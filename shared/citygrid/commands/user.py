# SPDX-License-Identifier: GPL-2.0-or-later
"""`citygrid user add|list|show|passwd|disable|enable|grids PATH ...`: accounts of a centre."""

from __future__ import annotations

import argparse
import json
import sys

from .. import i18n
from ..i18n import _
from ..loop import accounts
from ..problems import Problem
from ..store import db
from ..store.schema_v1 import ROLES
from ._argparse import usage


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("user", help=_("add, list and administer accounts"))
    parser.set_defaults(run=lambda args: usage(parser))
    actions = parser.add_subparsers(dest="user_action", metavar="ACTION")

    add = actions.add_parser("add", help=_("add an account (the password is read from stdin)"))
    add.add_argument("path", metavar="PATH", help=_("centre GeoPackage"))
    add.add_argument("--username", required=True)
    add.add_argument("--role", required=True, help=_("one of {roles}").format(roles=", ".join(ROLES)))
    add.add_argument("--unit", metavar="CODE", help=_("unit code (role unit only)"))
    add.add_argument("--grids", metavar="CODES", default="", help=_("comma-separated grid codes (collectors)"))
    add.add_argument("--display-name", metavar="NAME")
    add.add_argument("--password-stdin", action="store_true", required=True,
                     help=_("read the password from the first line of stdin"))
    add.set_defaults(run=run_add)

    listing = actions.add_parser("list", help=_("list accounts"))
    listing.add_argument("path", metavar="PATH", help=_("centre GeoPackage"))
    listing.add_argument("--format", choices=("table", "json"), default="table")
    listing.set_defaults(run=run_list)

    show = actions.add_parser("show", help=_("one account with all its grids"))
    show.add_argument("path", metavar="PATH", help=_("centre GeoPackage"))
    show.add_argument("username", metavar="USER")
    show.add_argument("--format", choices=("text", "json"), default="text")
    show.set_defaults(run=run_show)

    passwd = actions.add_parser("passwd", help=_("set a new password (read from stdin); ends the user's sessions"))
    passwd.add_argument("path", metavar="PATH", help=_("centre GeoPackage"))
    passwd.add_argument("username", metavar="USER")
    passwd.add_argument("--password-stdin", action="store_true", required=True,
                        help=_("read the password from the first line of stdin"))
    passwd.set_defaults(run=run_passwd)

    for name, helptext, fn in (("disable", _("deactivate an account and end its sessions"), run_disable),
                               ("enable", _("let a deactivated account sign in again"), run_enable)):
        p = actions.add_parser(name, help=helptext)
        p.add_argument("path", metavar="PATH", help=_("centre GeoPackage"))
        p.add_argument("username", metavar="USER")
        p.set_defaults(run=fn)

    grids = actions.add_parser("grids", help=_("set, add or remove a collector's grids"))
    grids.add_argument("path", metavar="PATH", help=_("centre GeoPackage"))
    grids.add_argument("username", metavar="USER")
    how = grids.add_mutually_exclusive_group(required=True)
    how.add_argument("--set", metavar="CODES", help=_("replace the grids with these (comma-separated)"))
    how.add_argument("--add", metavar="CODES", help=_("add these grids (comma-separated)"))
    how.add_argument("--remove", metavar="CODES", help=_("remove these grids (comma-separated)"))
    grids.set_defaults(run=run_grids)


def _read_password() -> str:
    """The first line of stdin without its line ending."""
    return sys.stdin.readline().rstrip("\r\n")


def _codes(text: str | None) -> list[str]:
    return [g.strip() for g in (text or "").split(",") if g.strip()]


def _with_centre(path, fn, *, readonly: bool = False):
    conn = db.open_centre(path, readonly=readonly)
    try:
        return fn(conn)
    finally:
        conn.close()


def run_add(args: argparse.Namespace) -> int:
    password = _read_password()
    who = _with_centre(args.path, lambda c: accounts.add_user(
        c, args.username, args.role, password, display_name=args.display_name, unit_code=args.unit,
        grids=_codes(args.grids)))
    extra = f", unit {who.unit_code}" if who.unit_code else ""
    extra += f", grids {', '.join(who.grids)}" if who.grids else ""
    print(_("added user {username} ({role}{extra})").format(username=who.username, role=who.role, extra=extra))
    return 0


def run_passwd(args: argparse.Namespace) -> int:
    password = _read_password()
    _with_centre(args.path, lambda c: accounts.set_password(c, args.username, password))
    print(_("password of {username} changed; their sessions are ended").format(username=args.username))
    return 0


def run_disable(args: argparse.Namespace) -> int:
    _with_centre(args.path, lambda c: accounts.deactivate(c, args.username))
    print(_("user {username} deactivated; their sessions are ended").format(username=args.username))
    return 0


def run_enable(args: argparse.Namespace) -> int:
    _with_centre(args.path, lambda c: accounts.activate(c, args.username))
    print(_("user {username} may sign in again").format(username=args.username))
    return 0


def run_grids(args: argparse.Namespace) -> int:
    def change(conn):
        if args.set is not None:
            if not _codes(args.set) and args.set.strip():
                raise Problem("account.grids_required")
            return accounts.assign_grids(conn, args.username, _codes(args.set))
        wanted = _codes(args.add if args.add is not None else args.remove)
        if not wanted:
            raise Problem("account.grids_required")
        if args.add is not None:
            return accounts.change_grids(conn, args.username, add=wanted)
        return accounts.change_grids(conn, args.username, remove=wanted)

    now = _with_centre(args.path, change)
    print(_("{username} now has {count} grid(s): {grids}").format(
        username=args.username, count=len(now), grids=grid_summary(now) or "-"))
    return 0


def run_list(args: argparse.Namespace) -> int:
    users = _with_centre(args.path, accounts.list_users, readonly=True)
    if args.format == "json":
        print(json.dumps([u.to_wire() for u in users], ensure_ascii=False, indent=2))
    else:
        print(_table(users))
    return 0


def run_show(args: argparse.Namespace) -> int:
    who = _with_centre(args.path, lambda c: accounts.user(c, args.username), readonly=True)
    if args.format == "json":
        print(json.dumps(who.to_wire(), ensure_ascii=False, indent=2))
        return 0
    rows = [(_("username"), who.username), (_("display name"), who.display_name), (_("role"), who.role),
            (_("unit"), who.unit_code or ""), (_("active"), _yes(who.active)), (_("created"), who.created_at),
            (_("grids"), str(len(who.grids)))]
    print(i18n.table((_("field"), _("value")), rows))
    for code in who.grids:
        print(f"  {code}")
    return 0


def _yes(flag: bool) -> str:
    return _("yes") if flag else _("no")


def grid_summary(grids) -> str:
    """A count and a compact range instead of every code: `3 (320508001001001…320508001002002)`."""
    grids = sorted(grids)
    if not grids:
        return ""
    if len(grids) == 1:
        return grids[0]
    return f"{len(grids)} ({grids[0]}…{grids[-1]})"


def _table(users: list[accounts.User]) -> str:
    head = (_("username"), _("role"), _("display name"), _("unit"), _("grids"), _("active"))
    rows = [(u.username, u.role, u.display_name, u.unit_code or "", grid_summary(u.grids), _yes(u.active))
            for u in users]
    return i18n.table(head, rows)
