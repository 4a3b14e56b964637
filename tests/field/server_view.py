# SPDX-License-Identifier: GPL-2.0-or-later
"""What the centre holds after a sync, read from its file (the service may be running: WAL)."""

import sqlite3


def read(path, sql: str, args=()) -> list[tuple]:
    cx = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
    try:
        return cx.execute(sql, args).fetchall()
    finally:
        cx.close()


def items_seen(path, uuids) -> dict[str, int]:
    """How many times each uuid was applied on the centre (exactly once is 1)."""
    rows = read(path, f"SELECT uuid, count(*) FROM sync_items WHERE uuid IN ({','.join('?' * len(uuids))}) "
                      "GROUP BY uuid", tuple(uuids))
    return {u: dict(rows).get(u, 0) for u in uuids}


def case_status(path, case_no) -> str:
    return read(path, "SELECT status FROM cases WHERE case_no = ?", (case_no,))[0][0]


def case_photos(path, case_no) -> set[str]:
    return {r[0] for r in read(path, "SELECT sha256 FROM case_photos WHERE case_no = ?", (case_no,))}


def blob_exists(centre_path, sha: str) -> bool:
    blobs = centre_path.with_suffix(".blobs")
    return (blobs / sha[:2] / sha[2:4] / sha).is_file()
