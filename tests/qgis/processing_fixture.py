# SPDX-License-Identifier: GPL-2.0-or-later
"""Fixtures of the tests that run the desk's Processing algorithms from the working tree
(`from processing_fixture import desk_imports_undone, processing`)."""

import importlib
import sys

import pytest

QGIS_PLUGINS = "/usr/share/qgis/python/plugins"


@pytest.fixture(scope="module", autouse=True)
def desk_imports_undone():
    """These modules import the desk from the working tree: leave sys.modules as found, so that a
    later test of the built zip (test_desk_plugin) imports the zip's own copy."""
    before = {n for n in sys.modules if n.split(".")[0] == "citygrid_desk"}
    yield
    for name in [n for n in sys.modules if n.split(".")[0] == "citygrid_desk" and n not in before]:
        del sys.modules[name]


@pytest.fixture(scope="module")
def processing(qgis_app):
    """QGIS's Processing framework with the citygrid provider (the desk's module from the working tree)."""
    from qgis.core import QgsApplication

    if QGIS_PLUGINS not in sys.path:
        sys.path.append(QGIS_PLUGINS)
    from processing.core.Processing import Processing

    Processing.initialize()
    registry = QgsApplication.processingRegistry()
    provider = None
    if registry.providerById("citygrid") is None:
        provider = importlib.import_module("citygrid_desk.processing.provider").CitygridProvider()
        registry.addProvider(provider)
    yield importlib.import_module("processing")
    if provider is not None:
        registry.removeProvider(provider)
