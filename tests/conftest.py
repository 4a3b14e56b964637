# SPDX-License-Identifier: GPL-2.0-or-later
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "shared"))

from citygrid import i18n  # noqa: E402
from citygrid.store import db  # noqa: E402


@pytest.fixture
def center_path(tmp_path):
    """Path of a fresh, empty centre GeoPackage (schema at the latest version)."""
    path = tmp_path / "center.gpkg"
    db.create_centre(path).close()
    return path


@pytest.fixture
def conn(center_path):
    c = db.open_centre(center_path)
    yield c
    c.close()


@pytest.fixture
def centre(tmp_path):
    """The path of a small built centre (tests/centre_fixture.py: 4 grids, 2 collectors, one unit)."""
    import centre_fixture

    path = tmp_path / "centre.gpkg"
    centre_fixture.build(path)
    return path


@pytest.fixture
def english():
    """The CLI's English lines, whatever the machine's locale (`pytestmark = usefixtures("english")`)."""
    i18n.set_language("en")
    yield
    i18n.set_language(None)
