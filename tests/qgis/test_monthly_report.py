# SPDX-License-Identifier: GPL-2.0-or-later
"""citygrid:monthly_report in a real QGIS: a multi-page PDF of the small demo's month (pages kept as
PNGs under var/test-artifacts/), Chinese text, totals equal to `citygrid evaluate`, city templates
found by id, bad input refused with coded problems and no file, and qgis_process running it."""

import importlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from processing_fixture import desk_imports_undone, processing  # noqa: F401 (fixtures)
from qgis.PyQt.QtCore import QCoreApplication, QTranslator

from citygrid.loop import periods
from citygrid.store import db

qgis_core = pytest.importorskip("qgis.core")
pytestmark = pytest.mark.qgis

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "var" / "test-artifacts" / "monthly_report"
QGIS_PLUGINS = "/usr/share/qgis/python/plugins"
IDS = ("title", "totals", "map", "legend", "scalebar", "ranking_units", "ranking_streets", "ranking_collectors",
       "chart")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "center.gpkg"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "shared")}
    subprocess.run([sys.executable, "-m", "citygrid", "demo", str(path), "--scale", "small", "--seed", "1"],
                   check=True, capture_output=True, env=env)
    return path


@pytest.fixture(scope="module")
def month(demo):
    conn = db.open_centre(demo, readonly=True)
    try:
        return periods.log_months(conn)[1]  # the last whole month of the demo's log
    finally:
        conn.close()


@pytest.fixture
def english(monkeypatch):
    monkeypatch.setattr(qgis_core.QgsApplication, "locale", staticmethod(lambda: "en_US"))


@pytest.fixture
def chinese(monkeypatch):
    """QGIS in Chinese: the core's messages by locale(), the desk's texts by its compiled .qm."""
    monkeypatch.setattr(qgis_core.QgsApplication, "locale", staticmethod(lambda: "zh_CN"))
    lrelease = shutil.which("lrelease")
    if lrelease is None:
        pytest.skip("lrelease is not installed")
    qm = ARTIFACTS.parent / "report_zh_CN.qm"
    qm.parent.mkdir(parents=True, exist_ok=True)
    sources = sorted((ROOT / "qgis_plugin" / "citygrid_desk" / "i18n" / "zh_CN").glob("*.ts"))
    subprocess.run([lrelease, *map(str, sources), "-qm", str(qm)], check=True, capture_output=True)
    translator = QTranslator()
    assert translator.load(str(qm))
    QCoreApplication.installTranslator(translator)
    yield
    QCoreApplication.removeTranslator(translator)


def run_report(processing, demo, month, out, **extra):
    return processing.run("citygrid:monthly_report", {"CENTRE": str(demo), "MONTH": month, "OUTPUT": str(out), **extra})


def refused(processing, parameters) -> str:
    with pytest.raises(qgis_core.QgsProcessingException) as caught:
        processing.run("citygrid:monthly_report", parameters)
    return str(caught.value)


def pdf_text(path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


def pages_as_png(pdf, stem: str) -> list[Path]:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob(f"{stem}-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf), str(ARTIFACTS / stem)], check=True)
    return sorted(ARTIFACTS.glob(f"{stem}-*.png"))


def cli_evaluate(demo, month, by, *extra) -> list[dict]:
    start, end = periods.parse_period(month)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "shared")}
    done = subprocess.run([sys.executable, "-m", "citygrid", "evaluate", str(demo), "--from", start.isoformat(),
                           "--to", end.isoformat(), "--by", by, *extra, "--format", "json"],
                          check=True, capture_output=True, text=True, env=env)
    return json.loads(done.stdout)


def needs_pdf_tools():
    if shutil.which("pdftoppm") is None or shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils (pdftoppm, pdftotext) is not installed: scripts/install-deps.sh")


# --- the report ---------------------------------------------------------------------------------

def test_report_is_a_multi_page_chinese_pdf_with_map_tables_and_chart(processing, demo, month, chinese, tmp_path):
    needs_pdf_tools()
    out = tmp_path / "report.pdf"
    run_report(processing, demo, month, out)
    pages = pages_as_png(out, "report_zh")
    assert len(pages) >= 4  # page 1, one page per ranking table at least, the chart
    text = pdf_text(out)
    assert f"数字城管月报 {month}" in text
    for heading in ("结案率", "按期结案率", "排名：专业部门", "排名：街道", "排名：监督员", "综合得分"):
        assert heading in text, heading
    assert "□" not in text


def test_report_totals_equal_citygrid_evaluate_for_the_month(processing, demo, month, english, tmp_path):
    needs_pdf_tools()
    out = tmp_path / "report.pdf"
    run_report(processing, demo, month, out)
    streets = cli_evaluate(demo, month, "region", "--level", "street")
    operators = [r for r in cli_evaluate(demo, month, "post") if r["kind"] == "operator"]
    due = sum(r["counts"]["closure_due"] for r in streets)
    closed = sum(r["counts"]["closure_done"] for r in streets)
    on_time = sum(r["counts"]["closure_on_time"] for r in streets)
    assert due > 0 and closed > 0
    expected = {"Reports received": sum(r["counts"]["received"] for r in operators),
                "Registered": sum(r["counts"]["registered"] for r in streets), "Closures due": due,
                "Closed": closed, "Closed on time": on_time}
    lines = pdf_text(out).splitlines()
    for label, value in expected.items():
        assert any(line.split() == [*label.split(), str(value)] for line in lines), (label, value)
    assert any(line.split() == ["Closure", "rate", f"{closed / due * 100:.2f}%"] for line in lines)
    assert any(line.split() == ["On-time", "closure", "rate", f"{on_time / due * 100:.2f}%"] for line in lines)


def test_report_in_english_when_qgis_runs_in_english(processing, demo, month, english, tmp_path):
    needs_pdf_tools()
    out = tmp_path / "report.pdf"
    run_report(processing, demo, month, out)
    pages_as_png(out, "report_en")
    text = pdf_text(out)
    assert f"monthly report, {month}" in text and "Ranking: Units" in text
    assert "结案率" not in text


# --- templates ----------------------------------------------------------------------------------

def saved_template(tmp_path, drop: str | None = None) -> Path:
    """The desk's own layout saved as a .qpt (as a city would start one), without item `drop`."""
    report_layout = importlib.import_module("citygrid_desk.report_layout")
    layout = report_layout.new_layout(qgis_core.QgsProject.instance(), "city")
    report_layout.first_page(layout)
    for kind in ("unit", "street", "collector"):
        report_layout.ranking_page(layout, kind, kind)
    report_layout.chart_page(layout)
    title = layout.itemById("title")
    title.setText("CITY TEMPLATE")
    if drop is not None:
        layout.removeLayoutItem(layout.itemById(drop))
    path = tmp_path / f"city-{drop or 'full'}.qpt"
    assert layout.saveAsTemplate(str(path), qgis_core.QgsReadWriteContext())
    return path


def test_a_city_template_is_filled_by_item_id(processing, demo, month, english, tmp_path):
    needs_pdf_tools()
    out = tmp_path / "city.pdf"
    run_report(processing, demo, month, out, TEMPLATE=str(saved_template(tmp_path)))
    text = pdf_text(out)
    assert f"monthly report, {month}" in text and "Closure rate" in text


def test_the_template_setting_is_used_when_no_template_is_given(processing, demo, month, english, tmp_path):
    settings = qgis_core.QgsSettings()
    settings.setValue("citygrid/report_template", str(saved_template(tmp_path, drop="chart")))
    try:
        message = refused(processing, {"CENTRE": str(demo), "MONTH": month, "OUTPUT": str(tmp_path / "x.pdf")})
    finally:
        settings.remove("citygrid/report_template")
    assert "has no item with the id chart" in message
    assert not (tmp_path / "x.pdf").exists()


@pytest.mark.parametrize("missing", ["map", "totals", "ranking_streets"])
def test_a_template_missing_an_id_is_refused_and_writes_nothing(processing, demo, month, english, tmp_path,
                                                                  missing):
    template = saved_template(tmp_path, drop=missing)
    out = tmp_path / "x.pdf"
    message = refused(processing, {"CENTRE": str(demo), "MONTH": month, "OUTPUT": str(out),
                                   "TEMPLATE": str(template)})
    assert message == f"the report template {template} has no item with the id {missing}"
    assert not out.exists()


def test_a_template_that_is_not_a_layout_is_refused(processing, demo, month, english, tmp_path):
    bad = tmp_path / "bad.qpt"
    bad.write_text("<not a layout", encoding="utf-8")
    out = tmp_path / "x.pdf"
    message = refused(processing, {"CENTRE": str(demo), "MONTH": month, "OUTPUT": str(out), "TEMPLATE": str(bad)})
    assert message.startswith(f"the report template {bad} cannot be read")
    assert not out.exists()


# --- bad input ----------------------------------------------------------------------------------

@pytest.mark.parametrize("bad", ["2026-13", "2026", "2026-11-01", "November", "2026-11 x", "2026-11/2026-12"])
def test_a_bad_month_is_refused_with_its_code_and_no_file(processing, demo, english, tmp_path, bad):
    out = tmp_path / "x.pdf"
    message = refused(processing, {"CENTRE": str(demo), "MONTH": bad, "OUTPUT": str(out)})
    assert message.startswith("the report's month must be YYYY-MM")
    assert not out.exists()


def test_a_bad_month_speaks_chinese_when_qgis_does(processing, demo, chinese, tmp_path):
    message = refused(processing, {"CENTRE": str(demo), "MONTH": "2026-13", "OUTPUT": str(tmp_path / "x.pdf")})
    assert message.startswith("月报月份须为 YYYY-MM")


def test_a_file_that_is_not_a_centre_is_refused_and_nothing_written(processing, english, tmp_path):
    other = tmp_path / "other.gpkg"
    other.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    out = tmp_path / "x.pdf"
    message = refused(processing, {"CENTRE": str(other), "MONTH": "2026-11", "OUTPUT": str(out)})
    assert str(other) in message and "Traceback" not in message
    assert not out.exists()


# --- qgis_process -------------------------------------------------------------------------------

def qgis_home(tmp_path) -> Path:
    home = tmp_path / "qgis-settings"
    profile = home / "profiles" / "default"
    (profile / "python" / "plugins").mkdir(parents=True)
    (profile / "QGIS").mkdir()
    (profile / "QGIS" / "QGIS3.ini").write_text("[PythonPlugins]\ncitygrid_desk=true\n")
    built = home / "citygrid_desk.zip"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "build_plugin_zip.py"), "--out", str(built)],
                   check=True, capture_output=True)
    shutil.unpack_archive(built, profile / "python" / "plugins")
    return home


@pytest.mark.slow
def test_qgis_process_writes_the_report_from_the_installed_plugin(demo, month, tmp_path):
    needs_pdf_tools()
    binary = shutil.which("qgis_process.bin") or shutil.which("qgis_process")
    if binary is None:
        pytest.skip("qgis_process is not installed")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "DISPLAY", "QGIS_OPTIONS_PATH")}
    env.update(QGIS_CUSTOM_CONFIG_PATH=str(qgis_home(tmp_path)), QT_QPA_PLATFORM="offscreen", LC_ALL="C.UTF-8",
               LANG="C.UTF-8")
    out = tmp_path / "report.pdf"
    done = subprocess.run([binary, "run", "citygrid:monthly_report", "--", f"CENTRE={demo}", f"MONTH={month}",
                           f"OUTPUT={out}"], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert len(pages_as_png(out, "report_qgis_process")) >= 4
    assert f"monthly report, {month}" in pdf_text(out)


def test_a_long_ranking_runs_over_as_many_pages_as_it_needs(demo, month, english, tmp_path):
    report_data = importlib.import_module("citygrid_desk.report_data")
    report_build = importlib.import_module("citygrid_desk.report_build")
    conn = db.open_centre(demo, readonly=True)
    try:
        data = report_data.gather(conn, str(demo), month)
    finally:
        conn.close()
    short = report_build.write_report(data, str(demo), str(tmp_path / "short.pdf"))
    data.results["unit"] = data.results["unit"] * 6  # 144 rows: more than one landscape page holds
    out = tmp_path / "long.pdf"
    pages = report_build.write_report(data, str(demo), str(out))
    assert pages >= short + 2 and len(pages_as_png(out, "report_long")) == pages
    texts = pdf_text(out).split("\f")
    streets = [t for t in texts if "Ranking: Streets" in t]
    assert len(streets) == 1 and data.results["unit"][0].name not in streets[0]  # no overlap
    assert any(line.split()[:1] == ["144"] for line in "".join(texts).splitlines())
