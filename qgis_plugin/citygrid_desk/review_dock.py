# SPDX-License-Identifier: GPL-2.0-or-later
"""The supervisors' shift review (班末审核): the batches the devices brought back in a shift, per device
and collector with the core's counts, and the items that need a decision with their reasons, photos and
the case's timeline; the decisions the core offers for each. `review.shift_review` decides what is
shown and `review_decisions` what may be done: the dock only shows and asks.

`ShiftReview(iface, session, menu)` is the part (plugin.part_classes); `close()` removes the dock, its
menu entry and the poll timer. The poll reads the newest batch and the sync change log every 3 s.
"""

from __future__ import annotations

import time
from zoneinfo import ZoneInfo

from qgis.core import QgsFeatureRequest
from qgis.gui import QgsDockWidget
from qgis.PyQt.QtCore import QDate, QSortFilterProxyModel, Qt, QTime, QTimer
from qgis.PyQt.QtWidgets import QDockWidget, QSplitter, QVBoxLayout, QWidget

from . import review_decide, review_shifts
from .core import Problem, batches, blobs, casebook, review, tasks, times, workflow
from .review_model import ItemModel, fill_devices
from .review_panes import DecisionBar, ItemDetail, ShiftBar, device_table, filter_bar, item_table
from .texts import tr

ROLES = ("supervisor", "leader", "admin")  # who reviews the shift (sync.batches.REVIEWERS)
POLL_MS = 3000
CLOSE_SCALE, FAR_SCALE = 5000, 20000


class ShiftReview:
    """Part: the dock for the roles in ROLES (tabbed with the case desk), its menu entry, the poll."""

    def __init__(self, iface, session, menu):
        self.iface, self.menu = iface, menu
        self.dock: ReviewDock | None = None
        self.timer: QTimer | None = None
        if session.role not in ROLES:
            return
        self.dock = ReviewDock(iface, session)
        iface.addDockWidget(Qt.RightDockWidgetArea, self.dock)
        desk = iface.mainWindow().findChild(QDockWidget, "CitygridCaseDesk")
        if desk is not None:
            iface.mainWindow().tabifyDockWidget(desk, self.dock)
            desk.raise_()
        self.menu_action = self.dock.toggleViewAction()
        self.menu_action.setText(tr("Shift review"))
        if menu is not None:
            menu.addAction(self.menu_action)
        self.timer = QTimer()
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self.dock.poll)
        self.timer.start()

    def close(self):
        if self.dock is None:
            return
        self.timer.stop()
        self.timer.timeout.disconnect(self.dock.poll)
        if self.menu is not None:
            self.menu.removeAction(self.menu_action)
        self.iface.removeDockWidget(self.dock)
        self.dock.setParent(None)
        self.dock.deleteLater()
        self.dock = self.timer = None


class ReviewDock(QgsDockWidget):
    """Shift picker; devices; filter and bulk close; items; decision buttons; the item's photos and timeline."""

    def __init__(self, iface, session):
        super().__init__(tr("Shift review"), iface.mainWindow())
        self.setObjectName("CitygridShiftReview")
        self.iface, self.session = iface, session
        self.zone = workflow.calendar(session.centre).timezone
        self.starts, self.starts_problem = self._starts()
        self.model = ItemModel(self.zone, self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.shown: dict = {"devices": [], "items": []}
        self.item: dict | None = None
        self.elapsed = 0.0
        self.seen = self._newest()
        self._build()
        self.refresh()

    def _build(self):
        self.shift = ShiftBar(self.zone, self.starts, self)
        self.shift.changed.connect(self.refresh)
        self.devices, self.mark_button = device_table(self)
        self.mark_button.clicked.connect(self.mark_reviewed)
        self.filter, self.bulk_button, self.status = filter_bar(self)
        self.filter.currentIndexChanged.connect(self._filtered)
        self.bulk_button.clicked.connect(self.close_all_passed)
        self.items = item_table(self.proxy, self)
        self.items.selectionModel().selectionChanged.connect(self._selected)
        self.decisions = DecisionBar(self)
        self.decisions.chosen.connect(self.decide)
        self.detail = ItemDetail(self)
        self._lay_out()

    def _lay_out(self):
        top, middle = QWidget(self), QWidget(self)
        upper = QVBoxLayout(top)
        upper.setContentsMargins(0, 0, 0, 0)
        for widget in (self.shift, self.devices, self.mark_button):
            upper.addWidget(widget)
        lower = QVBoxLayout(middle)
        lower.setContentsMargins(0, 0, 0, 0)
        for widget in (self.filter.parentWidget(), self.items, self.decisions):
            lower.addWidget(widget)
        splitter = QSplitter(Qt.Vertical, self)
        splitter.setObjectName("CitygridShiftReviewSplitter")
        for n, widget in enumerate((top, middle, self.detail)):
            splitter.addWidget(widget)
            splitter.setStretchFactor(n, (1, 2, 3)[n])
        self.setWidget(splitter)

    # --- reading the shift -------------------------------------------------------------------

    def _starts(self) -> tuple:
        """The centre's shift starts, and the problem text when its setting is malformed (defaults then)."""
        try:
            return tuple(review.shift_starts(self.session.centre)), None
        except Problem as problem:
            return review_shifts.DEFAULT_STARTS, self.session.message(problem)

    def window(self) -> tuple:
        """The chosen (since, until); the current shift falls back to the last when it has no batches."""
        now = times.now()
        window = self.shift.window(now)
        if self.shift.choice() == "current":
            if not batches.list_batches(self.session.centre, self.session.actor, since=window[0],
                                        until=window[1], limit=1):
                window = review_shifts.previous(window, self.zone, self.starts)
        return window

    def choose_window(self, since, until) -> None:
        """Pick a date and from–to times as a user would (a test's way in); refreshes."""
        local = (since.astimezone(ZoneInfo(self.zone)), until.astimezone(ZoneInfo(self.zone)))
        self.shift.set_custom(QDate(local[0].year, local[0].month, local[0].day),
                              QTime(local[0].hour, local[0].minute), QTime(local[1].hour, local[1].minute))

    def refresh(self, *_) -> bool:
        """The core's review of the chosen window into both tables; the selected item kept if still there."""
        began = time.perf_counter()
        try:
            self.shown = review.shift_review(self.session.centre, self.session.actor, *self.window())
        except Problem as problem:
            self.status.setText(self.session.message(problem))
            return False
        keep = self.item["uuid"] if self.item else None
        fill_devices(self.devices, self.shown["devices"])
        self.model.set_items(self.shown["items"], self.filter.currentData())
        self.elapsed = time.perf_counter() - began
        count = tr("{count} items to decide").format(count=len(self.shown["items"]))
        self.status.setText(f"{count} — {self.starts_problem}" if self.starts_problem else count)
        self.select(keep)
        return True

    def _newest(self) -> tuple:
        newest = batches.list_batches(self.session.centre, self.session.actor, limit=1)
        rev, _ = casebook.changed_since(self.session.centre, None)
        return (newest[0]["batch_id"] if newest else None, rev)

    def poll(self) -> bool:
        """Refresh when a batch arrived or a case changed since the last look."""
        seen = self._newest()
        if seen == self.seen:
            return False
        self.seen = seen
        return self.refresh()

    # --- one item ----------------------------------------------------------------------------

    def select(self, uuid: str | None) -> bool:
        row = self.model.row_of(uuid) if uuid else -1
        if row < 0:
            self.items.clearSelection()
            self.show_item(None)
            return False
        self.items.selectRow(self.proxy.mapFromSource(self.model.index(row, 0)).row())
        return True

    def select_row(self, row: int) -> bool:
        """Select the item on table row `row` as shown (sorted), or the last row when past the end."""
        row = min(row, self.proxy.rowCount() - 1)
        if row < 0:
            return self.select(None)
        item = self.model.item_at(self.proxy.mapToSource(self.proxy.index(row, 0)).row())
        return self.select(item["uuid"])

    def shown_row(self) -> int:
        rows = self.items.selectionModel().selectedRows()
        return rows[0].row() if rows else -1

    def _filtered(self, *_):
        keep = self.item["uuid"] if self.item else None
        self.model.set_reason(self.filter.currentData())
        self.select(keep)

    def _selected(self, *_):
        rows = self.items.selectionModel().selectedRows()
        self.show_item(self.model.item_at(self.proxy.mapToSource(rows[0]).row()) if rows else None)

    def show_item(self, item: dict | None) -> None:
        """The item's decisions, its photos and its case's timeline; the case flashed on the map."""
        self.item = item
        self.decisions.offer(item["decisions"] if item else [])
        if item is None:
            self.detail.clear()
            return
        conn, no = self.session.centre, item["case_no"]
        photos = [{"sha256": s, "action": "", "at": item["received_at"]} for s in item["photos"]]
        events = workflow.events(conn, no) if no else []
        assignees = {t["id"]: t["assignee"] for t in tasks.for_case(conn, no)} if no else {}
        self.detail.fill(item, blobs.store_for(self.session.path), photos, events, assignees, self.zone)
        if no:
            self.show_on_map(no)

    def show_on_map(self, case_no: str) -> None:
        layer = self.session.layers.get("cases")
        if layer is None:
            return
        request = QgsFeatureRequest().setFilterExpression(f"\"case_no\" = '{case_no}'").setNoAttributes()
        ids = [f.id() for f in layer.getFeatures(request)]
        if not ids:
            return
        canvas = self.iface.mapCanvas()
        canvas.panToFeatureIds(layer, ids)
        if canvas.scale() > FAR_SCALE:
            canvas.zoomScale(CLOSE_SCALE)
        canvas.flashFeatureIds(layer, ids)

    # --- deciding ----------------------------------------------------------------------------

    def decide(self, decision: str) -> dict | None:
        """Take `decision` on the selected item (asking what it needs), then read the shift again."""
        if self.item is None or decision not in self.item["decisions"]:
            return None
        row = self.shown_row()
        done = review_decide.take(self.session, self, self.item, decision)
        if done is not None:
            self.item = None
        self.refresh()  # after a refusal too: another desk may have decided meanwhile
        if done is not None:
            self.select_row(row)  # the next undecided item takes the decided one's place
            self.iface.messageBar().pushSuccess(tr("citygrid"), tr("Decision taken: {decision}").format(
                decision=self.decisions.name(decision)))
        return done

    def close_all_passed(self) -> dict | None:
        done = review_decide.close_all(self.session, self, self.shown["items"])
        if done is not None:
            self.refresh()
            self.iface.messageBar().pushSuccess(tr("citygrid"), tr("{count} cases closed").format(
                count=done["closed"]))
        return done

    def mark_reviewed(self) -> int:
        """Mark the selected device's unreviewed batches of the shift reviewed; -> how many."""
        rows = {i.row() for i in self.devices.selectedIndexes()}
        groups = [self.devices.item(r, 0).data(Qt.UserRole) for r in sorted(rows)]
        ids = [b["batch_id"] for g in groups for b in g["batches"] if not b["reviewed"]]
        try:
            for batch_id in ids:
                batches.mark_reviewed(self.session.centre, self.session.actor, batch_id)
        except Problem as problem:
            self.session.show_problem(self, problem)
        self.refresh()
        return len(ids)
