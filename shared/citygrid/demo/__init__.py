# SPDX-License-Identifier: GPL-2.0-or-later
"""The demo city: a synthetic district with its organisation, inventory and years of case history.

`build(path, scale=..., seed=...)` writes a demo centre; it is deterministic for a seed. The city
layout (`city`), the organisation and accounts (`org`), the component inventory (`inventory`), the
case histories (`history`), the bulk writer (`write`) and its R-tree packer (`rtree`) are used only
here: nothing else in citygrid imports this package, and the plugin and the field app never carry it.
"""

from .generate import CENTRE_NAME, OPEN311_KEY, SCALES, Scale, build, scale, table_counts

__all__ = ["CENTRE_NAME", "OPEN311_KEY", "SCALES", "Scale", "build", "scale", "table_counts"]
