# SPDX-License-Identifier: GPL-2.0-or-later
"""Entry point for the frozen (PyInstaller) field app: the same as the `citygrid-field` command."""

import sys

from citygrid_field.main import main

if __name__ == "__main__":
    sys.exit(main())
