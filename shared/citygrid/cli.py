# SPDX-License-Identifier: GPL-2.0-or-later
"""The `citygrid` command line. Each subcommand lives in citygrid.commands.<name>."""

from __future__ import annotations

import argparse
import importlib
import os
import sqlite3
import sys
from importlib.metadata import entry_points

from . import __version__, i18n
from .commands._argparse import Parser, localized
from .i18n import _
from .problems import Problem

COMMANDS = ("init", "demo", "check", "evaluate", "user", "import", "codes", "calendar", "export", "desk", "batch")
MODULES = {"import": "import_"}  # a command whose name is a Python keyword lives in <name>_.py
PLUGIN_GROUP = "citygrid.commands"  # other distributions (the sync service) add commands here


LANG_HELP = i18n.N_("language of messages and help: zh_CN or en (default: from LANGUAGE, LC_ALL, LANG)")


def build_parser() -> argparse.ArgumentParser:
    """The parser in the current language (build it inside `_argparse.localized()` for argparse's words)."""
    parser = Parser(prog="citygrid", description=_("citygrid: digital city management"))
    parser.add_argument("--version", action="version", version=f"citygrid {__version__}",
                        help=_("show program's version number and exit"))
    parser.add_argument("--lang", choices=i18n.LANGUAGES, help=_(LANG_HELP))
    sub = parser.add_subparsers(dest="command", metavar=_("COMMAND"))
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
    _lang_everywhere(parser)
    return parser


def _lang_everywhere(parser: argparse.ArgumentParser) -> None:
    """`--lang` also after a command's name, at every level (`citygrid user list PATH --lang en`)."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for command in action.choices.values():
                if "--lang" not in command._option_string_actions:
                    command.add_argument("--lang", choices=i18n.LANGUAGES, default=argparse.SUPPRESS,
                                         help=_(LANG_HELP))
                _lang_everywhere(command)


def chosen_language(argv: list[str]) -> str | None:
    """The `--lang` of the command line, read before the parser is built (its help is translated)."""
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1] if argv[i + 1] in i18n.LANGUAGES else None
        if arg.startswith("--lang="):
            value = arg.partition("=")[2]
            return value if value in i18n.LANGUAGES else None
    return None


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    with i18n.using(chosen_language(argv)), localized():
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
            print(_("citygrid: interrupted"), file=sys.stderr)
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
    print(_("citygrid: error: {message}").format(message=describe(problem)), file=sys.stderr)
    return 1


def describe(problem: Problem) -> str:
    """One readable line for a coded problem in the current language (zh_CN or English)."""
    from .messages import message

    return message(problem)
