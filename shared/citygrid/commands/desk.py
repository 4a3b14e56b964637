# SPDX-License-Identifier: GPL-2.0-or-later
"""`citygrid desk PATH [--user U] [--lang zh_CN|en] [--profile DIR]`: the QGIS desktop with the desk open.

Runs Debian's `qgis` binary (a subprocess: the core never imports QGIS) in a project-local profile
(`var/qgis-profile/` of the working tree unless `--profile` says otherwise) where the desk plugin of
the working tree is linked in and enabled, the locale chosen and QGIS's start-up chatter (version
check, news feed, plugin update check) turned off; a `--code` start-up script then calls
`qgis.utils.plugins['citygrid_desk'].open_centre(PATH, USER, PASSWORD)`. The password never touches
the disk: it comes from `CITYGRID_PASSWORD` (the start-up script reads it and removes it from QGIS's
environment) or from the desk's sign-in dialog.

`CITYGRID_QGIS` names another QGIS program (tests use a stand-in that records its argv and env).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from ..i18n import _
from ..problems import Problem
from ..store import db

PLUGIN = "citygrid_desk"
PROFILE = "default"
QGIS_LOCALES = {"zh_CN": "zh-Hans", "en": "en_US"}  # QGIS names its Simplified Chinese zh-Hans
DROPPED_ENV = {"QT_QPA_PLATFORM"}  # a test's `offscreen` would hide the window the user asked for
START_UP = "citygrid-desk-startup.py"


def add_parser(subparsers) -> None:
    text = _("open a centre in the QGIS desktop with the desk plugin of this working tree")
    parser = subparsers.add_parser("desk", help=text, description=text)
    parser.add_argument("path", metavar="PATH", help=_("centre GeoPackage"))
    parser.add_argument("--user", metavar="U",
                        help=_("sign in as U (the password comes from CITYGRID_PASSWORD or the sign-in dialog)"))
    parser.add_argument("--lang", choices=tuple(QGIS_LOCALES), default=argparse.SUPPRESS,
                        help=_("language of QGIS and the desk (default: zh_CN)"))
    parser.add_argument("--profile", metavar="DIR", type=Path,
                        help=_("QGIS profiles folder (default: var/qgis-profile of the working tree)"))
    parser.add_argument("--dry-run", action="store_true",
                        help=_("prepare the profile and print the QGIS command line without starting QGIS"))
    parser.set_defaults(run=run)


@dataclass(frozen=True)
class Launch:
    """What `citygrid desk` runs: the argv, the environment, and the profile it prepared."""

    argv: list[str]
    env: dict[str, str]
    profile: Path
    script: Path


def run(args: argparse.Namespace) -> int:
    launch = prepare(args.path, user=args.user, lang=getattr(args, "lang", None) or "zh_CN", profiles=args.profile)
    if args.dry_run:
        print(" ".join(launch.argv))
        return 0
    print(_("starting QGIS with the desk plugin of {root} on {path} (profile {profile})").format(
        root=checkout_root(), path=Path(args.path).resolve(), profile=launch.profile), flush=True)
    return start(launch.argv, launch.env)


def start(argv: list[str], env: dict[str, str]) -> int:
    """Run QGIS and wait for it to end (tests replace this function)."""
    return subprocess.call(argv, env=env)


def prepare(path, *, user: str | None = None, lang: str = "zh_CN", profiles: Path | None = None,
            environ: dict[str, str] | None = None) -> Launch:
    """Check everything, then build the profile, the .qm and the start-up script; refuse with a Problem."""
    environ = dict(os.environ if environ is None else environ)
    centre = Path(path).resolve()
    problem = db.identify(centre).problem()
    if problem is not None:
        raise problem
    root = checkout_root()
    if root is None:
        raise Problem("desk.no_checkout", root=str(Path(__file__).resolve().parents[3]))
    program = qgis_program(environ)
    needs_display(environ)
    profiles = (profiles or root / "var" / "qgis-profile").resolve()
    profile = build_profile(profiles, root / "qgis_plugin" / PLUGIN, QGIS_LOCALES[lang])
    build_translations(root)
    script = write_start_up(profile, centre, user)
    argv = [program, "--profiles-path", str(profiles), "--profile", PROFILE, "--nologo", "--noversioncheck",
            "--code", str(script)]
    return Launch(argv, qgis_env(environ, root), profile, script)


def checkout_root() -> Path | None:
    """The working tree this core runs from (None when it is installed without one)."""
    root = Path(__file__).resolve().parents[3]
    if (root / "qgis_plugin" / PLUGIN / "plugin.py").is_file() and (root / "shared" / "citygrid").is_dir():
        return root
    return None


def qgis_program(environ: dict[str, str]) -> str:
    name = environ.get("CITYGRID_QGIS") or "qgis"
    found = shutil.which(name, path=environ.get("PATH"))
    if found is None:
        raise Problem("desk.no_qgis", program=name)
    return found


def needs_display(environ: dict[str, str]) -> None:
    if not environ.get("DISPLAY") and not environ.get("WAYLAND_DISPLAY"):
        raise Problem("desk.no_display")


def qgis_env(environ: dict[str, str], root: Path) -> dict[str, str]:
    """The environment QGIS runs in: the working tree's core first on PYTHONPATH."""
    env = {k: v for k, v in environ.items() if k not in DROPPED_ENV}
    paths = [str(root / "shared"), *filter(None, environ.get("PYTHONPATH", "").split(os.pathsep))]
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
    return env


def settings(qgis_locale: str) -> dict[str, dict[str, str]]:
    """QGIS3.ini entries `citygrid desk` sets (every other entry of the profile is kept)."""
    return {
        "PythonPlugins": {PLUGIN: "true"},
        "locale": {"overrideFlag": "true", "userLocale": qgis_locale},
        "qgis": {"checkVersion": "false", "allowVersionCheck": "false"},
        "core": {"NewsFeed\\httpsfeedqgisorg\\disabled": "true"},
        "app": {"plugin_installer\\checkOnStart": "false"},
    }


def build_profile(profiles: Path, plugin: Path, qgis_locale: str) -> Path:
    """`profiles/default` with the plugin linked into python/plugins and QGIS3.ini updated in place."""
    profile = profiles / "profiles" / PROFILE
    plugins = profile / "python" / "plugins"
    plugins.mkdir(parents=True, exist_ok=True)
    link = plugins / PLUGIN
    if link.is_symlink():
        if link.resolve() != plugin.resolve():
            link.unlink()
    elif link.exists():
        raise Problem("desk.plugin_in_the_way", path=str(link))
    if not link.is_symlink():
        link.symlink_to(plugin.resolve(), target_is_directory=True)
    ini = profile / "QGIS" / "QGIS3.ini"
    ini.parent.mkdir(parents=True, exist_ok=True)
    before = ini.read_text(encoding="utf-8") if ini.exists() else ""
    ini.write_text(ini_merge(before, settings(qgis_locale)), encoding="utf-8")
    return profile


def ini_merge(text: str, wanted: dict[str, dict[str, str]]) -> str:
    """`text` (QSettings' INI) with the `wanted` keys set, every other line as it was."""
    todo = {section: dict(keys) for section, keys in wanted.items()}
    out: list[str] = []
    section = None
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("[") and stripped.endswith("]"):
            _flush(out, todo.pop(section, {}))
            section = stripped[1:-1]
        else:
            key = stripped.partition("=")[0].strip()
            if "=" in stripped and key in todo.get(section, {}):
                line = f"{key}={todo[section].pop(key)}"
        out.append(line)
    _flush(out, todo.pop(section, {}))
    for name, keys in todo.items():
        if keys:
            out += ["", f"[{name}]"] + [f"{k}={v}" for k, v in keys.items()]
    return "\n".join(out).lstrip("\n") + "\n"


def _flush(out: list[str], keys: dict[str, str]) -> None:
    """The keys a section still lacks, after its last entry (before the blank line that ends it)."""
    at = len(out)
    while at > 0 and not out[at - 1].strip():
        at -= 1
    out[at:at] = [f"{k}={v}" for k, v in keys.items()]


def build_translations(root: Path) -> None:
    """The desk's .qm in the working tree (`build_plugin_zip.py --qm-only`; without lrelease: English)."""
    subprocess.run([sys.executable, str(root / "scripts" / "build_plugin_zip.py"), "--qm-only"],
                   check=True, stdout=subprocess.DEVNULL)


START_UP_CODE = '''
import os

import qgis.utils
from qgis.PyQt.QtCore import QTimer


def open_the_centre():
    desk = qgis.utils.plugins.get("citygrid_desk")
    if desk is None:  # QGIS has already shown why the plugin did not load
        return
    password = os.environ.pop("CITYGRID_PASSWORD", None) if USERNAME else None
    if desk.open_centre(CENTRE, USERNAME, password):
        qgis.utils.iface.mapCanvas().zoomToFullExtent()


QTimer.singleShot(0, open_the_centre)
'''


def write_start_up(profile: Path, centre: Path, user: str | None) -> Path:
    """The `--code` script: open `centre` in the desk once QGIS has started (no password inside)."""
    script = profile / START_UP
    head = (f"# written by `citygrid desk`: opens the centre in the desk plugin\n"
            f"CENTRE = {str(centre)!r}\nUSERNAME = {user!r}\n")
    script.write_text(head + START_UP_CODE, encoding="utf-8")
    return script
