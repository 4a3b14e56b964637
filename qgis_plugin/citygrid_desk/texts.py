# SPDX-License-Identifier: GPL-2.0-or-later
"""The desk's one translation context: every user-facing string goes through `tr()`.

Texts live in `i18n/<lang>/<part>.ts` (one file per part of the desk, all in the context
`citygrid_desk`); `lrelease` merges them into `i18n/citygrid_desk_<lang>.qm`, which the plugin
installs in initGui() when QGIS runs in that language. English is the source language.
"""

from __future__ import annotations

from qgis.core import QgsApplication
from qgis.PyQt.QtCore import QCoreApplication

CONTEXT = "citygrid_desk"


def tr(text: str) -> str:
    """`text` in the user's language (English when no translation is installed)."""
    return QCoreApplication.translate(CONTEXT, text)


def locale() -> str:
    """The core's language code for QGIS's locale: zh_CN for any Chinese locale, else en."""
    return "zh_CN" if QgsApplication.locale().lower().startswith("zh") else "en"


def name_buttons(box) -> None:
    """Standard dialog buttons in the user's language: Qt's own translations are not always loaded
    (QGIS 3.22 in Chinese still says "Cancel"), so the desk names them itself."""
    from qgis.PyQt.QtWidgets import QDialogButtonBox

    for which, text in ((QDialogButtonBox.Ok, tr("OK")), (QDialogButtonBox.Cancel, tr("Cancel")),
                        (QDialogButtonBox.Close, tr("Close"))):
        button = box.button(which)
        if button is not None and button.text().replace("&", "") in ("OK", "Cancel", "Close"):
            button.setText(text)
