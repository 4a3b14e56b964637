# SPDX-License-Identifier: GPL-2.0-or-later
"""The monthly report's print layout: the desk's own (A4 portrait; page 1 title, totals, map with
legend and scale bar; then one ranking table per object type, each starting on a new page and
running over as many pages as it needs; the chart last) or a city's .qpt template. Items carry the
ids report_fill fills (docs/desk.md, "Monthly report")."""

from __future__ import annotations

from qgis.core import (
    QgsLayoutFrame,
    QgsLayoutItemLabel,
    QgsLayoutItemLegend,
    QgsLayoutItemManualTable,
    QgsLayoutItemMap,
    QgsLayoutItemPage,
    QgsLayoutItemPicture,
    QgsLayoutItemScaleBar,
    QgsLayoutMultiFrame,
    QgsLayoutPoint,
    QgsLayoutSize,
    QgsPrintLayout,
    QgsReadWriteContext,
)
from qgis.PyQt.QtCore import QRectF
from qgis.PyQt.QtXml import QDomDocument

from .core import Problem
from .report_fill import TABLE_IDS, report_font
from .texts import tr

WIDTH, HEIGHT, MARGIN = 210.0, 297.0, 15.0
INNER = WIDTH - 2 * MARGIN


def from_template(project, path: str) -> QgsPrintLayout:
    """A layout read from a .qpt; a file that is not one is `report.bad_template`."""
    try:
        text = open(path, encoding="utf-8").read()
    except (OSError, UnicodeDecodeError) as error:
        raise Problem("report.bad_template", template=path, reason=str(error)) from None
    document = QDomDocument()
    if not document.setContent(text)[0]:
        raise Problem("report.bad_template", template=path, reason=tr("not XML"))
    layout = QgsPrintLayout(project)
    _items, ok = layout.loadFromTemplate(document, QgsReadWriteContext())
    if not ok:
        raise Problem("report.bad_template", template=path, reason=tr("not a QGIS layout template"))
    return layout


def new_layout(project, name: str) -> QgsPrintLayout:
    layout = QgsPrintLayout(project)
    layout.initializeDefaults()  # one A4 landscape page
    layout.setName(name)
    layout.pageCollection().page(0).setPageSize("A4", QgsLayoutItemPage.Portrait)
    return layout


def add_page(layout, orientation=QgsLayoutItemPage.Portrait) -> int:
    page = QgsLayoutItemPage(layout)
    page.setPageSize("A4", orientation)
    layout.pageCollection().addPage(page)
    return layout.pageCollection().pageCount() - 1


def place(layout, item, page: int, x: float, y: float, w: float, h: float, item_id: str):
    item.setId(item_id)
    layout.addLayoutItem(item)
    item.attemptMove(QgsLayoutPoint(x, y), page=page)
    item.attemptResize(QgsLayoutSize(w, h))
    return item


def first_page(layout) -> None:
    """Title, totals, map, legend and scale bar on page 1."""
    title = QgsLayoutItemLabel(layout)
    title.setFont(report_font(16, bold=True))
    place(layout, title, 0, MARGIN, MARGIN, INNER, 12, "title")
    table_frame(layout, 0, MARGIN + 16, 70, "totals", QgsLayoutMultiFrame.UseExistingFrames)
    place(layout, QgsLayoutItemMap(layout), 0, MARGIN, 100, INNER, 140, "map")
    place(layout, QgsLayoutItemLegend(layout), 0, MARGIN, 244, 80, 40, "legend")
    place(layout, QgsLayoutItemScaleBar(layout), 0, WIDTH - MARGIN - 70, 250, 70, 15, "scalebar")


def table_frame(layout, page: int, y: float, height: float, item_id: str, mode,
                width: float = INNER) -> QgsLayoutItemManualTable:
    """A manual table with one frame at (MARGIN, y) on `page`; `mode` repeats frames over new pages."""
    table = QgsLayoutItemManualTable.create(layout)
    table.setResizeMode(mode)
    layout.addMultiFrame(table)
    frame = QgsLayoutFrame(layout, table)
    place(layout, frame, page, MARGIN, y, width, height, item_id)
    table.addFrame(frame)
    return table


def ranking_page(layout, object_type: str, heading: str) -> None:
    """A new landscape page: the type's heading and its table's first frame (more landscape pages
    follow as it fills: a new page takes the last one's size)."""
    page = add_page(layout, QgsLayoutItemPage.Landscape)
    label = QgsLayoutItemLabel(layout)
    label.setText(heading)
    label.setFont(report_font(12, bold=True))
    place(layout, label, page, MARGIN, MARGIN, HEIGHT - 2 * MARGIN, 9, f"{TABLE_IDS[object_type]}_heading")
    table_frame(layout, page, MARGIN + 11, WIDTH - 2 * MARGIN - 11, TABLE_IDS[object_type],
                QgsLayoutMultiFrame.RepeatUntilFinished, HEIGHT - 2 * MARGIN)


def chart_page(layout) -> None:
    page = add_page(layout)
    place(layout, QgsLayoutItemPicture(layout), page, MARGIN, MARGIN, INNER, INNER * 420 / 900, "chart")


def frame_rect(layout, item_id: str) -> QRectF:
    item = layout.itemById(item_id)
    return QRectF(item.pos(), item.rect().size()) if item is not None else QRectF()
