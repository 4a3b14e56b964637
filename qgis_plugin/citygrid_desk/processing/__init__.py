# SPDX-License-Identifier: GPL-2.0-or-later
"""The Processing provider `citygrid`: the centre's work as algorithms for models, batch runs and
qgis_process (assign_grids, evaluate, export_basemap). Each algorithm reads the centre through the
core and writes only its own outputs."""
