# SPDX-License-Identifier: GPL-2.0-or-later
"""citygrid_desk: the centre desk of citygrid (数字城管) inside QGIS."""


def classFactory(iface):  # noqa: N802 (the name QGIS calls)
    """QGIS's entry point: the plugin instance for this QGIS window."""
    from .plugin import CitygridDesk

    return CitygridDesk(iface)
