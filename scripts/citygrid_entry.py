# SPDX-License-Identifier: GPL-2.0-or-later
"""Entry point for the frozen (PyInstaller) build: the same CLI as `python -m citygrid`."""

import sys

from citygrid.cli import main

if __name__ == "__main__":
    sys.exit(main())
