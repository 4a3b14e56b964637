# SPDX-License-Identifier: GPL-2.0-or-later
"""field_app/buildozer.spec cannot be built here (buildozer downloads Android's SDK): these tests hold
what can be checked without it, the way buildozer reads the file."""

import ast
import configparser
import sys
from pathlib import Path

SPEC = Path(__file__).resolve().parents[2] / "field_app" / "buildozer.spec"
PACKAGE_OF = {"PIL": "pillow", "sqlite_utils": "sqlite-utils", "kivy_garden": "mapview", "sqlite3": "sqlite3"}


def spec():
    parser = configparser.ConfigParser(allow_no_value=True)  # strict, as buildozer reads it
    parser.read(SPEC, encoding="utf-8")
    return {key: [v.strip() for v in parser.get("app", key).split(",")]
            for key in ("requirements", "android.permissions", "orientation")}


def test_the_android_spec_asks_for_camera_location_internet_and_notifications_in_portrait():
    found = spec()
    assert {"CAMERA", "ACCESS_FINE_LOCATION", "INTERNET", "POST_NOTIFICATIONS"} <= set(found["android.permissions"])
    assert not any("WRITE_EXTERNAL_STORAGE" in p for p in found["android.permissions"])  # private files only
    assert found["orientation"] == ["portrait"]


def third_party_imports():
    stdlib = set(sys.stdlib_module_names) - {"sqlite3"}  # p4a builds sqlite3 as a recipe
    for path in (SPEC.parent / "citygrid_field").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module] if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module else []
            yield from (n.split(".")[0] for n in names if n.split(".")[0] not in stdlib)


def test_the_android_spec_requires_every_package_the_app_imports():
    required = {r.split("==")[0].lower() for r in spec()["requirements"]}
    imported = set(third_party_imports()) - {"citygrid", "citygrid_field"}
    assert "PIL" in imported  # the scan sees the sources
    missing = sorted(m for m in imported if PACKAGE_OF.get(m, m).lower() not in required)
    assert missing == []
