# SPDX-License-Identifier: GPL-2.0-or-later
"""Sync between the centre and field devices, and Open311 — the centre's side:

- `pull`: per-assignment deltas for one device, paginated by a revision cursor;
- `push`: a device's batch of field results, each applied once, each with a receipt;
- `batches`: the shift-end review of what each push brought back;
- `sessions`: device logins with throttling, bearer tokens, expiry, revocation;
- `open311`: GeoReport v2 for public reports and hotline systems.

These use the loop, the store and the base modules, never the demo. Importing this package imports
none of its modules.
"""

# the wire types both sides share (`protocol`, issue 9) join this list and the docstring when they land
__all__ = ["batches", "open311", "pull", "push", "sessions"]
