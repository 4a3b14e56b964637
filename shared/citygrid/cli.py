# SPDX-License-Identifier: GPL-2.0-or-later
"""The `citygrid` command line. Each subcommand lives in citygrid.commands.<name>."""

from __future__ import annotations

import argparse
import importlib
import os
import sqlite3
import sys
from importlib.metadata import entry_points

from . import __version__
from .problems import Problem

COMMANDS = ("demo", "check", "evaluate", "user")
PLUGIN_GROUP = "citygrid.commands"  # other distributions (the sync service) add commands here


class Parser(argparse.ArgumentParser):
    """argparse with the one error line every other mistake has: `citygrid: error: ...` (exit 2),
    not `citygrid user add: error: ...` (subcommands' parsers are made of this class too)."""

    def error(self, message: str):
        self.print_usage(sys.stderr)
        self.exit(2, f"citygrid: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="citygrid", description="citygrid: digital city management")
    parser.add_argument("--version", action="version", version=f"citygrid {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = importlib.import_module(f".commands.{name}", __package__)
        except ModuleNotFoundError as exc:
            if exc.name and exc.name.endswith(f"commands.{name}"):
                continue  # command not built into this distribution
            raise
        module.add_parser(sub)
    for ep in sorted(entry_points(group=PLUGIN_GROUP), key=lambda e: e.name):
        ep.load().add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return 2
    try:
        code = int(args.run(args) or 0)
        sys.stdout.flush()  # here, where a closed pipe is caught, not at the interpreter's exit
        return code
    except Problem as problem:
        return _fail(problem)
    except KeyboardInterrupt:
        print("citygrid: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `citygrid ... | head`: the reader left; say nothing more
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    # What the environment throws where no command expected it (a full disk, a vanished folder, a
    # database error outside a transaction, bytes on stdin that are not text): still one coded line.
    except sqlite3.Error as exc:
        from .store import connection

        return _fail(connection.translate(exc, getattr(args, "path", None)))
    except OSError as exc:
        return _fail(Problem("cli.os_error", path=str(exc.filename or getattr(args, "path", "") or ""),
                             reason=exc.strerror or str(exc)))
    except UnicodeError as exc:
        return _fail(Problem("cli.not_text", reason=getattr(exc, "reason", None) or str(exc)))


def _fail(problem: Problem) -> int:
    print(f"citygrid: error: {describe(problem)}", file=sys.stderr)
    return 1


def describe(problem: Problem) -> str:
    """One readable English line for a coded problem (the CLI's language)."""
    from .messages import message

    return message(problem)
