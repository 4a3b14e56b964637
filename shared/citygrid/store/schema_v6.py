# SPDX-License-Identifier: GPL-2.0-or-later
"""Schema version 6: what became of the items a collector sent (pull item type `outcome`).

An outcome's change is logged in `sync_changes` (entity `outcome`, id = the item's uuid) by two
triggers, so every writer logs it, the core's and any other:
- when the shift review decides an item (`sync_items.resolved_at` set, `sync.review_decisions`);
- when the case of a sent item reaches a milestone a collector cares about: registered, rejected,
  closed, voided (a merged duplicate is voided) or sent back for rework (`OUTCOME_ACTIONS`). The
  trigger tests the event's action first, and joins `sync_items` by its `case_no` index, so the
  city's other events (dispatch, disposal, extensions, …) cost one comparison each. The bulk demo
  writer drops triggers while it writes and `demo.write.rebuild_sync_log` logs every sent item.
"""

from __future__ import annotations

import sqlite3

# the case events whose outcome a collector's device is told about
OUTCOME_ACTIONS = ("register", "reject", "verify_not_found", "close", "rework", "void")
_ACTIONS = "(" + ", ".join(f"'{a}'" for a in OUTCOME_ACTIONS) + ")"

TRIGGERS = [
    """CREATE TRIGGER sync_outcome_decided AFTER UPDATE OF resolved_at ON sync_items
    WHEN NEW.resolved_at IS NOT NULL AND NEW.resolved_at IS NOT OLD.resolved_at
    BEGIN
      DELETE FROM sync_changes WHERE entity = 'outcome' AND entity_id = NEW.uuid;
      INSERT INTO sync_changes (entity, entity_id, deleted) VALUES ('outcome', NEW.uuid, 0);
    END""",
    f"""CREATE TRIGGER sync_outcome_case AFTER INSERT ON case_events
    WHEN NEW.action IN {_ACTIONS}
    BEGIN
      DELETE FROM sync_changes WHERE entity = 'outcome'
        AND entity_id IN (SELECT uuid FROM sync_items WHERE case_no = NEW.case_no);
      INSERT INTO sync_changes (entity, entity_id, deleted)
        SELECT DISTINCT 'outcome', uuid, 0 FROM sync_items WHERE case_no = NEW.case_no;
    END""",
]


def create(conn: sqlite3.Connection, settings: dict) -> None:
    for sql in TRIGGERS:
        conn.execute(sql)
    log_all(conn)


def log_all(conn: sqlite3.Connection) -> None:
    """One `outcome` change per sent item that has a case or a decision (a new or rebuilt log)."""
    conn.execute("DELETE FROM sync_changes WHERE entity = 'outcome'")
    conn.execute("INSERT INTO sync_changes (entity, entity_id, deleted) SELECT DISTINCT 'outcome', uuid, 0 "
                 "FROM sync_items WHERE case_no IS NOT NULL OR resolved_at IS NOT NULL ORDER BY uuid")
