# SPDX-License-Identifier: GPL-2.0-or-later
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "shared"))

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
