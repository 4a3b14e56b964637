# SPDX-License-Identifier: GPL-2.0-or-later
"""Sync between the centre and field devices, and Open311.

What both sides share, and all the field app carries of this package:
- `protocol` (with `items`): protocol versions, wire types as frozen dataclasses with
  `to_wire`/`from_wire`, the one item validation, receipts and the codes a device must understand.
  It imports the standard library and citygrid's base modules only.

The centre's side:
- `pull`: per-assignment deltas for one device, paginated by a revision cursor;
- `push`: a device's batch of field results, each applied once, each with a receipt;
- `batches`: the shift-end review of what each push brought back;
- `review`, `review_decisions`: the supervisors' shift review (flagged items, reasons) and its decisions;
- `batch_file`, `batch_sources`: a device batch moved as a file, imported through `push`;
- `outcomes`: what became of the items a collector sent (pull type `outcome`);
- `sessions`: device logins with throttling, bearer tokens, expiry, revocation;
- `open311`: GeoReport v2 for public reports and hotline systems.

These use the loop, the store and the base modules, never the demo. Importing this package imports
none of its modules.
"""

__all__ = ["batch_file", "batch_sources", "batches", "items", "open311", "outcomes", "protocol", "pull", "push", "review",
           "review_decisions", "sessions"]
