# SPDX-License-Identifier: GPL-2.0-or-later
"""Desktop tier: the built zip installed in a throw-away profile of the real `qgis` binary under Xvfb
(tests/qgis/desktop.py), the demo centre opened with the centre's own accounts, screenshots kept in
var/test-artifacts/ (desk-zh_CN.png, desk-en.png, desk-refused-zh_CN.png)."""

import os
from pathlib import Path

import pytest
from desktop import (
    DESK_STATE,
    OPEN_CENTRE,
    SHOT,
    START_UP_SCRIPT,
    WRONG_PASSWORD,
    available,
    build_zip,
    chinese_available,
    install,
    run,
)

from citygrid import demo
from citygrid.commands import desk
from citygrid.demo import org

pytestmark = [pytest.mark.qgis, pytest.mark.slow,
              pytest.mark.skipif(not available(), reason="needs Debian's qgis desktop and xvfb-run (make deps)")]
ROOT = Path(__file__).resolve().parents[2]
LAYERS = [["cases", True], ["components", True], ["grids", True]]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """(the demo centre, the built zip), made once for the module."""
    tmp = tmp_path_factory.mktemp("desktop")
    centre = tmp / "center.gpkg"
    demo.build(centre, scale=demo.scale("small"), seed=1)
    return centre, build_zip(tmp / "citygrid_desk.zip")


def values(centre, **more):
    return {"CENTRE": str(centre), "USERNAME": "operator", "PASSWORD": org.PASSWORD, **more}


def test_the_zh_cn_desktop_loads_the_zip_and_opens_the_demo_centre_signed_in(built, tmp_path):
    centre, zip_path = built
    profiles = install(zip_path, tmp_path / "profiles", lang="zh_CN")
    out = run(profiles, [OPEN_CENTRE, SHOT], values(centre, SHOT_NAME="desk-zh_CN.png"))
    assert out["errors"] == [] and out["loaded"] and out["opened"], out
    assert out["role"] == "operator"
    assert ("数字城管" if chinese_available() else "citygrid") in out["menus"], out["menus"]
    assert "工程(&J)" in out["menus"] or "工程(J)" in "".join(out["menus"]), out["menus"]  # QGIS itself in Chinese
    assert LAYERS == [layer for layer in out["layers"] if layer[0] in ("cases", "components", "grids")]
    assert [w[0] for w in out["windows"]] == ["QgisApp"], out["windows"]  # no dialog left open
    assert _size(out["shots"]["desk-zh_CN.png"]) > 50_000


def test_the_english_desktop_opens_the_demo_centre_signed_in(built, tmp_path):
    centre, zip_path = built
    profiles = install(zip_path, tmp_path / "profiles", lang="en")
    out = run(profiles, [OPEN_CENTRE, SHOT], values(centre, USERNAME="leader", SHOT_NAME="desk-en.png"))
    assert out["errors"] == [] and out["opened"] and out["role"] == "leader", out
    assert "citygrid" in out["menus"] and "Pro&ject" in out["menus"], out["menus"]
    assert _size(out["shots"]["desk-en.png"]) > 50_000


def test_a_wrong_password_is_refused_with_a_message_and_nothing_opened(built, tmp_path):
    centre, zip_path = built
    profiles = install(zip_path, tmp_path / "profiles", lang="zh_CN")
    out = run(profiles, [WRONG_PASSWORD], values(centre, REFUSAL_SHOT="desk-refused-zh_CN.png"))
    assert out["errors"] == [] and out["wrong_opened"] is False, out
    assert out["refusal"] and "Traceback" not in out["refusal"], out
    assert any("\u4e00" <= ch <= "\u9fff" for ch in out["refusal"]), out["refusal"]


def test_citygrid_desk_starts_qgis_with_the_working_tree_plugin_signed_in(built, tmp_path):
    """The profile, start-up script and environment `citygrid desk --user operator` prepares, in the real QGIS
    (the harness only adds its steps after the start-up script)."""
    centre, _zip = built
    launch = desk.prepare(centre, user="operator", profiles=tmp_path / "profiles",
                          environ={**os.environ, "DISPLAY": ":0", "CITYGRID_PASSWORD": org.PASSWORD})
    out = run(tmp_path / "profiles", [START_UP_SCRIPT, DESK_STATE, SHOT],
              {"START_UP": str(launch.script), "SHOT_NAME": "desk-command-zh_CN.png"}, env=launch.env)
    assert out["errors"] == [] and out["opened"] and out["role"] == "operator", out
    assert Path(out["plugin_file"]).resolve().parent == ROOT / "qgis_plugin" / "citygrid_desk"
    assert out["password_in_env"] is False
    assert ("数字城管" if chinese_available() else "citygrid") in out["menus"], out["menus"]
    assert LAYERS == [layer for layer in out["layers"] if layer[0] in ("cases", "components", "grids")]


def _size(path) -> int:
    return Path(path).stat().st_size
