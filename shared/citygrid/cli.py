# SPDX-License-Identifier: GPL-2.0-or-later
"""The `citygrid` command line. Each subcommand lives in citygrid.commands.<name>."""

from __future__ import annotations

import argparse
import importlib
import sys
from importlib.metadata import entry_points

from . import __version__
from .problems import Problem

COMMANDS = ("demo", "check", "evaluate", "user", "import")
MODULES = {"import": "import_"}  # a command whose name is a Python keyword lives in <name>_.py
PLUGIN_GROUP = "citygrid.commands"  # other distributions (the sync service) add commands here


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="citygrid", description="citygrid: digital city management")
    parser.add_argument("--version", action="version", version=f"citygrid {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = importlib.import_module(f".commands.{MODULES.get(name, name)}", __package__)
        except ModuleNotFoundError as exc:
            if exc.name and exc.name.endswith(f"commands.{MODULES.get(name, name)}"):
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
        return int(args.run(args) or 0)
    except Problem as problem:
        print(f"citygrid: error: {describe(problem)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("citygrid: interrupted", file=sys.stderr)
        return 130


def describe(problem: Problem) -> str:
    """One readable English line for a coded problem (the CLI's language)."""
    from .messages import message

    return message(problem)
