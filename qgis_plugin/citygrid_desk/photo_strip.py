# SPDX-License-Identifier: GPL-2.0-or-later
"""A case's photos as thumbnails (from center.blobs beside the GeoPackage); a click shows one full size."""

from __future__ import annotations

from qgis.PyQt.QtCore import QSize, Qt
from qgis.PyQt.QtGui import QColor, QIcon, QPainter, QPen, QPixmap
from qgis.PyQt.QtWidgets import QListView, QListWidget, QListWidgetItem

from . import case_words
from .core import Problem, blobs
from .photo_view import PhotoDialog, read_scaled
from .texts import tr

THUMB = 112
SHA = Qt.UserRole


class PhotoStrip(QListWidget):
    """One row of thumbnails; a missing or corrupt photo is a crossed placeholder with a tooltip."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("CitygridCasePhotos")
        self.setViewMode(QListView.IconMode)
        self.setFlow(QListView.LeftToRight)
        self.setWrapping(False)
        self.setIconSize(QSize(THUMB, THUMB))
        self.setFixedHeight(THUMB + 48)
        self.setMovement(QListView.Static)
        self.store = None
        self.zone = "Asia/Shanghai"
        self.dialog: PhotoDialog | None = None
        self.itemClicked.connect(self.show_full)

    def fill(self, store: blobs.BlobStore, photos: list[dict], zone: str) -> None:
        """Thumbnails of `photos` (casefile.photos rows) read from `store`."""
        self.clear()
        self.store, self.zone = store, zone
        for photo in photos:
            self.addItem(self._item(photo))

    def placeholders(self) -> int:
        """How many photos show the placeholder (missing or unreadable)."""
        return sum(1 for i in range(self.count()) if self.item(i).data(Qt.UserRole + 1))

    def _item(self, photo: dict) -> QListWidgetItem:
        image = read_scaled(self._path(photo["sha256"]), THUMB)
        label = f"{case_words.action(photo['action'] or '')}\n{case_words.local_time(photo['at'], self.zone)}"
        item = QListWidgetItem(label.strip())
        item.setData(SHA, photo["sha256"])
        item.setData(Qt.UserRole + 1, image is None)
        if image is None:
            item.setIcon(QIcon(_placeholder()))
            item.setToolTip(tr("Photo missing or unreadable: {sha256}").format(sha256=photo["sha256"]))
        else:
            item.setIcon(QIcon(QPixmap.fromImage(image)))
            item.setToolTip(photo["sha256"])
        return item

    def _path(self, sha: str):
        try:
            return self.store.path(sha)
        except Problem:  # a digest edited by hand: the placeholder
            return None

    def show_full(self, item: QListWidgetItem) -> None:
        sha = item.data(SHA)
        self.dialog = PhotoDialog(self._path(sha), tr("Photo {sha256}").format(sha256=sha[:12]), self)
        self.dialog.open()


def _placeholder() -> QPixmap:
    pixmap = QPixmap(THUMB, THUMB)
    pixmap.fill(QColor("#e6e6e6"))
    painter = QPainter(pixmap)
    painter.setPen(QPen(QColor("#a0a0a0"), 3))
    painter.drawRect(1, 1, THUMB - 3, THUMB - 3)
    painter.drawLine(THUMB // 4, THUMB // 4, 3 * THUMB // 4, 3 * THUMB // 4)
    painter.drawLine(3 * THUMB // 4, THUMB // 4, THUMB // 4, 3 * THUMB // 4)
    painter.end()
    return pixmap
