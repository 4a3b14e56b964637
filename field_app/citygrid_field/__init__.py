# SPDX-License-Identifier: GPL-2.0-or-later
"""citygrid_field: the collectors' offline app. This package's core (store, outbox, sync client) imports
no Kivy: the screens are thin shells over it (docs/field-app.md)."""

__all__ = ["__version__"]

from citygrid import __version__
