# SPDX-License-Identifier: GPL-2.0-or-later
"""Chinese first: every problem code and every command-line text has its zh_CN text, the catalogues
are valid PO files for standard tools, and the command line speaks the locale's language (argparse's
own words included)."""

import ast
import os
import shutil
import string
import subprocess
import sys
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from citygrid import cli, i18n
from citygrid.commands import _argparse
from citygrid.messages import TEXTS, message
from citygrid.problems import Problem
from citygrid.store import db
from citygrid.sync import open311, protocol

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [ROOT / "shared" / "citygrid", ROOT / "server" / "citygrid_server", ROOT / "qgis_plugin" / "citygrid_desk"]
PO_FILES = sorted((i18n.LOCALE_DIR / "zh_CN" / "LC_MESSAGES").glob("*.po"))
NON_CODE_CONTEXTS = {open311.NOTES_CONTEXT, protocol.CASE_STATUS_CONTEXT}


@pytest.fixture(autouse=True)
def _language_of_the_environment():
    i18n.set_language(None)
    yield
    i18n.set_language(None)


def fields(template: str) -> Counter:
    """The placeholders of a format template, with their conversion and spec ({value!r} ≠ {value})."""
    return Counter((name, conv, spec) for _, name, spec, conv in string.Formatter().parse(template)
                   if name is not None)


def python_files():
    for folder in SOURCES:
        yield from sorted(folder.rglob("*.py"))


def _calls(named):
    """(first string argument, file:line) of every call to a function in `named` (bare or attribute)."""
    for path in python_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            first = node.args[0]
            if name in named and isinstance(first, ast.Constant) and isinstance(first.value, str):
                yield first.value, f"{path.relative_to(ROOT)}:{node.lineno}"


# --- the catalogue of problem codes -------------------------------------------------------------

def test_every_code_has_a_chinese_text_with_the_same_placeholders():
    zh = i18n.catalogue("zh_CN")
    missing = sorted(code for code, english in TEXTS.items() if (code, english) not in zh)
    assert missing == [], f"no zh_CN text (or a stale msgid) for {missing}"
    bad = sorted(code for code, english in TEXTS.items() if fields(zh[(code, english)]) != fields(english))
    assert bad == []


def test_every_literal_code_raised_in_the_core_and_the_server_has_an_english_text():
    raised = list(_calls({"Problem"}))
    assert len(raised) > 100  # the scan sees the sources
    missing = sorted({f"{code} ({where})" for code, where in raised if code not in TEXTS})
    assert missing == []


def test_no_translation_is_stale_or_contradicted_by_another_po_file():
    """A msgctxt naming a code must carry today's English template (else it is never used), and two
    PO files never translate the same entry differently (the merge would pick one silently)."""
    seen, stale, clash = {}, [], []
    for path in PO_FILES:
        for ctx, msgid, msgstr in i18n.read_po(path.read_text(encoding="utf-8")):
            if not msgid:
                continue
            if ctx is not None and ctx not in NON_CODE_CONTEXTS and TEXTS.get(ctx) != msgid:
                stale.append(f"{path.name}: {ctx}")
            if seen.setdefault((ctx, msgid), msgstr) != msgstr:
                clash.append(f"{path.name}: {ctx} {msgid!r}")
    assert stale == [] and clash == []


def test_message_speaks_the_chosen_language():
    problem = Problem("account.unknown", username="wang")
    i18n.set_language("zh_CN")
    assert message(problem) == "没有用户 wang"
    i18n.set_language("en")
    assert message(problem) == "no user wang"
    assert message(problem, "zh_CN") == "没有用户 wang"  # an explicit language beats the chosen one
    assert message(Problem("case.illegal_transition", case="C1", status="closed", action="dispatch"),
                   "zh_CN") == "案卷 C1 当前为 closed：现在不能执行 dispatch"


def test_a_translation_with_a_bad_placeholder_falls_back_to_english(monkeypatch):
    english = TEXTS["account.unknown"]
    monkeypatch.setattr(i18n, "catalogue", lambda lang: {("account.unknown", english): "没有用户 {user_name}"})
    assert message(Problem("account.unknown", username="wang"), "zh_CN") == "no user wang"
    monkeypatch.setattr(i18n, "catalogue", lambda lang: {("account.unknown", english): "没有用户 {0}"})
    assert message(Problem("account.unknown", username="wang"), "zh_CN") == "no user wang"


# --- the PO reader and the standard tools -------------------------------------------------------

PO_SAMPLE = r'''# a comment
msgid ""
msgstr ""
"Language: zh_CN\n"

msgctxt "x.code"
msgid ""
"two "
"lines {a}"
msgstr "两"
"行 {a}"

#, fuzzy
msgid "fuzzy one"
msgstr "不可用"

msgid "quote \" tab \t newline \n back \\ slash"
msgstr "引号 \" 制表 \t 换行 \n 反 \\ 斜杠"
msgctxt "y.code"
msgid "no blank line before"
msgstr "前面没有空行"

#~ msgid "obsolete"
#~ msgstr "过时"

msgid "one file"
msgid_plural "%s files"
msgstr[0] "%s 个文件"
'''


def test_read_po_handles_multi_line_strings_escapes_fuzzy_obsolete_context_and_plurals():
    entries = {(c, m): s for c, m, s in i18n.read_po(PO_SAMPLE)}
    assert entries[("x.code", "two lines {a}")] == "两行 {a}"
    assert (None, "fuzzy one") not in entries
    assert entries[(None, 'quote " tab \t newline \n back \\ slash')] == '引号 " 制表 \t 换行 \n 反 \\ 斜杠'
    assert entries[("y.code", "no blank line before")] == "前面没有空行"
    assert not any(m == "obsolete" for _c, m in entries)
    assert entries[(None, "one file")] == "%s 个文件"


@pytest.mark.parametrize("path", PO_FILES, ids=lambda p: p.name)
def test_each_po_file_is_read_alike_by_babel(path):
    """Babel (the dev extra) reads every PO file strictly, and finds what citygrid reads."""
    pofile = pytest.importorskip("babel.messages.pofile")
    with path.open("rb") as f:
        catalog = pofile.read_po(f, abort_invalid=True)
    babel = {(m.context, m.id if isinstance(m.id, str) else m.id[0]):
             (m.string if isinstance(m.string, str) else m.string[0]) for m in catalog if m.id and not m.fuzzy}
    ours = {(c, m): s for c, m, s in i18n.read_po(path.read_text(encoding="utf-8")) if m}
    assert babel == ours and (catalog.locale.language, catalog.locale.territory) == ("zh", "CN")


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext's msgfmt is not installed")
@pytest.mark.parametrize("path", PO_FILES, ids=lambda p: p.name)
def test_each_po_file_compiles_with_msgfmt(path, tmp_path):
    res = subprocess.run(["msgfmt", "--check", "-o", str(tmp_path / "out.mo"), str(path)],
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stderr


def test_a_table_aligns_chinese_by_display_width():
    out = i18n.table(["编号", "名称", "n"], [["u1", "市政处", "2"], ["u22", "Water Works", "10"]], right=(2,),
                     rule=True)
    head, rule, *rows = out.splitlines()
    assert i18n.width("市政处") == 6 and i18n.width("Water Works") == 11
    assert rule == "----  -----------  --"
    assert [i18n.width(line) for line in (head, *rows)] == [i18n.width(rule)] * 3  # right column flush
    assert rows[0] == "u1    市政处        2" and head.startswith("编号  名称")


def test_help_wraps_by_display_width():
    lines = _argparse.wrap("考核区间为 [--from, --to)：日期指中心时区的零点，因此 --from 2016-12-01 即 2016 年 12 月。", 30)
    assert all(i18n.width(line) <= 30 for line in lines) and len(lines) > 2
    assert "".join(lines).replace(" ", "") == "考核区间为[--from,--to)：日期指中心时区的零点，因此--from2016-12-01即2016年12月。"
    assert not any(line[0] in "，。：" for line in lines)


# --- the command line ---------------------------------------------------------------------------

def test_every_command_line_text_has_a_chinese_translation():
    """Every literal handed to _() or N_() in the core and the service is in the zh_CN catalogue."""
    msgids = {m for _c, m in i18n.catalogue("zh_CN")}
    texts = list(_calls({"_", "N_"}))
    assert len(texts) > 50
    missing = sorted({f"{text!r} ({where})" for text, where in texts if text not in msgids})
    assert missing == []


def _citygrid(*argv, lang="zh_CN.UTF-8"):
    env = {k: v for k, v in os.environ.items() if k not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")}
    env.update(LANG=lang, COLUMNS="100", PYTHONPATH=os.pathsep.join([str(ROOT / "shared"), str(ROOT / "server")]))
    return subprocess.run([sys.executable, "-m", "citygrid", *argv], capture_output=True, text=True, env=env)


def test_help_is_chinese_under_a_chinese_locale():
    res = _citygrid("--help")
    assert res.returncode == 0
    out = res.stdout
    assert out.startswith("用法: citygrid") and "位置参数:" in out and "选项:" in out
    assert "显示此帮助信息并退出" in out and "检查指挥中心 GeoPackage 的完整性" in out
    assert "usage" not in out and "show this help" not in out
    check = _citygrid("check", "--help").stdout
    assert "中心 GeoPackage 文件" in check and "用 SQLite quick_check" in check


def test_argparse_errors_are_chinese_under_a_chinese_locale():
    res = _citygrid("check")
    assert res.returncode == 2 and res.stdout == ""
    assert res.stderr.splitlines()[-1] == "citygrid: 错误: 缺少以下必需参数: PATH"
    res = _citygrid("nosuch")
    last = res.stderr.splitlines()[-1]
    assert res.returncode == 2 and last.startswith("citygrid: 错误: ") and "无效的选项: 'nosuch'" in last
    res = _citygrid("check", "a.gpkg", "--format", "xml")
    assert res.returncode == 2 and "无效的选项: 'xml'" in res.stderr


def test_the_environment_and_lang_choose_the_language():
    english = _citygrid("check", lang="C.UTF-8")
    assert english.stderr.splitlines()[-1] == "citygrid: error: the following arguments are required: PATH"
    assert _citygrid("--lang", "en", "check").stderr.splitlines()[-1].startswith("citygrid: error: ")
    assert _citygrid("check", "--lang=en").stderr.splitlines()[-1].startswith("citygrid: error: ")
    zh = _citygrid("--lang", "zh_CN", "check", lang="en_US.UTF-8")
    assert zh.stderr.splitlines()[-1] == "citygrid: 错误: 缺少以下必需参数: PATH"


def test_lang_is_accepted_after_a_nested_command(capsys, tmp_path):
    assert cli.main(["user", "list", str(tmp_path / "nowhere.gpkg"), "--lang", "zh_CN"]) == 1
    assert capsys.readouterr().err == f"citygrid: 错误: 没有此文件：{tmp_path / 'nowhere.gpkg'}\n"


def test_a_coded_error_is_one_chinese_line(tmp_path):
    res = _citygrid("check", str(tmp_path / "nowhere.gpkg"))
    assert res.returncode == 1 and "Traceback" not in res.stderr
    assert res.stderr == f"citygrid: 错误: 没有此文件：{tmp_path / 'nowhere.gpkg'}\n"


def test_check_says_ok_in_chinese(capsys, center_path):
    assert cli.main(["--lang", "zh_CN", "check", str(center_path)]) == 0
    assert capsys.readouterr().out == f"{center_path}: 正常\n"
    assert i18n.language() == i18n.detect()  # --lang lasts for the one run


def _events(path, when):
    conn = db.open_centre(path)
    with db.transaction(conn):
        conn.execute("INSERT INTO units (code, name, kind) VALUES ('u1', '市政处', 'department')")
        conn.execute("INSERT INTO cases (case_no, kind, class_code, status, grid_code, source, reported_at, "
                     "unit_code) VALUES ('E1', 'event', '0101', 'registered', 'g1', 'collector', ?, 'u1')", (when[0],))
        conn.executemany("INSERT INTO case_events (case_no, action, actor, role, from_status, to_status, at, "
                         "unit_code) VALUES ('E1', 'register', 'someone', 'leader', 'pending_register', "
                         "'registered', ?, 'u1')", [(w,) for w in when])
    conn.close()


def test_evaluate_table_headings_are_chinese(capsys, center_path):
    _events(center_path, ["2016-12-05T01:00:00.000Z"])
    assert cli.main(["--lang", "zh_CN", "evaluate", str(center_path), "--from", "2016-12-01", "--to",
                     "2017-01-01", "--by", "unit"]) == 0
    out, err = capsys.readouterr()
    head, rule, row = out.splitlines()
    assert head.split()[:3] == ["编号", "名称", "立案数"] and head.split()[-2:] == ["得分", "等级"]
    assert i18n.width(head) <= i18n.width(rule) and row.startswith("u1    市政处") and err == ""


@pytest.mark.parametrize("lang, says", [
    ("en", "no case events from 2017-01-01 to 2017-02-01: the case log runs from 2016-12-05 to 2016-12-20"),
    ("zh_CN", "2017-01-01 至 2017-02-01 没有任何案卷记录：案卷记录的范围是 2016-12-05 至 2016-12-20"),
])
def test_evaluate_over_a_period_without_events_says_so_with_the_logs_range(capsys, center_path, lang, says):
    _events(center_path, ["2016-12-05T01:00:00.000Z", "2016-12-20T15:00:00.000Z"])
    for fmt in ("table", "csv", "json"):
        code = cli.main(["--lang", lang, "evaluate", str(center_path), "--from", "2017-01-01", "--to", "2017-02-01",
                         "--by", "unit", "--format", fmt])
        out, err = capsys.readouterr()
        assert code == 0 and err == says + "\n"  # stdout keeps the data (zeros) for programs
        assert out.strip()
    code = cli.main(["--lang", lang, "evaluate", str(center_path), "--from", "2016-12-01", "--to", "2017-01-01",
                     "--by", "unit"])
    assert code == 0 and capsys.readouterr().err == ""


def test_evaluate_on_an_empty_log_says_the_log_is_empty(capsys, center_path):
    code = cli.main(["--lang", "en", "evaluate", str(center_path), "--from", "2017-01-01", "--to", "2017-02-01",
                     "--by", "unit"])
    assert code == 0 and capsys.readouterr().err == (
        "no case events from 2017-01-01 to 2017-02-01: the centre's case log is empty\n")


def test_evaluate_log_range_is_in_the_centres_zone(center_path):
    """2016-12-20T17:00Z is already the 21st in Shanghai: the range is said in the centre's own dates."""
    from citygrid.loop import evaluation

    _events(center_path, ["2016-12-20T17:00:00.000Z"])
    conn = db.open_centre(center_path)
    try:
        assert evaluation.log_range(conn, evaluation.parse_when("2017-01-01"), evaluation.parse_when("2017-02-01")) \
            == (date(2016, 12, 21),) * 2
    finally:
        conn.close()


def test_serve_says_its_startup_line_in_the_language():
    from citygrid_server import cli as serve

    i18n.set_language("zh_CN")
    assert serve.startup_line("/x/c.gpkg", "0.0.0.0", 8765, 2).startswith(
        "citygrid serve: /x/c.gpkg 服务于 http://0.0.0.0:8765/（2 个工作进程）")
    i18n.set_language("en")
    assert serve.startup_line("/x/c.gpkg", "0.0.0.0", 8765, 2).startswith(
        "citygrid serve: /x/c.gpkg at http://0.0.0.0:8765/ (2 worker process(es))")
