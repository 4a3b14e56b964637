# SPDX-License-Identifier: GPL-2.0-or-later
"""argparse's own words ("usage:", "options", "invalid choice", "%(prog)s: error: ...") in our language.

argparse translates through the module-level names `_` and `ngettext` it imports from gettext,
which look for a compiled `.mo` of the default text domain. citygrid keeps its catalogues as PO files
(citygrid.i18n), so for the span of one command line run `localized()` points those two names at
citygrid's catalogue: the msgids are argparse's English exactly (cli.po holds their Chinese), and
English stays English. The previous names are put back afterwards, so nothing else in the process
sees a change once the command has run.

`Parser` wraps help by display width (a Chinese character takes two columns; argparse counts one
per character and so wraps Chinese help at twice the terminal's width); its subparsers are Parsers too.
"""

from __future__ import annotations

import argparse
import re
import sys
from contextlib import contextmanager

from .. import i18n

# The argparse texts a user of the command line can meet (cli.po translates them). Marked here so
# that a translator's extraction (xgettext, pybabel extract) finds them in our own sources too.
N_ = i18n.N_
WORDS = (
    N_("usage: "), N_("positional arguments"), N_("options"), N_("show this help message and exit"),
    N_("show program's version number and exit"), N_("%(prog)s: error: %(message)s\n"),
    N_("the following arguments are required: %s"), N_("unrecognized arguments: %s"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"), N_("invalid %(type)s value: %(value)r"),
    N_("argument %(argument_name)s: %(message)s"), N_("expected one argument"),
    N_("expected at most one argument"), N_("expected at least one argument"), N_("expected %s argument"),
    N_("ambiguous option: %(option)s could match %(matches)s"), N_("not allowed with argument %s"),
    N_("ignored explicit argument %r"), N_("one of the arguments %s is required"),
    N_("unknown parser %(parser_name)r (choices: %(choices)s)"), N_("can't open '%(filename)s': %(error)s"),
    N_("unexpected option string: %s"),
)


def _gettext(text: str) -> str:
    return i18n.gettext(text)


def _ngettext(singular: str, plural: str, n: int) -> str:
    return i18n.ngettext(singular, plural, n)


# a Latin word with what follows it, or one wide character (Chinese breaks between any two)
_TOKEN = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]|[^\s\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]+\s*|\s+")
_NO_LINE_START = set("，。、；：？！）」』》,.;:?!)")


def wrap(text: str, columns: int) -> list[str]:
    """`text` in lines of at most `columns` display columns (CJK two each), broken between words or CJK characters."""
    text = " ".join(text.split())
    lines, line = [], ""
    for token in _TOKEN.findall(text):
        if line and i18n.width((line + token).rstrip()) > columns and token[0] not in _NO_LINE_START:
            lines.append(line.rstrip())
            line = token.lstrip()
        else:
            line += token
    if line.strip():
        lines.append(line.rstrip())
    return lines


class WidthFormatter(argparse.HelpFormatter):
    """argparse's help layout, wrapping by display width."""

    def _split_lines(self, text, width):
        return wrap(text, width)

    def _fill_text(self, text, width, indent):
        return "\n".join(indent + line for line in wrap(text, width))


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose help wraps by display width; its subparsers are of the same class."""

    def __init__(self, *args, formatter_class=WidthFormatter, **kwargs):
        super().__init__(*args, formatter_class=formatter_class, **kwargs)

    def error(self, message: str):
        """The one error line every other mistake has: `citygrid: error: ...` (exit 2), not
        `citygrid user add: error: ...` (subcommands' parsers are made of this class too)."""
        self.print_usage(sys.stderr)
        self.exit(2, i18n.gettext("citygrid: error: {message}").format(message=message) + "\n")


@contextmanager
def localized():
    """argparse speaks the current citygrid language inside the block (build and parse in it)."""
    saved = argparse._, argparse.ngettext
    argparse._, argparse.ngettext = _gettext, _ngettext
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved


def usage(parser: argparse.ArgumentParser) -> int:
    """What a command with actions does when none is given: its usage on stderr, exit code 2."""
    parser.print_usage(sys.stderr)
    return 2
