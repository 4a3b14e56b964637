# SPDX-License-Identifier: GPL-2.0-or-later
"""The monthly report from a centre's figures to a PDF: the layout (the desk's or a city's template,
chosen by the TEMPLATE parameter or the setting `citygrid/report_template`), its items filled by id,
then `QgsLayoutExporter.exportToPdf`. Nothing is written when any step fails."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from qgis.core import QgsLayoutExporter, QgsRenderContext, QgsSettings

from . import evaluation_chart, report_fill, report_layout, report_maps
from . import evaluation_words as words
from .core import Problem
from .report_data import RANKINGS
from .texts import tr

SETTING = "citygrid/report_template"


def template_path(given: str | None = None) -> str:
    """The template to use: the one given, else the setting's, else '' (the desk's own layout)."""
    return (given or "").strip() or str(QgsSettings().value(SETTING, "") or "").strip()


def open_layout(project, template: str, name: str):
    """The template's layout with every id checked, or a new empty one for the desk's own."""
    if not template:
        return report_layout.new_layout(project, name)
    layout = report_layout.from_template(project, template)
    report_fill.check_ids(layout, template)
    return layout


class Filler:
    """Fills the layout's items by id from one month's ReportData and the report's map layers."""

    def __init__(self, layout, data, layers, chart_path: str, template: str):
        self.layout, self.data, self.layers, self.chart_path = layout, data, layers, chart_path
        self.template = template or tr("(built in)")

    def item(self, item_id: str):
        return report_fill.find(self.layout, item_id, self.template)

    def fill(self, item_id: str) -> None:
        item, data = self.item(item_id), self.data
        if item_id == "title":
            report_fill.fill_title(item, data.centre, data.month)
        elif item_id == "totals":
            report_fill.fill_table(item, *report_fill.totals_rows(data))
        elif item_id == "map":
            report_fill.fill_map(item, self.layers)
        elif item_id == "legend":
            report_fill.fill_legend(item, self.item("map"), self.layers[0])
        elif item_id == "scalebar":
            report_fill.fill_scalebar(item, self.item("map"))
        elif item_id == "chart":
            report_fill.fill_chart(item, self.chart_path)
        else:
            kind = next(k for k, v in report_fill.TABLE_IDS.items() if v == item_id)
            report_fill.fill_table(item, *report_fill.ranking_rows(kind, data.results[kind]))


def build(project, data, centre_path: str, chart_path: str, template: str = ""):
    """The filled layout (and its layers, which must outlive the export)."""
    layout = open_layout(project, template, tr("Monthly report {month}").format(month=data.month))
    layers = report_maps.map_layers(project, centre_path, data.results["grid"])
    write_chart(data, chart_path)
    filler = Filler(layout, data, layers, chart_path, template)
    if template:
        for item_id in report_fill.IDS:
            filler.fill(item_id)
        return layout, layers
    report_layout.first_page(layout)
    for item_id in ("title", "totals", "map", "legend", "scalebar"):
        filler.fill(item_id)
    for kind in RANKINGS:  # each table grows over its own pages before the next one starts
        report_layout.ranking_page(layout, kind, tr("Ranking: {objects}").format(objects=words.object_labels()[kind]))
        filler.fill(report_fill.TABLE_IDS[kind])
    report_layout.chart_page(layout)
    filler.fill("chart")
    return layout, layers


def write_chart(data, path: str) -> None:
    title = tr("Units: top {n} by score").format(n=evaluation_chart.TOP)
    image = evaluation_chart.ranking_image(data.results["unit"], title, font=report_fill.report_font().family())
    if not image.save(path, "PNG"):
        raise Problem("report.export_failed", path=path, reason=tr("the chart image could not be written"))


def export(layout, output: str) -> int:
    """The layout as a multi-page PDF at `output` (written beside it first, then moved); its pages."""
    target = Path(output)
    partial = target.with_name(f".{target.name}.part")
    settings = QgsLayoutExporter.PdfExportSettings()
    settings.rasterizeWholeImage = False
    settings.textRenderFormat = QgsRenderContext.TextFormatAlwaysText  # searchable, copyable text
    result = QgsLayoutExporter(layout).exportToPdf(str(partial), settings)
    if result != QgsLayoutExporter.Success:
        partial.unlink(missing_ok=True)
        raise Problem("report.export_failed", path=output, reason=f"QgsLayoutExporter {int(result)}")
    os.replace(partial, target)
    return layout.pageCollection().pageCount()


def write_report(data, centre_path: str, output: str, template: str = "") -> int:
    """Build and export the report of `data` (report_data.gather's); the number of pages written."""
    project = report_maps.report_project()
    with tempfile.TemporaryDirectory(prefix="citygrid-report-") as scratch:
        layout, _layers = build(project, data, centre_path, str(Path(scratch) / "chart.png"), template)
        return export(layout, output)
