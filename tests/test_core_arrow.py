# SPDX-License-Identifier: GPL-2.0-or-later
"""The one arrow: the core imports no UI toolkit or web framework, and no heavy geo library but where the
centre side needs one (issue 10, docs/core-design.md): GDAL/OGR (and the numpy its Arrow reader hands
over) in `admin/`, pyproj in `crs.py` for CRSs beyond the pure-Python Gauss-Krüger zones, always
imported inside a function, so importing any module of the core never loads them."""

import ast
from pathlib import Path

CORE = Path(__file__).resolve().parents[1] / "shared" / "citygrid"
FORBIDDEN = {"qgis", "PyQt5", "PyQt6", "PySide2", "PySide6", "kivy", "plyer", "fastapi",
             "starlette", "uvicorn", "flask", "django", "shapely"}
OPTIONAL = {"PIL"}  # allowed only inside a function (optional import for the demo)
CENTRE_SIDE = {"osgeo": ("admin/",), "numpy": ("admin/",), "pyproj": ("crs.py", "admin/")}  # inside functions


def _imports(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                yield node, a.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node, node.module.split(".")[0]


def test_core_imports_no_toolkit_or_web_framework():
    bad = []
    files = sorted(CORE.rglob("*.py"))
    assert len(files) > 5
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top_level = {id(n) for n in tree.body}
        for node, name in _imports(tree):
            where = path.relative_to(CORE).as_posix()
            centre_side = name in CENTRE_SIDE and id(node) not in top_level and where.startswith(CENTRE_SIDE[name])
            if name in FORBIDDEN or (name in OPTIONAL and id(node) in top_level) or \
                    (name in CENTRE_SIDE and not centre_side):
                bad.append(f"{path.relative_to(CORE)}:{node.lineno} imports {name}")
    assert bad == []


def test_core_sibling_imports_are_relative():
    bad = []
    for path in sorted(CORE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith("citygrid"):
                bad.append(f"{path.relative_to(CORE)}:{node.lineno}")
    assert bad == []
