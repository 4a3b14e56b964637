# SPDX-License-Identifier: GPL-2.0-or-later
"""The desk plugin as QGIS installs it: built zip, loaded from the unzipped folder, in a real QGIS."""

import ast
import configparser
import importlib
import re
import sqlite3
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
from desk_modules import desk_set_aside

from citygrid.loop import accounts
from citygrid.store import db, gpkg

qgis_core = pytest.importorskip("qgis.core")
pytestmark = pytest.mark.qgis
ROOT = Path(__file__).resolve().parents[2]
METADATA_FIELDS = ("name", "qgisMinimumVersion", "description", "about", "version", "author", "email",
                   "homepage", "tracker", "repository", "icon", "hasProcessingProvider", "category")


@pytest.fixture(scope="module")
def built_zip(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist") / "citygrid_desk.zip"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "build_plugin_zip.py"), "--out", str(out)],
                   check=True, capture_output=True)
    return out


@pytest.fixture(scope="module")
def desk_module(built_zip, tmp_path_factory):
    """The plugin package imported from the unzipped folder, as QGIS's plugin loader would."""
    plugins = tmp_path_factory.mktemp("plugins")
    zipfile.ZipFile(built_zip).extractall(plugins)
    with desk_set_aside(str(plugins)):  # the working tree's copy other tests imported
        yield importlib.import_module("citygrid_desk")


@pytest.fixture
def desk(desk_module, qgis_iface, qgis_new_project):
    plugin = desk_module.classFactory(qgis_iface)
    plugin.initGui()
    yield plugin
    if plugin.menu is not None:
        plugin.unload()


@pytest.fixture
def small_centre(center_path):
    c = db.open_centre(center_path)
    ring = [[(500000.0, 3460000.0), (500100.0, 3460000.0), (500100.0, 3460100.0), (500000.0, 3460100.0),
             (500000.0, 3460000.0)]]
    c.execute("INSERT INTO grids (geom, code, name, street_code, community_code) "
              "VALUES (?, '320508001001001', '网格一', '320508001', '320508001001')", (gpkg.polygon(ring, 4549),))
    accounts.add_user(c, "operator", "operator", "operator-pass-1")
    c.close()
    return center_path


@pytest.fixture
def shown(monkeypatch, desk_module):
    """Texts the desk shows in message boxes (captured, never a modal dialog in a test)."""
    texts = []
    plugin_module = importlib.import_module("citygrid_desk.session")
    monkeypatch.setattr(plugin_module.QMessageBox, "warning", lambda parent, title, text: texts.append(text))
    return texts


def _menu_titles(iface):
    return [a.text() for a in iface.mainWindow().menuBar().actions()]


def test_the_zip_has_one_top_folder_with_full_metadata_an_icon_and_the_core(built_zip):
    names = zipfile.ZipFile(built_zip).namelist()
    assert {n.split("/")[0] for n in names} == {"citygrid_desk"}
    assert "citygrid_desk/_vendor/citygrid/store/db.py" in names
    assert "citygrid_desk/_vendor/citygrid/locale/zh_CN/LC_MESSAGES/citygrid.po" in names
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    meta = configparser.ConfigParser(interpolation=None)
    meta.read_string(zipfile.ZipFile(built_zip).read("citygrid_desk/metadata.txt").decode("utf-8"))
    general = meta["general"]
    assert all(general.get(f, "").strip() for f in METADATA_FIELDS), [f for f in METADATA_FIELDS if f not in general]
    assert general["qgisMinimumVersion"] == "3.22"
    assert f"citygrid_desk/{general['icon']}" in names


def test_the_loaded_plugin_uses_its_vendored_core(desk_module, built_zip):
    core = importlib.import_module("citygrid_desk.core")
    assert core.VENDORED
    assert "_vendor" in Path(core.db.__file__).parts


def test_init_gui_adds_the_citygrid_menu_with_open_centre(desk, qgis_iface):
    assert desk.menu.menuAction() in qgis_iface.mainWindow().menuBar().actions()
    assert [a.objectName() for a in desk.menu.actions()] == ["CitygridOpenCentre"]


def test_open_centre_adds_one_group_with_the_six_valid_layers(desk, small_centre, shown):
    assert desk.open_centre(small_centre, "operator", "operator-pass-1") is True, shown
    root = qgis_core.QgsProject.instance().layerTreeRoot()
    groups = root.findGroups()
    assert len(groups) == 1 and groups[0] is desk.group
    layers = [node.layer() for node in desk.group.findLayers()]
    assert [lyr.name() for lyr in layers] == ["Cases", "Components", "Unit grids", "Roads", "Water", "Blocks"]
    assert all(lyr.isValid() for lyr in layers)
    assert layers[2].featureCount() == 1
    assert desk.centre.execute("SELECT count(*) FROM grids").fetchone()[0] == 1
    assert shown == []


def test_open_centre_with_the_accounts_password_signs_in(desk, small_centre, shown):
    assert desk.open_centre(small_centre, "operator", "operator-pass-1") is True, shown
    assert desk.actor.role == "operator"


def test_a_wrong_password_is_refused_clearly_and_adds_nothing(desk, small_centre, shown):
    assert desk.open_centre(small_centre, "operator", "wrong") is False
    assert shown == ["wrong user name or password"]
    assert qgis_core.QgsProject.instance().mapLayers() == {}
    assert desk.centre is None


def test_a_plain_sqlite_file_is_refused_clearly_and_adds_nothing(desk, tmp_path, shown):
    path = tmp_path / "other.sqlite"
    sqlite3.connect(path).execute("CREATE TABLE t (x)").connection.close()
    before = path.read_bytes()
    assert desk.open_centre(path) is False
    assert shown == [f"{path} is an SQLite database but not a GeoPackage"]
    assert qgis_core.QgsProject.instance().mapLayers() == {}
    assert qgis_core.QgsProject.instance().layerTreeRoot().children() == []
    assert path.read_bytes() == before


def test_the_message_follows_the_qgis_locale(desk, tmp_path, shown, monkeypatch):
    monkeypatch.setattr(qgis_core.QgsApplication, "locale", staticmethod(lambda: "zh_CN"))
    assert desk.open_centre(tmp_path / "missing.gpkg") is False
    assert len(shown) == 1 and "missing.gpkg" in shown[0] and not shown[0].startswith("no such file")


def test_unload_leaves_the_menu_bar_as_it_was(desk_module, qgis_iface, small_centre, shown, monkeypatch):
    before = _menu_titles(qgis_iface)
    plugin = desk_module.classFactory(qgis_iface)
    plugin.initGui()
    assert plugin.open_centre(small_centre, "operator", "operator-pass-1")
    action = plugin.open_action
    plugin.unload()
    assert _menu_titles(qgis_iface) == before
    assert plugin.centre is None and plugin.menu is None and plugin.open_action is None
    asked = []
    dialog = importlib.import_module("citygrid_desk.plugin").QFileDialog
    monkeypatch.setattr(dialog, "getOpenFileName", lambda *a, **k: asked.append(a) or ("", ""))
    action.trigger()
    assert asked == []  # the action's signal no longer reaches the plugin


def test_open_centre_action_asks_for_a_file_and_opens_it(desk, small_centre, shown, monkeypatch):
    dialog = importlib.import_module("citygrid_desk.plugin").QFileDialog
    monkeypatch.setattr(dialog, "getOpenFileName", lambda *a, **k: (str(small_centre), ""))
    signin = importlib.import_module("citygrid_desk.signin_dialog")
    monkeypatch.setattr(signin, "ask", lambda parent, title, check: check("operator", "operator-pass-1"))
    desk.open_action.trigger()
    assert desk.centre is not None and len(desk.group.findLayers()) == 6
    assert desk.actor.role == "operator"


def test_the_plugin_imports_qt_only_through_qgis_pyqt():
    for path in (ROOT / "qgis_plugin" / "citygrid_desk").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            assert not [n for n in names if n.split(".")[0] in ("PyQt5", "PyQt6", "PySide2", "PySide6")], path


def _tr_texts() -> set[str]:
    """Every literal passed to tr() / self.tr() anywhere in the plugin (the ast, not a regex)."""
    texts = set()
    for path in (ROOT / "qgis_plugin" / "citygrid_desk").rglob("*.py"):
        if "_vendor" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == "tr":
                if node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                    texts.add(node.args[0].value)
    return texts


def _translations(lang: str) -> dict[str, str]:
    out = {}
    for ts in sorted((ROOT / "qgis_plugin" / "citygrid_desk" / "i18n" / lang).glob("*.ts")):
        for context in ET.parse(ts).iter("context"):
            assert context.findtext("name") == "citygrid_desk", ts
            for m in context.iter("message"):
                source, zh = m.findtext("source"), m.findtext("translation")
                assert out.get(source, zh) == zh, (ts, source)  # a text in two parts' files: one translation
                out[source] = zh
    return out


def test_every_text_the_plugin_translates_has_a_chinese_translation():
    texts, translated = _tr_texts(), _translations("zh_CN")
    assert texts and not texts - {t for t, zh in translated.items() if zh}, sorted(texts - set(translated))


def test_translations_keep_their_placeholders_and_none_is_stale():
    texts, translated = _tr_texts(), _translations("zh_CN")
    assert not set(translated) - texts, sorted(set(translated) - texts)
    for source, zh in translated.items():
        assert sorted(re.findall(r"{\w*}", source)) == sorted(re.findall(r"{\w*}", zh or "")), source
