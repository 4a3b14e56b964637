# SPDX-License-Identifier: GPL-2.0-or-later
"""Desktop smoke test: the built zip installed in a throw-away profile of the real `qgis` binary."""

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from citygrid import demo

pytestmark = [pytest.mark.qgis, pytest.mark.slow,
              pytest.mark.skipif(not (shutil.which("qgis") and shutil.which("xvfb-run")),
                                 reason="needs Debian's qgis desktop and xvfb-run (make deps)")]
ROOT = Path(__file__).resolve().parents[2]
SHOT = ROOT / "var" / "test-artifacts" / "desk-skeleton.png"

SCRIPT = """
import json, os
from qgis.PyQt.QtCore import QTimer
from qgis.core import QgsProject
import qgis.utils

def run():
    out = {"loaded": "citygrid_desk" in qgis.utils.plugins, "available": qgis.utils.available_plugins}
    try:
        desk = qgis.utils.plugins["citygrid_desk"]
        out["opened"] = desk.open_centre(CENTRE)
        out["menus"] = [a.text() for a in qgis.utils.iface.mainWindow().menuBar().actions()]
        out["layers"] = sorted((l.name(), l.isValid()) for l in QgsProject.instance().mapLayers().values())
        qgis.utils.iface.mapCanvas().zoomToFullExtent()
        QTimer.singleShot(2500, lambda: finish(out))
    except Exception as exc:
        out["error"] = repr(exc)
        finish(out)

def finish(out):
    qgis.utils.iface.mainWindow().grab().save(SHOT)
    with open(RESULT, "w") as f:
        json.dump(out, f)
    os._exit(0)

QTimer.singleShot(1500, run)
"""


def test_the_qgis_desktop_loads_the_zip_and_opens_the_demo_centre(tmp_path):
    centre = tmp_path / "center.gpkg"
    demo.build(centre, scale=demo.scale("small"), seed=1)
    built = tmp_path / "citygrid_desk.zip"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "build_plugin_zip.py"), "--out", str(built)], check=True)
    profile = tmp_path / "profiles" / "default"
    zipfile.ZipFile(built).extractall(profile / "python" / "plugins")
    (profile / "QGIS").mkdir(parents=True)
    (profile / "QGIS" / "QGIS3.ini").write_text("[PythonPlugins]\ncitygrid_desk=true\n\n[locale]\nuserLocale=zh_CN\n"
                                                "overrideFlag=true\n")
    SHOT.parent.mkdir(parents=True, exist_ok=True)
    result = tmp_path / "result.json"
    script = tmp_path / "smoke.py"
    script.write_text(f"CENTRE = {str(centre)!r}\nSHOT = {str(SHOT)!r}\nRESULT = {str(result)!r}\n" + SCRIPT)
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "PYTHONPATH")}
    subprocess.run(["xvfb-run", "-a", "-s", "-screen 0 1600x1000x24", "qgis", "--profiles-path",
                    str(tmp_path), "--nologo", "--noversioncheck", "--code", str(script)],
                   env=env, timeout=180, capture_output=True)
    out = json.loads(result.read_text())
    assert out.get("loaded") and out.get("opened"), out
    chinese = bool(shutil.which("lrelease") or shutil.which("lrelease-qt5"))  # else no .qm: English
    assert ("数字城管" if chinese else "citygrid") in out["menus"], out["menus"]
    assert out["layers"] == [["cases", True], ["components", True], ["grids", True]]
    assert SHOT.stat().st_size > 10_000
