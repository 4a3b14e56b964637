# SPDX-License-Identifier: GPL-2.0-or-later
"""citygrid core: codes, case workflow, deadlines, geocoding, evaluation, storage."""

__version__ = "0.1.0"

from .problems import Problem  # noqa: E402,F401
