# SPDX-License-Identifier: GPL-2.0-or-later
import csv
from pathlib import Path

import pytest

from citygrid.loop import dictionaries
from citygrid.loop.dictionaries import ClassEntry, Condition
from citygrid.problems import Problem
from citygrid.store import db

SHIPPED = Path(__file__).resolve().parents[1] / "resources" / "codes"
CLASS_HEAD = "code,major_code,major_name,minor_code,minor_name"
COND_HEAD = "kind,class_code,condition_id,condition,limit,unit,urgent,close_standard,source"
GOOD = {
    "components.csv": [CLASS_HEAD, "0101,01,公用设施,01,上水井盖", "0102,01,公用设施,02,污水井盖"],
    "events.csv": [CLASS_HEAD, "0102,01,市容环境,02,暴露垃圾"],
    "time_limits.csv": [COND_HEAD, "component,0101,1,井盖缺失,2,calendar_hours,1,井盖复位,starter",
                        "component,0101,2,井盖破损,4,working_hours,0,井盖修复,starter",
                        "event,0102,1,暴露垃圾,4,working_hours,0,垃圾清除,manual"],
}


def write_tables(folder: Path, changes: dict | None = None) -> Path:
    """The GOOD tables with some lines replaced: {file: {line_no (1-based): text}}."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, lines in GOOD.items():
        lines = list(lines)
        for line_no, text in (changes or {}).get(name, {}).items():
            lines[line_no - 1:line_no] = [text]
        (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def snapshot(conn):
    return (conn.execute("SELECT * FROM classes ORDER BY fid").fetchall(),
            conn.execute("SELECT * FROM conditions ORDER BY fid").fetchall(),
            conn.execute("SELECT * FROM sync_changes ORDER BY rev").fetchall())


def _rows(name):
    with open(SHIPPED / name, encoding="utf-8") as fh:
        return len(list(csv.reader(fh))) - 1


def test_the_shipped_tables_install_completely(conn):
    counts = dictionaries.install(conn, SHIPPED)
    expected = _rows("components.csv") + _rows("events.csv")
    assert counts == {"classes": expected, "conditions": _rows("time_limits.csv"),
                      "changed": expected + _rows("time_limits.csv")}
    assert conn.execute("SELECT count(*) FROM classes").fetchone()[0] == expected


def test_the_default_directory_is_the_repos_resources(monkeypatch):
    monkeypatch.delenv("CITYGRID_RESOURCES", raising=False)
    assert dictionaries.default_dir() == SHIPPED


def test_citygrid_resources_overrides_the_default_directory(tmp_path, monkeypatch):
    monkeypatch.setenv("CITYGRID_RESOURCES", str(tmp_path))
    (tmp_path / "codes").mkdir()
    assert dictionaries.default_dir() == tmp_path / "codes"


def test_installing_the_same_tables_again_changes_no_revision(conn, tmp_path):
    folder = write_tables(tmp_path / "codes")
    dictionaries.install(conn, folder)
    before = snapshot(conn)
    assert dictionaries.install(conn, folder)["changed"] == 0
    assert snapshot(conn) == before


def test_a_renamed_class_is_updated_in_place_and_keeps_its_owner_unit(conn, tmp_path):
    dictionaries.install(conn, write_tables(tmp_path / "a"))
    conn.execute("UPDATE classes SET owner_unit_code = 'water' WHERE code = '0101'")
    changes = {"components.csv": {2: "0101,01,公用设施,01,给水井盖"}}
    assert dictionaries.install(conn, write_tables(tmp_path / "b", changes))["changed"] == 1
    entry = dictionaries.class_entry(conn, "component", "0101")
    assert (entry.minor_name, entry.owner_unit_code) == ("给水井盖", "water")


BAD_ROWS = [
    ("components.csv", 3, "0102,01,公用设施,02", "expected 5 fields"),
    ("components.csv", 3, "0101,01,公用设施,01,重复", "duplicate code (first on line 2)"),
    ("components.csv", 3, "102,01,公用设施,02,污水井盖", "code (gb16): expected 4 digits"),
    ("components.csv", 3, "0103,01,公用设施,02,污水井盖", "code is not major_code + minor_code"),
    ("components.csv", 3, "0102,1,公用设施,02,污水井盖", "major_code (gb16): expected 2 digits"),
    ("components.csv", 3, "0102,01,公用设施,02, ", "empty minor_name"),
    ("components.csv", 3, "0102,01,公共设施,02,污水井盖", "major class 01 is named '公用设施'"),
    ("components.csv", 3, "0100,01,公用设施,00,污水井盖", "code (gb16): minor class 0"),
    ("time_limits.csv", 2, "component,0101,1,井盖缺失,2,hours,1,复位,s", "unit must be one of"),
    ("time_limits.csv", 2, "component,0101,1,井盖缺失,0,working_hours,1,复位,s", "limit must be a positive"),
    ("time_limits.csv", 2, "component,0101,1,井盖缺失,-2,working_hours,1,复位,s", "limit must be a positive"),
    ("time_limits.csv", 2, "component,0101,1,井盖缺失,nan,working_hours,1,复位,s", "limit must be"),
    ("time_limits.csv", 2, "component,0101,1,井盖缺失,2,working_hours,yes,复位,s", "urgent must be 0 or 1"),
    ("time_limits.csv", 2, "component,0199,1,井盖缺失,2,working_hours,1,复位,s", "no component class 0199"),
    ("time_limits.csv", 2, "event,0101,1,井盖缺失,2,working_hours,1,复位,s", "no event class 0101"),
    ("time_limits.csv", 2, "thing,0101,1,井盖缺失,2,working_hours,1,复位,s", "kind must be"),
    ("time_limits.csv", 2, "component,0101,0,井盖缺失,2,working_hours,1,复位,s", "condition_id must be"),
    ("time_limits.csv", 2, "component,0101,1,,2,working_hours,1,复位,s", "empty condition"),
    ("time_limits.csv", 3, "component,0101,1,又一条,2,working_hours,1,复位,s", "duplicate condition"),
]


@pytest.mark.parametrize("name,line,text,reason", BAD_ROWS)
def test_a_broken_row_names_file_line_and_reason_and_changes_nothing(conn, tmp_path, name, line, text,
                                                                     reason):
    dictionaries.install(conn, write_tables(tmp_path / "good"))
    before = snapshot(conn)
    folder = write_tables(tmp_path / "bad", {name: {line: text}})
    with pytest.raises(Problem) as exc:
        dictionaries.install(conn, folder)
    p = exc.value
    assert p.code == "dictionary.bad_row"
    assert (Path(p.details["file"]).name, p.details["line"]) == (name, line)
    assert reason in p.details["reason"]
    assert snapshot(conn) == before


def test_line_numbers_count_blank_lines(tmp_path):
    path = tmp_path / "components.csv"
    text = f"{CLASS_HEAD}\n0101,01,公用设施,01,上水井盖\n\n\n0102,01,公用设施,2,x\n"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(Problem) as exc:
        dictionaries.load_classes(path, "component")
    assert exc.value.details["line"] == 5


def test_a_wrong_header_is_refused(conn, tmp_path):
    folder = write_tables(tmp_path, {"events.csv": {1: "code,major,major_name,minor,minor_name"}})
    with pytest.raises(Problem) as exc:
        dictionaries.install(conn, folder)
    assert exc.value.code == "dictionary.bad_header"
    assert exc.value.details["found"] == "code,major,major_name,minor,minor_name"
    assert conn.execute("SELECT count(*) FROM classes").fetchone()[0] == 0


def test_a_gbk_encoded_file_is_unreadable_not_garbled(conn, tmp_path):
    folder = write_tables(tmp_path)
    (folder / "events.csv").write_bytes("\n".join(GOOD["events.csv"]).encode("gbk"))
    with pytest.raises(Problem) as exc:
        dictionaries.install(conn, folder)
    assert exc.value.code == "dictionary.unreadable" and "UTF-8" in exc.value.details["reason"]
    assert exc.value.details["file"].endswith("events.csv")


def test_a_missing_table_is_unreadable(conn, tmp_path):
    folder = write_tables(tmp_path)
    (folder / "time_limits.csv").unlink()
    with pytest.raises(Problem) as exc:
        dictionaries.install(conn, folder)
    assert exc.value.code == "dictionary.unreadable"
    assert conn.execute("SELECT count(*) FROM classes").fetchone()[0] == 0


def test_a_byte_order_mark_from_excel_is_accepted(tmp_path):
    path = tmp_path / "events.csv"
    path.write_bytes(("\n".join(GOOD["events.csv"]) + "\n").encode("utf-8-sig"))
    assert [e.code for e in dictionaries.load_classes(path, "event")] == ["0102"]


def test_an_unknown_kind_is_refused(tmp_path):
    with pytest.raises(Problem) as exc:
        dictionaries.load_classes(write_tables(tmp_path) / "events.csv", "incident")
    assert exc.value.code == "dictionary.bad_kind"


def test_a_gb17_centre_takes_five_digit_classes_and_refuses_four(tmp_path):
    conn = db.create_centre(tmp_path / "c17.gpkg", scheme="gb17")
    try:
        with pytest.raises(Problem) as exc:
            dictionaries.install(conn, write_tables(tmp_path / "gb16"))
        assert exc.value.details["reason"] == "code (gb17): expected 5 digits"
        five = {"components.csv": {2: "01001,01,公用设施,001,上水井盖", 3: "01002,01,公用设施,002,污水井盖"},
                "events.csv": {2: "01002,01,市容环境,002,暴露垃圾"},
                "time_limits.csv": {2: "component,01001,1,井盖缺失,2,calendar_hours,1,复位,s",
                                    3: "component,01001,2,井盖破损,4,working_hours,0,修复,s",
                                    4: "event,01002,1,暴露垃圾,4,working_hours,0,清除,s"}}
        assert dictionaries.install(conn, write_tables(tmp_path / "gb17", five))["classes"] == 3
    finally:
        conn.close()


def test_readers_return_the_installed_rows(conn, tmp_path):
    dictionaries.install(conn, write_tables(tmp_path))
    assert [c.code for c in dictionaries.classes(conn, "component")] == ["0101", "0102"]
    assert [(c.kind, c.code) for c in dictionaries.classes(conn)][-1] == ("event", "0102")
    found = dictionaries.conditions_for(conn, "component", "0101")
    assert [(c.condition_id, c.limit, c.unit, c.urgent) for c in found] == [
        (1, 2.0, "calendar_hours", True), (2, 4.0, "working_hours", False)]
    assert dictionaries.condition(conn, "event", "0102", 1).close_standard == "垃圾清除"
    assert dictionaries.conditions_for(conn, "component", "0102") == []


def test_unknown_class_and_condition_are_coded_problems(conn, tmp_path):
    dictionaries.install(conn, write_tables(tmp_path))
    with pytest.raises(Problem) as exc:
        dictionaries.class_entry(conn, "event", "0101")
    assert exc.value.code == "dictionary.unknown_class"
    with pytest.raises(Problem) as exc:
        dictionaries.condition(conn, "component", "0101", 3)
    assert exc.value.code == "dictionary.unknown_condition"


def test_domain_objects_round_trip_through_the_wire():
    entry = ClassEntry("event", "0102", "01", "市容环境", "02", "暴露垃圾")
    cond = Condition("event", "0102", 1, "暴露垃圾", 4.0, "working_hours", False, "垃圾清除", "manual")
    assert ClassEntry.from_wire(entry.to_wire()) == entry
    assert Condition.from_wire(cond.to_wire()) == cond
    assert cond.to_wire()["limit"] == 4.0 and entry.to_wire()["minor_name"] == "暴露垃圾"
