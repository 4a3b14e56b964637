# SPDX-License-Identifier: GPL-2.0-or-later
"""Every coded problem the code can raise has a readable text (and the text's fields exist)."""

import ast
import string
from pathlib import Path

from citygrid.messages import TEXTS, message
from citygrid.problems import Problem

ROOT = Path(__file__).resolve().parents[1]


def _raised():
    """(code, detail names) for every literal Problem("code", ...) in the core and the server."""
    for path in list((ROOT / "shared").rglob("*.py")) + list((ROOT / "server").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Problem" and node.args
                    and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
                yield node.args[0].value, {k.arg for k in node.keywords if k.arg}, f"{path.name}:{node.lineno}"


def test_every_raised_code_has_a_text():
    missing = sorted({f"{code} ({where})" for code, _k, where in _raised() if code not in TEXTS})
    assert missing == []


def test_texts_only_use_details_the_raisers_give():
    bad = []
    for code, keys, where in _raised():
        if code in TEXTS and not any(k is None for k in keys):
            fields = {f for _, f, _, _ in string.Formatter().parse(TEXTS[code]) if f}
            if not fields <= keys:
                bad.append(f"{code} at {where}: text needs {sorted(fields - keys)}")
    assert bad == []


def test_an_unknown_code_falls_back_to_the_code_and_details():
    assert message(Problem("zz.unknown", a=1)) == "zz.unknown (a=1)"
