# SPDX-License-Identifier: GPL-2.0-or-later
"""Filling a report layout's items by their id, whether the desk built the layout or a city's .qpt
did: `title` (label), `totals` (a frame of a manual table), `map`, `legend`, `scalebar`,
`ranking_units` / `ranking_streets` / `ranking_collectors` (frames of manual tables) and `chart`
(a picture). A missing id is `report.missing_item`."""

from __future__ import annotations

from qgis.core import (
    QgsLayoutFrame,
    QgsLayoutItemLegend,
    QgsLayoutItemManualTable,
    QgsLayoutTableColumn,
    QgsLegendStyle,
    QgsRectangle,
    QgsTableCell,
)
from qgis.PyQt.QtGui import QColor, QFont, QFontDatabase

from . import evaluation_words as words
from .core import Problem
from .texts import tr

TABLE_IDS = {"unit": "ranking_units", "street": "ranking_streets", "collector": "ranking_collectors"}
IDS = ("title", "totals", "map", "legend", "scalebar", *TABLE_IDS.values(), "chart")
CJK_FONTS = ("Noto Sans CJK SC", "WenQuanYi Micro Hei", "Source Han Sans SC")
NONE = "-"


def report_font(size: float = 9, bold: bool = False) -> QFont:
    """A font with the Chinese glyphs that exists here (Qt would otherwise draw boxes in some PDFs)."""
    families = set(QFontDatabase().families())
    family = next((name for name in CJK_FONTS if name in families), "")
    font = QFont(family, int(size)) if family else QFont()
    font.setPointSizeF(size)
    font.setBold(bold)
    return font


def find(layout, item_id: str, template: str):
    """The item with `item_id`; for a table, the frame's table (its multiframe)."""
    item = layout.itemById(item_id)
    if item is None:
        raise Problem("report.missing_item", item=item_id, template=template)
    return item.multiFrame() if isinstance(item, QgsLayoutFrame) else item


def check_ids(layout, template: str) -> None:
    """Every id the report fills is in the layout (checked before anything is computed or written)."""
    for item_id in IDS:
        find(layout, item_id, template)


def fill_title(label, centre: str, month: str) -> None:
    label.setText(tr("{centre} digital city management monthly report, {month}").format(centre=centre, month=month))


def fill_table(table: QgsLayoutItemManualTable, headings: list[str], rows: list[list], colours=None) -> None:
    """Headings and rows of texts; `colours[row]` (QColor or None) fills the row's last cell (grade)."""
    table.setIncludeTableHeader(True)
    table.setHeaders([QgsLayoutTableColumn(heading) for heading in headings])
    table.setHeaderFont(report_font(5.5, bold=True))  # English headings are long: 19 columns on A4 landscape
    table.setContentFont(report_font(6))
    contents = []
    for i, row in enumerate(rows):
        cells = [QgsTableCell(text) for text in row]
        fill = colours[i] if colours else None
        if fill is not None and cells:
            cells[-1].setBackgroundColor(fill)
        contents.append(cells)
    table.setTableContents(contents)
    table.setEmptyTableBehavior(table.ShowMessage)
    table.setEmptyTableMessage(tr("Nothing to rank this month"))


def totals_rows(data) -> tuple[list[str], list[list[str]]]:
    """The totals table: one row per figure, its value (rates in percent)."""
    names = {"reported": tr("Reports received"), "registered": tr("Registered"), "closure_due": tr("Closures due"),
             "closure_done": tr("Closed"), "closure_on_time": tr("Closed on time"),
             "closure_rate": tr("Closure rate"), "on_time_closure_rate": tr("On-time closure rate")}
    rows = [[names[key], str(value)] for key, value in data.totals.items()]
    rows += [[names[key], percent(value)] for key, value in data.rates.items()]
    return [tr("Figure"), tr("Value")], rows


def percent(value) -> str:
    return NONE if value is None else f"{value * 100:.2f}%"


def ranking_rows(object_type: str, results) -> tuple[list[str], list[list[str]], list]:
    """Every indicator the core gives for the type, by score (best first), grade last in its colour."""
    counts, rates = words.indicator_columns(object_type)
    ranked = sorted(results, key=lambda r: (r.score is None, -(r.score or 0), r.id))
    headings = [tr("Rank"), words.heading("name"), *map(words.heading, counts), *map(words.heading, rates),
                words.heading("score"), words.heading("grade")]
    rows, colours = [], []
    for i, r in enumerate(ranked):
        rows.append([str(i + 1), r.name, *(str(r.counts.get(c, 0)) for c in counts),
                     *(percent(r.rates.get(rate)) for rate in rates),
                     NONE if r.score is None else f"{r.score:.2f}", r.grade or NONE])
        colours.append(words.GRADE_COLOURS.get(r.colour or "") if r.colour else None)
    return headings, rows, colours


def fill_map(map_item, layers) -> None:
    map_item.setCrs(layers[0].crs())
    map_item.setLayers(layers)
    map_item.setExtent(fitted(layers[0].extent(), map_item.rect().width() / map_item.rect().height()))


def fitted(extent: QgsRectangle, ratio: float) -> QgsRectangle:
    """`extent` grown by 5 % and widened or heightened to the map item's width / height `ratio`
    (QgsLayoutItemMap.zoomToExtent gives an empty extent in a project without a canvas)."""
    width, height = extent.width() * 1.05, extent.height() * 1.05
    width, height = max(width, height * ratio), max(height, width / ratio)
    centre = extent.center()
    return QgsRectangle(centre.x() - width / 2, centre.y() - height / 2, centre.x() + width / 2, centre.y() + height / 2)


def fill_legend(legend: QgsLayoutItemLegend, map_item, layer) -> None:
    legend.setLinkedMap(map_item)
    legend.setAutoUpdateModel(False)
    root = legend.model().rootGroup()
    root.removeAllChildren()
    root.addLayer(layer)
    legend.setTitle(tr("Registered cases per km²"))
    legend.setStyleFont(QgsLegendStyle.Title, report_font(10, bold=True))
    for which in (QgsLegendStyle.Group, QgsLegendStyle.Subgroup, QgsLegendStyle.SymbolLabel):
        legend.setStyleFont(which, report_font(8))
    legend.adjustBoxSize()
    legend.refresh()


def fill_scalebar(bar, map_item) -> None:
    bar.setLinkedMap(map_item)
    bar.applyDefaultSize()
    text = bar.textFormat()
    text.setFont(report_font(7))
    bar.setTextFormat(text)
    bar.update()


def fill_chart(picture, image_path: str) -> None:
    picture.setPicturePath(image_path)
    picture.refresh()


def grade_colour(colour: str | None) -> QColor | None:
    return words.GRADE_COLOURS.get(colour or "")
