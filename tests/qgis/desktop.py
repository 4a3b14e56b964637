# SPDX-License-Identifier: GPL-2.0-or-later
"""The desktop tier's harness: the BUILT plugin zip in a throw-away profile of the real `qgis` binary
under Xvfb, driven by a `--code` script made of fragments, with a JSON result and screenshots.

    zip_path = build_zip(tmp / "citygrid_desk.zip")
    profiles = install(zip_path, tmp / "profiles", lang="zh_CN")
    out = run(profiles, [OPEN_CENTRE, SHOT], values={"CENTRE": path, "USERNAME": "operator",
              "PASSWORD": "citygrid-demo", "SHOT_NAME": "desk-zh_CN.png"}, shots=ARTIFACTS)

A fragment is Python source run in QGIS after start-up, in one namespace with the prelude below:
`iface`, `plugins` (qgis.utils.plugins), `out` (the result dict, dumped as JSON at the end),
`@step(wait_ms)` (register a function; the steps run in order, `wait_ms` after each one lets QGIS
draw), `later(fn)` (run fn from the event loop: for a call that opens a modal dialog, so the next
step can find and answer it), `modal()` (the open modal dialog), `shot(name)` (the main window) and
`screen_shot(name)` (the whole screen, dialogs included). An exception in a step ends the run with
its traceback in `out["errors"]`; every visible top-level window is listed in `out["windows"]`.
`values` become constants at the top of the script (repr'd).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from citygrid.commands.desk import PLUGIN, PROFILE, QGIS_LOCALES, ini_merge, settings

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "var" / "test-artifacts"
SCREEN = "1600x1000x24"
WINDOW = (1600, 1000)


def available() -> bool:
    return bool(shutil.which("qgis") and shutil.which("xvfb-run"))


def chinese_available() -> bool:
    """Whether the zip carries a .qm (lrelease was found), so the desk speaks Chinese."""
    return bool(shutil.which("lrelease") or shutil.which("lrelease-qt5"))


def build_zip(out: Path) -> Path:
    subprocess.run([sys.executable, str(ROOT / "scripts" / "build_plugin_zip.py"), "--out", str(out)],
                   check=True, capture_output=True)
    return out


def install(zip_path: Path, profiles: Path, lang: str = "zh_CN") -> Path:
    """`profiles/profiles/default` with the zip unpacked in python/plugins and the desk enabled."""
    profile = profiles / "profiles" / PROFILE
    plugins = profile / "python" / "plugins"
    if (plugins / PLUGIN).exists():
        shutil.rmtree(plugins / PLUGIN)
    plugins.mkdir(parents=True, exist_ok=True)
    zipfile.ZipFile(zip_path).extractall(plugins)
    ini = profile / "QGIS" / "QGIS3.ini"
    ini.parent.mkdir(parents=True, exist_ok=True)
    ini.write_text(ini_merge(ini.read_text() if ini.exists() else "", settings(QGIS_LOCALES[lang])))
    return profiles


PRELUDE = r'''
import json, os, traceback
import qgis.utils
from qgis.PyQt.QtCore import QTimer
from qgis.PyQt.QtGui import QGuiApplication
from qgis.PyQt.QtWidgets import QApplication

iface = qgis.utils.iface
plugins = qgis.utils.plugins
out = {"steps": [], "shots": {}, "errors": []}
STEPS = []


def step(wait_ms=0):
    def register(fn):
        STEPS.append((fn, wait_ms))
        return fn
    return register


def later(fn, ms=0):
    QTimer.singleShot(ms, fn)


def modal():
    return QApplication.activeModalWidget()


def shot(name, widget=None):
    path = os.path.join(SHOTS, name)
    (widget or iface.mainWindow()).grab().save(path)
    out["shots"][name] = path
    return path


def screen_shot(name):
    path = os.path.join(SHOTS, name)
    QGuiApplication.primaryScreen().grabWindow(0).save(path)
    out["shots"][name] = path
    return path


def _windows():
    return [[w.metaObject().className(), w.objectName(), w.windowTitle()]
            for w in QApplication.topLevelWidgets() if w.isVisible()]


def finish():
    out["windows"] = _windows()
    with open(RESULT + ".part", "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, default=str)
    os.replace(RESULT + ".part", RESULT)
    os._exit(0)


def _run(i=0):
    if i == len(STEPS):
        return finish()
    fn, wait_ms = STEPS[i]
    try:
        fn()
        out["steps"].append(fn.__name__)
    except Exception:
        out["errors"].append(traceback.format_exc())
        return finish()
    QTimer.singleShot(wait_ms, lambda: _run(i + 1))


@step(500)
def window():
    iface.mainWindow().setGeometry(0, 0, *WINDOW)
    out["loaded"] = "citygrid_desk" in plugins
'''

START = "\nQTimer.singleShot(1000, _run)\nQTimer.singleShot(int(DEADLINE_S * 1000), finish)\n"


def script(fragments: list[str], values: dict, result: Path, shots: Path, deadline_s: float) -> str:
    constants = {"RESULT": str(result), "SHOTS": str(shots), "WINDOW": WINDOW, "DEADLINE_S": deadline_s, **values}
    head = "".join(f"{name} = {value!r}\n" for name, value in constants.items())
    return "\n".join([head, PRELUDE, *fragments, START])


def run(profiles: Path, fragments: list[str], values: dict | None = None, *, shots: Path = ARTIFACTS,
        timeout: float = 180, env: dict | None = None) -> dict:
    """Start qgis with these fragments; the result dict (AssertionError with QGIS's output when none).

    `env`: QGIS's environment (default: this process's without PYTHONPATH, so only the zip's core is
    seen); QT_QPA_PLATFORM and DISPLAY are always left to xvfb-run."""
    shots.mkdir(parents=True, exist_ok=True)
    result = profiles / "result.json"
    result.unlink(missing_ok=True)
    code = profiles / "desktop_script.py"
    code.write_text(script(fragments, values or {}, result, shots, timeout - 30), encoding="utf-8")
    dropped = ("QT_QPA_PLATFORM", "DISPLAY") + (("PYTHONPATH",) if env is None else ())
    env = {k: v for k, v in (os.environ if env is None else env).items() if k not in dropped}
    done = subprocess.run(["xvfb-run", "-a", "-s", f"-screen 0 {SCREEN}", "qgis", "--profiles-path", str(profiles),
                           "--profile", PROFILE, "--nologo", "--noversioncheck", "--code", str(code)],
                          env=env, timeout=timeout, capture_output=True, text=True, start_new_session=True)
    if not result.exists():
        raise AssertionError(f"qgis wrote no result (exit {done.returncode}):\n{done.stderr[-3000:]}")
    return json.loads(result.read_text(encoding="utf-8"))


# ---- fragments the desktop tests share (add yours beside them) ----

OPEN_CENTRE = r'''
@step(3000)
def open_centre():
    from qgis.core import QgsProject
    from qgis.PyQt.QtWidgets import QDockWidget
    out["opened"] = plugins["citygrid_desk"].open_centre(CENTRE, USERNAME, PASSWORD)
    desk = plugins["citygrid_desk"]
    out["role"] = None if desk.actor is None else desk.actor.role
    out["menus"] = [a.text() for a in iface.mainWindow().menuBar().actions()]
    out["layers"] = sorted([l.customProperty("citygrid/table", l.name()), l.isValid()]
                           for l in QgsProject.instance().mapLayers().values())
    out["docks"] = sorted(d.objectName() for d in iface.mainWindow().findChildren(QDockWidget) if d.isVisible())
    iface.mapCanvas().zoomToFullExtent()
'''

SHOT = r'''
@step()
def screenshot():
    shot(SHOT_NAME)
'''

# Runs the start-up script `citygrid desk` wrote (START_UP), which opens the centre right away.
START_UP_SCRIPT = r'''
exec(compile(open(START_UP, encoding="utf-8").read(), START_UP, "exec"), {"__name__": "citygrid_desk_start_up"})
'''

# What the desk shows once a centre is open (after OPEN_CENTRE or START_UP_SCRIPT).
DESK_STATE = r'''
@step(2500)
def desk_state():
    from qgis.core import QgsProject
    from qgis.PyQt.QtWidgets import QDockWidget
    desk = plugins.get("citygrid_desk")
    out["plugin_file"] = None if desk is None else __import__(type(desk).__module__).__file__
    out["opened"] = desk is not None and desk.session is not None
    out["role"] = None if desk is None or desk.actor is None else desk.actor.role
    out["password_in_env"] = "CITYGRID_PASSWORD" in os.environ
    out["menus"] = [a.text() for a in iface.mainWindow().menuBar().actions()]
    out["layers"] = sorted([l.customProperty("citygrid/table", l.name()), l.isValid()]
                           for l in QgsProject.instance().mapLayers().values())
    out["docks"] = sorted(d.objectName() for d in iface.mainWindow().findChildren(QDockWidget) if d.isVisible())
'''

# Opens with a wrong password (the refusal is a modal message box), then reads and closes that box.
WRONG_PASSWORD = r'''
@step(1500)
def wrong_password():
    later(lambda: out.__setitem__("wrong_opened", plugins["citygrid_desk"].open_centre(CENTRE, USERNAME, "wrong")))


@step(500)
def refusal_shown():
    box = modal()
    out["refusal"] = None if box is None else box.text()
    screen_shot(REFUSAL_SHOT)
    if box is not None:
        box.accept()
'''
