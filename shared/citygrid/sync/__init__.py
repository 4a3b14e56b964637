# SPDX-License-Identifier: GPL-2.0-or-later
"""Sync between the centre and field devices, and Open311.

- `protocol`: what both sides share — wire types, protocol versions, item validation, receipts;
- the centre's side: `pull` (scoped deltas), `push` (exactly-once items), `batches` (shift review),
  `sessions` (device tokens and login throttling), `open311` (GeoReport v2).

The field app imports `protocol` only; the centre's modules use the loop and the store.
"""
