# SPDX-License-Identifier: GPL-2.0-or-later
"""A case photo at full size in a scrollable dialog, and the one safe way the desk decodes a photo.

Photos come from devices and can be huge: `read_scaled` reads the size from the header first and asks
Qt's reader for a scaled image (JPEG is then decoded at 1/2..1/8 scale by libjpeg, never whole), and
refuses images whose pixels would not fit in memory. A missing, unreadable or corrupt file is None:
the caller shows a placeholder, never an exception.
"""

from __future__ import annotations

from pathlib import Path

from qgis.PyQt.QtCore import QSize, Qt
from qgis.PyQt.QtGui import QImage, QImageReader, QPixmap
from qgis.PyQt.QtWidgets import QDialog, QDialogButtonBox, QLabel, QScrollArea, QVBoxLayout

from .texts import name_buttons, tr

FULL = 2048  # the longest side of the "full size" view; a phone photo is 4000 px, a screen 1600-2560
MAX_PIXELS = {b"jpeg": 400_000_000, b"jpg": 400_000_000}  # decoded scaled by libjpeg
OTHER_MAX_PIXELS = 40_000_000  # other formats decode whole before scaling: 160 MB at most


def read_scaled(path: Path | None, longest: int) -> QImage | None:
    """The image at `path` scaled to fit `longest` pixels (never enlarged); None when it cannot be shown."""
    if path is None or not path.is_file():
        return None
    reader = QImageReader(str(path))
    size = reader.size()
    if not size.isValid() or size.width() <= 0 or size.height() <= 0:
        return None
    if size.width() * size.height() > MAX_PIXELS.get(bytes(reader.format()).lower(), OTHER_MAX_PIXELS):
        return None
    if max(size.width(), size.height()) > longest:
        reader.setScaledSize(size.scaled(QSize(longest, longest), Qt.KeepAspectRatio))
    image = reader.read()
    return None if image.isNull() else image


class PhotoDialog(QDialog):
    """One photo, scaled to at most FULL pixels on its longest side, in a scroll area."""

    def __init__(self, path: Path | None, title: str, parent=None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setObjectName("CitygridPhotoDialog")
        self.image = read_scaled(path, FULL)
        self.picture = QLabel()
        self.picture.setAlignment(Qt.AlignCenter)
        if self.image is None:
            self.picture.setText(tr("This photo is missing or cannot be read."))
        else:
            self.picture.setPixmap(QPixmap.fromImage(self.image))
        scroll = QScrollArea()
        scroll.setWidget(self.picture)
        scroll.setAlignment(Qt.AlignCenter)
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        name_buttons(buttons)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll)
        layout.addWidget(buttons)
        self.resize(1000, 750)
