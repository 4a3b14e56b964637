# SPDX-License-Identifier: GPL-2.0-or-later
"""The demo city: a synthetic district with its organisation, inventory and years of case history.

`build(path, scale=..., seed=...)` writes a demo centre; it is deterministic for a seed; `scale(name,
fraction)` and `SCALES` name its sizes. Its own modules: the city layout (`city`), the organisation and
accounts (`org`), the component inventory (`inventory`), the case histories (`history`), the bulk
writer (`write`, packing R-trees with `store.rtree`), with `generate` putting them together. Nothing else in
citygrid imports this package but the `citygrid demo` command: the desk plugin and the field app never
carry it.
"""

from .generate import CENTRE_NAME, OPEN311_KEY, SCALES, Scale, build, scale, table_counts

__all__ = ["CENTRE_NAME", "OPEN311_KEY", "SCALES", "Scale", "build", "scale", "table_counts"]
