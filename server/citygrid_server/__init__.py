# SPDX-License-Identifier: GPL-2.0-or-later
"""citygrid's sync service: thin HTTP routes over the core."""
