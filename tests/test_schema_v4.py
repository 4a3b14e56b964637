# SPDX-License-Identifier: GPL-2.0-or-later
"""Schema 4: sync items keyed per account, photo senders, login sources — and the upgrade from 3."""

import sqlite3

import pytest

from citygrid.store import db, gpkg, migrations, schema_v4

U = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"


def _version_3_centre(path):
    c = db.connect(path, create=True)
    with db.transaction(c):
        gpkg.init_container(c)
    migrations.upgrade(c, settings={"srs_id": "4549"}, registry=migrations.MIGRATIONS[:3])
    assert migrations.current(c) == 3
    return c


def _item(c, uuid, username="c1", batch="b1"):
    c.execute("INSERT INTO sync_items (uuid, batch_id, device_id, username, type, payload, status) "
              "VALUES (?, ?, 'd1', ?, 'check', '{}', 'accepted')", (uuid, batch, username))


def test_an_upgraded_centre_keeps_its_items_in_canonical_spelling(tmp_path):
    path = tmp_path / "v3.gpkg"
    c = _version_3_centre(path)
    with db.transaction(c):
        _item(c, U.upper())
        _item(c, U.replace("-", "").upper().replace("0A", "0a"), batch="b2")  # same uuid, other spelling
        _item(c, "not-a-uuid")
        c.execute("INSERT INTO photos (sha256, size, content_type, uploaded_by) VALUES (?, 1, 'image/jpeg', 'c1')",
                  ("a" * 64,))
        c.execute("INSERT INTO login_attempts (username, device_id, at, ok) VALUES ('c1', 'd1', '2026-01-01', 0)")
    c.close()
    c = db.open_centre(path)
    assert migrations.current(c) == migrations.latest() >= 4
    rows = [tuple(r) for r in c.execute("SELECT uuid, batch_id FROM sync_items ORDER BY fid")]
    assert rows[0] == (U, "b1")
    assert rows[1][1] == "b2" and rows[1][0] != U  # the clash keeps its old spelling, nothing dropped
    assert rows[2] == ("not-a-uuid", "b1")
    assert [tuple(r) for r in c.execute("SELECT sha256, username FROM photo_senders")] == [("a" * 64, "c1")]
    assert c.execute("SELECT client FROM login_attempts").fetchone()[0] is None
    assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert c.execute("SELECT 1 FROM gpkg_contents WHERE table_name = 'sync_items'").fetchone()
    c.close()


def test_the_same_uuid_is_a_separate_item_for_another_account(center_path):
    c = db.open_centre(center_path)
    with db.transaction(c):
        _item(c, U, "c1")
        _item(c, U, "c2")
        with pytest.raises(sqlite3.IntegrityError):
            _item(c, U, "c1")
    c.close()


@pytest.mark.parametrize("raw, canon", [(U, U), (U.upper(), U), (U.replace("-", ""), U),
                                        ("{" + U + "}", U), (U + "\n", None), ("", None), (None, None)])
def test_canonical_uuid(raw, canon):
    assert schema_v4.canonical_uuid(raw) == canon
