# SPDX-License-Identifier: GPL-2.0-or-later
"""The case loop (DOMAIN.md §2): who may do what to a case, when it is due, and how everyone scores.

- `transitions`: the loop as a table and the pure decision of what one action changes;
- `workflow`: the one writer of the case log — reports, actions, reassignments, kept field results;
- `tasks`: 核实 / 核查 / disposal task rows; `deadlines`: work calendars and time limits;
- `accounts`: users, roles, the acting `Actor`; `dictionaries`: classes, conditions, time limits;
- `geocode`: point → grid, case numbers, nearby components; `evaluation`, `scoring`: indicators,
  composite scores and grades from the log.

The loop reads and writes through `citygrid.store`; it never imports sync or the demo.
"""
