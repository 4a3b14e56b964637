# SPDX-License-Identifier: GPL-2.0-or-later
"""The language of user-facing text: gettext catalogues, Chinese (zh_CN) first, English the source.

English is written in the code (msgids); translations live in gettext PO files under
`citygrid/locale/<lang>/LC_MESSAGES/*.po`. Every PO file of a language is read and merged, so each
part of the project keeps its own catalogue (`citygrid.po` for problem codes, `cli.po` for the command
line, ...) and any PO editor (Poedit, Weblate, Babel, msgfmt) works on them. The PO files are read
directly (a few milliseconds, once): no compiled .mo to build or to go stale.

Problem codes are translated with the code as the message context (`msgctxt "case.illegal_transition"`,
`msgid` the English template of `messages.TEXTS`), so the desk and the field app translate the same
codes the command line does. Plain texts (help, table headers) use no context.

    from citygrid.i18n import _, N_
    print(_("added user {username}").format(username=...))

The language comes from `set_language()` or, by default, from the environment as gettext reads it
(LANGUAGE, LC_ALL, LC_MESSAGES, LANG): any `zh*` gives zh_CN, anything else English.
"""

from __future__ import annotations

import os
import unicodedata
from contextlib import contextmanager
from functools import cache
from pathlib import Path

LANGUAGES = ("zh_CN", "en")
SOURCE = "en"  # the language of the msgids
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
_ENV = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")

_chosen: str | None = None


def detect(environ=None) -> str:
    """The language the environment asks for: zh_CN for any Chinese locale, else English."""
    environ = os.environ if environ is None else environ
    for key in _ENV:
        value = environ.get(key)
        if not value:
            continue
        first = value.split(":")[0].strip().lower()  # LANGUAGE may list several
        if first in ("c", "posix", "c.utf-8", "c.utf8"):
            return SOURCE
        return "zh_CN" if first.startswith("zh") else SOURCE
    return SOURCE


def set_language(lang: str | None) -> str:
    """Use `lang` (zh_CN, zh, en, ...) from now on; None goes back to the environment's."""
    global _chosen
    _chosen = None if lang is None else normalize(lang)
    return language()


def normalize(lang: str) -> str:
    low = lang.strip().replace("-", "_").lower()
    return "zh_CN" if low.startswith("zh") else SOURCE


def language() -> str:
    return _chosen or detect()


@contextmanager
def using(lang: str | None):
    """`set_language(lang)` for a `with` block, then back to what was chosen before (None: no change).

    Process-wide: for one command line run, never around a web request (pass `lang=` there)."""
    global _chosen
    before = _chosen
    if lang is not None:
        set_language(lang)
    try:
        yield language()
    finally:
        _chosen = before


def gettext(text: str, lang: str | None = None) -> str:
    """`text` in the current (or given) language; the English itself when there is no translation."""
    return catalogue(lang or language()).get((None, text)) or text


_ = gettext


def ngettext(singular: str, plural: str, n: int, lang: str | None = None) -> str:
    """The form for `n` (Chinese has one form: the PO entry's msgstr[0], keyed by the singular)."""
    return catalogue(lang or language()).get((None, singular)) or (singular if n == 1 else plural)


def pgettext(context: str, text: str, lang: str | None = None) -> str:
    return catalogue(lang or language()).get((context, text)) or text


def N_(text: str) -> str:
    """Marks `text` for translation where it is defined; translate it where it is shown."""
    return text


def translated(code: str, english: str, lang: str | None = None) -> str:
    """The template of problem `code` in the current (or given) language."""
    return pgettext(code, english, lang)


@cache
def catalogue(lang: str) -> dict:
    """(msgctxt or None, msgid) -> msgstr of every PO file of `lang`; empty for the source language."""
    out: dict = {}
    if lang == SOURCE:
        return out
    folder = LOCALE_DIR / lang / "LC_MESSAGES"
    for path in sorted(folder.glob("*.po")) if folder.is_dir() else ():
        for ctx, msgid, msgstr in read_po(path.read_text(encoding="utf-8")):
            if msgid and msgstr:
                out[(ctx, msgid)] = msgstr
    return out


def read_po(text: str):
    """(msgctxt, msgid, msgstr) of every entry of a PO file; fuzzy and obsolete entries are skipped."""
    entry: dict = {}
    key = None
    fuzzy = False

    def done():
        if entry.get("msgid") is not None and not fuzzy:
            yield entry.get("msgctxt"), entry["msgid"], entry.get("msgstr", "")

    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#~"):
            if not line:
                yield from done()
                entry, key, fuzzy = {}, None, False
            continue
        if line.startswith("#"):
            if line.startswith("#,") and "fuzzy" in line:
                fuzzy = True
            continue
        if line.startswith('"'):
            if key:
                entry[key] += _unquote(line)
            continue
        word, _sep, rest = line.partition(" ")
        if word == "msgctxt" and "msgid" in entry:  # a new entry without a blank line before it
            yield from done()
            entry, fuzzy = {}, False
        if word in ("msgctxt", "msgid", "msgstr", "msgstr[0]"):
            key = "msgstr" if word == "msgstr[0]" else word
            entry[key] = _unquote(rest.strip())
        else:
            key = None
    yield from done()


_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "r": "\r"}


def _unquote(quoted: str) -> str:
    body = quoted[1:-1] if len(quoted) >= 2 and quoted[0] == quoted[-1] == '"' else quoted
    out, i = [], 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            out.append(_ESCAPES.get(body[i + 1], body[i + 1]))
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def width(text: str) -> int:
    """Columns `text` takes in a terminal: East Asian wide and full-width characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 0 if unicodedata.combining(ch) else 1
               for ch in text)


def ljust(text: str, columns: int) -> str:
    return text + " " * max(0, columns - width(text))


def rjust(text: str, columns: int) -> str:
    return " " * max(0, columns - width(text)) + text


def table(head, rows, *, right=(), rule: bool = False) -> str:
    """Rows of text aligned by display width (CJK counts two), two spaces between columns.

    Columns whose index is in `right` are padded on the left (numbers); `rule` draws dashes under
    the head."""
    cells = [[str(v) for v in r] for r in [head, *rows]]
    widths = [max(width(r[i]) for r in cells) for i in range(len(head))]

    def line(r):
        return "  ".join((rjust if i in right else ljust)(v, w) for i, (v, w) in enumerate(zip(r, widths, strict=True)))

    lines = [line(r).rstrip() for r in cells]
    if rule:
        lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
