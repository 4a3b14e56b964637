# SPDX-License-Identifier: GPL-2.0-or-later
"""The evaluation chart, painted with QPainter (QtCharts is not in Debian's python3-qgis): the top
objects by composite score as bars in their grade's colour, and the month-by-month score of the
selected object as a line."""

from __future__ import annotations

from qgis.PyQt.QtCore import QPointF, QRectF, Qt
from qgis.PyQt.QtGui import QColor, QFont, QImage, QPainter, QPen
from qgis.PyQt.QtWidgets import QSizePolicy, QWidget

from . import evaluation_words as words
from .texts import tr

TOP = 10
BAR_HEIGHT = 22
MARGIN = 6
LINE = QColor(30, 90, 180)


class EvaluationChart(QWidget):
    """Left half: ranking bars (top N by score); right half: the trend of the selected object."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("CitygridEvaluationChart")
        self.setMinimumHeight(170)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Preferred)
        self.bars: list[tuple[str, float, str | None]] = []   # (name, score, colour)
        self.trend: list[tuple[str, float | None]] = []        # (YYYY-MM, score or None)
        self.trend_title = ""

    def set_ranking(self, results) -> None:
        """The top objects by score (objects without a score are not ranked)."""
        self.bars = top_bars(results)
        self.update()

    def set_trend(self, title: str, points) -> None:
        self.trend_title, self.trend = title, list(points)
        self.update()

    def paintEvent(self, _event):  # noqa: N802 (Qt's name)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.Antialiasing)
        painter.fillRect(self.rect(), QColor("white"))
        half = self.width() / 2
        self._paint_bars(painter, QRectF(MARGIN, MARGIN, half - 2 * MARGIN, self.height() - 2 * MARGIN))
        self._paint_trend(painter, QRectF(half + MARGIN, MARGIN, half - 2 * MARGIN, self.height() - 2 * MARGIN))
        painter.end()

    def _paint_bars(self, painter: QPainter, box: QRectF) -> None:
        paint_ranking(painter, box, self.bars)

    def _paint_trend(self, painter: QPainter, box: QRectF) -> None:
        painter.setPen(QColor("black"))
        painter.drawText(box, Qt.AlignTop | Qt.AlignLeft, self.trend_title or tr("Select a row for its trend"))
        plot = QRectF(box.left() + 34, box.top() + 30, box.width() - 56, box.height() - 48)
        painter.setPen(QColor(200, 200, 200))
        for level in (0, 50, 100):
            y = plot.bottom() - plot.height() * level / 100
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            painter.drawText(QRectF(box.left(), y - 8, 30, 16), Qt.AlignRight | Qt.AlignVCenter, str(level))
        if not self.trend:
            return
        step = plot.width() / max(len(self.trend) - 1, 1)
        points = []
        for i, (month, score) in enumerate(self.trend):
            x = plot.left() + i * step
            painter.setPen(QColor("black"))
            painter.drawText(QRectF(x - 28, plot.bottom() + 2, 56, 16), Qt.AlignCenter, month[2:])
            if score is not None:
                points.append(QPointF(x, plot.bottom() - plot.height() * score / 100))
        painter.setPen(QPen(LINE, 2))
        for a, b in zip(points, points[1:], strict=False):
            painter.drawLine(a, b)
        for point in points:
            painter.drawEllipse(point, 3, 3)


def top_bars(results, top: int = TOP) -> list[tuple[str, float, str | None]]:
    """(name, score, colour) of the `top` best scored objects, best first (unscored ones are not ranked)."""
    scored = sorted((r for r in results if r.score is not None), key=lambda r: (-r.score, r.id))
    return [(r.name, r.score, r.colour) for r in scored[:top]]


def paint_ranking(painter: QPainter, box: QRectF, bars, title: str | None = None) -> None:
    """Ranking bars in their grade's colour with the score beside each, a title line on top."""
    painter.setPen(QColor("black"))
    painter.drawText(box, Qt.AlignTop | Qt.AlignLeft, title or tr("Top {n} by score").format(n=len(bars)))
    if not bars:
        return
    row = min((box.height() - 18) / max(len(bars), 1), BAR_HEIGHT)
    label_width = box.width() * 0.4
    for i, (name, score, colour) in enumerate(bars):
        top = box.top() + 18 + i * row
        painter.setPen(QColor("black"))
        painter.drawText(QRectF(box.left(), top, label_width - 4, row), Qt.AlignRight | Qt.AlignVCenter, name)
        width = (box.width() - label_width - 40) * max(score, 0) / 100
        painter.fillRect(QRectF(box.left() + label_width, top + 2, width, row - 4),
                         words.GRADE_COLOURS.get(colour or "", QColor("grey")))
        painter.drawText(QRectF(box.left() + label_width + width + 3, top, 40, row),
                         Qt.AlignLeft | Qt.AlignVCenter, f"{score:.1f}")


def ranking_image(results, title: str, width: int = 900, height: int = 420, font: str = "") -> QImage:
    """The ranking bars painted into an image (the monthly report's chart); no widget needed."""
    image = QImage(width, height, QImage.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.Antialiasing)
    if font:
        painter.setFont(QFont(font, 11))
    paint_ranking(painter, QRectF(MARGIN, MARGIN, width - 2 * MARGIN, height - 2 * MARGIN), top_bars(results), title)
    painter.end()
    return image
